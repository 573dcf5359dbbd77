"""Turning files into document texts: encodings detected, binary and empty input refused with a reason.

`read_documents` splits a file into its documents by format (.txt/.md, .html/.htm, .pdf, .json,
.jsonl, .csv). It is cheap and runs where the order is decided; HTML and PDF documents stay raw
until `extract_text`, the costly part, which runs in the workers.
"""
import codecs
import csv
import io
import json
import logging
from typing import NamedTuple

from charset_normalizer import from_bytes

BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Indonesian text that is not Unicode is Windows-1252 or Latin-1; left to guess among all code pages,
# charset-normalizer reads such files as Central European or Baltic ones and garbles their letters.
LEGACY_ENCODINGS = ["cp1252", "latin_1"]
_CONTROL_BYTES = [bytes([b]) for b in (*range(0, 9), *range(14, 27), *range(28, 32))]
_CSV_FIELD_LIMIT = 2**31 - 1  # the default (128 KiB) would call a long article "malformed"


class DocumentError(Exception):
    """Why one document could not be classified; `code` is stable, `message` is for people."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self):
        """Picklable, so errors found while reading travel to the worker processes with their documents."""
        return type(self), (self.code, self.message)

    def as_dict(self):
        return {"code": self.code, "message": self.message}


class Part(NamedTuple):
    """One document of a file: its 1-based position in a multi-document file (else None), the id the
    file gives it (else None), and its text, raw HTML or PDF bytes, or the DocumentError that stops it."""

    position: int | None
    id: str | None
    content: str | bytes | DocumentError


def decode(content):
    """Text of a byte string: BOM, else UTF-8, else Windows-1252/Latin-1 if charset-normalizer finds it coherent."""
    for bom, encoding in BOMS:
        if content.startswith(bom):
            try:
                return content.decode(encoding)
            except UnicodeDecodeError:
                raise DocumentError("encoding", f"starts with a {encoding} byte-order mark but does not decode") from None
    if b"\x00" in content or sum(map(content.count, _CONTROL_BYTES)) > len(content) // 100 + 2:
        raise DocumentError("binary", "binary content, not text")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        utf8_error = error
    if _holds_utf8_sequences(content):
        raise DocumentError("encoding", f"damaged UTF-8: valid in places but not at byte {utf8_error.start}")
    best = from_bytes(content, cp_isolation=LEGACY_ENCODINGS).best()
    if best is None:
        raise DocumentError("encoding", f"not valid UTF-8 (byte {utf8_error.start}) "
                            "and not Windows-1252 or Latin-1 text either")
    return str(best)


def _holds_utf8_sequences(content):
    """Whether some non-ASCII bytes form valid UTF-8: then the file is damaged UTF-8, and reading it as
    Windows-1252 would only turn every accented letter and quotation mark into mojibake."""
    return any(ord(char) > 127 and char != "\ufffd" for char in content.decode("utf-8", "replace"))


def read_bytes(path, max_bytes=None):
    """Content of a file, or a DocumentError saying why it cannot be read."""
    try:
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise DocumentError("too_large", f"larger than {max_bytes} bytes")
        return path.read_bytes()
    except FileNotFoundError:
        raise DocumentError("not_found", "no such file") from None
    except IsADirectoryError:
        raise DocumentError("unreadable", "is a directory") from None
    except OSError as error:
        raise DocumentError("unreadable", error.strerror or str(error)) from None


def read_text_file(path, max_bytes=None):
    """Text of a plain-text file, or a DocumentError saying why not."""
    return _decoded(read_bytes(path, max_bytes))


def _decoded(content):
    return _nonblank(decode(_nonempty(content)), "the file holds only white space")


def _nonempty(content):
    if not content:
        raise DocumentError("empty", "the file is empty")
    return content


def _nonblank(text, message):
    if not text.strip():
        raise DocumentError("empty", message)
    return text


def read_documents(path):
    """The documents of one file, in file order; a file that cannot be read is one error Part."""
    reader = READERS.get(path.suffix.lower())
    try:
        if reader is None:
            raise DocumentError("unsupported", f"unsupported file type {path.suffix or '(no extension)'}; "
                                f"supported: {' '.join(sorted(READERS))}")
        return reader(read_bytes(path))
    except DocumentError as error:
        return [Part(None, None, error)]


def _text_document(content):
    """A .txt, .md or HTML file as one document; HTML markup is extracted later, by a worker."""
    return [Part(None, None, _decoded(content))]


def _pdf_document(content):
    return [Part(None, None, _nonempty(content))]


def _json(content):
    """An object with a `text` field, or a list of them."""
    text = _decoded(content)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _malformed_json(error, error.lineno) from None
    if isinstance(data, list):
        return _some([_record_part(number, item, f"item {number}") for number, item in enumerate(data, 1)])
    return [_record_part(None, data, "the JSON value")]


def _jsonl(content):
    """One JSON object per line; blank lines are not documents, `#N` is the line number."""
    parts = []
    for number, line in enumerate(_decoded(content).splitlines(), 1):
        if line.strip():
            try:
                parts.append(_record_part(number, json.loads(line), f"line {number}"))
            except json.JSONDecodeError as error:
                parts.append(Part(number, None, _malformed_json(error, number)))
    return _some(parts)


def _malformed_json(error, line):
    return DocumentError("malformed", f"malformed line {line}: not valid JSON ({error.msg}, column {error.colno})")


def _csv(content):
    """A header with a `text` column (and optionally `id`); `#N` is the record number."""
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    records = csv.DictReader(io.StringIO(_decoded(content), newline=""))
    if "text" not in (records.fieldnames or ()):
        raise DocumentError("malformed", "malformed line 1: the header has no 'text' column")
    parts = []
    try:
        for number, record in enumerate(records, 1):
            parts.append(_record_part(number, record, f"line {records.line_num}"))
    except csv.Error as error:  # the reader cannot go on after one
        error = DocumentError("malformed", f"malformed line {records.line_num}: {error}")
        parts.append(Part(len(parts) + 1, None, error))
    return _some(parts)


def _record_part(position, record, where):
    """A Part from one JSON object or CSV record: `text` required, `id` used when present."""
    text = record.get("text") if isinstance(record, dict) else None
    if not isinstance(text, str):
        return Part(position, None, DocumentError("malformed", f"malformed {where}: no 'text' string"))
    if not text.strip():
        return Part(position, _given_id(record), DocumentError("empty", f"the text of {where} is empty"))
    return Part(position, _given_id(record), text)


def _given_id(record):
    """The record's `id` when it is a non-blank string or an integer, else None."""
    value = record.get("id")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value).strip() or None


