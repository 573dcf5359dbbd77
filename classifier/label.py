"""`label`: classify every document under a folder into one .jsonl or .csv file, in parallel and resumably.

Order: files sorted by path (folder by folder, names compared as strings), documents by their
position in the file, so every run and every worker count writes the same rows in the same order.

Crash safety: rows are appended in that order to a journal beside the output (labels.jsonl.partial),
flushed after every batch; the output appears only at the end, by an atomic rename. `--resume`
cuts a torn last line, checks that the journal holds the folder's first documents (path, id,
sha256) and labels the rest, so a killed run loses nothing and labels nothing twice.

Parallelism: this process walks the folder and splits files into documents (cheap; it decides the
order). Batches of documents go to worker processes, each loading the model once and keeping its
own stem cache; they extract HTML and PDF text, which is costly, and predict. A bounded number of
batches is in flight, so memory stays flat on any input and results come back in order.
"""
import csv
import dataclasses
import errno
import hashlib
import json
import mmap
import multiprocessing
import multiprocessing.connection
import os
import signal
import stat
import sys
import threading
import time
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from itertools import islice
from pathlib import Path
from typing import NamedTuple

from tqdm import tqdm

from .artifact import load_model, read_verified_model_bytes
from .readers import DocumentError, count_documents, extract_text, read_documents

BATCH_SIZE = 32  # documents per predict call: batching is ~30% faster than one at a time
BATCHES_AHEAD = 4  # batches in flight per worker: enough to hide reading, little memory
LOG_EVERY_SECONDS = 5.0
OUTPUT_SUFFIXES = (".jsonl", ".csv")
IDENTITY = ("path", "id", "sha256")
# A file name that is not UTF-8 reaches Python with surrogate characters, which UTF-8 cannot encode;
# written as the JSON escape "\udce9", it stays valid JSON and reads back as the same name.
UNDECODABLE_NAMES = "backslashreplace"


class LabelError(RuntimeError):
    """A problem that stops the whole run: missing folder, output in the way, journal not matching."""


class Entry(NamedTuple):
    """A file found under the folder, or why a path there cannot be read."""

    path: Path
    name: str  # relative to the folder, '/'-separated: the `path` of its rows
    error: DocumentError | None = None


class Document(NamedTuple):
    """One document to label: its row's path and id, and its content or the error that stops it."""

    path: str
    id: str
    content: str | bytes | DocumentError


def walk(folder, exclude=frozenset()):
    """Every file under `folder`, sorted by path; symlink loops and unreadable paths as error entries.

    `exclude` holds (device, inode) keys of files to pass over: the run's own output and journal.
    """
    folder = Path(folder)
    yield from _walk(folder, folder, frozenset({_key(folder.stat())}), exclude)


def _walk(root, directory, ancestors, exclude):
    try:
        with os.scandir(directory) as listing:
            names = sorted(entry.name for entry in listing)
    except OSError as error:
        yield _entry(root, directory, DocumentError("unreadable_folder", f"cannot list the folder: {error.strerror}"))
        return
    for name in names:
        yield from _visit(root, directory / name, ancestors, exclude)


def _visit(root, path, ancestors, exclude):
    try:
        info = path.stat()
    except OSError as error:
        yield _entry(root, path, _stat_error(path, error))
        return
    if _key(info) in exclude:
        return
    if stat.S_ISDIR(info.st_mode) and _key(info) in ancestors:
        yield _entry(root, path, DocumentError("symlink_loop", "symbolic link to a folder that contains it"))
    elif stat.S_ISDIR(info.st_mode):
        yield from _walk(root, path, ancestors | {_key(info)}, exclude)
    elif stat.S_ISREG(info.st_mode):
        yield _entry(root, path)
    else:  # opening a FIFO would block, a device could never end
        yield _entry(root, path, DocumentError("unreadable", "not a regular file (FIFO, socket or device)"))


def _stat_error(path, error):
    if error.errno == errno.ELOOP:
        return DocumentError("symlink_loop", "symbolic link loop")
    if path.is_symlink():
        return DocumentError("unreadable", f"broken symbolic link ({error.strerror})")
    return DocumentError("unreadable", error.strerror or str(error))


def _entry(root, path, error=None):
    return Entry(path, path.relative_to(root).as_posix(), error)


