"""interview recordings uploaded in chunks

Revision ID: 0fb8ceeb75ae
Revises: c71a5e0d2b44
Create Date: 2026-11-23 08:19:59.241086
"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0fb8ceeb75ae'
down_revision: Union[str, None] = 'c71a5e0d2b44'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('recording',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), server_default='open', nullable=False),
    sa.Column('chunk_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('total_bytes', sa.Integer(), server_default='0', nullable=False),
    sa.Column('duration_s', sa.Float(), server_default='0', nullable=False),
    sa.Column('stream_state', sa.JSON(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['answer_id'], ['answer.id'], ),
    sa.ForeignKeyConstraint(['candidate_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['interview_id'], ['interview.id'], ),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('answer_id'),
    sa.UniqueConstraint('interview_id', 'question_id')
    )
    with op.batch_alter_table('recording', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recording_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recording_interview_id'), ['interview_id'], unique=False)

    op.create_table('recordingchunk',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recording_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('key_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recording_id'], ['recording.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('recording_id', 'sequence')
    )
    with op.batch_alter_table('recordingchunk', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recordingchunk_key_id'), ['key_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recordingchunk_recording_id'), ['recording_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('recordingchunk', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recordingchunk_recording_id'))
        batch_op.drop_index(batch_op.f('ix_recordingchunk_key_id'))

    op.drop_table('recordingchunk')
    with op.batch_alter_table('recording', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recording_interview_id'))
        batch_op.drop_index(batch_op.f('ix_recording_candidate_id'))

    op.drop_table('recording')
