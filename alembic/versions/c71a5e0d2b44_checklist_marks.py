"""checklist marks: steps of the candidate's checklist that no other row records

Revision ID: c71a5e0d2b44
Revises: b6300b3c8eba
Create Date: 2026-11-23 02:50:00
"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'c71a5e0d2b44'
down_revision: Union[str, None] = 'b6300b3c8eba'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('checklistmark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('step', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('marked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'step')
    )
    with op.batch_alter_table('checklistmark', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklistmark_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('checklistmark', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklistmark_user_id'))
    op.drop_table('checklistmark')
