"""Metrics for both heads and their rendering as JSON-ready dicts and Markdown."""
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from .text import remove_page_noise

HEADS = ("topic", "stance")


def head_metrics(y_true, y_pred, labels):
    """Per-class precision/recall/F1/support, macro-F1, accuracy and the confusion matrix (rows: truth)."""
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0)
    return {
        "labels": list(labels),
        "per_class": {label: {"precision": round(float(p), 4), "recall": round(float(r), 4),
                              "f1": round(float(f), 4), "support": int(s)}
                      for label, p, r, f, s in zip(labels, precision, recall, f1, support)},
        "macro_f1": round(float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def metrics_for(documents, records, topic_labels, stance_labels):
    return {
        "documents": len(documents),
        "topic": head_metrics([d.topic for d in documents], [r["topic"] for r in records], topic_labels),
        "stance": head_metrics([d.stance for d in documents], [r["stance"] for r in records], stance_labels),
    }


def evaluate_model(model, documents):
    """Metrics of `model` on labelled documents, plus its worst mistakes."""
    records = model.predict([d.text for d in documents], ids=[d.id for d in documents], explain=True)
    metrics = metrics_for(documents, records, model.topic_labels, model.stance_labels)
    metrics["worst_mistakes"] = worst_mistakes(documents, records)
    return metrics


def headline(text, limit=110):
    first = next((line for line in remove_page_noise(text).split("\n") if line.strip()), "")
    return first if len(first) <= limit else first[: limit - 1] + "…"


def worst_mistakes(documents, records, n=15):
    """The `n` wrong predictions made with the most confidence, with the terms that drove them."""
    mistakes = []
    for doc, record in zip(documents, records):
        for head, truth in (("topic", doc.topic), ("stance", doc.stance)):
            predicted = record[head]
            if predicted != truth:
                mistakes.append({
                    "id": doc.id, "head": head, "truth": truth, "predicted": predicted,
                    "confidence": round(record[f"{head}_scores"][predicted], 4),
                    "headline": headline(doc.text),
                    "terms": [t["term"] for t in record.get("explanation", {}).get(head, [])[:6]],
                })
    return sorted(mistakes, key=lambda m: -m["confidence"])[:n]


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    return "\n".join(lines)


def head_markdown(name, metrics):
    per_class = metrics["per_class"]
    rows = [(label, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", m["support"])
            for label, m in per_class.items()]
    labels = metrics["labels"]
    confusion = _table(["truth \\ predicted", *labels],
                       [(label, *counts) for label, counts in zip(labels, metrics["confusion_matrix"])])
    return (f"**{name}**: macro-F1 {metrics['macro_f1']:.3f}, accuracy {metrics['accuracy']:.3f}\n\n"
            + _table(["label", "precision", "recall", "F1", "support"], rows)
            + "\n\nConfusion matrix:\n\n" + confusion + "\n")


def metrics_markdown(metrics):
    parts = [head_markdown(head, metrics[head]) for head in HEADS]
    if metrics.get("worst_mistakes"):
        rows = [(m["id"], m["head"], m["truth"], m["predicted"], f"{m['confidence']:.2f}",
                 m["headline"].replace("|", "/"), ", ".join(m["terms"]))
                for m in metrics["worst_mistakes"]]
        parts.append("Most confident mistakes:\n\n"
                     + _table(["id", "head", "truth", "predicted", "p", "headline", "terms behind it"], rows) + "\n")
    return "\n".join(parts)
