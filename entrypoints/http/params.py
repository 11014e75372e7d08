"""Path and query parameters shared by the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from fastapi.exceptions import RequestValidationError

from application.commands import MAX_LIMIT
from application.cursors import CURSOR_PATTERN
from application.search_query import MAX_QUERY_LENGTH
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
# The pattern is documented, and checked by application.cursors rather than here, so
# that every cursor this list did not give out gets the same 400 invalid-cursor.
CursorQuery = Annotated[
    str | None,
    Query(
        description="The next_cursor of the previous page of this same list (and filters); "
        "leave out for the first page.",
        json_schema_extra={"pattern": CURSOR_PATTERN},
    ),
]
SEARCH_SYNTAX = (
    "Search-box syntax: words (all must match, in any form: `decide` finds `decided`), "
    '`"an exact phrase"`, `-excluded`, `prefix*`, and `OR` between two terms. Anything '
    f"else is read as words. Not blank, at most {MAX_QUERY_LENGTH} characters."
)
SearchText = Annotated[
    str,
    Query(
        description=SEARCH_SYNTAX,
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
        examples=['kafka "event sourcing" -mongodb', "postgre* OR mysql"],
    ),
]
SearchFilterText = Annotated[
    str | None,
    Query(
        description="Only the decisions this search matches. " + SEARCH_SYNTAX,
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
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
