"""Initial schema: users and tokens, logs and members, decisions and their history.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("is_admin", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "created_at", UTC_TIMESTAMP, server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False
        ),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_users")),
    )
    op.create_table(
        "access_tokens",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("secret_hash", sa.String(128), nullable=False),
        sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["username"],
            ["users.username"],
            name=op.f("fk_access_tokens_username_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_tokens")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_access_tokens_secret_hash")),
    )
    op.create_index(op.f("ix_access_tokens_username"), "access_tokens", ["username"])

    op.create_table(
        "logs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("visibility", sa.String(16), nullable=False),
        sa.Column("next_number", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "visibility IN ('private', 'public')", name=op.f("ck_logs_visibility")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logs")),
        sa.UniqueConstraint("slug", name=op.f("uq_logs_slug")),
    )
    op.create_table(
        "log_members",
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.CheckConstraint(
            "role IN ('viewer', 'author', 'decider', 'admin')", name=op.f("ck_log_members_role")
        ),
        sa.ForeignKeyConstraint(
            ["log_id"], ["logs.id"], name=op.f("fk_log_members_log_id_logs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["username"],
            ["users.username"],
            name=op.f("fk_log_members_username_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("log_id", "username", name=op.f("pk_log_members")),
    )
    op.create_index(op.f("ix_log_members_username"), "log_members", ["username"])

    op.create_table(
        "decisions",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("review_by", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("decision_makers", sa.JSON(), nullable=False),
        sa.Column("consulted", sa.JSON(), nullable=False),
        sa.Column("informed", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.CheckConstraint("number >= 0", name=op.f("ck_decisions_number")),
        sa.CheckConstraint(
            "status IN ('proposed', 'accepted', 'rejected', 'deprecated', 'superseded')",
            name=op.f("ck_decisions_status"),
        ),
        sa.ForeignKeyConstraint(["log_id"], ["logs.id"], name=op.f("fk_decisions_log_id_logs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint("log_id", "number", name=op.f("uq_decisions_log_id_number")),
    )
    op.create_index(
        op.f("ix_decisions_log_id_status_number"), "decisions", ["log_id", "status", "number"]
    )
    op.create_index(op.f("ix_decisions_status_review_by"), "decisions", ["status", "review_by"])

    op.create_table(
        "decision_tags",
        sa.Column("decision_id", BIG_ID, nullable=False),
        sa.Column("tag", sa.String(63), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_decision_tags_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("decision_id", "tag", name=op.f("pk_decision_tags")),
    )
    op.create_index(
        op.f("ix_decision_tags_tag_decision_id"), "decision_tags", ["tag", "decision_id"]
    )

    op.create_table(
        "decision_people",
        sa.Column("decision_id", BIG_ID, nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_decision_people_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("decision_id", "role", "name", name=op.f("pk_decision_people")),
    )
    op.create_index(
        op.f("ix_decision_people_name_decision_id"), "decision_people", ["name", "decision_id"]
    )

    op.create_table(
        "decision_links",
        sa.Column("decision_id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target_log_slug", sa.String(64), nullable=False),
        sa.Column("target_number", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('supersedes', 'superseded-by', 'amends', 'amended-by', 'relates-to')",
            name=op.f("ck_decision_links_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_decision_links_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "decision_id", "kind", "target_log_slug", "target_number", name=op.f("pk_decision_links")
        ),
    )
    op.create_index(
        op.f("ix_decision_links_target_log_slug_target_number"),
        "decision_links",
        ["target_log_slug", "target_number"],
    )

    op.create_table(
        "decision_events",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("log_slug", sa.String(64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", UTC_TIMESTAMP, nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_events")),
        sa.UniqueConstraint(
            "log_slug", "number", "version", name=op.f("uq_decision_events_log_slug_number_version")
        ),
    )


def downgrade() -> None:
    for table in (
        "decision_events",
        "decision_links",
        "decision_people",
        "decision_tags",
        "decisions",
        "log_members",
        "logs",
        "access_tokens",
        "users",
    ):
        op.drop_table(table)
