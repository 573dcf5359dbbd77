"""The benchmark command keeps working: `python -m bench --quick` runs every measurement on tiny
inputs and writes its results. It checks no speed; speed is reported by the full run."""
import json
import subprocess
import sys

from conftest import ROOT


def test_quick_benchmark_writes_every_section(tmp_path, cli_env):
    result = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(tmp_path)], cwd=ROOT,
                            env=cli_env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads((tmp_path / "latest.json").read_text())
    assert {"stemming", "batch", "api", "memory", "cold_start", "training", "targets"} <= set(results)
    assert results["batch"]["ours_2_workers_docs_per_s"] > 0 and results["batch"]["usual_docs_per_s"] > 0
    assert {run["route"] for run in results["api"]["runs"]} == {"echo", "single", "batch64"}
    assert all(run["errors"] == 0 for run in results["api"]["runs"])
    assert len(results["targets"]) == 10 and all(isinstance(t["pass"], bool) for t in results["targets"])
    assert "| target | measured | result |" in (tmp_path / "latest.md").read_text()
