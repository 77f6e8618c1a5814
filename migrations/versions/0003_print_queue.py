"""The durable print queue (print_job) and printer health and options.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 17:43:10.122433
"""

from alembic import op
import sqlalchemy as sa
import pos_app.db


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('print_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('printer_id', sa.Integer(), nullable=False),
    sa.Column('origin_printer_id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('marks', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sending', 'printed', name='printjobstatus', native_enum=False, length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=False),
    sa.Column('created_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.Column('claimed_at', pos_app.db.UTCDateTime(), nullable=True),
    sa.Column('printed_at', pos_app.db.UTCDateTime(), nullable=True),
    sa.Column('byte_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['origin_printer_id'], ['printer.id'], name=op.f('fk_print_job_origin_printer_id_printer')),
    sa.ForeignKeyConstraint(['printer_id'], ['printer.id'], name=op.f('fk_print_job_printer_id_printer')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_print_job_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_print_job'))
    )
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.create_index('ix_print_job_printer_status', ['printer_id', 'status'], unique=False)

    with op.batch_alter_table('printer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answers_status', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('bilingual', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('online', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('paper_out', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('failures', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_error', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('last_printed_at', pos_app.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('status_at', pos_app.db.UTCDateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('printer', schema=None) as batch_op:
        batch_op.drop_column('status_at')
        batch_op.drop_column('last_printed_at')
        batch_op.drop_column('last_error')
        batch_op.drop_column('paper_out')
        batch_op.drop_column('failures')
        batch_op.drop_column('online')
        batch_op.drop_column('bilingual')
        batch_op.drop_column('answers_status')

    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.drop_index('ix_print_job_printer_status')

    op.drop_table('print_job')
