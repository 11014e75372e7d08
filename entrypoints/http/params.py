"""Path and query parameters shared by the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from fastapi.exceptions import RequestValidationError

from application.commands import MAX_LIMIT
from domain.errors import InvalidValue
from domain.values import DecisionNumber, DecisionRef, LogSlug
from entrypoints.http.schemas import SLUG_PATTERN, USERNAME_PATTERN

# The largest number a database integer column holds.
_MAX_NUMBER = 2**31 - 1

LogPath = Annotated[
    str,
    Path(description="The log's slug.", pattern=SLUG_PATTERN, max_length=64, examples=["platform"]),
]
NumberPath = Annotated[
    int, Path(description="The decision's number in its log.", ge=0, le=_MAX_NUMBER, examples=[7])
]
UsernamePath = Annotated[
    str, Path(description="A user's name.", pattern=USERNAME_PATTERN, examples=["ada"])
]
CursorQuery = Annotated[
    str | None,
    Query(
        description="The next_cursor of the previous page; leave out for the first page.",
        min_length=1,
    ),
]
LimitQuery = Annotated[
    int, Query(description=f"How many items per page, at most {MAX_LIMIT}.", ge=1, le=MAX_LIMIT)
]


def decision_ref(log: str, number: int) -> DecisionRef:
    return DecisionRef(LogSlug(log), DecisionNumber(number))


def parse_ref(text: str, log: str, loc: tuple[str | int, ...]) -> DecisionRef:
    """A decision named in a request ('7', 'other-log/7'); a bad one is a 422 at `loc`."""
    try:
        return DecisionRef.parse(text, relative_to=LogSlug(log))
    except InvalidValue as error:
        raise RequestValidationError(
            [{"type": "value_error", "loc": loc, "msg": error.message, "input": text}]
        ) from None
