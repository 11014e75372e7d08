"""The JSON shapes of the API: request bodies (strict) and replies (for the OpenAPI doc).

Request models forbid unknown fields, so number, status and version can never be set
by a client. Replies are serialised straight from the application's views (see
responses.py); the reply models here describe them.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema

from application.content_json import content_from_json
from domain import content as madr
from domain.decision import Changes
from domain.lifecycle import Status
from domain.links import LinkKind
from domain.user import TOKEN_DAYS_AT_MOST, TOKEN_DAYS_BY_DEFAULT
from domain.values import Role, Visibility

T = TypeVar("T")

# The rules of domain.values, stated here too so that the OpenAPI document shows them.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
# It cannot bound the slug to 64 characters (that needs a look-ahead, which pydantic's
# regex engine lacks); a longer one gets 422 from the domain, naming the field.
REF_PATTERN = r"^\s*(?:[a-z0-9]+(?:-[a-z0-9]+)*/)?(?:[Aa][Dd][Rr]-?)?0*[0-9]{1,9}\s*$"
_ONE_LINE = r"^[^\r\n]*\S[^\r\n]*$"
_NOT_BLANK = r"^[\s\S]*\S[\s\S]*$"

Slug = Annotated[
    str,
    Field(
        pattern=SLUG_PATTERN,
        max_length=64,
        description="Lowercase letters, digits and single dashes.",
        examples=["platform"],
    ),
]
Ref = Annotated[
    str,
    Field(
        pattern=REF_PATTERN,
        description="A decision: its number in this log ('3', 'ADR-0003') or its log and "
        "number ('other-log/7').",
        examples=["3", "other-log/7"],
    ),
]


def _written_date(value: object) -> object:
    """A day as JSON writes it; pydantic would also take a number of seconds."""
    if isinstance(value, str) or value is None:
        return value
    raise ValueError("must be a day written YYYY-MM-DD")


Day = Annotated[dt.date, BeforeValidator(_written_date)]
Tag = Annotated[
    str,
    Field(
        pattern=r"^\s*[^\s,][^,]{0,62}$",
        description="1 to 63 characters, no commas; stored lowercase, inner spaces as dashes.",
    ),
]
Person = Annotated[str, Field(pattern=_NOT_BLANK, max_length=200)]
DecisionTitle = Annotated[
    str, Field(pattern=_ONE_LINE, max_length=300, description="One line, not blank.")
]

_CONTENT_EXAMPLE: dict[str, Any] = {
    "context": "Every service picks its own storage, and operations cannot keep up.",
    "drivers": ["one database to operate", "transactions across aggregates"],
    "options": [
        {
            "title": "PostgreSQL",
            "description": "",
            "good": ["mature, transactional, full-text search"],
            "neutral": [],
            "bad": ["one more server to run"],
        },
        {"title": "MongoDB", "description": "", "good": [], "neutral": [], "bad": []},
    ],
    "outcome": {"chosen": "PostgreSQL", "justification": "it meets every driver"},
    "consequences": {"good": ["one backup procedure"], "neutral": [], "bad": []},
    "confirmation": "Every new service's storage is reviewed against this decision.",
    "more_information": "",
    "extra_sections": [],
    "extra_metadata": [],
}
_DECISION_EXAMPLE: dict[str, Any] = {
    "log": "platform",
    "number": 7,
    "title": "Use PostgreSQL for storage",
    "status": "proposed",
    "date": "2026-01-05",
    "decision_makers": ["Ada Lovelace"],
    "consulted": ["Platform team"],
    "informed": ["Engineering"],
    "tags": ["database", "storage"],
    "content": _CONTENT_EXAMPLE,
    "links": [{"kind": "supersedes", "target": "platform/3"}],
    "review_by": "2027-01-05",
    "version": 1,
    "hidden_links": 0,
}
_SUMMARY_EXAMPLE = {
    key: _DECISION_EXAMPLE[key]
    for key in ("log", "number", "title", "status", "date", "tags", "review_by", "version")
}


def _examples(*examples: Any) -> dict[str, Any]:
    return {"examples": list(examples)}


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _not_null(value: object) -> object:
    """Optional fields of an update: leave one out to keep it; null is not a value."""
    if value is None:
        raise ValueError("must not be null: leave the field out to keep its current value")
    return value


# -- content (the JSON form of application.content_json) ----------------------


class Arguments(_Input):
    good: list[str] = Field(default=[], description="'Good, because …' arguments.")
    neutral: list[str] = Field(default=[], description="'Neutral, because …' arguments.")
    bad: list[str] = Field(default=[], description="'Bad, because …' arguments.")

    model_config = ConfigDict(json_schema_extra=_examples(_CONTENT_EXAMPLE["consequences"]))


class Option(_Input):
    title: str
    description: str = ""
    good: list[str] = []
    neutral: list[str] = []
    bad: list[str] = []

    model_config = ConfigDict(json_schema_extra=_examples(_CONTENT_EXAMPLE["options"][0]))


class Outcome(_Input):
    chosen: str = Field(default="", description="The title of the chosen option.")
    justification: str = ""

    model_config = ConfigDict(json_schema_extra=_examples(_CONTENT_EXAMPLE["outcome"]))


class ExtraSection(_Input):
    """A section MADR does not name, kept verbatim where it stood."""

    heading: str
    body: str = ""
    level: int = Field(default=2, ge=1, le=6)
    after: str = Field(default="", description="The MADR section it follows ('' for first).")

    model_config = ConfigDict(
        json_schema_extra=_examples({"heading": "Risks", "body": "None known.", "after": ""})
    )


def _portable(value: JsonValue) -> JsonValue:
    """Numbers any JSON reader (and our serialiser) takes: 64-bit integers, finite floats."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, int) and not -(2**63) <= item < 2**63:
            raise ValueError("integers must fit in 64 bits")
        if isinstance(item, float) and not math.isfinite(item):
            raise ValueError("numbers must be finite")
        if isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
    return value


