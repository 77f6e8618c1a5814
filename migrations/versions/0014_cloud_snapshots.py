"""Copies of a branch's database held by the cloud, to rebuild a branch from (issue 19):
`cloud_snapshot` and its parts; the branch remembers its last copy the cloud holds whole.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 20:20:00
"""

import sqlalchemy as sa
from alembic import op

import pos_app.db


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cloud_snapshot',
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('parts', sa.Integer(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('taken_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.Column('received_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['cloud_branch.id'], name=op.f('fk_cloud_snapshot_branch_id_cloud_branch')),
    sa.PrimaryKeyConstraint('branch_id', 'snapshot_id', name=op.f('pk_cloud_snapshot'))
    )
    op.create_table('cloud_snapshot_part',
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.String(length=36), nullable=False),
    sa.Column('part', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['cloud_branch.id'], name=op.f('fk_cloud_snapshot_part_branch_id_cloud_branch')),
    sa.PrimaryKeyConstraint('branch_id', 'snapshot_id', 'part', name=op.f('pk_cloud_snapshot_part'))
    )
    with op.batch_alter_table('sync_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('snapshot_at', pos_app.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('snapshot_seq', sa.BigInteger(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('sync_state', schema=None) as batch_op:
        batch_op.drop_column('snapshot_seq')
        batch_op.drop_column('snapshot_at')
    op.drop_table('cloud_snapshot_part')
    op.drop_table('cloud_snapshot')
