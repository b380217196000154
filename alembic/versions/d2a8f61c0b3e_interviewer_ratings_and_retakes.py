"""interviewer ratings per answer and competency; retakes per job and recording

Revision ID: d2a8f61c0b3e
Revises: 9c4e2b7d1f60
Create Date: 2026-12-03 17:00:00
"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'd2a8f61c0b3e'
down_revision: Union[str, None] = '9c4e2b7d1f60'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('interviewerrating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('competency_key', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('rater_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('note_enc', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answer.id'], ),
    sa.ForeignKeyConstraint(['rater_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('answer_id', 'competency_key', 'rater_id')
    )
    with op.batch_alter_table('interviewerrating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interviewerrating_answer_id'), ['answer_id'], unique=False)
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retakes', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('recording', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retakes_used', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('recording', schema=None) as batch_op:
        batch_op.drop_column('retakes_used')
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_column('retakes')
    with op.batch_alter_table('interviewerrating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interviewerrating_answer_id'))
    op.drop_table('interviewerrating')
