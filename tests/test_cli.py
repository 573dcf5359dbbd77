"""End-to-end: the CLI commands as subprocesses, good input and bad."""
import json
import subprocess
import sys

from conftest import FIXTURES, ROOT, SEEDS


def run(args, env, stdin=None):
    return subprocess.run([sys.executable, "-m", "classifier", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=300)


def records(result):
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_classify_files_stdin_and_text(tiny_model_dir, cli_env, tmp_path):
    article = tmp_path / "artikel.txt"
    article.write_text("Dewan kota memutus hubungan kota kembar dengan Tel Aviv.", encoding="utf-8")
    result = run(["classify", str(article), "-", "--text", "Seminar Palestina di kampus.",
                  "--model", str(tiny_model_dir)], cli_env, stdin="Gencatan senjata di Gaza disepakati.")
    assert result.returncode == 0, result.stderr
    out = records(result)
    assert [r["id"] for r in out] == ["text-1", str(article), "-"]
    assert out[1]["topic"] == "municipal_boycott" and out[2]["topic"] == "ceasefire"
    assert all(abs(sum(r["stance_scores"].values()) - 1) < 1e-6 for r in out)


def test_classify_reports_missing_and_empty_files_and_keeps_going(tiny_model_dir, cli_env, tmp_path):
    empty = tmp_path / "kosong.txt"
    empty.write_text("")
    good = tmp_path / "baik.txt"
    good.write_text("Aksi bela Palestina di Monas.")
    result = run(["classify", str(tmp_path / "nope.txt"), str(empty), str(good), "--model", str(tiny_model_dir)], cli_env)
    assert result.returncode == 1
    out = records(result)
    assert out[0]["error"]["code"] == "not_found" and out[1]["error"]["code"] == "empty"
    assert out[2]["topic"] in {"other", "conference"}
    assert "nope.txt: no such file" in result.stderr


def test_classify_with_missing_model_fails_in_one_line(cli_env, tmp_path):
    result = run(["classify", "--text", "x", "--model", str(tmp_path / "none")], cli_env)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "not found" in result.stderr


def test_classify_without_input_is_a_usage_error(cli_env):
    assert run(["classify"], cli_env).returncode == 2


def test_train_then_evaluate(cli_env, tmp_path):
    out = tmp_path / "m"
    result = run(["train", "--data", str(FIXTURES / "tiny.jsonl"), "--data", str(SEEDS), "--out", str(out),
                  "--features", "stems+words", "--folds", "2"], cli_env)
    assert result.returncode == 0, result.stderr
    assert {p.name for p in out.iterdir()} == {"model.joblib", "manifest.json", "report.json", "report.md"}
    report = json.loads((out / "report.json").read_text())
    assert set(report["cross_validation"]["topic"]["per_class"]) >= {"ceasefire", "other"}
    evaluation = run(["evaluate", "--model", str(out), "--data", str(FIXTURES / "tiny.jsonl")], cli_env)
    assert evaluation.returncode == 0, evaluation.stderr
    assert "macro-F1" in evaluation.stdout and "Confusion matrix" in evaluation.stdout
    as_json = json.loads(run(["evaluate", "--model", str(out), "--data", str(FIXTURES / "tiny.jsonl"), "--json"],
                             cli_env).stdout)
    assert 0 <= as_json["stance"]["macro_f1"] <= 1
    again = run(["train", "--data", str(FIXTURES / "tiny.jsonl"), "--out", str(out), "--features", "stems",
                 "--no-cv"], cli_env)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_train_rejects_malformed_jsonl_naming_the_line(cli_env, tmp_path):
    bad = tmp_path / "bad.jsonl"
    lines = (FIXTURES / "tiny.jsonl").read_text().splitlines()
    bad.write_text("\n".join(lines[:3] + ['{"id": "broken", "text": '] + lines[3:]) + "\n")
    result = run(["train", "--data", str(bad), "--out", str(tmp_path / "m")], cli_env)
    assert result.returncode == 2
    assert "bad.jsonl:4: not valid JSON" in result.stderr
    assert not (tmp_path / "m").exists()


def test_train_rejects_empty_and_missing_data(cli_env, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert "no documents" in run(["train", "--data", str(empty), "--out", str(tmp_path / "m")], cli_env).stderr
    missing = run(["train", "--data", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "m")], cli_env)
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_every_command_documents_an_example(cli_env):
    for command in ("classify", "train", "evaluate"):
        help_text = run([command, "--help"], cli_env).stdout
        assert f"python -m classifier {command}" in help_text
