"""The schema as SQLAlchemy Core tables; Alembic's migrations create it, these describe it.

A decision is stored as one row with its value objects in JSON columns, so reading it
is a single-row read. Tags, people and links are also spread into their own tables,
kept in sync on every save, so that filters and graph queries can use indexes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.types import TypeDecorator

from domain.lifecycle import Status
from domain.links import LinkKind
from domain.values import Role, Visibility
from domain.webhooks import DeliveryState

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    PostgreSQL keeps the zone (timestamptz); SQLite has no zone, so the value is
    stored as naive UTC and made aware again when read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"{value!r} has no time zone; store aware datetimes only")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
_BigId = BigInteger().with_variant(Integer(), "sqlite")


def _one_of(column: str, values: type[StrEnum]) -> CheckConstraint:
    allowed = ", ".join(f"'{v.value}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=column)


users = Table(
    "users",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("is_admin", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", UtcDateTime, nullable=False, server_default=text("CURRENT_TIMESTAMP")),
    # An argon2id PHC string; NULL for a user who signs in only with tokens.
    Column("password_hash", String(255), nullable=True),
    Column("disabled", Boolean, nullable=False, server_default=text("false")),
)

access_tokens = Table(
    "access_tokens",
    metadata,
    Column("id", String(64), primary_key=True),
    Column(
        "username",
        String(64),
        ForeignKey("users.username", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("name", String(200), nullable=False),
    Column("secret_hash", String(128), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    # 'read' or 'read write' (domain.user.TokenScope).
    Column("scope", String(16), nullable=False, server_default=text("'read write'")),
    # NULL only for tokens made before they expired (migration 0008): they never do.
    Column("expires_at", UtcDateTime, nullable=True),
    # Stamped at most once a minute (adapters/sqlalchemy/token_use.py).
    Column("last_used_at", UtcDateTime, nullable=True),
)

# The audit trail (domain.audit): appended in the transaction of what it records, read
# newest first by site admins, filtered by actor or action along their indexes.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("action", String(32), nullable=False),
    # No foreign key: the trail outlives what it names, and a failed sign-in names a
    # user who may not exist.
    Column("actor", String(64), nullable=True),
    Column("target", String(200), nullable=False),
    Column("origin", String(64), nullable=True),
    Column("details", JSON, nullable=False),
    Index(None, "actor", "id"),
    Index(None, "action", "id"),
    Index(None, "at"),
)

logs = Table(
    "logs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("slug", String(64), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("visibility", String(16), nullable=False),
    Column("next_number", Integer, nullable=False, server_default=text("1")),
    Column("version", Integer, nullable=False),
    # Proposals untouched this long raise decision.stale (the beat's stale sweep).
    Column("stale_after_days", Integer, nullable=False, server_default=text("30")),
    # The git folder the log mirrors (migration 0011_git_sync); all null: none.
    Column("source_url", String(2000), nullable=True),
    Column("source_branch", String(200), nullable=True),
    Column("source_path", String(500), nullable=True),
    _one_of("visibility", Visibility),
)

log_members = Table(
    "log_members",
    metadata,
    Column("log_id", Integer, ForeignKey("logs.id", ondelete="CASCADE"), nullable=False),
    Column(
        "username", String(64), ForeignKey("users.username", ondelete="CASCADE"), nullable=False
    ),
    Column("role", String(16), nullable=False),
    PrimaryKeyConstraint("log_id", "username"),
    Index(None, "username"),
    _one_of("role", Role),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("log_id", Integer, ForeignKey("logs.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("title", String(300), nullable=False),
    Column("status", String(16), nullable=False),
    Column("date", Date, nullable=False),
    Column("review_by", Date, nullable=True),
    Column("version", Integer, nullable=False),
    Column("content", JSON, nullable=False),
    Column("decision_makers", JSON, nullable=False),
    Column("consulted", JSON, nullable=False),
    Column("informed", JSON, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("links", JSON, nullable=False),
    UniqueConstraint("log_id", "number"),
    CheckConstraint("number >= 0", name="number"),
    _one_of("status", Status),
    Index(None, "log_id", "status", "number"),
    Index(None, "status", "review_by"),
)

decision_tags = Table(
    "decision_tags",
    metadata,
    Column("decision_id", _BigId, ForeignKey("decisions.id", ondelete="CASCADE"), nullable=False),
    Column("tag", String(63), nullable=False),
    PrimaryKeyConstraint("decision_id", "tag"),
    Index(None, "tag", "decision_id"),
)

decision_people = Table(
    "decision_people",
    metadata,
    Column("decision_id", _BigId, ForeignKey("decisions.id", ondelete="CASCADE"), nullable=False),
    # Which RACI list: decision_makers, consulted or informed.
    Column("role", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    PrimaryKeyConstraint("decision_id", "role", "name"),
    Index(None, "name", "decision_id"),
)

decision_links = Table(
    "decision_links",
    metadata,
    Column("decision_id", _BigId, ForeignKey("decisions.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    # The target is named, not referenced: it may live in another log, or not exist yet.
    Column("target_log_slug", String(64), nullable=False),
    Column("target_number", Integer, nullable=False),
    PrimaryKeyConstraint("decision_id", "kind", "target_log_slug", "target_number"),
    Index(None, "target_log_slug", "target_number"),
    _one_of("kind", LinkKind),
)

# The slug a day-named file (log4brains' 20200925-use-x.md) goes by, and the number it
# was given when first imported. Keyed by number, not decision id: like a retired
# number, an alias outlives a withdrawn proposal, and is never given another number.
decision_aliases = Table(
    "decision_aliases",
    metadata,
    Column("log_id", Integer, ForeignKey("logs.id", ondelete="CASCADE"), nullable=False),
    Column("alias", String(255), nullable=False),
    Column("number", Integer, nullable=False),
    PrimaryKeyConstraint("log_id", "alias"),
    CheckConstraint("number >= 0", name="number"),
)

# Append-only and keyed by name rather than by decision id: the history of a withdrawn
# proposal outlives its row. It is also the outbox (ADR-0015): the relay publishes each
# row whose sent_at is null and then marks it. A log's own events have no number.
decision_events = Table(
    "decision_events",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("log_slug", String(64), nullable=False),
    Column("number", Integer, nullable=True),
    Column("version", Integer, nullable=False),
    Column("event", String(64), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("details", JSON, nullable=False),
    # Stable and unique: the id consumers deduplicate on (the webhook-id).
    Column("event_id", String(40), nullable=False, unique=True),
    Column("sent_at", UtcDateTime, nullable=True),
    # What is published: the log, the decision as the API showed it, what changed.
    Column("data", JSON, nullable=True),
    # Beat notices (review due, stale) are stored once per key, however often a tick runs.
    Column("dedup_key", String(300), nullable=True, unique=True),
    Index(
        "uq_decision_events_change",
        "log_slug",
        "number",
        "version",
        unique=True,
        sqlite_where=text("dedup_key IS NULL"),
        postgresql_where=text("dedup_key IS NULL"),
    ),
    Index(
        "ix_decision_events_unsent",
        "id",
        sqlite_where=text("sent_at IS NULL"),
        postgresql_where=text("sent_at IS NULL"),
    ),
    # A decision's history in order, notices included (the unique index above leaves
    # them out, so it cannot serve this read): without it every decision page scans
    # every event of every log.
    Index("ix_decision_events_history", "log_slug", "number", "version", "id"),
)

# -- git sync (migration 0011_git_sync) ----------------------------------------------

# One row per sync asked for (by the API or the beat), with its outcome and file report.
git_syncs = Table(
    "git_syncs",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("log_id", Integer, ForeignKey("logs.id", ondelete="CASCADE"), nullable=False),
    Column("state", String(16), nullable=False),
    Column("outcome", String(16), nullable=True),
    Column("commit", String(64), nullable=True),
    Column("author", String(300), nullable=True),
    Column("reason", Text, nullable=True),
    Column("files", JSON, nullable=True),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("started_at", UtcDateTime, nullable=True),
    Column("finished_at", UtcDateTime, nullable=True),
    Index(None, "log_id", "id"),
)

# The lease that keeps two workers from syncing one log at once: a row per log, held
# by a sync until it releases it or the lease expires (a worker that died).
git_sync_leases = Table(
    "git_sync_leases",
    metadata,
    Column("log_id", Integer, ForeignKey("logs.id", ondelete="CASCADE"), primary_key=True),
    Column("holder", String(64), nullable=True),
    Column("expires_at", UtcDateTime, nullable=True),
)

# Which file of the folder holds which decision, as of the last sync that read it.
git_source_files = Table(
    "git_source_files",
    metadata,
    Column("log_id", Integer, ForeignKey("logs.id", ondelete="CASCADE"), nullable=False),
    Column("file", String(255), nullable=False),
    Column("number", Integer, nullable=False),
    Column("commit", String(64), nullable=False),
    # The commit that deleted the file; its decision stays, marked removed from source.
    Column("removed_in", String(64), nullable=True),
    # The decision's version once the sync wrote it: a later version is drift.
    Column("synced_version", Integer, nullable=True),
    PrimaryKeyConstraint("log_id", "file"),
    Index(None, "log_id", "number"),
)

# Numbers handed out for decisions that will arrive through git (ADR-0019): taken from
# the log's counter like a proposal's, held until `expires_at` or used by a file.
number_reservations = Table(
    "number_reservations",
    metadata,
    Column("log_id", Integer, ForeignKey("logs.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("reserved_by", String(200), nullable=False),
    Column("file", String(255), nullable=False),
    Column("reserved_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_by", String(255), nullable=True),
    PrimaryKeyConstraint("log_id", "number"),
)

# -- webhooks (migration 0003_webhooks) -------------------------------------------

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("log_id", Integer, ForeignKey("logs.id", ondelete="CASCADE"), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("events", JSON, nullable=False),
    Column("description", String(1000), nullable=False),
    # In clear: signing needs it. Only the API reply that made it ever shows it.
    Column("secret", String(100), nullable=False),
    Column("previous_secret", String(100), nullable=True),
    Column("previous_secret_expires_at", UtcDateTime, nullable=True),
    Column("enabled", Boolean, nullable=False),
    Column("disabled_reason", Text, nullable=True),
    Column("disabled_at", UtcDateTime, nullable=True),
    Column("last_success_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Index(None, "log_id", "id"),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column(
        "subscription_id",
        _BigId,
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("event_id", String(200), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    # Set only while pending: the retry sweep reads this index.
    Column("next_attempt_at", UtcDateTime, nullable=True),
    Column("delivered_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    # One delivery per event and subscription: fanning an event out twice adds nothing.
    UniqueConstraint("event_id", "subscription_id"),
    Index(None, "subscription_id", "id"),
    Index(None, "next_attempt_at"),
    _one_of("state", DeliveryState),
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column(
        "delivery_id",
        _BigId,
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("at", UtcDateTime, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("duration_ms", Integer, nullable=False),
    # The first KiB of the reply's body, as text.
    Column("reply", Text, nullable=False),
    Column("error", Text, nullable=True),
    Column("manual", Boolean, nullable=False),
    Index(None, "delivery_id", "id"),
)


# -- full-text search (ADR-0009) ------------------------------------------------------
#
# Written by triggers on `decisions` in the same transaction as the write, built by
# migration 0004. Its storage differs by backend, so it stays out of `metadata`, which
# both share: on PostgreSQL it is the table below, a weighted tsvector with the columns
# a search filters and counts by; on SQLite an FTS5 table of the same name (columns
# title, people_tags, context_outcome, rest) over the view decision_search_source.

SEARCH_TABLE = "decision_search"

search_metadata = MetaData(naming_convention=metadata.naming_convention)

decision_search = Table(
    SEARCH_TABLE,
    search_metadata,
    Column(
        "decision_id",
        _BigId,
        ForeignKey(decisions.c.id, ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("log_id", Integer, nullable=False),
    Column("number", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("date", Date, nullable=False),
    Column("tags", ARRAY(Text), nullable=False),
    Column("people", ARRAY(Text), nullable=False),
    Column("document", TSVECTOR, nullable=False),
    Index(None, "document", postgresql_using="gin"),
    Index(None, "log_id", "number"),
)


def in_shared_schema(name: str | None, type_: str, parent_names: object) -> bool:
    """For Alembic's `include_name`: whether `metadata` describes this object (the search
    index and, on SQLite, its FTS5 shadow tables are described above instead)."""
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_TABLE))
