"""Print jobs: the index by printer and status also orders by when each may be tried, so
queueing a chit behind the ones waiting and claiming the next due one stay quick however many
chits wait (a printer dark for an evening).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 17:10:00
"""

from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.drop_index('ix_print_job_printer_status')
        batch_op.create_index(
            'ix_print_job_printer_status_due', ['printer_id', 'status', 'next_attempt_at'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.drop_index('ix_print_job_printer_status_due')
        batch_op.create_index('ix_print_job_printer_status', ['printer_id', 'status'], unique=False)
