"""analytics: HR-recorded groups (adverse impact) and performance reviews of hired employees

Revision ID: 12analytic01
Revises: 12rules00001
Create Date: 2026-12-04 07:00:00
"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '12analytic01'
down_revision: Union[str, None] = '12rules00001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('recordedgroup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('label_enc', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('candidate_id')
    )
    op.create_table('performancereview',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('reviewed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('performancereview', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_performancereview_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('performancereview', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_performancereview_user_id'))
    op.drop_table('performancereview')
    op.drop_table('recordedgroup')
