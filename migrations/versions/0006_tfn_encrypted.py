"""Clients' TFNs encrypted at rest (the column becomes text holding Fernet tokens)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 06:55:21.634718

The TFNs already there are encrypted in place with the keys the app is configured with
(ENCRYPTION_KEYS, or the key derived from SECRET_KEY), so run `flask db upgrade` with the same
settings the app will run with. Downgrading decrypts them back into the nine-character column.
"""
from alembic import op
import sqlalchemy as sa

from accounting.encryption import decrypt, encrypt, rewrite_column


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


# A TFN is digits and a Fernet token starts "gAAAAA", so a run cut short (SQLite's DDL is not
# transactional) can be run again without encrypting anything twice.
TOKEN = "gAAAAA"


def _encrypted(tfn):
    return tfn if tfn.startswith(TOKEN) else encrypt(tfn)


def _decrypted(value):
    return decrypt(value) if value.startswith(TOKEN) else value


def upgrade():
    # The column is widened first: a token (about 100 characters) does not fit in nine.
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.alter_column('tfn',
               existing_type=sa.VARCHAR(length=9),
               type_=sa.Text(),
               existing_nullable=False)
    rewrite_column(op.get_bind(), 'client', 'tfn', _encrypted)


def downgrade():
    # Decrypted first, so that the digits fit the nine characters the column narrows to.
    rewrite_column(op.get_bind(), 'client', 'tfn', _decrypted)
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.alter_column('tfn',
               existing_type=sa.Text(),
               type_=sa.VARCHAR(length=9),
               existing_nullable=False)
