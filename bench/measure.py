"""One function per measurement. Things that are compared are measured in the same run, one after
the other, because this machine is shared and noisy."""
import json
import os
import random
import statistics
import string
import subprocess
import sys
import time
from pathlib import Path

from classifier import load_model, save_model
from classifier.features import TextFeatures
from classifier.model import Model, TopicStanceClassifier
from classifier.cache import BoundedCache
from classifier.stemming import sastrawi_stem_word
from classifier.text import strip_page, tokenize

from . import load, servers
from .usual import UsualPipeline, label_files

ROOT = Path(__file__).resolve().parent.parent


def _rate(count, seconds):
    return round(count / seconds, 1)


def stemming(texts):
    """Tokens per second: our cached stemmer cold and warm, PySastrawi's stem() on whole documents."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    token_lists = [tokenize(strip_page(text)) for text in texts]
    n_tokens = sum(map(len, token_lists))
    cache = BoundedCache(10**7, sastrawi_stem_word)
    results = {"tokens": n_tokens, "distinct_tokens": len({t for tokens in token_lists for t in tokens})}
    for phase in ("cold", "warm"):
        started = time.perf_counter()
        for tokens in token_lists:
            cache.get_all(tokens)
        results[f"ours_{phase}_tokens_per_s"] = _rate(n_tokens, time.perf_counter() - started)
    sastrawi = StemmerFactory().create_stemmer()
    for phase in ("cold", "warm"):
        started = time.perf_counter()
        for text in texts:
            sastrawi.stem(text)
        results[f"sastrawi_stem_{phase}_tokens_per_s"] = _rate(n_tokens, time.perf_counter() - started)
    return results


def build_limit_model(reference, documents, out_dir):
    """The same TF-IDF and heads as `reference`, on raw lower-cased words: no cleaning, no stemming, no cues."""
    features = reference.classifier.features_
    params = {k: v for k, v in reference.classifier.get_params(deep=False).items() if k != "features"}
    raw = TextFeatures(stems=None, words=features.words or (1, 1), chars=None, cues=False, clean=False,
                       min_df=features.min_df, max_df=features.max_df, sublinear_tf=features.sublinear_tf)
    classifier = TopicStanceClassifier(features=raw, **params).fit(
        [d.text for d in documents], [(d.topic, d.stance) for d in documents], also=[d.also for d in documents])
    labels = {"topic": classifier.topic_labels_, "stance": classifier.stance_labels_}
    save_model(Model(classifier), out_dir, {"version": "limit", "created_at": "bench", "labels": labels}, replace=True)
    return out_dir


def _label_command(folder, model_dir, workers, out):
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "classifier", "label", str(folder), "--out", str(out), "--model",
                    str(model_dir), "--workers", str(workers), "--quiet", "--force"], cwd=ROOT, check=False,
                   env=dict(os.environ, PYTHONPATH=str(ROOT)))
    return time.perf_counter() - started


def batch(folder, model_dir, limit_dir, documents, usual_count, tmp):
    """Documents per second end to end (read, classify, write) for ours, the limit, a plain loop, the usual way."""
    paths = sorted(Path(folder).glob("*.txt"))
    results = {"documents": len(paths)}
    for name, directory, workers in (("ours_2_workers", model_dir, 2), ("ours_1_worker", model_dir, 1),
                                     ("limit_2_workers", limit_dir, 2), ("limit_1_worker", limit_dir, 1)):
        results[f"{name}_docs_per_s"] = _rate(len(paths), _label_command(folder, directory, workers,
                                                                         Path(tmp) / f"{name}.jsonl"))
    model = load_model(model_dir)
    started = time.perf_counter()
    for path in paths:
        model.predict([path.read_text(encoding="utf-8")])
    results["plain_predict_loop_docs_per_s"] = _rate(len(paths), time.perf_counter() - started)
    usual = UsualPipeline().fit([d.text for d in documents], [d.topic for d in documents],
                                [d.stance for d in documents])
    results["usual_documents"] = usual_count
    results["usual_docs_per_s"] = round(label_files(usual, paths[:usual_count], Path(tmp) / "usual.jsonl"), 1)
    return results


def _article_body(texts, words=300):
    article = " ".join(" ".join(texts).split()[:words])
    return article, json.dumps({"text": article}).encode()


def api(model_dir, texts, tmp, seconds, rounds, connections=(1, 8, 32)):
    """Requests per second and latency for /classify (one article, batches of 64) and the echo ceiling.

    Both servers run side by side and the three routes take turns, `rounds` times at each connection
    count; the round with the median requests/s is reported (errors are summed over all rounds). The
    machine's speed drifts by tens of percent from one minute to the next, and taking turns exposes
    what is compared to the same drift: `single_vs_echo` pairs each round's single-document rps with
    the echo rps measured just before it."""
    article, single = _article_body(texts)
    bodies = {"echo": single, "single": single,
              "batch64": json.dumps({"documents": [{"id": str(i), "text": article} for i in range(64)]}).encode()}
    files = {}
    for name, body in bodies.items():
        files[name] = Path(tmp) / f"{name}.json"
        files[name].write_bytes(body)
    results = {"article_words": len(article.split()), "tool": "wrk" if load.wrk_path() else "python",
               "rounds": rounds, "runs": [], "single_vs_echo": {}}
    with servers.gunicorn("bench.echo:create_app()", model_dir, workers=2, ready_path="/healthz", tmp_dir=tmp) as (echo, _), \
            servers.gunicorn("api:create_app()", model_dir, workers=2, tmp_dir=tmp) as (classify, _):
        routes = {"echo": (echo, "/echo"), "single": (classify, "/classify"), "batch64": (classify, "/classify")}

        def measure_route(name, count, duration):
            port, path = routes[name]
            if load.wrk_path():
                return load.run_wrk(port, path, files[name], count, duration)
            return load.run_python(port, path, lambda _, body=bodies[name]: body, count, max(50, int(200 * duration)))

        for name in routes:  # warm-up: first requests fill the caches
            measure_route(name, 2, 1)
        for count in connections:
            samples = {name: [] for name in routes}
            for _ in range(rounds):
                for name in routes:
                    samples[name].append(measure_route(name, count, seconds))
            results["single_vs_echo"][str(count)] = [round(single["rps"] / echo["rps"], 3)
                                                for single, echo in zip(samples["single"], samples["echo"])]
            for name, runs in samples.items():
                median = sorted(runs, key=lambda run: run["rps"])[len(runs) // 2]
                results["runs"].append({"route": name, **median, "errors": sum(run["errors"] for run in runs),
                                        "rounds_rps": [run["rps"] for run in runs]})
    return results


COMMON_WORDS = ("gencatan senjata di gaza disepakati kedua pihak setelah perundingan panjang yang dimediasi "
                "mesir dan qatar menurut pejabat").split()


def random_words_body(index, new=30):
    """A body of `new` made-up words, different for every index, among common words. Each of the 2
    workers gets about half of the first 10,000 requests, 150,000 new tokens, more than the stem and
    chunk caches hold (100,000 each): they are full by the first reading, so what grows after it would
    be a leak."""
    rng = random.Random(index)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(5, 11))) for _ in range(new)]
    return json.dumps({"text": " ".join(words + COMMON_WORDS)}).encode()


def memory(model_dir, tmp, first, total):
    """Worker RSS after `first` and after `total` requests of random new words (the stem cache fills up)."""
    with servers.gunicorn("api:create_app()", model_dir, workers=2, tmp_dir=tmp) as (port, master):
        start_rss = servers.worker_rss_mb(master)
        errors = load.run_python(port, "/classify", random_words_body, 8, first)["errors"]
        after_first = servers.worker_rss_mb(master)
        errors += load.run_python(port, "/classify", lambda i: random_words_body(first + i), 8, total - first)["errors"]
        after_total = servers.worker_rss_mb(master)
    return {"requests_first": first, "requests_total": total, "rss_mb_start": start_rss,
            "rss_mb_after_first": after_first, "rss_mb_after_total": after_total, "errors": errors}


def cold_start(model_dir, runs):
    """Seconds from starting a Python process to its first prediction (median of `runs`); the process
    prints the wall-clock time of that prediction, so its exit is not counted."""
    code = (f"import time; from classifier import load_model; load_model({str(model_dir)!r})"
            ".predict(['Gencatan senjata di Gaza.']); print(time.time())")
    times = []
    for _ in range(runs):
        started = time.time()
        output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True,
                                env=dict(os.environ, PYTHONPATH=str(ROOT))).stdout
        times.append(float(output.split()[-1]) - started)
    return {"seconds_median": round(statistics.median(times), 3), "seconds_all": [round(t, 3) for t in times]}


def training(data_args, feature_set, tmp):
    """Wall time of `train` with 5-fold cross-validation, without it, and with the feature-set comparison."""
    results = {}
    for name, extra in (("with_cv", ["--features", feature_set]), ("without_cv", ["--features", feature_set, "--no-cv"]),
                        ("with_feature_comparison", [])):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "classifier", "train", *data_args, "--out", str(Path(tmp) / name),
                        "--force", "--quiet", *extra], cwd=ROOT, check=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
        results[f"{name}_seconds"] = round(time.perf_counter() - started, 1)
    return results
