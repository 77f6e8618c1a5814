"""Printers: the language their labels print first in, and which receipt printer has the
cash drawer wired to it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 20:46:15.497515
"""

from alembic import op
import sqlalchemy as sa
import pos_app.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('printer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=2), nullable=False, server_default='en'))
        batch_op.add_column(sa.Column('cash_drawer', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade() -> None:
    with op.batch_alter_table('printer', schema=None) as batch_op:
        batch_op.drop_column('cash_drawer')
        batch_op.drop_column('language')

