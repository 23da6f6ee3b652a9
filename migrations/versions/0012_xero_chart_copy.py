"""The stored copy of Xero's chart per organisation (tenant id)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 12:00:00.000000

Pages never call Xero inline: a huey task reads the organisation, accounts and tax rates into
this table, and the mapping and checks pages read the copy. Keyed by tenant id, no foreign key to
the connection (like the mappings: a disconnect keeps it).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'xero_chart_copy',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.String(length=36), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('chart_json', sa.Text(), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('problem', sa.String(length=500), nullable=False),
        sa.Column('trust_status', sa.String(length=10), nullable=False),
        sa.Column('trust_result', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_xero_chart_copy')),
        sa.UniqueConstraint('tenant_id', name=op.f('uq_xero_chart_copy_tenant_id')),
    )


def downgrade():
    op.drop_table('xero_chart_copy')
