"""Aliases: the slugs of day-named files (log4brains) and the numbers they were given.

Revision ID: 0006_aliases
Revises: 0004_search
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_aliases"
down_revision: str | None = "0004_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "decision_aliases",
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(255), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.CheckConstraint("number >= 0", name=op.f("ck_decision_aliases_number")),
        sa.ForeignKeyConstraint(
            ["log_id"],
            ["logs.id"],
            name=op.f("fk_decision_aliases_log_id_logs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("log_id", "alias", name=op.f("pk_decision_aliases")),
    )


def downgrade() -> None:
    op.drop_table("decision_aliases")
