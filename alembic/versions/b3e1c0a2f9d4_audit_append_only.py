"""audit events are append-only in the database itself

The hash chain detects tampering; these triggers also stop ordinary UPDATE and
DELETE statements, so a bug or a careless query cannot rewrite history. Someone
with the database owner's rights can still drop them: the chain then tells.

Revision ID: b3e1c0a2f9d4
Revises: 7a7499087a9c
Create Date: 2026-11-22
"""

from typing import Sequence, Union

from alembic import op

revision: str = "b3e1c0a2f9d4"
down_revision: Union[str, None] = "7a7499087a9c"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

MESSAGE = "audit events are append-only"


def upgrade() -> None:
    # audit.record inserts a row with hash 'pending', then fills the hash under the
    # chain lock: that one completing update is the only one allowed.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE TRIGGER auditevent_no_update BEFORE UPDATE ON auditevent "
                   f"WHEN OLD.hash != 'pending' BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
        op.execute("CREATE TRIGGER auditevent_no_delete BEFORE DELETE ON auditevent "
                   f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
    else:  # PostgreSQL
        op.execute("CREATE FUNCTION auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   "IF TG_OP = 'UPDATE' AND OLD.hash = 'pending' THEN RETURN NEW; END IF; "
                   f"RAISE EXCEPTION '{MESSAGE}'; END $$")
        op.execute("CREATE TRIGGER auditevent_append_only BEFORE UPDATE OR DELETE ON auditevent "
                   "FOR EACH ROW EXECUTE FUNCTION auditevent_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS auditevent_no_update")
        op.execute("DROP TRIGGER IF EXISTS auditevent_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS auditevent_append_only ON auditevent")
        op.execute("DROP FUNCTION IF EXISTS auditevent_append_only()")
