"""Orders remember when they were fully paid: a takeaway or delivery paid first stays open
for the kitchen until it is handed over.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 20:41:27.095678
"""

from alembic import op
import sqlalchemy as sa
import pos_app.db


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paid_at', pos_app.db.UTCDateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.drop_column('paid_at')

