"""`python -m bench [--quick]`: every speed measurement in one run, written to
bench/results/latest.json and latest.md with each target marked pass or fail.

--quick runs the same code on tiny inputs in under a minute (CI runs it to keep the benchmark
working); it checks no speed.
"""
import argparse
import os
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from classifier import load_model
from classifier.data import read_corpus

from . import measure

ROOT = Path(__file__).resolve().parent.parent
FULL = {"documents": 20_000, "usual_documents": 1_000, "stem_documents": 1_000, "api_seconds": 6, "api_rounds": 5,
        "memory_requests": (10_000, 100_000), "cold_starts": 5, "data": ["data/train.jsonl", "seeds"]}
QUICK = {"documents": 200, "usual_documents": 10, "stem_documents": 50, "api_seconds": 1, "api_rounds": 1,
         "memory_requests": (100, 300), "cold_starts": 1, "data": ["tests/fixtures/tiny.jsonl", "seeds"]}


def make_folder(folder, count):
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_corpus.py"), str(folder), "--count", str(count),
                    "--source", str(ROOT / "seeds"), "--source", str(ROOT / "data" / "train.jsonl")], check=True,
                   capture_output=True)
    return sorted(folder.glob("*.txt"))


def run(config, model_dir, tmp, say):
    tmp = Path(tmp)
    documents = read_corpus([ROOT / path for path in config["data"]])
    say(f"generating {config['documents']} documents")
    paths = make_folder(tmp / "docs", config["documents"])
    texts = [path.read_text(encoding="utf-8") for path in paths[:config["stem_documents"]]]
    reference = load_model(model_dir)
    limit_dir = measure.build_limit_model(reference, documents, tmp / "limit-model")
    results = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
               "model": reference.version, "features": reference.manifest.get("features")}
    say("stemming")
    results["stemming"] = measure.stemming(texts)
    say("batch labelling")
    results["batch"] = measure.batch(tmp / "docs", model_dir, limit_dir, documents, config["usual_documents"], tmp)
    say("API under load")
    results["api"] = measure.api(model_dir, texts, tmp, config["api_seconds"], config["api_rounds"])
    say("worker memory")
    results["memory"] = measure.memory(model_dir, tmp, *config["memory_requests"])
    say("cold start")
    results["cold_start"] = measure.cold_start(model_dir, config["cold_starts"])
    say("training")
    data_args = [arg for path in config["data"] for arg in ("--data", str(ROOT / path))]
    results["training"] = measure.training(data_args, results["features"] or "stems+words", tmp)
    results["targets"] = targets(results)
    return results


def _run(results, route, connections):
    return next(r for r in results["api"]["runs"] if r["route"] == route and r["connections"] == connections)


def targets(results):
    """(target, measured, pass) rows for the goals of the benchmark issue."""
    batch, memory = results["batch"], results["memory"]
    ours = batch["ours_2_workers_docs_per_s"]
    echo8, single8, batch8 = _run(results, "echo", 8), _run(results, "single", 8), _run(results, "batch64", 8)
    rss_first, rss_total = max(memory["rss_mb_after_first"]), max(memory["rss_mb_after_total"])
    api_errors = sum(run["errors"] for run in results["api"]["runs"])
    ratios = results["api"]["single_vs_echo"]["8"]
    ratio = statistics.median(ratios)
    rows = [
        ("batch labelling >= 60% of the limit (2 workers)", f"{ours / batch['limit_2_workers_docs_per_s']:.0%}",
         ours >= 0.6 * batch["limit_2_workers_docs_per_s"]),
        ("batch labelling >= 5x the usual approach", f"{ours / batch['usual_docs_per_s']:.1f}x",
         ours >= 5 * batch["usual_docs_per_s"]),
        ("API single document >= 50% of the echo route's rps (8 connections, median of the rounds' ratios)",
         f"{ratio:.0%} (rounds: {', '.join(f'{r:.0%}' for r in ratios)})", ratio >= 0.5),
        ("API single document p99 <= 10 ms at 8 connections", f"{single8['p99_ms']:.1f} ms", single8["p99_ms"] <= 10),
        ("API zero errors", str(api_errors), api_errors == 0),
        ("API batch of 64 >= 3,000 documents/s (8 connections)", f"{batch8['rps'] * 64:.0f}", batch8["rps"] * 64 >= 3000),
        ("cold start <= 2 s", f"{results['cold_start']['seconds_median']:.2f} s", results["cold_start"]["seconds_median"] <= 2),
        ("worker RSS <= 400 MB", f"{rss_total:.0f} MB", rss_total <= 400),
        ("worker RSS flat within 10% between the two request counts",
         f"{rss_first:.0f} -> {rss_total:.0f} MB", rss_total <= 1.1 * rss_first),
        ("training with 5-fold cross-validation <= 120 s", f"{results['training']['with_cv_seconds']:.0f} s",
         results["training"]["with_cv_seconds"] <= 120),
    ]
    return [{"target": t, "measured": m, "pass": bool(p)} for t, m, p in rows]


