"""Labelled documents: read and validate JSON Lines corpora and labelled text folders.

Errors name the file and line, because a corpus is edited by hand and a vague error costs an hour.
The label sets are whatever the data uses, so users can train their own topics.
"""
import csv
import dataclasses
import hashlib
import json
import re
from collections import Counter
from pathlib import Path

LABEL_RE = re.compile(r"^[a-z][a-z0-9_]*$")
MIN_DOCUMENTS_PER_LABEL = 2


class DataError(ValueError):
    """A corpus problem, with the file and line it is on."""


@dataclasses.dataclass(frozen=True)
class Document:
    id: str
    text: str
    topic: str
    stance: str
    also: tuple = ()
    source: str = ""  # "path:line", for error messages


def _check_label(value, field, where):
    if not isinstance(value, str) or not LABEL_RE.match(value):
        raise DataError(f"{where}: {field} must be a label like 'ceasefire' "
                        f"(lower case letters, digits, underscores), got {value!r}")
    return value


def parse_record(record, where):
    """One labelled document from a decoded JSON object, or a DataError naming `where`."""
    if not isinstance(record, dict):
        raise DataError(f"{where}: expected a JSON object, got {type(record).__name__}")
    missing = [field for field in ("id", "text", "topic", "stance") if field not in record]
    if missing:
        raise DataError(f"{where}: missing field(s) {', '.join(missing)}")
    doc_id = record["id"]
    if not isinstance(doc_id, (str, int)) or isinstance(doc_id, bool) or not str(doc_id).strip():
        raise DataError(f"{where}: id must be a non-empty string or integer, got {doc_id!r}")
    text = record["text"]
    if not isinstance(text, str) or not text.strip():
        raise DataError(f"{where}: text is empty" if isinstance(text, str) else f"{where}: text must be a string")
    also = record.get("also") or []
    if not isinstance(also, list):
        raise DataError(f"{where}: also must be a list of topics, got {also!r}")
    topic = _check_label(record["topic"], "topic", where)
    also = tuple(_check_label(label, "also", where) for label in also if label != topic)
    return Document(str(doc_id), text, topic, _check_label(record["stance"], "stance", where), also, where)


def read_jsonl(path):
    path = Path(path)
    documents = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise DataError(f"{where}: not valid JSON ({error.msg} at column {error.colno})") from None
            documents.append(parse_record(record, where))
    return documents


def read_labelled_folder(folder):
    """A folder of text files with a labels.tsv (file, topic, also, stance), like seeds/."""
    folder = Path(folder)
    table = folder / "labels.tsv"
    if not table.is_file():
        raise DataError(f"{folder}: no labels.tsv (columns: file, topic, also, stance)")
    documents = []
    with table.open(encoding="utf-8", newline="") as rows:
        for number, row in enumerate(csv.DictReader(rows, delimiter="\t"), 2):
            where = f"{table}:{number}"
            name = row.get("file") or ""
            text_path = folder / name
            if not name or not text_path.is_file():
                raise DataError(f"{where}: text file {name!r} not found in {folder}")
            record = {"id": Path(name).stem, "text": text_path.read_text(encoding="utf-8"),
                      "topic": row.get("topic"), "stance": row.get("stance"),
                      "also": [label for label in (row.get("also") or "").split(",") if label]}
            documents.append(parse_record(record, where))
    return documents


def read_documents(path):
    """Labelled documents from a .jsonl file or a labelled folder."""
    path = Path(path)
    if path.is_dir():
        return read_labelled_folder(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    return read_jsonl(path)


def read_corpus(paths):
    """All documents of several sources, checked together: unique ids, consistent label sets."""
    documents = [doc for path in paths for doc in read_documents(path)]
    if not documents:
        raise DataError(f"no documents in {', '.join(map(str, paths))}")
    check_corpus(documents)
    return documents


def check_corpus(documents):
    seen = {}
    for doc in documents:
        if doc.id in seen:
            raise DataError(f"{doc.source}: duplicate id {doc.id!r} (first at {seen[doc.id]})")
        seen[doc.id] = doc.source
    topics = Counter(doc.topic for doc in documents)
    for doc in documents:
        for label in doc.also:
            if label not in topics:
                raise DataError(f"{doc.source}: unknown label {label!r} in also "
                                f"(topics in the data: {', '.join(sorted(topics))})")


def check_trainable(documents):
    """Every label needs a few documents; a label used once is most often a typo."""
    for field in ("topic", "stance"):
        counts = Counter(getattr(doc, field) for doc in documents)
        for doc in documents:
            if counts[getattr(doc, field)] < MIN_DOCUMENTS_PER_LABEL:
                raise DataError(f"{doc.source}: {field} {getattr(doc, field)!r} is used by only "
                                f"{counts[getattr(doc, field)]} document; a typo? "
                                f"({field}s in the data: {', '.join(sorted(counts))})")


def check_known_labels(documents, topics, stances):
    """Evaluation data must use the model's labels."""
    for doc in documents:
        for field, value, known in (("topic", doc.topic, topics), ("stance", doc.stance, stances)):
            if value not in known:
                raise DataError(f"{doc.source}: unknown {field} {value!r} (the model knows: {', '.join(known)})")


def label_sets(documents):
    return (sorted({doc.topic for doc in documents}), sorted({doc.stance for doc in documents}))


def corpus_sha256(documents):
    """Hash of the labelled content, independent of file layout, for the model manifest."""
    digest = hashlib.sha256()
    for doc in documents:
        digest.update(json.dumps([doc.id, doc.text, doc.topic, list(doc.also), doc.stance],
                                 ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()
