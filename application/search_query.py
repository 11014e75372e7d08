"""Search-box syntax, read into a small tree that every search backend can compile safely.

What people type: words (all must match), `"an exact phrase"`, `-excluded`, `prefix*`,
and `OR` between two terms. Anything else is read as words: an operator that applies to
nothing is dropped, an unclosed quote runs to the end, and every word is cut down to
letters and digits. So whatever the text, the tree holds only words made of letters and
digits, which no backend's query syntax can misread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import InvalidValue

MAX_QUERY_LENGTH = 500
# A shorter prefix would match most of the index.
MIN_PREFIX_LENGTH = 2

# Letters and digits of any script: what a word is made of.
_WORD_PART = re.compile(r"[^\W_]+")
# A quoted phrase (to the end of the text when the quote is not closed, and maybe with a
# star after it), or a run of anything else up to a space or a quote; either may have a
# leading '-'.
_TOKEN = re.compile(r'(-?)(?:"([^"]*)"?(\*?)|([^\s"]+))')
_OR = "OR"


@dataclass(frozen=True, slots=True)
class Term:
    """One word, or a phrase of words that must appear in this order, side by side."""

    words: tuple[str, ...]
    # The last word is a prefix: `postgre*` matches postgres and postgresql.
    prefix: bool = False

    def __str__(self) -> str:
        text = " ".join(self.words)
        star = "*" if self.prefix else ""
        return f'"{text}"{star}' if len(self.words) > 1 else f"{text}{star}"


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """Every group of `all_of` must match (any one term of a group will do); no term of
    `none_of` may match."""

    all_of: tuple[tuple[Term, ...], ...] = ()
    none_of: tuple[Term, ...] = ()

    @property
    def matches_nothing(self) -> bool:
        """A query without any term to look for (only exclusions or operators)."""
        return not self.all_of

    def __str__(self) -> str:
        """The canonical spelling: parsing it gives this query back."""
        groups = [f" {_OR} ".join(str(term) for term in group) for group in self.all_of]
        return " ".join(groups + [f"-{term}" for term in self.none_of])


def check_search_text(text: str, field: str = "q") -> str:
    """The text of a search, refused when it is blank or too long."""
    if not text.strip():
        raise InvalidValue(field, "must not be empty: type a word to look for")
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidValue(field, f"must be at most {MAX_QUERY_LENGTH} characters, not {len(text)}")
    return text


def parse_search(text: str) -> SearchQuery:
    """Read search-box text; never fails (see the module's docstring)."""
    # Each positive term is a group; `OR` marks the previous group to take the next term.
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    pending_or = False
    for match in _TOKEN.finditer(text):
        negated, phrase, phrase_star, bare = match[1] == "-", match[2], match[3], match[4]
        if bare == _OR and not negated:
            pending_or = bool(groups)
            continue
        if phrase is not None:
            term = _term(phrase, star=bool(phrase_star))
        else:
            term = _term(bare, star=_ends_with_word_star(bare))
        if term is None:
            continue
        if negated:
            excluded.append(term)
        elif pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    return SearchQuery(
        all_of=tuple(_unique(group) for group in _unique_groups(groups)),
        none_of=_unique(excluded),
    )


def _term(text: str, *, star: bool = False) -> Term | None:
    words = tuple(filter(None, (_lower(part) for part in _WORD_PART.findall(text))))
    if not words:
        return None
    return Term(words, prefix=star and len(words[-1]) >= MIN_PREFIX_LENGTH)


def _lower(word: str) -> str:
    """Lowercase, and still only letters and digits: 'İ' lowercases to 'i' and a mark."""
    return "".join(_WORD_PART.findall(word.lower()))


def _ends_with_word_star(text: str) -> bool:
    """'db*' is a prefix; 'db-*' and '*' are not."""
    stripped = text.rstrip("*")
    return stripped != text and stripped != "" and _WORD_PART.match(stripped[-1]) is not None


def _unique(terms: list[Term]) -> tuple[Term, ...]:
    return tuple(dict.fromkeys(terms))


def _unique_groups(groups: list[list[Term]]) -> list[list[Term]]:
    seen: dict[tuple[Term, ...], list[Term]] = {}
    for group in groups:
        seen.setdefault(_unique(group), group)
    return list(seen.values())