class MetadataEntry(_Input):
    """A front-matter key MADR does not name."""

    key: str
    value: Annotated[JsonValue, AfterValidator(_portable)] = None

    model_config = ConfigDict(json_schema_extra=_examples({"key": "team", "value": "platform"}))


class Content(_Input):
    """The MADR sections of a decision."""

    context: str = Field(default="", description="Context and problem statement.")
    drivers: list[str] = Field(default=[], description="Decision drivers.")
    options: list[Option] = Field(default=[], description="Considered options.")
    outcome: Outcome = Field(default_factory=Outcome, description="Decision outcome.")
    consequences: Arguments = Field(default_factory=Arguments)
    confirmation: str = ""
    more_information: str = ""
    extra_sections: list[ExtraSection] = []
    extra_metadata: list[MetadataEntry] = []

    model_config = ConfigDict(json_schema_extra=_examples(_CONTENT_EXAMPLE))

    def to_domain(self) -> madr.Content:
        return content_from_json(self.model_dump())


# -- logs and members ---------------------------------------------------------


class LogCreate(_Input):
    slug: Slug = Field(description="The log's name in URLs; it cannot change later.")
    title: str = Field(pattern=_ONE_LINE, max_length=200, description="One line, not blank.")
    description: str = Field(default="", max_length=10_000)
    visibility: Visibility = Field(
        default=Visibility.PRIVATE,
        description="private: members only; public: anyone may read.",
    )

    model_config = ConfigDict(
        json_schema_extra=_examples(
            {"slug": "platform", "title": "Platform decisions", "visibility": "private"}
        )
    )


class GitSource(_Input):
    """A git folder for the log to mirror; the repository becomes its source of truth."""

    url: str = Field(
        min_length=1,
        max_length=2000,
        description="An http(s) repository URL, without credentials (the operator sets "
        "those per log), or a local path where the server allows local sources.",
    )
    branch: str = Field(default="main", min_length=1, max_length=200)
    path: str = Field(
        default="",
        max_length=500,
        description="The folder of MADR files, from the repository's root; '' for the root.",
    )

    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "url": "https://git.example.com/team/platform.git",
                "branch": "main",
                "path": "docs/decisions",
            }
        )
    )


