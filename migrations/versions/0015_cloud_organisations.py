"""Organisations in the cloud and who may see which branch (issue 19): `cloud_organisation`,
`cloud_branch.organisation_id`, `cloud_access`; each branch's printers as it last told. Branches the cloud already mirrors go to one
organisation, "My restaurants"; nobody sees them until given access (`flask pos cloud-access`).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 20:15:00
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import pos_app.db


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cloud_organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cloud_organisation')),
    sa.UniqueConstraint('name', name=op.f('uq_cloud_organisation_name'))
    )
    with op.batch_alter_table('cloud_branch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('printers', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('printers_at', pos_app.db.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_cloud_branch_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_cloud_branch_organisation_id_cloud_organisation'), 'cloud_organisation', ['organisation_id'], ['id'])
    op.create_table('cloud_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=True),
    sa.Column('created_at', pos_app.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['cloud_branch.id'], name=op.f('fk_cloud_access_branch_id_cloud_branch')),
    sa.ForeignKeyConstraint(['organisation_id'], ['cloud_organisation.id'], name=op.f('fk_cloud_access_organisation_id_cloud_organisation')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_cloud_access_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cloud_access')),
    sa.UniqueConstraint('staff_id', 'organisation_id', 'branch_id', name=op.f('uq_cloud_access_staff_id'))
    )
    with op.batch_alter_table('cloud_access', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cloud_access_staff_id'), ['staff_id'], unique=False)
    connection = op.get_bind()
    if connection.execute(sa.text("SELECT COUNT(*) FROM cloud_branch")).scalar():
        organisation = sa.table(
            'cloud_organisation',
            sa.column('name', sa.String()),
            sa.column('created_at', pos_app.db.UTCDateTime()),
        )
        connection.execute(
            organisation.insert().values(name='My restaurants', created_at=datetime.now(UTC))
        )
        connection.execute(sa.text(
            "UPDATE cloud_branch SET organisation_id ="
            " (SELECT id FROM cloud_organisation WHERE name = 'My restaurants')"
        ))


def downgrade() -> None:
    with op.batch_alter_table('cloud_access', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cloud_access_staff_id'))
    op.drop_table('cloud_access')
    with op.batch_alter_table('cloud_branch', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cloud_branch_organisation_id_cloud_organisation'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cloud_branch_organisation_id'))
        batch_op.drop_column('organisation_id')
        batch_op.drop_column('printers_at')
        batch_op.drop_column('printers')
    op.drop_table('cloud_organisation')
