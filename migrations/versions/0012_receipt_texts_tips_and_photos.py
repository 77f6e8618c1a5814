"""Receipt header and footer, tip suggestions (branch) and dish photos (issue 18).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 17:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('branch', schema=None) as batch_op:
        for name in ('receipt_header', 'receipt_header_ar', 'receipt_footer', 'receipt_footer_ar'):
            batch_op.add_column(
                sa.Column(name, sa.String(length=400), nullable=False, server_default='')
            )
        batch_op.add_column(
            sa.Column(
                'tip_suggestions', sa.String(length=40), nullable=False,
                server_default='1000,1500,2000',
            )
        )
    with op.batch_alter_table('menu_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photo', sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('menu_item', schema=None) as batch_op:
        batch_op.drop_column('photo')
    with op.batch_alter_table('branch', schema=None) as batch_op:
        for name in (
            'tip_suggestions', 'receipt_footer_ar', 'receipt_footer', 'receipt_header_ar',
            'receipt_header',
        ):
            batch_op.drop_column(name)
