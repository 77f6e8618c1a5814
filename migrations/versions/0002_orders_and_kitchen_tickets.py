"""Orders, lines, kitchen tickets, KDS push log, counters, idempotency keys, table status.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 17:06:25.690428
"""

from alembic import op
import sqlalchemy as sa
import pos_app.db


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))

    op.create_table('idempotency_key',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=True),
    sa.Column('created_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_idempotency_key'))
    )
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_key_created_at'), ['created_at'], unique=False)

    op.create_table('counter',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_counter'))
    )
    op.create_table('kds_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_kds_event_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kds_event')),
    sa.UniqueConstraint('station_id', 'seq', name='uq_kds_event_station_seq')
    )
    op.create_table('order',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('type', sa.Enum('dine_in', 'takeaway', 'delivery', name='ordertype', native_enum=False, length=16), nullable=False),
    sa.Column('status', sa.Enum('open', 'in_kitchen', 'ready', 'served', 'picked_up', 'out_for_delivery', 'paid', 'closed', 'cancelled', name='orderstatus', native_enum=False, length=20), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=True),
    sa.Column('table_label', sa.String(length=40), nullable=False),
    sa.Column('guests', sa.Integer(), nullable=True),
    sa.Column('customer_name', sa.String(length=120), nullable=False),
    sa.Column('customer_phone', sa.String(length=40), nullable=False),
    sa.Column('customer_address', sa.String(length=300), nullable=False),
    sa.Column('notes', sa.String(length=500), nullable=False),
    sa.Column('rush', sa.Boolean(), nullable=False),
    sa.Column('waiter_id', sa.Integer(), nullable=False),
    sa.Column('waiter_name', sa.String(length=120), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('released_course', sa.Integer(), nullable=False),
    sa.Column('opened_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.Column('fired_at', pos_app.db.UTCDateTime(), nullable=True),
    sa.Column('ready_at', pos_app.db.UTCDateTime(), nullable=True),
    sa.Column('closed_at', pos_app.db.UTCDateTime(), nullable=True),
    sa.Column('cancel_reason', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['table_id'], ['dining_table.id'], name=op.f('fk_order_table_id_dining_table')),
    sa.ForeignKeyConstraint(['waiter_id'], ['staff.id'], name=op.f('fk_order_waiter_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order'))
    )
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_business_day'), ['business_day'], unique=False)
        batch_op.create_index('ix_order_status_table', ['status', 'table_id'], unique=False)

    op.create_table('kitchen_ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('expo_ticket_id', sa.Integer(), nullable=True),
    sa.Column('is_expo', sa.Boolean(), nullable=False),
    sa.Column('course', sa.Integer(), nullable=False),
    sa.Column('held', sa.Boolean(), nullable=False),
    sa.Column('is_change', sa.Boolean(), nullable=False),
    sa.Column('rush', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('new', 'started', 'done', name='ticketstatus', native_enum=False, length=16), nullable=False),
    sa.Column('header', sa.JSON(), nullable=False),
    sa.Column('created_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.Column('fired_at', pos_app.db.UTCDateTime(), nullable=True),
    sa.Column('start_at', pos_app.db.UTCDateTime(), nullable=True),
    sa.Column('started_at', pos_app.db.UTCDateTime(), nullable=True),
    sa.Column('bumped_at', pos_app.db.UTCDateTime(), nullable=True),
    sa.Column('bumped_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['bumped_by'], ['staff.id'], name=op.f('fk_kitchen_ticket_bumped_by_staff')),
    sa.ForeignKeyConstraint(['expo_ticket_id'], ['kitchen_ticket.id'], name=op.f('fk_kitchen_ticket_expo_ticket_id_kitchen_ticket')),
    sa.ForeignKeyConstraint(['order_id'], ['order.id'], name=op.f('fk_kitchen_ticket_order_id_order')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_kitchen_ticket_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kitchen_ticket'))
    )
    with op.batch_alter_table('kitchen_ticket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kitchen_ticket_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_kitchen_ticket_station_status', ['station_id', 'status'], unique=False)

    op.create_table('order_line',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_ar', sa.String(length=120), nullable=False),
    sa.Column('unit_price_minor', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('modifiers', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('allergy', sa.String(length=200), nullable=False),
    sa.Column('seat', sa.Integer(), nullable=True),
    sa.Column('course', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('prep_minutes', sa.Integer(), nullable=False),
    sa.Column('sent_quantity', sa.Integer(), nullable=False),
    sa.Column('sent_signature', sa.String(length=64), nullable=False),
    sa.Column('sent_modifiers', sa.JSON(), nullable=False),
    sa.Column('void_reason', sa.String(length=300), nullable=False),
    sa.Column('created_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.Column('fired_at', pos_app.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['menu_item.id'], name=op.f('fk_order_line_item_id_menu_item')),
    sa.ForeignKeyConstraint(['order_id'], ['order.id'], name=op.f('fk_order_line_order_id_order')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_order_line_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_line'))
    )
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_line_order_id'), ['order_id'], unique=False)

    op.create_table('kitchen_ticket_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.String(length=36), nullable=False),
    sa.Column('station_code', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('voided_quantity', sa.Integer(), nullable=False),
    sa.Column('void_reason', sa.String(length=300), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_ar', sa.String(length=120), nullable=False),
    sa.Column('modifiers', sa.JSON(), nullable=False),
    sa.Column('old_modifiers', sa.JSON(), nullable=False),
    sa.Column('old_quantity', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('allergy', sa.String(length=200), nullable=False),
    sa.Column('seat', sa.Integer(), nullable=True),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('done_at', pos_app.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_line.id'], name=op.f('fk_kitchen_ticket_line_order_line_id_order_line')),
    sa.ForeignKeyConstraint(['ticket_id'], ['kitchen_ticket.id'], name=op.f('fk_kitchen_ticket_line_ticket_id_kitchen_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kitchen_ticket_line'))
    )
    with op.batch_alter_table('kitchen_ticket_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kitchen_ticket_line_order_line_id'), ['order_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kitchen_ticket_line_ticket_id'), ['ticket_id'], unique=False)

    with op.batch_alter_table('dining_table', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.Enum('free', 'seated', 'ordered', 'ready', 'served', 'bill_asked', 'dirty', name='tablestatus', native_enum=False, length=16), nullable=False, server_default='free'))
        batch_op.add_column(sa.Column('order_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('status_at', pos_app.db.UTCDateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')

    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_key_created_at'))

    op.drop_table('idempotency_key')
    with op.batch_alter_table('dining_table', schema=None) as batch_op:
        batch_op.drop_column('status_at')
        batch_op.drop_column('order_id')
        batch_op.drop_column('status')

    with op.batch_alter_table('kitchen_ticket_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kitchen_ticket_line_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_kitchen_ticket_line_order_line_id'))

    op.drop_table('kitchen_ticket_line')
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_line_order_id'))

    op.drop_table('order_line')
    with op.batch_alter_table('kitchen_ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_kitchen_ticket_station_status')
        batch_op.drop_index(batch_op.f('ix_kitchen_ticket_order_id'))

    op.drop_table('kitchen_ticket')
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.drop_index('ix_order_status_table')
        batch_op.drop_index(batch_op.f('ix_order_business_day'))

    op.drop_table('order')
    op.drop_table('kds_event')
    op.drop_table('counter')
