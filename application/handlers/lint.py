"""Check MADR files without storing anything, so CI can gate ADR pull requests."""

from __future__ import annotations

from application.commands import LintFiles
from application.errors import InvalidMadr
from application.markdown_files import decode_markdown
from application.ports import MadrCodec
from application.views import LintProblem


class LintFilesHandler:
    def __init__(self, codec: MadrCodec) -> None:
        self.codec = codec

    async def __call__(self, cmd: LintFiles) -> list[LintProblem]:
        texts: dict[str, str] = {}
        problems: list[LintProblem] = []
        for name, data in cmd.files:
            try:
                texts[name] = decode_markdown(name, data)
            except InvalidMadr as error:
                problems.append(LintProblem(name, error.line, error.rule, "error", error.message))
        problems.extend(self.codec.lint(texts))
        return sorted(problems, key=lambda p: (p.file, p.line, p.rule))
