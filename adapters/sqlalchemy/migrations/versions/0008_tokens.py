"""Tokens: each personal access token's scope, expiry and last use.

Tokens made before this keep `read write` (all they could do) and no expiry: an
expiry they were never given would lock out running clients without warning. Their
owners see them listed without one and can revoke them.

Revision ID: 0008_tokens
Revises: 0007_auth
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_tokens"
down_revision: str | None = "0007_auth"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As the tables' UtcDateTime stores it; migrations do not import the live schema.
UTC_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("access_tokens") as batch:
        batch.add_column(
            sa.Column(
                "scope", sa.String(16), nullable=False, server_default=sa.text("'read write'")
            )
        )
        batch.add_column(sa.Column("expires_at", UTC_TIMESTAMP, nullable=True))
        batch.add_column(sa.Column("last_used_at", UTC_TIMESTAMP, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("access_tokens") as batch:
        batch.drop_column("last_used_at")
        batch.drop_column("expires_at")
        batch.drop_column("scope")
