"""The MADR codec behind the application's MadrCodec port."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from adapters.madr.errors import MadrParseError
from adapters.madr.file_names import not_a_decision
from adapters.madr.lint import lint_madr
from adapters.madr.parser import parse_madr
from adapters.madr.renderer import render_madr
from application.errors import InvalidMadr
from application.parsed_files import AliasLink, ParsedFile
from application.ports import MadrCodec
from application.views import LintProblem
from domain.decision import Decision
from domain.values import LogSlug


class MadrFiles(MadrCodec):
    def parse(self, text: str, *, filename: str, log: LogSlug, today: dt.date) -> ParsedFile:
        try:
            parsed = parse_madr(text, filename=filename, log=log, today=today)
        except MadrParseError as error:
            raise InvalidMadr(error.filename, error.line, error.message, error.rule) from error
        return ParsedFile(
            parsed.decision,
            numbered=parsed.number_source != "alias",
            alias=None if parsed.alias is None else parsed.alias.slug,
            alias_links=tuple(
                sorted(
                    AliasLink(kind, alias.slug, line)
                    for (kind, alias), line in parsed.alias_links.items()
                )
            ),
        )

    def not_a_decision(self, filename: str) -> str | None:
        return not_a_decision(filename)

    def render(self, decision: Decision) -> str:
        return render_madr(decision)

    def lint(self, files: Mapping[str, str]) -> list[LintProblem]:
        return [
            LintProblem(p.file, p.line, p.rule, p.severity, p.message) for p in lint_madr(files)
        ]
