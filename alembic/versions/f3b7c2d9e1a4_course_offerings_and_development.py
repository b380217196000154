"""course offerings with seats, enrolment waiting lists and modules, learning
preferences, development digests; a report's rule decision and e-mail summary; who
publishes a job's reports

Revision ID: f3b7c2d9e1a4
Revises: d2a8f61c0b3e
Create Date: 2026-12-03 20:30:00
"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'f3b7c2d9e1a4'
down_revision: Union[str, None] = 'd2a8f61c0b3e'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('courseoffering',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('ends_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('enrol_by', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=True),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.Column('location_zh', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('location_en', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('courseoffering', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courseoffering_course_id'), ['course_id'], unique=False)
    op.create_table('developmentdigest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'period')
    )
    with op.batch_alter_table('developmentdigest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_developmentdigest_user_id'), ['user_id'], unique=False)
    op.create_table('learningpreference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('format', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('max_hours', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id')
    )
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('modules', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('focus_zh', sqlmodel.sql.sqltypes.AutoString(), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('focus_en', sqlmodel.sql.sqltypes.AutoString(), server_default='',
                                      nullable=False))
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offering_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('modules_done', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_foreign_key('fk_enrollment_offering_id', 'courseoffering', ['offering_id'], ['id'])
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_publishing', sqlmodel.sql.sqltypes.AutoString(length=10),
                                      server_default='auto', nullable=False))
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision', sa.JSON(), server_default='{}', nullable=False))
        batch_op.add_column(sa.Column('summary_sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_column('summary_sent_at')
        batch_op.drop_column('decision')
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_column('report_publishing')
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_constraint('fk_enrollment_offering_id', type_='foreignkey')
        batch_op.drop_column('modules_done')
        batch_op.drop_column('offering_id')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('focus_en')
        batch_op.drop_column('focus_zh')
        batch_op.drop_column('modules')
    op.drop_table('learningpreference')
    with op.batch_alter_table('developmentdigest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_developmentdigest_user_id'))
    op.drop_table('developmentdigest')
    with op.batch_alter_table('courseoffering', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courseoffering_course_id'))
    op.drop_table('courseoffering')
