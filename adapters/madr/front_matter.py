"""YAML front matter: read with the safe loader, and refused when it uses tags, anchors or
aliases (no object construction, no alias bombs). Values come out JSON-compatible: dates
and times as ISO text; anything JSON cannot hold is refused with its line.

Speed: when PyYAML has libyaml, plain front matter (no tab, no line break but '\n',
nothing unprintable, not deeply nested) is composed once by the C parser and built by the
same safe constructor. Anything else, and anything the C reading does not accept, is read
by the pure-Python loader exactly as before, so errors and their lines never change.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import yaml
from yaml.constructor import SafeConstructor

from adapters.madr.errors import InvalidMadr
from adapters.madr.rules import INVALID_DATE, UNSAFE_YAML
from domain.content import Metadata

_FENCE = "---"
_CLOSERS = ("---", "...")

if TYPE_CHECKING:
    _LoaderClass = type[yaml.SafeLoader] | type[yaml.CSafeLoader]

# libyaml's loader, when PyYAML was built with it: same nodes, ten times faster.
_C_LOADER: _LoaderClass | None = (
    getattr(yaml, "CSafeLoader", None) if yaml.__with_libyaml__ else None
)
# What libyaml and PyYAML's Python reader may read differently: tabs, line breaks other
# than '\n' (NEL, LS, PS), a BOM, what YAML does not print (control characters, lone
# surrogates, U+FFFE, U+FFFF), block scalars ('|', '>'), directives ('%') and '?' (each
# found to differ). Text holding any of these takes the Python path.
_UNTAME = re.compile(
    r"[|>%?]|[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# Each level of nesting takes one of these; the C composer recurses in C, so deep
# nesting (which the Python path refuses as too deep) never reaches it.
_NESTING = ("[", "{", "-", "?", ":")
_MAX_NESTING = 500
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"


@dataclass(frozen=True, slots=True)
class Entry:
    key: str
    value: Metadata
    line: int  # 1-based line of the key in the file


@dataclass(frozen=True, slots=True)
class FrontMatter:
    entries: tuple[Entry, ...]
    end: int  # index of the first line after it; 0 when the file has none


def read_front_matter(lines: Sequence[str]) -> FrontMatter:
    if not lines or lines[0].rstrip(" \t") != _FENCE:
        return FrontMatter((), 0)
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip(" \t") in _CLOSERS), None)
    if close is None:
        raise InvalidMadr(1, "the front matter opened here is never closed: end it with '---'")
    first_line = 2  # the file line of the YAML's first line
    _check_work(lines[1:close], first_line)
    source = "\n".join(lines[1:close])
    fast = _fast_load(source, first_line)
    if fast is not None:
        return FrontMatter(fast, close + 1)
    try:
        _refuse_unsafe(source, first_line)
        entries = _load(source, first_line)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + mark.line if mark else 1
        message = f"the front matter is not valid YAML ({error.problem}): fix it, quoting values"
        raise InvalidMadr(line, f"{message} that hold ': ' or ' #'") from None
    except yaml.reader.ReaderError as error:  # a control character
        line = first_line + source.count("\n", 0, error.position)
        message = f"the front matter holds the control character U+{error.character:04X}"
        raise InvalidMadr(line, f"{message}: remove it") from None
    except yaml.YAMLError as error:
        raise InvalidMadr(1, f"the front matter is not valid YAML ({error}): fix it") from None
    except RecursionError:
        raise InvalidMadr(1, "the front matter is nested too deeply: flatten it") from None
    return FrontMatter(entries, close + 1)


# Bounds checked before YAML reads a byte: real front matter is a dozen flat keys, and
# YAML's work grows fast with nesting (40 KB of '[[[[' took the pure-Python reader 30 s).
MAX_LINES = 500
MAX_CHARS = 64 * 1024
MAX_KEYS = 500
MAX_DEPTH = 20
_FLOW = re.compile(r"[\[\]{}]")


def _check_work(lines: Sequence[str], first_line: int) -> None:
    """Refuse front matter that would cost YAML too much: too long, too many keys, or
    nested too deeply (brackets, indentation or '- ' items on one line)."""
    if len(lines) > MAX_LINES:
        raise InvalidMadr(
            first_line + MAX_LINES, f"the front matter is over {MAX_LINES} lines: shorten it"
        )
    if sum(map(len, lines)) > MAX_CHARS:
        raise InvalidMadr(first_line, f"the front matter is over {MAX_CHARS} characters")
    keys = depth = 0
    for index, line in enumerate(lines):
        deepest = depth
        for bracket in _FLOW.findall(line):
            depth += 1 if bracket in "[{" else -1
            deepest = max(deepest, depth)
        block = (len(line) - len(line.lstrip(" "))) // 2 + line.count("- ")
        if deepest > MAX_DEPTH or block > MAX_DEPTH:
            message = f"the front matter is nested over {MAX_DEPTH} levels deep: flatten it"
            raise InvalidMadr(first_line + index, message)
        keys += line.count(":")
        if keys > MAX_KEYS:
            message = f"the front matter has over {MAX_KEYS} keys: keep the metadata short"
            raise InvalidMadr(first_line + index, message)


def _fast_load(source: str, first_line: int) -> tuple[Entry, ...] | None:
    """The entries as libyaml reads them, or None when the Python path must decide.

    Only a reading that succeeds is used: on any problem (a tag, invalid YAML, a bad
    value) the pure-Python path runs and reports it exactly as it always has.
    """
    loader = _C_LOADER
    if loader is None or _UNTAME.search(source) is not None:
        return None
    if sum(map(source.count, _NESTING)) > _MAX_NESTING:
        return None
    try:
        if ("!" in source or "&" in source or "*" in source) and _has_unsafe(source, loader):
            return None
        return _load(source, first_line, loader)
    except Exception:  # any problem: the Python path reports it
        return None


def _has_unsafe(source: str, loader: _LoaderClass) -> bool:
    """Whether the scanner finds a tag, an anchor or an alias."""
    unsafe = (yaml.TagToken, yaml.AnchorToken, yaml.AliasToken)
    return any(isinstance(token, unsafe) for token in yaml.scan(source, Loader=loader))


def _load(
    source: str, first_line: int, loader_class: _LoaderClass = yaml.SafeLoader
) -> tuple[Entry, ...]:
    loader = loader_class(source)
    try:
        node = loader.get_single_node()
        return _entries(loader, node, first_line) if node is not None else ()
    finally:
        loader.dispose()


def _entries(loader: SafeConstructor, node: yaml.Node, first_line: int) -> tuple[Entry, ...]:
    if not isinstance(node, yaml.MappingNode):
        raise InvalidMadr(1, "the front matter must be keys with values, e.g. 'status: accepted'")
    entries: dict[str, Entry] = {}
    for key_node, value_node in node.value:
        line = first_line + key_node.start_mark.line
        key = _construct(loader, key_node)
        if not isinstance(key, str):
            raise InvalidMadr(line, f"the front-matter key {key!r} is not text: quote it")
        try:
            value = _construct(loader, value_node)
        except (ValueError, OverflowError) as error:  # e.g. the timestamp 2024-02-30
            if value_node.tag.endswith(":timestamp"):
                raise InvalidMadr(line, f"{key}: {error}: write a real day", INVALID_DATE) from None
            raise InvalidMadr(line, f"{key}: {error}: quote the value") from None
        entries.pop(key, None)  # YAML keeps the last of repeated keys; so do we
        entries[key] = Entry(key, _json(value, line), line)
    return tuple(entries.values())


def _construct(loader: SafeConstructor, node: yaml.Node) -> object:
    """What `loader.construct_object(node, deep=True)` gives, text and lists of text
    without its machinery (which only matters for aliases, refused here)."""
    if node.tag == _STR and isinstance(node, yaml.ScalarNode):
        return node.value
    if node.tag == _SEQ and isinstance(node, yaml.SequenceNode):
        items: list[yaml.Node] = node.value
        if all(item.tag == _STR and isinstance(item, yaml.ScalarNode) for item in items):
            return [item.value for item in items]
    return loader.construct_object(node, deep=True)


def _refuse_unsafe(source: str, first_line: int) -> None:
    for token in yaml.scan(source, Loader=yaml.SafeLoader):
        if isinstance(token, yaml.TagToken):
            what = f"the YAML tag {token.value[0]}{token.value[1]}"
        elif isinstance(token, yaml.AnchorToken | yaml.AliasToken):
            what = f"the YAML anchor or alias {token.value!r}"
        else:
            continue
        raise InvalidMadr(
            first_line + token.start_mark.line,
            f"{what} is not allowed in front matter: write plain values",
            UNSAFE_YAML,
        )


def _json(value: object, line: int) -> Metadata:
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidMadr(line, f"{value} cannot be stored as a number: quote it")
        return value
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    if isinstance(value, list):
        return [_json(item, line) for item in value]
    if isinstance(value, dict):
        mapping: dict[str, Metadata] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidMadr(line, f"the front-matter key {key!r} is not text: quote it")
            mapping[key] = _json(item, line)
        return mapping
    raise InvalidMadr(line, f"the front-matter value {value!r} cannot be stored: use plain text")
