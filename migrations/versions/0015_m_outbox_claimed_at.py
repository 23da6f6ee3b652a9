"""Xero push: when each batch was claimed, so a batch left SENDING past Xero's 6-minute
idempotency window is looked up in Xero before anything is sent again

Revision ID: 0015_m
Revises: 0014
Create Date: 2026-12-03 18:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015_m'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('xero_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('xero_outbox', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')