class LogUpdate(_Input):
    """Each field given replaces that setting; a field left out is kept. `source`: a git
    folder to mirror (admins only), or null to stop mirroring one."""

    title: Annotated[str, Field(pattern=_ONE_LINE, max_length=200)] | SkipJsonSchema[None] = None
    description: Annotated[str, Field(max_length=10_000)] | SkipJsonSchema[None] = None
    visibility: Visibility | SkipJsonSchema[None] = None
    stale_after_days: (
        Annotated[
            int,
            Field(
                ge=1,
                le=3650,
                description="Proposals untouched this many days raise decision.stale.",
            ),
        ]
        | SkipJsonSchema[None]
    ) = None

    source: GitSource | None = None

    _fields_not_null = field_validator(
        "title", "description", "visibility", "stale_after_days", mode="before"
    )(_not_null)

    model_config = ConfigDict(json_schema_extra=_examples({"visibility": "public"}))


class GitSourceShown(BaseModel):
    url: str
    branch: str
    path: str

    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "url": "https://git.example.com/team/platform.git",
                "branch": "main",
                "path": "docs/decisions",
            }
        )
    )


class Log(BaseModel):
    slug: str
    title: str
    description: str
    visibility: Visibility
    version: int = Field(description="Also the ETag; send it as If-Match to change the log.")
    stale_after_days: int = Field(
        description="Proposals untouched this many days raise decision.stale (default 30)."
    )
    source: GitSourceShown | None = Field(
        default=None,
        description="The git folder the log mirrors, its source of truth; null: none.",
    )

    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "slug": "platform",
                "title": "Platform decisions",
                "description": "",
                "visibility": "private",
                "version": 1,
                "stale_after_days": 30,
                "source": None,
            }
        )
    )


class MemberRole(_Input):
    role: Role

    model_config = ConfigDict(json_schema_extra=_examples({"role": "author"}))


class Member(BaseModel):
    username: str
    role: Role

    model_config = ConfigDict(json_schema_extra=_examples({"username": "ada", "role": "author"}))


# -- decisions ----------------------------------------------------------------


class DecisionCreate(_Input):
    title: DecisionTitle
    content: Content = Field(default_factory=Content)
    decision_makers: list[Person] = []
    consulted: list[Person] = []
    informed: list[Person] = []
    tags: list[Tag] = Field(default=[], description="A set: order and repeats are not kept.")
    review_by: Day | None = Field(
        default=None, description="The day by which the decision should be re-examined."
    )
    supersedes: list[Ref] = Field(
        default=[], description="Accepted decisions this one replaces once accepted."
    )

    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "title": "Use PostgreSQL for storage",
                "content": _CONTENT_EXAMPLE,
                "decision_makers": ["Ada Lovelace"],
                "tags": ["database"],
                "review_by": "2027-01-05",
                "supersedes": ["3", "legacy/12"],
            }
        )
    )


class DecisionUpdate(_Input):
    """Each field given replaces that field whole (`content` too: send every section you
    want to keep); a field left out is kept. `review_by: null` clears the review day.
    Only tags and review_by can change once the decision is decided."""

    title: DecisionTitle | SkipJsonSchema[None] = None
    content: Content | SkipJsonSchema[None] = None
    decision_makers: list[Person] | SkipJsonSchema[None] = None
    consulted: list[Person] | SkipJsonSchema[None] = None
    informed: list[Person] | SkipJsonSchema[None] = None
    tags: list[Tag] | SkipJsonSchema[None] = None
    review_by: Day | None = None

    _fields_not_null = field_validator(
        "title", "content", "decision_makers", "consulted", "informed", "tags", mode="before"
    )(_not_null)

    model_config = ConfigDict(
        json_schema_extra=_examples({"tags": ["database", "postgres"], "review_by": None})
    )

    def changes(self) -> Changes:
        clear_review_by = "review_by" in self.model_fields_set and self.review_by is None
        return Changes(
            title=self.title,
            content=None if self.content is None else self.content.to_domain(),
            decision_makers=self.decision_makers,
            consulted=self.consulted,
            informed=self.informed,
            tags=self.tags,
            review_by=self.review_by,
            clear_review_by=clear_review_by,
        )


