"""Alembic environment: runs on the connection that `migrate()` hands over.

The async engine cannot be driven from here without a second event loop, so the
caller opens the connection and runs Alembic inside `AsyncConnection.run_sync`.
"""

from alembic import context

from adapters.sqlalchemy.tables import in_shared_schema, metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations with adapters.sqlalchemy.migrate(url) (the CLI's `adr-registry "
        "migrate`), not with the alembic command: it needs the registry's engine setup"
    )
context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite alters a table by copying it; batch mode writes migrations that do so.
    render_as_batch=True,
    compare_type=True,
    include_name=in_shared_schema,
)
with context.begin_transaction():
    context.run_migrations()
