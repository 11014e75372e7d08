"""History index: a decision's events in order, beat notices included.

Revision ID: 0009_history_index
Revises: 0008_tokens
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009_history_index"
down_revision: str | None = "0008_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_decision_events_history",
        "decision_events",
        ["log_slug", "number", "version", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_decision_events_history", table_name="decision_events")