class Supersede(_Input):
    by: list[Ref] = Field(min_length=1, description="The accepted successors.")

    model_config = ConfigDict(json_schema_extra=_examples({"by": ["9", "other-log/3"]}))


class Link(_Input):
    kind: LinkKind
    target: Ref

    model_config = ConfigDict(
        json_schema_extra=_examples({"kind": "relates-to", "target": "other-log/3"})
    )


class Decision(BaseModel):
    log: str
    number: int
    title: str
    status: Status
    date: dt.date = Field(description="The day of the last status change.")
    decision_makers: list[str]
    consulted: list[str]
    informed: list[str]
    tags: list[str]
    content: Content
    links: list[Link] = Field(description="Targets are written 'log/number'.")
    review_by: dt.date | None
    version: int = Field(description="Also the ETag; send it as If-Match to change it.")
    hidden_links: int = Field(
        ge=0, description="Links left out of `links`: they name logs the caller may not read."
    )

    model_config = ConfigDict(json_schema_extra=_examples(_DECISION_EXAMPLE))


class DecisionSummary(BaseModel):
    log: str
    number: int
    title: str
    status: Status
    date: dt.date
    tags: list[str]
    review_by: dt.date | None
    version: int

    model_config = ConfigDict(json_schema_extra=_examples(_SUMMARY_EXAMPLE))


class HistoryEntry(BaseModel):
    version: int = Field(description="The decision's version this event made.")
    event: str
    actor: str
    at: dt.datetime
    details: dict[str, Any] = Field(description="What changed; depends on the event.")

    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "version": 2,
                "event": "decision.accepted",
                "actor": "ada",
                "at": "2026-01-05T09:30:00Z",
                "details": {"supersedes": ["platform/3"]},
            }
        )
    )


def _page_examples(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """A page of Page[X] shows X's first example."""
    for item in model.__pydantic_generic_metadata__["args"]:
        extra = item.model_config.get("json_schema_extra") or {}
        schema["examples"] = [{"items": extra["examples"][:1], "next_cursor": None}]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )

    model_config = ConfigDict(json_schema_extra=_page_examples)


class LinkPage(BaseModel):
    """A decision's links, whole, in the shape of a page."""

    items: list[Link]
    next_cursor: None = Field(description="Always null: the links come on one page.")
    hidden_links: int = Field(
        ge=0, description="Links left out of `items`: they name logs the caller may not read."
    )

    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "items": [{"kind": "supersedes", "target": "platform/3"}],
                "next_cursor": None,
                "hidden_links": 1,
            }
        )
    )


# -- search -------------------------------------------------------------------

_HIT_EXAMPLE: dict[str, Any] = {
    "log": "platform",
    "number": 7,
    "title": "Use PostgreSQL for storage",
    "status": "accepted",
    "date": "2026-01-05",
    "snippet": "one database to operate, with <mark>full-text</mark> <mark>search</mark> "
    "built in &amp; transactions",
    "score": 0.61,
}
_FACETS_EXAMPLE: dict[str, Any] = {
    "status": [{"value": "accepted", "count": 12}, {"value": "proposed", "count": 3}],
    "tag": [{"value": "database", "count": 9}],
    "log": [{"value": "platform", "count": 15}],
}


class SearchHit(BaseModel):
    log: str
    number: int
    title: str
    status: Status
    date: dt.date = Field(description="The day of the last status change.")
    snippet: str = Field(
        description="HTML: the best-matching passage, <mark> around each match, every "
        "other character escaped."
    )
    score: float = Field(description="Higher is better; comparable within one search only.")

    model_config = ConfigDict(json_schema_extra=_examples(_HIT_EXAMPLE))