def _key(info):
    return info.st_dev, info.st_ino


def documents(entries):
    """Every document of `entries`, in order, with its row id."""
    for entry in entries:
        if entry.error:
            yield Document(entry.name, entry.name, entry.error)
            continue
        for part in read_documents(entry.path):
            yield Document(entry.name, _document_id(entry.name, part), part.content)


def _document_id(name, part):
    """The id the file gives, else the path, with `#N` for the N-th document of a multi-document file."""
    if part.id is not None:
        return part.id
    return name if part.position is None else f"{name}#{part.position}"


def batches(documents, resumed=0):
    """(BATCH_SIZE documents, whether to predict): the journal's first `resumed` are only re-hashed."""
    iterator, end = iter(documents), 0
    while batch := list(islice(iterator, BATCH_SIZE)):
        end += len(batch)
        yield batch, end > resumed


class Labeller:
    """Rows for batches of documents with one model; one per worker process, or one in-process."""

    def __init__(self, model, threshold=None, explain=False, max_chars=None):
        self.model = model
        self.threshold = threshold
        self.explain = explain
        self.max_chars = max_chars

    def rows(self, documents, predict=True):
        """One row per document: path, id, sha256 and the model's record, or path, id and error."""
        rows, texts = [], []
        for document in documents:
            try:
                text = self._text(document)
            except DocumentError as error:
                rows.append({"path": document.path, "id": document.id, "error": error.as_dict()})
                continue
            rows.append({"path": document.path, "id": document.id, "sha256": _sha256(text)})
            texts.append(text)
        if predict:
            labelled = [row for row in rows if "error" not in row]
            records = self.model.predict(texts, ids=[row["id"] for row in labelled], threshold=self.threshold,
                                         explain=self.explain)
            for row, record in zip(labelled, records):
                row.update(record)
        return rows

    def _text(self, document):
        if isinstance(document.content, DocumentError):
            raise document.content
        text = extract_text(Path(document.path).suffix, document.content)
        if self.max_chars is not None and len(text) > self.max_chars:
            raise DocumentError("too_large", f"{len(text)} characters, over the limit of {self.max_chars}")
        return text


def _sha256(text):
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


_worker_labeller = None  # this worker process's Labeller, made once by the pool initializer


def _start_worker(model_dir, options):
    """Pool initializer: load the model once; leave Ctrl-C to the parent, which stops the pool."""
    global _worker_labeller
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    _worker_labeller = Labeller(load_model(model_dir), **options)


def _exit_with_parent():
    """Exit once the parent is gone, even by kill -9: an orphaned worker would wait for tasks for ever."""
    multiprocessing.connection.wait([multiprocessing.parent_process().sentinel])
    os._exit(1)


def _label_in_worker(documents, predict):
    return _worker_labeller.rows(documents, predict)


class ModelInfo(NamedTuple):
    """What the coordinating process needs of the model; only the workers unpickle it."""

    version: str
    topic_labels: list
    stance_labels: list


def model_info(model_dir):
    """Version and labels from the manifest, once model.joblib's hash is checked (a fatal error here
    stops the run before any worker starts)."""
    manifest, _ = read_verified_model_bytes(model_dir)
    return ModelInfo(manifest["version"], manifest["labels"]["topic"], manifest["labels"]["stance"])


def labelled_batches(tasks, settings, options):
    """The rows of each (documents, predict) task, in task order: in-process for one worker, else in a
    pool of spawned processes (spawn: no state inherited from this process, same on every platform)."""
    workers = settings.label_workers
    if workers == 1:
        labeller = Labeller(load_model(settings.model_dir), **options)
        yield from (labeller.rows(documents, predict) for documents, predict in tasks)
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(settings.model_dir, options))
    try:
        yield from _in_order(pool, tasks, BATCHES_AHEAD * workers)
    except BrokenProcessPool:  # unlike multiprocessing.Pool, a dead worker is reported, not waited for
        raise LabelError("a worker process died (out of memory?): run again with --resume to continue") from None
    finally:
        pool.shutdown(cancel_futures=True)


def _in_order(pool, tasks, ahead):
    pending = deque()
    for task in tasks:
        pending.append(pool.submit(_label_in_worker, *task))
        if len(pending) >= ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


