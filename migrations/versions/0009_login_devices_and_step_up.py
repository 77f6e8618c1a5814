"""Devices that signed in are remembered (by the hash of their id) so their failed PINs count
against themselves alone; a PIN sign-in can be made strong for a while by confirming the
password (auth_token.strong_until).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 10:00:00
"""

from alembic import op
import sqlalchemy as sa
import pos_app.db


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_device',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_hash', sa.String(length=64), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.Column('last_success_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_login_device_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_device')),
    sa.UniqueConstraint('device_hash', name=op.f('uq_login_device_device_hash'))
    )
    with op.batch_alter_table('auth_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('strong_until', pos_app.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('auth_token', schema=None) as batch_op:
        batch_op.drop_column('strong_until')
    op.drop_table('login_device')