def _some(parts):
    if not parts:
        raise DocumentError("empty", "the file holds no documents")
    return parts


READERS = {".txt": _text_document, ".md": _text_document, ".html": _text_document, ".htm": _text_document,
           ".pdf": _pdf_document,
           ".json": _json, ".jsonl": _jsonl, ".csv": _csv}
MULTI_DOCUMENT = frozenset({".json", ".jsonl", ".csv"})


def count_documents(path):
    """len(read_documents(path)), reading only the files that can hold more than one document."""
    return len(read_documents(path)) if path.suffix.lower() in MULTI_DOCUMENT else 1


def extract_text(suffix, content):
    """The text of a document Part: article text of HTML, page text of PDF, anything else as it is."""
    extract = EXTRACTORS.get(suffix.lower())
    return extract(content) if extract else content


def _html_text(markup):
    """Article text by trafilatura, comments left out; precision first, so that a page of menus and
    headlines is reported as `no_text` instead of being labelled from its navigation."""
    import trafilatura  # imported on first use: only HTML needs it

    _quiet_logger("trafilatura")
    text = trafilatura.extract(markup, include_comments=False, favor_precision=True, fast=True)
    return _with_text(text, "no article text found in the HTML")


def _pdf_text(content):
    import pypdf  # imported on first use: only PDF needs it

    _quiet_logger("pypdf")
    try:
        pages = pypdf.PdfReader(io.BytesIO(content)).pages
        text = "\n".join(page.extract_text() or "" for page in pages)
    except Exception as error:  # pypdf raises many kinds of errors on damaged files
        raise DocumentError("malformed", f"not a readable PDF ({error})") from None
    return _with_text(text, "no text in the PDF (scanned pages need OCR first)")


def _quiet_logger(name):
    """Keep a parser's warnings about odd pages off stderr: the page's row already says what went wrong."""
    logging.getLogger(name).setLevel(logging.ERROR)


def _with_text(text, message):
    if not text or not text.strip():
        raise DocumentError("no_text", message)
    return text


EXTRACTORS = {".html": _html_text, ".htm": _html_text, ".pdf": _pdf_text}
