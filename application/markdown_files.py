"""Checks on uploaded files before any parsing: size, binary content, encoding."""

from __future__ import annotations

from application.errors import InvalidMadr

MAX_FILE_BYTES = 1024 * 1024
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
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InvalidMadr(
            filename,
            line,
            f"not UTF-8 text (byte {error.start}): save the file as UTF-8",
            _UNREADABLE,
        ) from None


def file_name_of(number: int, slug: str) -> str:
    return f"{number:04d}-{slug}.md"
