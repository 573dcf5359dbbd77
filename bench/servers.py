"""Start and stop gunicorn servers for the benchmarks, with the production settings."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "api" / "gunicorn_conf.py"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(port, path, process, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} not ready after {seconds} s")


@contextmanager
def gunicorn(app_spec, model_dir, workers, ready_path="/readyz", tmp_dir="/tmp"):
    """A gunicorn process serving `app_spec` on a free port; yields (port, master psutil.Process)."""
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT), CLASSIFIER_PORT=str(port), CLASSIFIER_WORKERS=str(workers),
               CLASSIFIER_MODEL_DIR=str(model_dir), CLASSIFIER_PID_FILE=str(Path(tmp_dir) / f"bench-{port}.pid"))
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), app_spec],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_ready(port, ready_path, process)
        yield port, psutil.Process(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def worker_rss_mb(master):
    """Resident memory of each worker process, in MB."""
    return [round(child.memory_info().rss / 2**20, 1) for child in master.children()]
