"""Xero account and tax mappings, per organisation (tenant id)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 08:00:00.000000

Two tables keyed by the Xero tenant id, with no foreign key to the connection: disconnecting
keeps the mappings for a reconnect to the same organisation. The practice already has its basis
(accrual by default) and base currency (AUD by default), which the checks read; nothing to add.
Chained after the connection's 0009 once xero-connect was merged in.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'xero_account_mapping',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.String(length=36), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('xero_account_id', sa.String(length=36), nullable=False),
        sa.Column('xero_code', sa.String(length=10), nullable=False),
        sa.Column('xero_name', sa.String(length=150), nullable=False),
        sa.Column('mapped_by_id', sa.Integer(), nullable=True),
        sa.Column('mapped_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['account.id'],
                                name=op.f('fk_xero_account_mapping_account_id_account')),
        sa.ForeignKeyConstraint(['mapped_by_id'], ['user_account.id'],
                                name=op.f('fk_xero_account_mapping_mapped_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_xero_account_mapping')),
        sa.UniqueConstraint('tenant_id', 'account_id',
                            name=op.f('uq_xero_account_mapping_tenant_id')),
    )
    op.create_index(op.f('ix_xero_account_mapping_tenant_id'), 'xero_account_mapping',
                    ['tenant_id'], unique=False)
    op.create_table(
        'xero_tax_mapping',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.String(length=36), nullable=False),
        sa.Column('tax_use', sa.String(length=30), nullable=False),
        sa.Column('xero_tax_type', sa.String(length=50), nullable=False),
        sa.Column('mapped_by_id', sa.Integer(), nullable=True),
        sa.Column('mapped_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['mapped_by_id'], ['user_account.id'],
                                name=op.f('fk_xero_tax_mapping_mapped_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_xero_tax_mapping')),
        sa.UniqueConstraint('tenant_id', 'tax_use', name=op.f('uq_xero_tax_mapping_tenant_id')),
    )
    op.create_index(op.f('ix_xero_tax_mapping_tenant_id'), 'xero_tax_mapping', ['tenant_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_xero_tax_mapping_tenant_id'), table_name='xero_tax_mapping')
    op.drop_table('xero_tax_mapping')
    op.drop_index(op.f('ix_xero_account_mapping_tenant_id'), table_name='xero_account_mapping')
    op.drop_table('xero_account_mapping')
