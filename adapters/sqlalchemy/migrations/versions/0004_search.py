"""Full-text search: an index of decisions kept by triggers, built here for existing rows.

PostgreSQL: the table decision_search (a weighted tsvector with a GIN index, and the
columns that search filters and counts by), written by a trigger on decisions; SQLite:
an FTS5 table over a view of decisions, written by triggers. See ADR-0009.

Revision ID: 0004_search
Revises: 0003_webhooks
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_search"
down_revision: str | None = "0003_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# -- PostgreSQL -----------------------------------------------------------------------

# What is indexed, by weight: A the title; B its tags and people; C the context and the
# outcome; D the rest of the content (every string of it but the extra sections' places).
# JSON becomes jsonb once, and jsonb_to_tsvector reads the strings of lists in C.
_PG_FUNCTIONS = (
    """
CREATE FUNCTION adr_search_rest(content jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT jsonb_build_array(
        content -> 'drivers', content -> 'options', content -> 'consequences',
        content -> 'confirmation', content -> 'more_information',
        jsonb_path_query_array(content, 'strict $.extra_sections[*].heading'),
        jsonb_path_query_array(content, 'strict $.extra_sections[*].body'))
$$
""",
    """
CREATE FUNCTION adr_search_document(
    log_id integer, public boolean, title text, tags json, decision_makers json,
    consulted json, informed json, content json
) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    -- Each part after the title opens with the stop word 'a', which takes a position, so
    -- that a phrase cannot run from the end of one part into the start of the next.
    -- Two marks no text can yield (a lexeme with a space), so that the GIN index keeps to
    -- a log, or to public logs, before any row is fetched: 'log <id>', and 'visibility
    -- public' while the log is public. Only a shortcut: every row found is checked
    -- against the logs the caller may read all the same.
    SELECT array_to_tsvector(CASE WHEN public
               THEN ARRAY['log ' || log_id, 'visibility public']
               ELSE ARRAY['log ' || log_id] END)
        || setweight(to_tsvector('english', title), 'A')
        || setweight(jsonb_to_tsvector('english', jsonb_build_array(
               'a', tags::jsonb, decision_makers::jsonb, consulted::jsonb, informed::jsonb),
               '["string"]'), 'B')
        || setweight(to_tsvector('english', concat_ws(' ',
               'a',
               content ->> 'context',
               content -> 'outcome' ->> 'chosen',
               content -> 'outcome' ->> 'justification')), 'C')
        || setweight(jsonb_to_tsvector('english',
               jsonb_build_array('a', adr_search_rest(content::jsonb)), '["string"]'), 'D')
$$
""",
    """
CREATE FUNCTION adr_search_text(title text, content json) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT concat_ws(' ',
        title,
        content ->> 'context',
        content -> 'outcome' ->> 'chosen',
        content -> 'outcome' ->> 'justification',
        (SELECT string_agg(item #>> '{}', ' ')
           FROM jsonb_path_query(adr_search_rest(content::jsonb),
                                 'strict $.** ? (@.type() == "string")') AS item))
$$
""",
    """
CREATE FUNCTION adr_search_array(list json) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN json_typeof(list) = 'array' THEN
        ARRAY(SELECT json_array_elements_text(list))
    ELSE '{}'::text[] END
$$
""",
    """
CREATE FUNCTION adr_decision_search_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO decision_search AS s
        (decision_id, log_id, number, status, date, tags, people, document)
    VALUES (
        NEW.id, NEW.log_id, NEW.number, NEW.status, NEW.date,
        adr_search_array(NEW.tags),
        adr_search_array(NEW.decision_makers) || adr_search_array(NEW.consulted)
            || adr_search_array(NEW.informed),
        adr_search_document(
            NEW.log_id,
            (SELECT visibility = 'public' FROM logs WHERE id = NEW.log_id),
            NEW.title, NEW.tags, NEW.decision_makers, NEW.consulted, NEW.informed,
            NEW.content))
    ON CONFLICT (decision_id) DO UPDATE SET
        log_id = EXCLUDED.log_id, number = EXCLUDED.number, status = EXCLUDED.status,
        date = EXCLUDED.date, tags = EXCLUDED.tags, people = EXCLUDED.people,
        document = EXCLUDED.document;
    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER decision_search_sync
AFTER INSERT OR UPDATE OF
    log_id, number, status, date, title, decision_makers, consulted, informed, tags, content
ON decisions FOR EACH ROW EXECUTE FUNCTION adr_decision_search_sync()
""",
    """
CREATE FUNCTION adr_log_search_visibility() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE decision_search SET document = CASE WHEN NEW.visibility = 'public'
        THEN document || array_to_tsvector(ARRAY['visibility public'])
        ELSE ts_delete(document, 'visibility public') END
    WHERE log_id = NEW.id;
    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER log_search_visibility
AFTER UPDATE OF visibility ON logs
FOR EACH ROW WHEN (OLD.visibility IS DISTINCT FROM NEW.visibility)
EXECUTE FUNCTION adr_log_search_visibility()
""",
)

_PG_INDEX_EXISTING = """
INSERT INTO decision_search (decision_id, log_id, number, status, date, tags, people, document)
SELECT d.id, d.log_id, d.number, d.status, d.date,
       adr_search_array(d.tags),
       adr_search_array(d.decision_makers) || adr_search_array(d.consulted)
           || adr_search_array(d.informed),
       adr_search_document(
           d.log_id, l.visibility = 'public', d.title, d.tags, d.decision_makers,
           d.consulted, d.informed, d.content)
FROM decisions AS d JOIN logs AS l ON l.id = d.log_id
"""

_PG_DROP = (
    "DROP TRIGGER IF EXISTS log_search_visibility ON logs",
    "DROP FUNCTION IF EXISTS adr_log_search_visibility()",
    "DROP TRIGGER IF EXISTS decision_search_sync ON decisions",
    "DROP FUNCTION IF EXISTS adr_decision_search_sync()",
    "DROP FUNCTION IF EXISTS adr_search_document("
    "integer, boolean, text, json, json, json, json, json)",
    "DROP FUNCTION IF EXISTS adr_search_text(text, json)",
    "DROP FUNCTION IF EXISTS adr_search_rest(jsonb)",
    "DROP FUNCTION IF EXISTS adr_search_array(json)",
)


def _upgrade_postgresql() -> None:
    op.create_table(
        "decision_search",
        sa.Column("decision_id", sa.BigInteger(), nullable=False),
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("tags", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("people", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("document", postgresql.TSVECTOR(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_decision_search_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("decision_id", name=op.f("pk_decision_search")),
    )
    for statement in _PG_FUNCTIONS:
        op.execute(statement)
    op.execute(_PG_INDEX_EXISTING)
    # Built after the rows are in: much faster than growing it row by row.
    op.create_index(
        op.f("ix_decision_search_document"),
        "decision_search",
        ["document"],
        postgresql_using="gin",
    )
    op.create_index(
        op.f("ix_decision_search_log_id_number"), "decision_search", ["log_id", "number"]
    )


# -- SQLite ---------------------------------------------------------------------------


def _strings(document: str, path: str = "$") -> str:
    """The strings of a JSON list, joined by spaces."""
    return f"(SELECT group_concat(value, ' ') FROM json_each({document}, '{path}'))"


def _arguments(document: str, path: str = "$") -> str:
    return _joined(*(_strings(document, f"{path}.{kind}") for kind in ("good", "neutral", "bad")))


def _joined(*texts: str) -> str:
    """The texts with a space between, NULLs left out."""
    return "trim(" + " || ' ' || ".join(f"coalesce({text}, '')" for text in texts) + ")"


def _unmarked(text: str) -> str:
    # Control characters 2 and 3 mark matches in snippets (application.snippets).
    return f"replace(replace({text}, char(2), ''), char(3), '')"


_SQLITE_SOURCE = f"""
CREATE VIEW decision_search_source AS
SELECT
    d.id AS id,
    {_unmarked("d.title")} AS title,
    {_unmarked(_joined(*(_strings(f"d.{c}") for c in ("tags", "decision_makers", "consulted", "informed"))))}
        AS people_tags,
    {_unmarked(_joined(
        "json_extract(d.content, '$.context')",
        "json_extract(d.content, '$.outcome.chosen')",
        "json_extract(d.content, '$.outcome.justification')",
    ))} AS context_outcome,
    {_unmarked(_joined(
        _strings("d.content", "$.drivers"),
        "(SELECT group_concat(" + _joined(
            "json_extract(o.value, '$.title')",
            "json_extract(o.value, '$.description')",
            _arguments("o.value"),
        ) + ", ' ') FROM json_each(d.content, '$.options') AS o)",
        _arguments("d.content", "$.consequences"),
        "json_extract(d.content, '$.confirmation')",
        "json_extract(d.content, '$.more_information')",
        "(SELECT group_concat(" + _joined(
            "json_extract(s.value, '$.heading')", "json_extract(s.value, '$.body')"
        ) + ", ' ') FROM json_each(d.content, '$.extra_sections') AS s)",
    ))} AS rest
FROM decisions AS d
"""

_COLUMNS = "title, people_tags, context_outcome, rest"
_SQLITE_SEARCH = f"""
CREATE VIRTUAL TABLE decision_search USING fts5(
    {_COLUMNS},
    content='decision_search_source', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
)
"""
_ADD = (
    f"INSERT INTO decision_search(rowid, {_COLUMNS}) "
    f"SELECT id, {_COLUMNS} FROM decision_search_source WHERE id = {{row}}.id;"
)
# An FTS5 table over external content forgets a row by being told what it indexed.
_FORGET = (
    f"INSERT INTO decision_search(decision_search, rowid, {_COLUMNS}) "
    f"SELECT 'delete', id, {_COLUMNS} FROM decision_search_source WHERE id = {{row}}.id;"
)
_SEARCHED = "title, decision_makers, consulted, informed, tags, content"
_SQLITE_TRIGGERS = (
    f"CREATE TRIGGER decision_search_insert AFTER INSERT ON decisions "
    f"BEGIN {_ADD.format(row='new')} END",
    f"CREATE TRIGGER decision_search_forget BEFORE UPDATE OF {_SEARCHED} ON decisions "
    f"BEGIN {_FORGET.format(row='old')} END",
    f"CREATE TRIGGER decision_search_update AFTER UPDATE OF {_SEARCHED} ON decisions "
    f"BEGIN {_ADD.format(row='new')} END",
    f"CREATE TRIGGER decision_search_delete BEFORE DELETE ON decisions "
    f"BEGIN {_FORGET.format(row='old')} END",
)


def _upgrade_sqlite() -> None:
    op.execute(_SQLITE_SOURCE)
    op.execute(_SQLITE_SEARCH)
    for trigger in _SQLITE_TRIGGERS:
        op.execute(trigger)
    op.execute(
        f"INSERT INTO decision_search(rowid, {_COLUMNS}) "
        f"SELECT id, {_COLUMNS} FROM decision_search_source"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _PG_DROP:
            op.execute(statement)
        op.drop_table("decision_search")
        return
    for trigger in ("insert", "forget", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS decision_search_{trigger}")
    op.execute("DROP TABLE IF EXISTS decision_search")
    op.execute("DROP VIEW IF EXISTS decision_search_source")
