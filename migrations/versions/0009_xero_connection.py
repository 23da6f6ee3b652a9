"""The practice's connection to Xero (integrations/connection.py)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 08:00:00.000000

One row per kind of connection (xero, xpm) with its tenant, status and encrypted tokens. A new
table, so nothing already there changes; downgrading drops it (and the tokens with it).
"""
from alembic import op
import sqlalchemy as sa

from accounting.encryption import EncryptedText


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'integration_connection',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('XERO', 'XPM', name='connectionkind', native_enum=False,
                                  length=10), nullable=False),
        sa.Column('tenant_id', sa.String(length=36), nullable=False),
        sa.Column('tenant_name', sa.String(length=200), nullable=False),
        sa.Column('xero_connection_id', sa.String(length=36), nullable=False),
        sa.Column('status', sa.Enum('CONNECTED', 'LOST', name='connectionstatus',
                                    native_enum=False, length=10), nullable=False),
        sa.Column('lost_reason', sa.String(length=500), nullable=False),
        sa.Column('lost_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('access_token', EncryptedText(), nullable=False),
        sa.Column('refresh_token', EncryptedText(), nullable=False),
        sa.Column('access_token_expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('refresh_token_issued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('scopes', sa.Text(), nullable=False),
        sa.Column('connected_by_id', sa.Integer(), nullable=True),
        sa.Column('connected_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['connected_by_id'], ['user_account.id'],
                                name=op.f('fk_integration_connection_connected_by_id_user_account'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_integration_connection')),
        sa.UniqueConstraint('kind', name=op.f('uq_integration_connection_kind')),
    )


def downgrade():
    op.drop_table('integration_connection')
