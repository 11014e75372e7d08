"""Matching option names the way people write them: a bullet '[CC0](https://...)' and a
heading '### CC0' name the same option; 'MADR 4.0.0' names 'MADR 4.0.0 - The Markdown
Architectural Decision Records'."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from domain.content import Option

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_QUOTES = str.maketrans(dict.fromkeys('"`\u2018\u2019\u201c\u201d\u201e', "'"))
_EMPHASIS = re.compile(r"[*_]+")


def option_key(text: str) -> str:
    """The name without links, emphasis, quote style, case and spacing."""
    plain = _EMPHASIS.sub("", _LINK.sub(r"\1", text)).translate(_QUOTES)
    return " ".join(plain.lower().split()).strip(" .:'")


def names_option(name: str, titles: Iterable[str]) -> bool:
    """Whether `name` names one of `titles`, as its key or as its leading words."""
    return any(_abbreviates(name, title) for title in titles)


def _abbreviates(name: str, title: str) -> bool:
    short, long = option_key(name), option_key(title)
    return bool(short) and (
        long == short or (long.startswith(short) and not long[len(short)].isalnum())
    )


def merge_options(considered: Sequence[str], detailed: Sequence[Option]) -> tuple[Option, ...]:
    """Options from the bullet list, with the pros and cons given under their headings.

    A heading matches the first bullet not yet matched with the same text, else with the
    same `option_key`, else that it abbreviates ('Starlette' for 'Starlette (ASGI)'); a
    heading that matches none is an option of its own, listed last.
    """
    options = [Option(title) for title in considered]
    matched = [False] * len(options)
    unmatched: list[Option] = []
    for option in detailed:
        index = next(
            (
                i
                for same in (str.__eq__, _same_key, _abbreviates)
                for i, title in enumerate(considered)
                if not matched[i] and same(option.title, title)
            ),
            None,
        )
        if index is None:
            unmatched.append(option)
            continue
        matched[index] = True
        options[index] = Option(considered[index], option.description, option.arguments)
    return (*options, *unmatched)


def _same_key(a: str, b: str) -> bool:
    return option_key(a) == option_key(b)
