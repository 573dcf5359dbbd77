"""Turning files into document texts: encodings detected, binary and empty input refused with a reason."""
import codecs

from charset_normalizer import from_bytes

BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CONTROL_BYTES = [bytes([b]) for b in (*range(0, 9), *range(14, 27), *range(28, 32))]


class DocumentError(Exception):
    """Why one document could not be classified; `code` is stable, `message` is for people."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message

    def as_dict(self):
        return {"code": self.code, "message": self.message}


def decode(content):
    """Text of a byte string: BOM, else UTF-8, else the legacy encoding charset-normalizer is sure of."""
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
    best = from_bytes(content).best()
    if best is None or best.encoding in ("utf_8", "ascii"):
        raise DocumentError("encoding", f"not valid UTF-8 (byte {utf8_error.start}) and no other encoding fits")
    return str(best)


def read_text_file(path, max_bytes=None):
    """Text of a plain-text file, or a DocumentError saying why not."""
    try:
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise DocumentError("too_large", f"larger than {max_bytes} bytes")
        content = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError("not_found", "no such file") from None
    except IsADirectoryError:
        raise DocumentError("unreadable", "is a directory") from None
    except OSError as error:
        raise DocumentError("unreadable", error.strerror or str(error)) from None
    text = decode(content)
    if not text.strip():
        raise DocumentError("empty", "the file is empty" if not content else "the file holds only white space")
    return text
