"""Xero push: the call budget shared by every consumer (Xero's minute, day and concurrent limits,
per organisation and for the app) when it is kept in the database

Revision ID: 0016_m
Revises: 0015_m
Create Date: 2026-12-03 18:10:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016_m'
down_revision = '0015_m'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('xero_call_budget',
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('minute_started', sa.Float(), nullable=False),
    sa.Column('minute_count', sa.Integer(), nullable=False),
    sa.Column('day_started', sa.Float(), nullable=False),
    sa.Column('day_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_xero_call_budget'))
    )
    op.create_table('xero_call_lease',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('expires', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_xero_call_lease'))
    )
    with op.batch_alter_table('xero_call_lease', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_xero_call_lease_scope'), ['scope'], unique=False)


def downgrade():
    with op.batch_alter_table('xero_call_lease', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_xero_call_lease_scope'))
    op.drop_table('xero_call_lease')
    op.drop_table('xero_call_budget')
