"""The cloud mirror's tables (branches, events once by (branch, seq), projections, replay
guard), the branch's push state, and the outbox's gapless sequence (issue 19).

Events written before this revision get their sequence in id order (their ids were gapless:
SQLite, or PostgreSQL without a rollback in between; the cloud would ask for a gap anyway).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 17:23:32.134398
"""

import sqlalchemy as sa
from alembic import op

import pos_app.db


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cloud_branch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('high_water', sa.BigInteger(), nullable=False),
    sa.Column('branch_head', sa.BigInteger(), nullable=False),
    sa.Column('last_contact_at', pos_app.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cloud_branch')),
    sa.UniqueConstraint('code', name=op.f('uq_cloud_branch_code'))
    )
    op.create_table('sync_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_push_at', pos_app.db.UTCDateTime(), nullable=True),
    sa.Column('last_attempt_at', pos_app.db.UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=False),
    sa.Column('cloud_high_water', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_state'))
    )
    op.create_table('cloud_event',
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('aggregate_type', sa.String(length=64), nullable=False),
    sa.Column('aggregate_id', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.Column('received_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['cloud_branch.id'], name=op.f('fk_cloud_event_branch_id_cloud_branch')),
    sa.PrimaryKeyConstraint('branch_id', 'seq', name=op.f('pk_cloud_event'))
    )
    op.create_table('cloud_nonce',
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('signature', sa.String(length=64), nullable=False),
    sa.Column('seen_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['cloud_branch.id'], name=op.f('fk_cloud_nonce_branch_id_cloud_branch')),
    sa.PrimaryKeyConstraint('branch_id', 'signature', name=op.f('pk_cloud_nonce'))
    )
    with op.batch_alter_table('cloud_nonce', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cloud_nonce_seen_at'), ['seen_at'], unique=False)

    op.create_table('cloud_order',
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('business_day', sa.String(length=10), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('total_minor', sa.BigInteger(), nullable=False),
    sa.Column('waiter_name', sa.String(length=120), nullable=False),
    sa.Column('opened_at', pos_app.db.UTCDateTime(), nullable=True),
    sa.Column('paid_at', pos_app.db.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['cloud_branch.id'], name=op.f('fk_cloud_order_branch_id_cloud_branch')),
    sa.PrimaryKeyConstraint('branch_id', 'order_id', name=op.f('pk_cloud_order'))
    )
    with op.batch_alter_table('cloud_order', schema=None) as batch_op:
        batch_op.create_index('ix_cloud_order_branch_day', ['branch_id', 'business_day'], unique=False)

    op.create_table('cloud_payment',
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('tender', sa.String(length=16), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('tip_minor', sa.BigInteger(), nullable=False),
    sa.Column('taken_at', pos_app.db.UTCDateTime(), nullable=True),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['cloud_branch.id'], name=op.f('fk_cloud_payment_branch_id_cloud_branch')),
    sa.PrimaryKeyConstraint('branch_id', 'payment_id', name=op.f('pk_cloud_payment'))
    )
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_outbox_event_seq'), ['seq'])
    op.execute(
        "UPDATE outbox_event SET seq = ranked.n FROM"
        " (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM outbox_event) AS ranked"
        " WHERE outbox_event.id = ranked.id"
    )
    op.execute(
        "INSERT INTO counter (name, value) SELECT 'outbox-seq', COUNT(*) FROM outbox_event"
        " HAVING COUNT(*) > 0"
    )


def downgrade() -> None:
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_outbox_event_seq'), type_='unique')
        batch_op.drop_column('seq')

    op.drop_table('cloud_payment')
    with op.batch_alter_table('cloud_order', schema=None) as batch_op:
        batch_op.drop_index('ix_cloud_order_branch_day')

    op.drop_table('cloud_order')
    with op.batch_alter_table('cloud_nonce', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cloud_nonce_seen_at'))

    op.drop_table('cloud_nonce')
    op.drop_table('cloud_event')
    op.drop_table('sync_state')
    op.drop_table('cloud_branch')
