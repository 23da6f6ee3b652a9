"""Outbox contact rows name their party's kind (client or supplier), not just its id.

Revision ID: 0017_f
Revises: 0016_m
"""

import sqlalchemy as sa
from alembic import op

revision = '0017_f'
down_revision = '0016_m'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('xero_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('party_kind', sa.String(length=10), nullable=True))
    # Every contact row written before this revision was a client's.
    op.execute("UPDATE xero_outbox SET party_kind = 'client' WHERE party_id IS NOT NULL")


def downgrade():
    with op.batch_alter_table('xero_outbox', schema=None) as batch_op:
        batch_op.drop_column('party_kind')
