"""Turning a /classify body into texts and options, or an ApiError saying what is wrong with it.

Unknown top-level and per-document fields are ignored, so clients can send extra metadata.
"""
import orjson

from .errors import ApiError

OPTION_FIELDS = ("explain", "top_k", "threshold")


def parse_json(body):
    """The decoded body; invalid UTF-8, malformed or too deeply nested JSON is a 400."""
    try:
        return orjson.loads(body)  # checks the UTF-8 too; only a failure needs to know which
    except orjson.JSONDecodeError as error:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as utf8_error:
            raise ApiError(400, "invalid_utf8", f"the body is not valid UTF-8 (byte {utf8_error.start})") from None
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {error}") from None


def parse_options(payload):
    """(explain, top_k, threshold) with None for what the client left out."""
    explain = payload.get("explain", False)
    if not isinstance(explain, bool):
        raise ApiError(400, "invalid_option", "explain must be true or false")
    top_k = payload.get("top_k")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1):
        raise ApiError(400, "invalid_option", "top_k must be a whole number of at least 1")
    threshold = payload.get("threshold")
    if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, (int, float))
                                  or not 0 <= threshold <= 1):
        raise ApiError(400, "invalid_option", "threshold must be a number from 0 to 1")
    return explain, top_k, threshold


def parse_id(value):
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ApiError(400, "invalid_id", "id must be a string or an integer")


def check_text(value, max_chars):
    """The text itself, or the ApiError that a single-document request would get for it."""
    if value is None:
        raise ApiError(400, "missing_text", "the field 'text' is required")
    if not isinstance(value, str):
        raise ApiError(400, "invalid_text", "text must be a string")
    if not value.strip():
        raise ApiError(400, "empty_text", "text is empty or only white space")
    if len(value) > max_chars:
        raise ApiError(413, "text_too_large", f"text has {len(value)} characters; the limit is {max_chars}")
    if "\x00" in value:
        raise ApiError(400, "invalid_text", "text contains NUL characters")
    return value


def parse_document(item, max_chars):
    """(id, text) of one batch item; raises ApiError for that item alone."""
    if not isinstance(item, dict):
        raise ApiError(400, "invalid_document", "each document must be an object with 'text'")
    return parse_id(item.get("id")), check_text(item.get("text"), max_chars)


def parse_batch(documents, max_batch):
    if not isinstance(documents, list):
        raise ApiError(400, "invalid_documents", "documents must be a list of objects")
    if not documents:
        raise ApiError(400, "empty_batch", "documents is empty")
    if len(documents) > max_batch:
        raise ApiError(413, "too_many_documents", f"{len(documents)} documents; the limit is {max_batch} per request")
    return documents
