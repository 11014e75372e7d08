"""The Jinja2 environment: autoescaped, with the filters the templates use."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from domain.values import DecisionNumber
from entrypoints.web.graph_svg import decision_path
from entrypoints.web.markdown import marked_snippet, render_markdown


def _adr(number: int) -> str:
    return str(DecisionNumber(number))


def _path(log: str, number: int) -> str:
    return f"/logs/{log}/decisions/{number}"


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # The templates ship with the code: compiled once, never checked on disk again
        # (otherwise every page stats each template it uses).
        auto_reload=False,
    )
    environment.filters.update(
        markdown=render_markdown,
        snippet=marked_snippet,
        adr=_adr,
        ref_path=decision_path,
    )
    environment.globals.update(decision_path=_path)
    return environment


def render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)
