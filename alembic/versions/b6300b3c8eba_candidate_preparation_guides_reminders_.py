"""candidate preparation: guides, reminders, time slots, device check figures, e-mail attachments

Revision ID: b6300b3c8eba
Revises: e0d47fc00ac1
Create Date: 2026-11-23 02:25:54.969651
"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'b6300b3c8eba'
down_revision: Union[str, None] = 'e0d47fc00ac1'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # server defaults: databases of earlier versions already hold rows in these tables
    op.create_table('interviewguide',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('analysed_zh', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('analysed_en', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('not_analysed_zh', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('not_analysed_en', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('recorded_zh', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('recorded_en', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('access_zh', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('access_en', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('retention_days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('job_id')
    )
    op.create_table('schedulingpreference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('schedulingpreference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedulingpreference_user_id'), ['user_id'], unique=False)

    op.create_table('interviewreminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('scheduled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('claimed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['interview_id'], ['interview.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('interview_id', 'kind', 'scheduled_at')
    )
    with op.batch_alter_table('interviewreminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interviewreminder_interview_id'), ['interview_id'], unique=False)

    with op.batch_alter_table('devicecheck', schema=None) as batch_op:
        batch_op.add_column(sa.Column('camera_width', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('camera_height', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('camera_fps', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('microphone_level', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('latency_ms', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('download_mbps', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('upload_mbps', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('network_ok', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('problems', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.drop_column('network_mbps')

    with op.batch_alter_table('emailoutbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachments', sa.JSON(), nullable=False, server_default='[]'))

    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('interviewerprofile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('focus_zh', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('focus_en', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('years_experience', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default='Asia/Shanghai'))

    # ### end Alembic commands ###


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('timezone')

    with op.batch_alter_table('interviewerprofile', schema=None) as batch_op:
        batch_op.drop_column('years_experience')
        batch_op.drop_column('focus_en')
        batch_op.drop_column('focus_zh')

    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.drop_column('sequence')

    with op.batch_alter_table('emailoutbox', schema=None) as batch_op:
        batch_op.drop_column('attachments')

    with op.batch_alter_table('devicecheck', schema=None) as batch_op:
        batch_op.add_column(sa.Column('network_mbps', sa.FLOAT(), nullable=True))
        batch_op.drop_column('problems')
        batch_op.drop_column('network_ok')
        batch_op.drop_column('upload_mbps')
        batch_op.drop_column('download_mbps')
        batch_op.drop_column('latency_ms')
        batch_op.drop_column('microphone_level')
        batch_op.drop_column('camera_fps')
        batch_op.drop_column('camera_height')
        batch_op.drop_column('camera_width')

    with op.batch_alter_table('interviewreminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interviewreminder_interview_id'))

    op.drop_table('interviewreminder')
    with op.batch_alter_table('schedulingpreference', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedulingpreference_user_id'))

    op.drop_table('schedulingpreference')
    op.drop_table('interviewguide')
    # ### end Alembic commands ###
