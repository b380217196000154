"""decision rules (versioned, per job) and their firings, which a person confirms or overrides

Revision ID: 12rules00001
Revises: 12privacy0001
Create Date: 2026-12-04 06:34:11.035994
"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '12rules00001'
down_revision: Union[str, None] = '12privacy0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('decisionrule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('rule_no', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('expression', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('canonical', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('previewed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('preview_matched', sa.Integer(), nullable=False),
    sa.Column('preview_total', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('activated_by_id', sa.Integer(), nullable=True),
    sa.Column('activated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['activated_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('decisionrule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisionrule_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisionrule_rule_no'), ['rule_no'], unique=False)

    op.create_table('rulefiring',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('rule_version', sa.Integer(), nullable=False),
    sa.Column('numbers', sa.JSON(), nullable=False),
    sa.Column('proposed', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('fired_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['interview_id'], ['interview.id'], ),
    sa.ForeignKeyConstraint(['rule_id'], ['decisionrule.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('interview_id', 'rule_id')
    )
    with op.batch_alter_table('rulefiring', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rulefiring_interview_id'), ['interview_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rulefiring_rule_id'), ['rule_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rulefiring_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('rulefiring', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rulefiring_status'))
        batch_op.drop_index(batch_op.f('ix_rulefiring_rule_id'))
        batch_op.drop_index(batch_op.f('ix_rulefiring_interview_id'))

    op.drop_table('rulefiring')
    with op.batch_alter_table('decisionrule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decisionrule_rule_no'))
        batch_op.drop_index(batch_op.f('ix_decisionrule_job_id'))

    op.drop_table('decisionrule')