class FacetCount(BaseModel):
    value: str
    count: int = Field(ge=1)

    model_config = ConfigDict(json_schema_extra=_examples({"value": "accepted", "count": 12}))


class SearchFacets(BaseModel):
    """How many matches have each value: the 20 largest counts, largest first."""

    status: list[FacetCount]
    tag: list[FacetCount]
    log: list[FacetCount] = Field(description="By slug; only logs you can read.")

    model_config = ConfigDict(json_schema_extra=_examples(_FACETS_EXAMPLE))


class SearchResults(BaseModel):
    items: list[SearchHit] = Field(description="Best first.")
    total: int = Field(ge=0, description="How many decisions match, on every page.")
    facets: SearchFacets
    next_cursor: str | None = Field(
        description="Pass as `cursor`, with the same query and filters, for the next page; "
        "null on the last page."
    )

    model_config = ConfigDict(
        json_schema_extra=_examples(
            {"items": [_HIT_EXAMPLE], "total": 15, "facets": _FACETS_EXAMPLE, "next_cursor": None}
        )
    )


# -- tokens and operations ----------------------------------------------------


class TokenCreate(_Input):
    name: str = Field(
        pattern=_NOT_BLANK,
        max_length=100,
        description="What the token is for: 1 to 100 characters, not blank.",
    )
    scope: Literal["read", "read write"] = Field(
        "read write",
        description="`read`: it reads only, and gets 403 on every write. `read write`: it "
        "may do all your roles allow.",
    )
    expires_in_days: int | None = Field(
        None,
        ge=1,
        le=TOKEN_DAYS_AT_MOST,
        description=f"It expires this many days from now. Give this or `expires_at`; "
        f"neither: {TOKEN_DAYS_BY_DEFAULT} days. No token outlives {TOKEN_DAYS_AT_MOST} days.",
    )
    expires_at: AwareDatetime | None = Field(
        None,
        description=f"It expires at this time (with a zone), within {TOKEN_DAYS_AT_MOST} days.",
    )

    model_config = ConfigDict(
        json_schema_extra=_examples(
            {"name": "ci"}, {"name": "dashboard", "scope": "read", "expires_in_days": 30}
        )
    )


class PasswordGrant(BaseModel):
    """OAuth2's password grant as a form; other fields a client sends (client_id) are
    ignored."""

    grant_type: Literal["password"] = Field(description="Always `password`.")
    username: str = Field(max_length=200)
    password: str = Field(max_length=1024)
    scope: str = Field(
        "",
        max_length=100,
        description="`read` for a token that reads only; `read write` or none for one that "
        "may do all your roles allow.",
    )

    model_config = ConfigDict(
        json_schema_extra=_examples(
            {"grant_type": "password", "username": "alice", "password": "a long passphrase"}
        )
    )


class SessionToken(BaseModel):
    access_token: str = Field(description="A JWT: send it as `Authorization: Bearer <token>`.")
    token_type: Literal["bearer"]
    expires_in: int = Field(description="Seconds until it expires; then sign in again.")
    scope: Literal["read", "read write"] = Field(description="What the token may do.")

    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "access_token": "eyJhbGciOiJIUzI1NiIs…",
                "token_type": "bearer",
                "expires_in": 900,
                "scope": "read write",
            }
        )
    )


class IssuedToken(BaseModel):
    id: str
    username: str
    name: str
    token: str = Field(description="The secret: shown this once, store it now.")
    scope: Literal["read", "read write"]
    created_at: dt.datetime
    expires_at: dt.datetime | None = Field(description="Null only for tokens made before expiry.")

    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "id": "3f2a9c1d0b7e4a65",
                "username": "ada",
                "name": "ci",
                "token": "adr_…",
                "scope": "read write",
                "created_at": "2026-12-01T10:00:00Z",
                "expires_at": "2027-03-01T10:00:00Z",
            }
        )
    )


