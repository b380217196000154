"""interview room: reading time and answer mode per job

Revision ID: 9c4e2b7d1f60
Revises: 5d2f7a9c1e3b
Create Date: 2026-12-03 16:40:00
"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '9c4e2b7d1f60'
down_revision: Union[str, None] = '5d2f7a9c1e3b'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reading_time_s', sa.Integer(), server_default='30', nullable=False))
        batch_op.add_column(sa.Column('answer_mode', sqlmodel.sql.sqltypes.AutoString(length=20),
                                      server_default='video_or_text', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_column('answer_mode')
        batch_op.drop_column('reading_time_s')