def markdown(results):
    b, s = results["batch"], results["stemming"]
    lines = [f"# Benchmark results ({results['finished_at']}, model {results['model']}, {results['mode']} mode)", "",
             "| target | measured | result |", "|---|---|---|"]
    lines += [f"| {t['target']} | {t['measured']} | {'pass' if t['pass'] else '**fail**'} |" for t in results["targets"]]
    lines += ["", "## Batch labelling (documents/s, end to end: read, classify, write)", "",
              f"{b['documents']} generated documents of 300-600 words; the usual approach on the first {b['usual_documents']}.", "",
              "| pipeline | documents/s | vs ours (2 workers) |", "|---|---|---|"]
    ours = b["ours_2_workers_docs_per_s"]
    for key, label in (("ours_2_workers", "ours, 2 workers"), ("ours_1_worker", "ours, 1 worker"),
                       ("limit_2_workers", "limit: same TF-IDF + heads, no cleaning/stemming, 2 workers"),
                       ("limit_1_worker", "limit, 1 worker"), ("plain_predict_loop", "plain loop of model.predict([doc])"),
                       ("usual", "usual: Sastrawi stem() + stop words per doc, TfidfVectorizer, LinearSVC")):
        value = b[f"{key}_docs_per_s"]
        lines.append(f"| {label} | {value:,.0f} | {ours / value:.2f}x |")
    lines += ["", "## Stemming (tokens/s)", "", "| stemmer | cold | warm |", "|---|---|---|",
              f"| ours (per-token cache) | {s['ours_cold_tokens_per_s']:,.0f} | {s['ours_warm_tokens_per_s']:,.0f} |",
              f"| PySastrawi stem() on whole documents | {s['sastrawi_stem_cold_tokens_per_s']:,.0f} | "
              f"{s['sastrawi_stem_warm_tokens_per_s']:,.0f} |",
              "", f"## API ({results['api']['tool']}, {results['api']['article_words']}-word article, 2 gunicorn workers)", "",
              f"The routes took turns {results['api']['rounds']} times at each connection count; each row is the round "
              "with the median requests/s (all rounds' requests/s in the last column), errors summed over the rounds. "
              "Single document against echo, round by round (each pair measured back to back): " + "; ".join(
                  f"{count} connections {', '.join(f'{r:.0%}' for r in ratios)}"
                  for count, ratios in results["api"]["single_vs_echo"].items()) + ".", "",
              "| route | connections | requests/s | documents/s | p50 ms | p95 ms | p99 ms | errors | rounds' requests/s |",
              "|---|---|---|---|---|---|---|---|---|"]
    for run in results["api"]["runs"]:
        docs = run["rps"] * (64 if run["route"] == "batch64" else 1)
        lines.append(f"| {run['route']} | {run['connections']} | {run['rps']:,.0f} | {docs:,.0f} | {run['p50_ms']:.2f} | "
                     f"{run['p95_ms']:.2f} | {run['p99_ms']:.2f} | {run['errors']} | "
                     f"{', '.join(f'{rps:,.0f}' for rps in run['rounds_rps'])} |")
    m, t = results["memory"], results["training"]
    lines += ["", "## Memory, cold start, training", "",
              f"- worker RSS: {m['rss_mb_start']} MB at start, {m['rss_mb_after_first']} MB after {m['requests_first']:,} "
              f"requests, {m['rss_mb_after_total']} MB after {m['requests_total']:,} requests of made-up words "
              f"({m['errors']} errors)",
              f"- cold start (process start to first prediction): {results['cold_start']['seconds_median']} s (median)",
              f"- training: {t['with_cv_seconds']} s with 5-fold cross-validation, {t['without_cv_seconds']} s without, "
              f"{t['with_feature_comparison_seconds']} s with the feature-set comparison"]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny inputs, under a minute, no speed checked")
    parser.add_argument("--model", default=str(ROOT / "models" / "default"), help="model directory")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"), help="where latest.json/.md go")
    parser.add_argument("--documents", type=int, help="generated documents for batch labelling")
    args = parser.parse_args(argv)
    config = dict(QUICK if args.quick else FULL)
    if args.documents:
        config["documents"] = args.documents
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        results = run(config, Path(args.model), tmp, lambda m: print(f"[{time.perf_counter() - started:6.0f} s] {m}",
                                                                       file=sys.stderr, flush=True))
    results.update(mode="quick" if args.quick else "full", seconds=round(time.perf_counter() - started, 1),
                   finished_at=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "latest.md").write_text(markdown(results))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
