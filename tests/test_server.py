"""Against a real gunicorn server process: HTTP round trips, bad input, and a model swap under load."""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from classifier import save_model
from classifier.train import train

from conftest import ROOT, SEEDS

ARTICLE = "Mediator Mesir menyampaikan usulan gencatan senjata tahap pertama di Gaza kepada kedua pihak."


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port, method, path, body=None, content_type="application/json"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Content-Type": content_type} if body is not None else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("X-Model-Version"), response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory, tiny_model_dir, tiny_documents):
    """A gunicorn server on a free port serving models/current -> tiny (v tiny-1); tiny2 (v tiny-2) beside it."""
    models = tmp_path_factory.mktemp("served") / "models"
    shutil.copytree(tiny_model_dir, models / "tiny")
    from classifier.data import read_corpus

    model, _ = train(tiny_documents + read_corpus([SEEDS]), feature_set="stems", cross_validation=False)
    save_model(model, models / "tiny2", {"version": "tiny-2", "created_at": "2026-01-02T00:00:00Z", "labels": {}})
    os.symlink("tiny", models / "current")
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT), CLASSIFIER_MODEL_DIR=str(models / "current"),
               CLASSIFIER_PID_FILE=str(models.parent / "api.pid"), CLASSIFIER_PORT=str(port), CLASSIFIER_WORKERS="2")
    server = subprocess.Popen([sys.executable, "-m", "api", "serve"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if request(port, "GET", "/readyz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("server did not become ready: " + server.stderr.read().decode()[-2000:])
    yield port, env, models
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)


def test_classify_over_http(served):
    port, _, _ = served
    status, version, body = request(port, "POST", "/classify", json.dumps({"text": ARTICLE}))
    assert status == 200 and version == "tiny-1"
    assert json.loads(body)["topic"] == "ceasefire"
    status, _, body = request(port, "POST", "/classify",
                              json.dumps({"documents": [{"text": ARTICLE}] * 64}))
    assert status == 200 and len(json.loads(body)["results"]) == 64


@pytest.mark.parametrize("body, content_type, status", [
    (b"{bad", "application/json", 400),
    (b'{"text": "\xff"}', "application/json", 400),
    (b"[" * 100_000, "application/json", 400),
    (json.dumps({"text": "x"}).encode(), "text/plain", 415),
    (json.dumps({"text": "a\u0000"}).encode(), "application/json", 400),
    (json.dumps({"text": "x" * 100_001}).encode(), "application/json", 413),
    (json.dumps({"documents": [{"text": "x"}] * 257}).encode(), "application/json", 413),
])
def test_bad_input_over_http_gets_4xx_and_server_keeps_serving(served, body, content_type, status):
    port, _, _ = served
    got, _, payload = request(port, "POST", "/classify", body, content_type)
    assert got == status and "error" in json.loads(payload)
    assert request(port, "GET", "/healthz")[0] == 200


def test_model_swap_under_load_loses_no_request(served):
    port, env, models = served
    outcomes, stop = [], threading.Event()

    def hammer():
        while not stop.is_set():
            try:
                status, version, _ = request(port, "POST", "/classify", json.dumps({"text": ARTICLE}))
                outcomes.append((status, version))
            except OSError as error:
                outcomes.append((repr(error), None))

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.0)
        switched = subprocess.run([sys.executable, "-m", "api", "promote", str(models / "tiny2")], cwd=ROOT,
                                  env=env, capture_output=True, text=True, timeout=60)
        assert switched.returncode == 0, switched.stderr
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (not outcomes or outcomes[-1][1] != "tiny-2"):
            time.sleep(0.1)
        time.sleep(1.0)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    failures = [outcome for outcome in outcomes if outcome[0] != 200]
    versions = [version for _, version in outcomes]
    assert failures == [] and len(outcomes) > 50
    assert versions[0] == "tiny-1" and versions[-1] == "tiny-2"
    rolled_back = subprocess.run([sys.executable, "-m", "api", "rollback"], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=60)
    assert rolled_back.returncode == 0, rolled_back.stderr
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and request(port, "GET", "/healthz")[1] != "tiny-1":
        time.sleep(0.2)
    assert request(port, "GET", "/readyz")[1] == "tiny-1"