class TokenInfo(BaseModel):
    """A personal access token as listed: never its secret."""

    id: str
    username: str
    name: str
    scope: Literal["read", "read write"]
    created_at: dt.datetime
    expires_at: dt.datetime | None = Field(
        description="Null for a token made before tokens expired: it never does."
    )
    last_used_at: dt.datetime | None = Field(
        description="When it last authenticated a request, to the minute; null if never."
    )

    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "id": "3f2a9c1d0b7e4a65",
                "username": "ada",
                "name": "ci",
                "scope": "read",
                "created_at": "2026-12-01T10:00:00Z",
                "expires_at": "2027-03-01T10:00:00Z",
                "last_used_at": "2026-12-02T08:31:00Z",
            }
        )
    )


class Health(BaseModel):
    status: Literal["ok"]
    checks: dict[str, str] = Field(default={}, description="Each dependency's state.")

    model_config = ConfigDict(
        json_schema_extra=_examples({"status": "ok", "checks": {"database": "ok"}})
    )


class FieldIssue(BaseModel):
    loc: list[str | int] = Field(description="Where: e.g. ['body', 'title'].")
    message: str

    model_config = ConfigDict(
        json_schema_extra=_examples({"loc": ["body", "title"], "message": "Field required"})
    )


class Problem(BaseModel):
    """An RFC 9457 problem; `type` is stable, `detail` says what to do."""

    type: str
    title: str
    status: int
    detail: str
    instance: str = Field(description="The path of the request that failed.")
    errors: list[FieldIssue] | SkipJsonSchema[None] = Field(
        default=None, description="validation-error: each invalid field."
    )
    current_status: Status | SkipJsonSchema[None] = Field(
        default=None, description="invalid-transition: the decision's status."
    )
    allowed: list[Status] | SkipJsonSchema[None] = Field(
        default=None, description="invalid-transition: the statuses it may move to."
    )
    checks: dict[str, str] | SkipJsonSchema[None] = Field(
        default=None, description="not-ready: each dependency's state."
    )

    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "type": "https://adr-registry.dev/problems/invalid-transition",
                "title": "This status change is not allowed",
                "status": 409,
                "detail": "platform/7 is rejected; it cannot become accepted. "
                "Allowed next statuses: proposed.",
                "instance": "/v1/logs/platform/decisions/7/accept",
                "current_status": "rejected",
                "allowed": ["proposed"],
            }
        )
    )


# -- MADR in and out ----------------------------------------------------------------


class LintProblem(BaseModel):
    file: str
    line: int = Field(ge=1)
    rule: str
    severity: Literal["error", "warning"]
    message: str
    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "file": "0003-use-kafka.md",
                "line": 4,
                "rule": "unknown-status",
                "severity": "error",
                "message": "status 'aproved' is not a MADR status: use proposed, accepted, "
                "rejected, deprecated or superseded",
            }
        )
    )


class LintReport(BaseModel):
    problems: list[LintProblem]
    errors: int
    warnings: int
    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "problems": [
                    {
                        "file": "0003-use-kafka.md",
                        "line": 1,
                        "rule": "missing-date",
                        "severity": "warning",
                        "message": "no date: add 'date: YYYY-MM-DD' to the front matter",
                    }
                ],
                "errors": 0,
                "warnings": 1,
            }
        )
    )


class FileReport(BaseModel):
    """What an import did with one file; 'skipped' files were valid but not written
    because another file was not; 'ignored' files hold no decision (a README, a
    template), and a warning says so."""

    file: str
    outcome: Literal["created", "updated", "unchanged", "skipped", "ignored", "error"]
    number: int | None
    problems: list[LintProblem]
    model_config = ConfigDict(
        json_schema_extra=_examples(
            {"file": "0002-use-kafka.md", "outcome": "updated", "number": 2, "problems": []}
        )
    )


class ImportReport(BaseModel):
    log: str
    files: list[FileReport]
    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "log": "platform",
                "files": [
                    {
                        "file": "0001-use-fastapi.md",
                        "outcome": "created",
                        "number": 1,
                        "problems": [],
                    }
                ],
            }
        )
    )
