"""The history becomes the outbox: every event gets a stable id, a send mark and the data
it is published with; log and member events join it; beat notices are kept once.

- event_id: the id consumers deduplicate on (the webhook-id), unique.
- sent_at: when the relay had the broker's confirm; null while it waits (indexed).
- data: what is published: the log, the decision as the API showed it, what changed.
- dedup_key: set by beat jobs (review due, stale) so a notice is stored once.
- number becomes nullable: a log's own events (log.created, member.set, ...) have none.

Events stored before this migration predate the relay: nobody could subscribe to them,
so they are marked sent rather than flooding the broker on upgrade.

Revision ID: 0002_outbox
Revises: 0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_outbox"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIMESTAMP = sa.DateTime(timezone=True)
_CHANGE_UNIQUE = "uq_decision_events_log_slug_number_version"


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    # A fallback for rows written without one; the repositories set their own.
    random_id = (
        "('evt_' || lower(hex(randomblob(16))))"
        if sqlite
        else "('evt_' || md5(random()::text || clock_timestamp()::text))"
    )
    with op.batch_alter_table("decision_events", recreate="always" if sqlite else "auto") as table:
        table.add_column(sa.Column("event_id", sa.String(40), nullable=True))
        table.add_column(sa.Column("sent_at", UTC_TIMESTAMP, nullable=True))
        table.add_column(sa.Column("data", sa.JSON(), nullable=True))
        table.add_column(sa.Column("dedup_key", sa.String(300), nullable=True))
        table.alter_column("number", existing_type=sa.Integer(), nullable=True)
        table.drop_constraint(_CHANGE_UNIQUE, type_="unique")
    op.execute(f"UPDATE decision_events SET event_id = {random_id}, sent_at = at")
    with op.batch_alter_table("decision_events", recreate="always" if sqlite else "auto") as table:
        table.alter_column(
            "event_id",
            existing_type=sa.String(40),
            nullable=False,
            server_default=sa.text(random_id),
        )
        table.create_unique_constraint(op.f("uq_decision_events_event_id"), ["event_id"])
        table.create_unique_constraint(op.f("uq_decision_events_dedup_key"), ["dedup_key"])
    # A decision's changes are still one per version; beat notices carry the version
    # they saw and are kept unique by their dedup_key instead.
    op.create_index(
        "uq_decision_events_change",
        "decision_events",
        ["log_slug", "number", "version"],
        unique=True,
        sqlite_where=sa.text("dedup_key IS NULL"),
        postgresql_where=sa.text("dedup_key IS NULL"),
    )
    # The relay's claim reads only what waits: a partial index stays small.
    op.create_index(
        "ix_decision_events_unsent",
        "decision_events",
        ["id"],
        sqlite_where=sa.text("sent_at IS NULL"),
        postgresql_where=sa.text("sent_at IS NULL"),
    )
    op.add_column(
        "logs",
        sa.Column("stale_after_days", sa.Integer(), server_default=sa.text("30"), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("logs", "stale_after_days")
    op.drop_index("ix_decision_events_unsent", "decision_events")
    op.drop_index("uq_decision_events_change", "decision_events")
    op.execute("DELETE FROM decision_events WHERE number IS NULL OR dedup_key IS NOT NULL")
    with op.batch_alter_table("decision_events") as table:
        table.drop_constraint(op.f("uq_decision_events_dedup_key"), type_="unique")
        table.drop_constraint(op.f("uq_decision_events_event_id"), type_="unique")
        table.create_unique_constraint(_CHANGE_UNIQUE, ["log_slug", "number", "version"])
        table.alter_column("number", existing_type=sa.Integer(), nullable=False)
        table.drop_column("dedup_key")
        table.drop_column("data")
        table.drop_column("sent_at")
        table.drop_column("event_id")
