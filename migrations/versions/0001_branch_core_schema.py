"""Branch core schema: branch, staff and tokens, menu, floors, printers, audit log, outbox.

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 16:57:02.515732
"""

from alembic import op
import sqlalchemy as sa
import pos_app.db


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('branch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_ar', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=240), nullable=False),
    sa.Column('address_ar', sa.String(length=240), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('currency_exponent', sa.Integer(), nullable=False),
    sa.Column('vat_rate_bp', sa.Integer(), nullable=False),
    sa.Column('prices_include_vat', sa.Boolean(), nullable=False),
    sa.Column('vat_number', sa.String(length=32), nullable=False),
    sa.Column('business_day_cutoff_hour', sa.Integer(), nullable=False),
    sa.Column('default_locale', sa.String(length=8), nullable=False),
    sa.Column('created_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_branch'))
    )
    op.create_table('floor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_ar', sa.String(length=120), nullable=False),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_floor')),
    sa.UniqueConstraint('name', name=op.f('uq_floor_name'))
    )
    op.create_table('login_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('at', pos_app.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempt'))
    )
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempt_key_at', ['key', 'at'], unique=False)

    op.create_table('modifier_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_ar', sa.String(length=120), nullable=False),
    sa.Column('min_choices', sa.Integer(), nullable=False),
    sa.Column('max_choices', sa.Integer(), nullable=False),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_modifier_group')),
    sa.UniqueConstraint('code', name=op.f('uq_modifier_group_code'))
    )
    op.create_table('outbox_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('aggregate_type', sa.String(length=64), nullable=False),
    sa.Column('aggregate_id', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.Column('sent_at', pos_app.db.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_event')),
    sa.UniqueConstraint('event_id', name=op.f('uq_outbox_event_event_id'))
    )
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_event_sent_at'), ['sent_at'], unique=False)

    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.Enum('owner', 'manager', 'cashier', 'waiter', 'kitchen', name='role', native_enum=False, length=16), nullable=False),
    sa.Column('pin_hash', sa.String(length=255), nullable=True),
    sa.Column('pin_tag', sa.String(length=8), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('totp_enabled_at', pos_app.db.UTCDateTime(), nullable=True),
    sa.Column('locale', sa.String(length=8), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff')),
    sa.UniqueConstraint('email', name=op.f('uq_staff_email')),
    sa.UniqueConstraint('name', name=op.f('uq_staff_name'))
    )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_pin_tag'), ['pin_tag'], unique=False)

    op.create_table('station',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_ar', sa.String(length=120), nullable=False),
    sa.Column('is_expo', sa.Boolean(), nullable=False),
    sa.Column('warn_after_s', sa.Integer(), nullable=False),
    sa.Column('late_after_s', sa.Integer(), nullable=False),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_station')),
    sa.UniqueConstraint('code', name=op.f('uq_station_code')),
    sa.UniqueConstraint('name', name=op.f('uq_station_name'))
    )
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', pos_app.db.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=120), nullable=False),
    sa.Column('approver_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target_type', sa.String(length=64), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['staff.id'], name=op.f('fk_audit_entry_actor_id_staff')),
    sa.ForeignKeyConstraint(['approver_id'], ['staff.id'], name=op.f('fk_audit_entry_approver_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_at'), ['at'], unique=False)

    op.create_table('auth_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('device', sa.String(length=120), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('created_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.Column('expires_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', pos_app.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_auth_token_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_auth_token_token_hash'))
    )
    with op.batch_alter_table('auth_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_token_staff_id'), ['staff_id'], unique=False)

    op.create_table('category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_ar', sa.String(length=120), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('default_course', sa.Integer(), nullable=False),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_category_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_category')),
    sa.UniqueConstraint('name', name=op.f('uq_category_name'))
    )
    op.create_table('dining_table',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('floor_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=20), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('shape', sa.Enum('square', 'round', 'rectangle', name='tableshape', native_enum=False, length=16), nullable=False),
    sa.Column('x', sa.Integer(), nullable=False),
    sa.Column('y', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['floor_id'], ['floor.id'], name=op.f('fk_dining_table_floor_id_floor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dining_table')),
    sa.UniqueConstraint('floor_id', 'label', name='uq_dining_table_floor_label')
    )
    with op.batch_alter_table('dining_table', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dining_table_floor_id'), ['floor_id'], unique=False)

    op.create_table('modifier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_ar', sa.String(length=120), nullable=False),
    sa.Column('price_delta_minor', sa.Integer(), nullable=False),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['modifier_group.id'], name=op.f('fk_modifier_group_id_modifier_group')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_modifier'))
    )
    with op.batch_alter_table('modifier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_modifier_group_id'), ['group_id'], unique=False)

    op.create_table('printer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('connection', sa.Enum('network', 'usb', 'serial', 'file', name='printerconnection', native_enum=False, length=16), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=True),
    sa.Column('port', sa.Integer(), nullable=True),
    sa.Column('device_path', sa.String(length=255), nullable=True),
    sa.Column('usb_vendor_id', sa.Integer(), nullable=True),
    sa.Column('usb_product_id', sa.Integer(), nullable=True),
    sa.Column('baudrate', sa.Integer(), nullable=True),
    sa.Column('paper_width_mm', sa.Integer(), nullable=False),
    sa.Column('chars_per_line', sa.Integer(), nullable=False),
    sa.Column('codepage', sa.String(length=32), nullable=True),
    sa.Column('raster_text', sa.Boolean(), nullable=False),
    sa.Column('role', sa.Enum('kitchen', 'receipt', 'label', name='printerrole', native_enum=False, length=16), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('backup_printer_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['backup_printer_id'], ['printer.id'], name=op.f('fk_printer_backup_printer_id_printer')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_printer_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_printer')),
    sa.UniqueConstraint('name', name=op.f('uq_printer_name'))
    )
    op.create_table('menu_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_ar', sa.String(length=120), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('description_ar', sa.String(length=500), nullable=False),
    sa.Column('price_minor', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('course', sa.Integer(), nullable=True),
    sa.Column('prep_minutes', sa.Integer(), nullable=False),
    sa.Column('allergens', sa.JSON(), nullable=False),
    sa.Column('available', sa.Boolean(), nullable=False),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_menu_item_category_id_category')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_menu_item_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_menu_item')),
    sa.UniqueConstraint('name', name=op.f('uq_menu_item_name'))
    )
    with op.batch_alter_table('menu_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_menu_item_category_id'), ['category_id'], unique=False)

    op.create_table('item_modifier_group',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['modifier_group.id'], name=op.f('fk_item_modifier_group_group_id_modifier_group')),
    sa.ForeignKeyConstraint(['item_id'], ['menu_item.id'], name=op.f('fk_item_modifier_group_item_id_menu_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'group_id', name=op.f('pk_item_modifier_group'))
    )

    _protect_audit_log()

def downgrade() -> None:
    _unprotect_audit_log()
    op.drop_table('item_modifier_group')
    with op.batch_alter_table('menu_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_menu_item_category_id'))

    op.drop_table('menu_item')
    op.drop_table('printer')
    with op.batch_alter_table('modifier', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_modifier_group_id'))

    op.drop_table('modifier')
    with op.batch_alter_table('dining_table', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dining_table_floor_id'))

    op.drop_table('dining_table')
    op.drop_table('category')
    with op.batch_alter_table('auth_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auth_token_staff_id'))

    op.drop_table('auth_token')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_at'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_action'))

    op.drop_table('audit_entry')
    op.drop_table('station')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_pin_tag'))

    op.drop_table('staff')
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_event_sent_at'))

    op.drop_table('outbox_event')
    op.drop_table('modifier_group')
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempt_key_at')

    op.drop_table('login_attempt')
    op.drop_table('floor')
    op.drop_table('branch')


# The audit log is append-only in the database itself, not only in the ORM: an UPDATE or
# DELETE on audit_entry fails whoever sends it.
def _protect_audit_log() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_entry_no_{verb.lower()} BEFORE {verb} ON audit_entry "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION audit_entry_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'the audit log is append-only'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
            "ON audit_entry FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()"
        )


def _unprotect_audit_log() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_entry_no_update")
        op.execute("DROP TRIGGER audit_entry_no_delete")
    else:
        op.execute("DROP TRIGGER audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION audit_entry_append_only()")
