"""Load generation from separate processes: wrk when it is installed, else a small Python client.

Both report requests per second, p50/p95/p99 latency and the error count (connection errors and
non-2xx answers).
"""
import http.client
import json
import shutil
import subprocess
import threading
import time
from pathlib import Path

import numpy as np

WRK_SCRIPT = Path(__file__).with_name("post.lua")


def wrk_path():
    return shutil.which("wrk")


def run_wrk(port, path, body_file, connections, seconds):
    command = [wrk_path(), f"-t{min(connections, 2)}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(WRK_SCRIPT), f"http://127.0.0.1:{port}{path}", "--", str(body_file)]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    summary = json.loads(next(line for line in output.splitlines() if line.startswith("{")))
    return {"tool": "wrk", "connections": connections, "requests": summary["requests"],
            "rps": round(summary["requests"] / (summary["duration_us"] / 1e6), 1),
            "p50_ms": summary["p50_us"] / 1000, "p95_ms": summary["p95_us"] / 1000, "p99_ms": summary["p99_us"] / 1000,
            "errors": sum(summary["errors"].values())}


def post(port, path, body):
    """One request on a fresh connection; (ok, seconds)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        return 200 <= response.status < 300, time.perf_counter() - started
    except OSError:
        return False, time.perf_counter() - started
    finally:
        connection.close()


def run_python(port, path, make_body, connections, requests):
    """`requests` POSTs from `connections` threads; bodies from make_body(i)."""
    latencies, failures, counter, lock = [], [0], iter(range(requests)), threading.Lock()

    def worker():
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            ok, seconds = post(port, path, make_body(index))
            with lock:
                latencies.append(seconds)
                failures[0] += not ok

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    p50, p95, p99 = np.percentile(np.array(latencies) * 1000, [50, 95, 99])
    return {"tool": "python", "connections": connections, "requests": requests, "rps": round(requests / elapsed, 1),
            "p50_ms": round(p50, 3), "p95_ms": round(p95, 3), "p99_ms": round(p99, 3), "errors": failures[0]}
