"""YAML front matter: read with the safe loader, and refused when it uses tags, anchors or
aliases (no object construction, no alias bombs). Values come out JSON-compatible: dates
and times as ISO text; anything JSON cannot hold is refused with its line.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import yaml

from adapters.madr.errors import InvalidMadr
from adapters.madr.rules import INVALID_DATE, UNSAFE_YAML
from domain.content import Metadata

_FENCE = "---"
_CLOSERS = ("---", "...")


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
    source = "\n".join(lines[1:close])
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


def _load(source: str, first_line: int) -> tuple[Entry, ...]:
    loader = yaml.SafeLoader(source)
    try:
        node = loader.get_single_node()
        return _entries(loader, node, first_line) if node is not None else ()
    finally:
        loader.dispose()


def _entries(loader: yaml.SafeLoader, node: yaml.Node, first_line: int) -> tuple[Entry, ...]:
    if not isinstance(node, yaml.MappingNode):
        raise InvalidMadr(1, "the front matter must be keys with values, e.g. 'status: accepted'")
    entries: dict[str, Entry] = {}
    for key_node, value_node in node.value:
        line = first_line + key_node.start_mark.line
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise InvalidMadr(line, f"the front-matter key {key!r} is not text: quote it")
        try:
            value = loader.construct_object(value_node, deep=True)
        except (ValueError, OverflowError) as error:  # e.g. the timestamp 2024-02-30
            if value_node.tag.endswith(":timestamp"):
                raise InvalidMadr(line, f"{key}: {error}: write a real day", INVALID_DATE) from None
            raise InvalidMadr(line, f"{key}: {error}: quote the value") from None
        entries.pop(key, None)  # YAML keeps the last of repeated keys; so do we
        entries[key] = Entry(key, _json(value, line), line)
    return tuple(entries.values())


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
