"""Git sync: a log's git source, its syncs, the sync lease, the synced files and the
numbers reserved for files to come.

Revision ID: 0011_git_sync
Revises: 0010_audit
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_git_sync"
down_revision: str | None = "0010_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_TIMESTAMP = sa.DateTime(timezone=True)


def _log_id(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["log_id"], ["logs.id"], name=op.f(f"fk_{table}_log_id_logs"), ondelete="CASCADE"
    )


def upgrade() -> None:
    with op.batch_alter_table("logs") as batch:
        batch.add_column(sa.Column("source_url", sa.String(2000), nullable=True))
        batch.add_column(sa.Column("source_branch", sa.String(200), nullable=True))
        batch.add_column(sa.Column("source_path", sa.String(500), nullable=True))
    op.create_table(
        "git_syncs",
        sa.Column("id", _BigId, primary_key=True, autoincrement=True),
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("commit", sa.String(64), nullable=True),
        sa.Column("author", sa.String(300), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("files", sa.JSON(), nullable=True),
        sa.Column("requested_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("started_at", UTC_TIMESTAMP, nullable=True),
        sa.Column("finished_at", UTC_TIMESTAMP, nullable=True),
        _log_id("git_syncs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_git_syncs")),
    )
    op.create_index(op.f("ix_git_syncs_log_id_id"), "git_syncs", ["log_id", "id"])
    op.create_table(
        "git_sync_leases",
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(64), nullable=True),
        sa.Column("expires_at", UTC_TIMESTAMP, nullable=True),
        _log_id("git_sync_leases"),
        sa.PrimaryKeyConstraint("log_id", name=op.f("pk_git_sync_leases")),
    )
    op.create_table(
        "git_source_files",
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("file", sa.String(255), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("commit", sa.String(64), nullable=False),
        sa.Column("removed_in", sa.String(64), nullable=True),
        sa.Column("synced_version", sa.Integer(), nullable=True),
        _log_id("git_source_files"),
        sa.PrimaryKeyConstraint("log_id", "file", name=op.f("pk_git_source_files")),
    )
    op.create_index(
        op.f("ix_git_source_files_log_id_number"), "git_source_files", ["log_id", "number"]
    )
    op.create_table(
        "number_reservations",
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("reserved_by", sa.String(200), nullable=False),
        sa.Column("file", sa.String(255), nullable=False),
        sa.Column("reserved_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("expires_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("used_by", sa.String(255), nullable=True),
        _log_id("number_reservations"),
        sa.PrimaryKeyConstraint("log_id", "number", name=op.f("pk_number_reservations")),
    )


def downgrade() -> None:
    op.drop_table("number_reservations")
    op.drop_table("git_source_files")
    op.drop_table("git_sync_leases")
    op.drop_table("git_syncs")
    # Plain ALTER TABLE … DROP COLUMN (SQLite has it): a batch would copy `logs` and drop
    # the original, which the decisions' foreign keys refuse once a log exists.
    for column in ("source_path", "source_branch", "source_url"):
        op.drop_column("logs", column)
