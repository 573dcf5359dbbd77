"""Training: feature-set comparison and stratified k-fold cross-validation, then the final fit and
its report. Everything is seeded: the same data and seed give the same model and predictions.
"""
import time
from collections import Counter

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold

from . import evaluate
from .data import corpus_sha256, label_sets
from .features import FEATURE_SETS, TextFeatures
from .model import Model, TopicStanceClassifier

DEFAULT_FEATURES = "stems+words"
TIE_MARGIN = 0.005  # mean macro-F1 differences below this are fold-to-fold noise


def build_classifier(feature_set=DEFAULT_FEATURES, **params):
    return TopicStanceClassifier(features=TextFeatures(**FEATURE_SETS[feature_set]), **params)


def _targets(documents):
    return np.array([(d.topic, d.stance) for d in documents], dtype=object), [d.also for d in documents]


def fold_splits(documents, folds, seed):
    """Stratified folds on topic x stance where every pair is frequent enough, else on topic."""
    pairs = [f"{d.topic}|{d.stance}" for d in documents]
    keys = pairs if min(Counter(pairs).values()) >= folds else [d.topic for d in documents]
    folds = max(2, min(folds, min(Counter(keys).values())))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(keys)), keys))


def out_of_fold_records(classifier, documents, folds, seed, progress=None):
    """Records predicted for each document by a model that did not see it."""
    y, also = _targets(documents)
    texts = [d.text for d in documents]
    records = [None] * len(documents)
    splits = fold_splits(documents, folds, seed)
    for number, (train_rows, test_rows) in enumerate(splits, 1):
        fitted = clone(classifier).fit([texts[i] for i in train_rows], y[train_rows],
                                       also=[also[i] for i in train_rows])
        model = Model(fitted)
        for row, record in zip(test_rows, model.predict([texts[i] for i in test_rows])):
            records[row] = record
        if progress:
            progress(f"  fold {number}/{len(splits)} done")
    return records


def cross_validate(classifier, documents, folds, seed, progress=None):
    """Out-of-fold metrics of both heads, scored on the labels of the whole corpus."""
    records = out_of_fold_records(classifier, documents, folds, seed, progress)
    topics, stances = label_sets(documents)
    return evaluate.metrics_for(documents, records, topics, stances)


def compare_feature_sets(documents, folds, seed, params, progress=None):
    """Cross-validated macro-F1 of each feature set, best first.

    Sets within TIE_MARGIN of the best count as tied; the tie goes to the one listed first in
    FEATURE_SETS, the order of preference.
    """
    rows = []
    for name in FEATURE_SETS:
        started = time.perf_counter()
        if progress:
            progress(f"cross-validating feature set {name}")
        metrics = cross_validate(build_classifier(name, **params), documents, folds, seed, progress)
        rows.append({"features": name, "topic_macro_f1": metrics["topic"]["macro_f1"],
                     "stance_macro_f1": metrics["stance"]["macro_f1"],
                     "mean_macro_f1": round((metrics["topic"]["macro_f1"] + metrics["stance"]["macro_f1"]) / 2, 4),
                     "seconds": round(time.perf_counter() - started, 1), "metrics": metrics})
    best = max(row["mean_macro_f1"] for row in rows)

    def rank(row):
        tied = row["mean_macro_f1"] >= best - TIE_MARGIN
        return (not tied, 0.0 if tied else -row["mean_macro_f1"])

    return sorted(rows, key=rank)


def train(documents, feature_set=None, folds=5, seed=0, cross_validation=True, topic_threshold=0.3,
          test_documents=None, params=None, progress=None):
    """Fit the final model on all documents; returns (model, report).

    `feature_set=None` compares every feature set by cross-validation and keeps the best.
    """
    params = dict(params or {})
    started = time.perf_counter()
    report = {"documents": len(documents), "seed": seed, "folds": folds,
              "label_counts": {"topic": dict(Counter(d.topic for d in documents)),
                               "stance": dict(Counter(d.stance for d in documents))}}
    if feature_set is None:
        comparison = compare_feature_sets(documents, folds, seed, params, progress)
        feature_set = comparison[0]["features"]
        report["feature_comparison"] = [{k: v for k, v in row.items() if k != "metrics"} for row in comparison]
        report["cross_validation"] = comparison[0]["metrics"]
    elif cross_validation:
        if progress:
            progress(f"cross-validating feature set {feature_set}")
        report["cross_validation"] = cross_validate(build_classifier(feature_set, **params), documents,
                                                    folds, seed, progress)
    report["features"] = feature_set
    if progress:
        progress(f"fitting the final model on {len(documents)} documents ({feature_set})")
    fit_started = time.perf_counter()
    y, also = _targets(documents)
    classifier = build_classifier(feature_set, **params).fit([d.text for d in documents], y, also=also)
    model = Model(classifier, topic_threshold=topic_threshold)
    report["seconds"] = {"final_fit": round(time.perf_counter() - fit_started, 1)}
    if test_documents:
        if progress:
            progress(f"evaluating on {len(test_documents)} held-out documents")
        report["test"] = evaluate.evaluate_model(model, test_documents)
    report["seconds"]["total"] = round(time.perf_counter() - started, 1)
    report["hyperparameters"] = {
        "feature_set": feature_set, "topic_threshold": topic_threshold,
        **{k: v for k, v in classifier.get_params(deep=False).items() if k != "features"},
        **{f"features__{k}": v for k, v in classifier.features_.get_params().items()}}
    report["data_sha256"] = corpus_sha256(documents)
    return model, report


def report_markdown(report, manifest):
    """The human-readable model report."""
    lines = [f"# Model {manifest['version']}", "",
             f"Trained {manifest['created_at']} on {report['documents']} documents "
             f"(data sha256 `{report['data_sha256'][:16]}…`), features `{report['features']}`, "
             f"seed {report['seed']}, {report['seconds']['total']} s.", ""]
    if "feature_comparison" in report:
        lines += [f"## Feature comparison ({report['folds']}-fold stratified cross-validation)", "",
                  "| features | topic macro-F1 | stance macro-F1 | mean | seconds |", "|---|---|---|---|---|"]
        lines += [f"| {r['features']} | {r['topic_macro_f1']:.3f} | {r['stance_macro_f1']:.3f} | "
                  f"{r['mean_macro_f1']:.3f} | {r['seconds']} |" for r in report["feature_comparison"]]
        lines += ["", f"Kept: `{report['features']}`: the best mean macro-F1, where sets within {TIE_MARGIN} of "
                  "the best count as tied and the tie goes to the first in the order of preference "
                  f"({', '.join(FEATURE_SETS)}).", ""]
    if "cross_validation" in report:
        lines += [f"## Cross-validation ({report['folds']}-fold, stratified)", "",
                  evaluate.metrics_markdown(report["cross_validation"])]
    if "test" in report:
        lines += [f"## Held-out test split ({report['test']['documents']} documents, never used for training "
                  "or model selection)", "", evaluate.metrics_markdown(report["test"])]
    lines += ["## Training data", "", "| head | label | documents |", "|---|---|---|"]
    lines += [f"| {head} | {label} | {count} |" for head, counts in report["label_counts"].items()
              for label, count in sorted(counts.items())]
    return "\n".join(lines) + "\n"
