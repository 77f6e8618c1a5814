"""The menu managed in the cloud (issue 19): `cloud_catalogue` (an organisation's menu CSV, by
version) and the version a branch applied (`sync_state.catalogue_*`).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 20:35:00
"""

import sqlalchemy as sa
from alembic import op

import pos_app.db


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cloud_catalogue',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('csv', sa.Text(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('published_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.Column('published_by', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['cloud_organisation.id'], name=op.f('fk_cloud_catalogue_organisation_id_cloud_organisation')),
    sa.PrimaryKeyConstraint('organisation_id', 'version', name=op.f('pk_cloud_catalogue'))
    )
    with op.batch_alter_table('sync_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('catalogue_version', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('catalogue_checked_at', pos_app.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('catalogue_error', sa.String(length=300), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('sync_state', schema=None) as batch_op:
        batch_op.drop_column('catalogue_error')
        batch_op.drop_column('catalogue_checked_at')
        batch_op.drop_column('catalogue_version')
    op.drop_table('cloud_catalogue')
