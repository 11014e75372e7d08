"""The MADR codec: parse MADR 2, 3, 4 and Nygard files, render MADR 4, lint.

See `parser` for where each field comes from, `renderer` for the file it writes
(including how links are written), `layout` for where extra sections stand, and
`rules` for the lint rules.
"""

from adapters.madr.errors import MadrParseError
from adapters.madr.lint import lint_madr
from adapters.madr.parser import NumberSource, ParsedDecision, parse_madr
from adapters.madr.renderer import render_madr
from adapters.madr.rules import RULES, Problem, Rule, Severity

__all__ = [
    "RULES",
    "MadrParseError",
    "NumberSource",
    "ParsedDecision",
    "Problem",
    "Rule",
    "Severity",
    "lint_madr",
    "parse_madr",
    "render_madr",
]
