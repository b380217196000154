"""Alembic environment: the target is portal.models' metadata, the URL comes
from the deployment settings (or from a connection handed in by a caller)."""

from alembic import context
from sqlalchemy import create_engine

from portal import models
from portal.services.platform.settings import get_settings

target_metadata = models.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things in place
        compare_type=True,
    )


connection = context.config.attributes.get("connection")
if connection is not None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()
else:
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().db_url
    engine = create_engine(url)
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
