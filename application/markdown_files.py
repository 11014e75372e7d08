"""Checks on uploaded files before any parsing: size, binary content, encoding, and how
much work the parser would have (lines, headings), so a hostile file is refused cheaply."""

from __future__ import annotations

import re

from application.errors import InvalidMadr

MAX_FILE_BYTES = 1024 * 1024
# An ADR is a page or two: these are far above any real one, and keep the parser's
# work per file small.
MAX_LINES = 20_000
MAX_HEADINGS = 2_000
# ATX headings ('# ...') and setext underlines ('===', '---').
_HEADING = re.compile(r"^(?:[ ]{0,3}#|[ ]{0,3}(?:=+|-+)[ \t]*$)", re.MULTILINE)
_UNREADABLE = "unreadable-file"


def decode_markdown(filename: str, data: bytes) -> str:
    """The file's text; raises InvalidMadr saying why it is not a Markdown file."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidMadr(
            filename,
            1,
            f"the file is larger than {MAX_FILE_BYTES} bytes (1 MiB), so it is refused",
            _UNREADABLE,
        )
    if b"\x00" in data:
        raise InvalidMadr(filename, 1, "this is a binary file, not Markdown text", _UNREADABLE)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InvalidMadr(
            filename,
            line,
            f"not UTF-8 text (byte {error.start}): save the file as UTF-8",
            _UNREADABLE,
        ) from None
    _check_work(filename, text)
    return text


def _check_work(filename: str, text: str) -> None:
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        message = f"the file has {lines} lines; at most {MAX_LINES} are read: split it"
        raise InvalidMadr(filename, MAX_LINES + 1, message, _UNREADABLE)
    headings = sum(1 for _ in _HEADING.finditer(text))
    if headings > MAX_HEADINGS:
        message = f"the file has {headings} headings; at most {MAX_HEADINGS} are read: split it"
        raise InvalidMadr(filename, 1, message, _UNREADABLE)


def file_name_of(number: int, slug: str) -> str:
    return f"{number:04d}-{slug}.md"
