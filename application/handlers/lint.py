"""Check MADR files without storing anything, so CI can gate ADR pull requests."""

from __future__ import annotations

from application.commands import LintFiles
from application.errors import InvalidMadr
from application.markdown_files import decode_markdown
from application.ports import CpuBoundWork, MadrCodec
from application.views import LintProblem

Files = tuple[tuple[str, bytes], ...]


class LintFilesHandler:
    def __init__(self, codec: MadrCodec, cpu: CpuBoundWork) -> None:
        self.codec = codec
        self.cpu = cpu

    async def __call__(self, cmd: LintFiles) -> list[LintProblem]:
        return await self.cpu.run(lint_files, (self.codec, cmd.files))


def lint_files(work: tuple[MadrCodec, Files]) -> list[LintProblem]:
    """Every problem of the files, sorted; CPU-bound, so it runs where `cpu` puts it."""
    codec, files = work
    texts: dict[str, str] = {}
    problems: list[LintProblem] = []
    for name, data in files:
        try:
            texts[name] = decode_markdown(name, data)
        except InvalidMadr as error:
            problems.append(LintProblem(name, error.line, error.rule, "error", error.message))
    problems.extend(codec.lint(texts))
    return sorted(problems, key=lambda p: (p.file, p.line, p.rule))
