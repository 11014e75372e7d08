"""The one exception a MADR file can cause, and its file-less form used while reading."""

from __future__ import annotations

from adapters.madr.rules import PARSE_ERROR, Rule


class MadrParseError(Exception):
    """A file that cannot be read as a decision: names the file, the line and the problem."""

    def __init__(self, filename: str, line: int, message: str, *, rule: str = PARSE_ERROR.id):
        super().__init__(f"{filename}:{line}: {message}")
        self.filename = filename
        self.line = line
        self.message = message
        self.rule = rule


class InvalidMadr(Exception):
    """Raised inside the parser, where the file name is not known; parse_madr adds it."""

    def __init__(self, line: int, message: str, rule: Rule = PARSE_ERROR) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.rule = rule
