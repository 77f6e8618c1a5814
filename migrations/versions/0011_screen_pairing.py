"""Kitchen screens paired by a short code typed in the back office (issue 18).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 14:25:00
"""

import sqlalchemy as sa
from alembic import op

import pos_app.db

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'screen_pairing',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=8), nullable=False),
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', pos_app.db.UTCDateTime(), nullable=False),
        sa.Column('expires_at', pos_app.db.UTCDateTime(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('approved_by', sa.Integer(), nullable=True),
        sa.Column('approved_at', pos_app.db.UTCDateTime(), nullable=True),
        sa.Column('claimed_at', pos_app.db.UTCDateTime(), nullable=True),
        sa.Column('device_name', sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ['approved_by'], ['staff.id'], name=op.f('fk_screen_pairing_approved_by_staff')
        ),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_screen_pairing_staff_id_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_screen_pairing')),
        sa.UniqueConstraint('code', name=op.f('uq_screen_pairing_code')),
        sa.UniqueConstraint('secret_hash', name=op.f('uq_screen_pairing_secret_hash')),
    )
    with op.batch_alter_table('screen_pairing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screen_pairing_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('screen_pairing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screen_pairing_expires_at'))
    op.drop_table('screen_pairing')
