"""The MADR codec behind the application's MadrCodec port."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from adapters.madr.errors import MadrParseError
from adapters.madr.lint import lint_madr
from adapters.madr.parser import parse_madr
from adapters.madr.renderer import render_madr
from application.errors import InvalidMadr
from application.ports import MadrCodec
from application.views import LintProblem
from domain.decision import Decision
from domain.values import LogSlug


class MadrFiles(MadrCodec):
    def parse(self, text: str, *, filename: str, log: LogSlug, today: dt.date) -> Decision:
        try:
            return parse_madr(text, filename=filename, log=log, today=today).decision
        except MadrParseError as error:
            raise InvalidMadr(error.filename, error.line, error.message, error.rule) from error

    def render(self, decision: Decision) -> str:
        return render_madr(decision)

    def lint(self, files: Mapping[str, str]) -> list[LintProblem]:
        return [
            LintProblem(p.file, p.line, p.rule, p.severity, p.message) for p in lint_madr(files)
        ]
