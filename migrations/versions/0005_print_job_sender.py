"""Print jobs remember which process is sending them, so a restart reprints at once the
jobs of a sender that died.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 20:05:22.025094
"""

from alembic import op
import sqlalchemy as sa
import pos_app.db


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=96), nullable=False, server_default=''))



def downgrade() -> None:
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.drop_column('claimed_by')

