"""Users carry a session version, so logout, a password change or reset and deactivation end
every session of that person

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 08:00:00.000000

A session remembers the version it was signed in under; raising the user's version makes every
older session cookie stop working. Existing users start at 0 (their current cookies, which carry
no version, stop working once: everyone signs in again after the upgrade).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not batch mode: SQLite adds and drops a column in place, while batch mode would
# copy and drop user_account, which every audit row and journal references (foreign keys are on).


def upgrade():
    op.add_column(
        'user_account',
        sa.Column('session_version', sa.Integer(), nullable=False, server_default='0'),
    )


def downgrade():
    op.drop_column('user_account', 'session_version')