class Output:
    """The output file and its journal: rows are appended to the journal, which becomes the output at
    the end (renamed, or converted to CSV and renamed), so the output is never half-written."""

    def __init__(self, path):
        self.path = Path(path)
        if self.path.suffix.lower() not in OUTPUT_SUFFIXES:
            raise LabelError(f"--out must end in .jsonl or .csv, not {self.path.name}")
        self.journal = self.path.with_name(self.path.name + ".partial")
        self.staging = self.path.with_name(self.path.name + ".tmp")
        self._stream = None

    def start(self, resume, force):
        """Start or (resume) continue the journal; an earlier run's files are never overwritten silently."""
        if self.journal.exists() and not (resume or force):
            raise LabelError(f"{self.journal} holds an interrupted run: pass --resume to continue it "
                             "or --force to start over")
        if self.path.exists() and not self.journal.exists() and not force:
            raise LabelError(f"{self.path} already exists: pass --force to replace it")
        if force:
            self.journal.unlink(missing_ok=True)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _cut_torn_line(self.journal)
        self._stream = open(self.journal, "a", encoding="utf-8", errors=UNDECODABLE_NAMES)
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._stream.close()

    def journal_rows(self):
        with open(self.journal, encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                try:
                    yield json.loads(line)
                except ValueError:
                    raise LabelError(f"{self.journal}:{number} is damaged: pass --force to start over") from None

    def file_keys(self):
        """(device, inode) of the output files that exist, for a walk of a folder that holds them."""
        return {_key(path.stat()) for path in (self.path, self.journal, self.staging) if path.exists()}

    def write(self, rows):
        self._stream.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
        self._stream.flush()

    def finish(self, columns):
        """Turn the journal into the output with one atomic rename."""
        self._stream.flush()
        os.fsync(self._stream.fileno())
        self._stream.close()
        if self.path.suffix.lower() == ".jsonl":
            os.replace(self.journal, self.path)
            return
        _write_csv(self.journal, self.staging, columns)
        os.replace(self.staging, self.path)
        self.journal.unlink()


def _cut_torn_line(journal):
    """Drop a last line without its newline: the run was killed while writing it."""
    if not journal.exists() or journal.stat().st_size == 0:
        return
    with open(journal, "r+b") as stream:
        with mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as content:
            complete = content.rfind(b"\n") + 1
        stream.truncate(complete)


def csv_columns(model, explain):
    return ["path", "id", "sha256", "topic", "topics", "stance", "model_version",
            *(f"topic_score_{label}" for label in model.topic_labels),
            *(f"stance_score_{label}" for label in model.stance_labels),
            *(("topic_terms", "stance_terms") if explain else ()), "error_code", "error_message"]


def csv_row(row):
    """A row flattened for CSV: one column per score, topics and explanation terms joined with ';'."""
    flat = {key: value for key, value in row.items() if not isinstance(value, (dict, list))}
    if "topics" in row:
        flat["topics"] = ";".join(row["topics"])
    for head in ("topic", "stance"):
        flat.update({f"{head}_score_{label}": score for label, score in row.get(f"{head}_scores", {}).items()})
        if "explanation" in row:
            flat[f"{head}_terms"] = ";".join(dict.fromkeys(term["term"] for term in row["explanation"][head]))
    if "error" in row:
        flat["error_code"], flat["error_message"] = row["error"]["code"], row["error"]["message"]
    return flat


def _write_csv(journal, path, columns):
    with open(journal, encoding="utf-8") as lines, open(path, "w", encoding="utf-8", newline="", errors=UNDECODABLE_NAMES) as stream:
        writer = csv.DictWriter(stream, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(csv_row(json.loads(line)) for line in lines)
        stream.flush()
        os.fsync(stream.fileno())


@dataclasses.dataclass
class Summary:
    """What the output holds, for the closing lines and the exit status."""

    documents: int = 0
    resumed: int = 0
    seconds: float = 0.0
    errors: Counter = dataclasses.field(default_factory=Counter)
    topics: Counter = dataclasses.field(default_factory=Counter)
    stances: Counter = dataclasses.field(default_factory=Counter)

    def add(self, rows):
        for row in rows:
            self.documents += 1
            if "error" in row:
                self.errors[row["error"]["code"]] += 1
            else:
                self.topics[row["topic"]] += 1
                self.stances[row["stance"]] += 1

    @property
    def error_count(self):
        return sum(self.errors.values())

    def lines(self):
        rate = (self.documents - self.resumed) / self.seconds if self.seconds else 0.0
        resumed = f" ({self.resumed} kept from the interrupted run)" if self.resumed else ""
        return [f"documents: {self.documents}{resumed}",
                f"errors: {self.error_count}" + (f" ({_counts(self.errors)})" if self.errors else ""),
                f"topics: {_counts(self.topics) or '-'}",
                f"stances: {_counts(self.stances) or '-'}",
                f"elapsed: {self.seconds:.1f} s, {rate:.1f} documents/s"]


def _counts(counter):
    return ", ".join(f"{name} {count}" for name, count in counter.most_common())


class ProgressLines:
    """Progress as a plain line every few seconds: for logs and pipes, where a bar is noise."""

    def __init__(self, total, done=0, every=LOG_EVERY_SECONDS):
        self.total, self.done, self.every = total, done, every
        self.started = self.logged = time.monotonic()
        self._first = done

    def update(self, count):
        self.done += count
        now = time.monotonic()
        if now - self.logged >= self.every:
            self.logged = now
            rate = (self.done - self._first) / (now - self.started)
            left = f", about {(self.total - self.done) / rate:.0f} s left" if rate else ""
            print(f"label: {self.done}/{self.total} documents, {rate:.1f} documents/s{left}",
                  file=sys.stderr, flush=True)

    def close(self):
        pass


def progress_bar(total, done, quiet):
    """A tqdm bar on a terminal, plain lines in logs, nothing with --quiet."""
    if quiet:
        return tqdm(disable=True)
    if sys.stderr.isatty():
        return tqdm(total=total, initial=done, unit="doc", file=sys.stderr, dynamic_ncols=True)
    return ProgressLines(total, done)


def label_folder(folder, out, settings, resume=False, force=False, explain=False, quiet=False):
    """Label every document under `folder` into `out` (.jsonl or .csv); returns the Summary."""
    started = time.perf_counter()
    folder, output = _checked_folder(folder), Output(out)
    model = model_info(settings.model_dir)
    summary = Summary()
    with output.start(resume, force):
        resumed = _resumed_identities(output.journal_rows(), model.version, summary)
        entries = list(walk(folder, exclude=output.file_keys()))
        total = 0 if quiet else sum(1 if entry.error else count_documents(entry.path) for entry in entries)
        options = {"threshold": settings.topic_threshold, "explain": explain, "max_chars": settings.max_text_chars}
        tasks = batches(documents(entries), len(resumed))
        with closing(labelled_batches(tasks, settings, options)) as results, \
                closing(progress_bar(total, len(resumed), quiet)) as bar:
            _write_new_rows(results, resumed, output, summary, bar)
        output.finish(csv_columns(model, explain))
    summary.seconds = time.perf_counter() - started
    return summary


def _checked_folder(folder):
    folder = Path(folder)
    if not folder.is_dir():
        raise LabelError(f"{folder} is not a folder" if folder.exists() else f"folder {folder} not found")
    return folder


def _resumed_identities(rows, version, summary):
    """(path, id, sha256) of each row an interrupted run wrote, which must be by the same model."""
    identities = []
    for row in rows:
        if row.get("model_version", version) != version:
            raise LabelError(f"the interrupted run used model {row['model_version']}, not {version}: "
                             "pass --force to start over")
        summary.add([row])
        identities.append(_identity(row))
    summary.resumed = len(identities)
    return identities


def _write_new_rows(results, resumed, output, summary, bar):
    """Append the rows past the journal's, checking that the journal's are this folder's first ones."""
    position = 0
    for rows in results:
        kept = rows[:max(0, len(resumed) - position)]
        for row, identity in zip(kept, resumed[position:]):
            if _identity(row) != identity:
                raise LabelError(f"{row['path']} ({row['id']}) differs from the interrupted run's row: "
                                 "the folder changed; pass --force to start over")
        position += len(rows)
        output.write(rows[len(kept):])
        summary.add(rows[len(kept):])
        bar.update(len(rows) - len(kept))
    if position < len(resumed):
        raise LabelError("the folder holds fewer documents than the interrupted run wrote: "
                         "pass --force to start over")


def _identity(row):
    return tuple(row.get(key) for key in IDENTITY)
