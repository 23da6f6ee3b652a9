"""Tax invoices and BAS tax codes: the practice's invoice details; room for the new tax codes

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 12:00:00.000000

The practice gains what an Australian tax invoice shows (legal name, ABN, address, phone, email)
and its payment details (account name, BSB, account number, reference), each an empty string
until an admin fills it in. The tax code columns (VARCHAR without a native enum, as 0008 made
them) widen from 10 to 12 characters for INPUT_TAXED and BAS_EXCLUDED; the values already stored
are unchanged.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


PRACTICE_COLUMNS = (
    ('legal_name', 200), ('abn', 11), ('address', 300), ('phone', 30), ('email', 120),
    ('bank_account_name', 120), ('bsb', 6), ('bank_account_number', 20), ('payment_reference', 60),
)
TAX_TABLES = ('bill_line', 'credit_note_line', 'time_entry', 'bank_transaction_line',
              'supplier_invoice_line', 'supplier_credit_line', 'purchase_order_line')
OLD_CODES = ('GST', 'GST_FREE')
NEW_CODES = ('GST', 'GST_FREE', 'INPUT_TAXED', 'BAS_EXCLUDED')


def _tax_code(codes, length):
    return sa.Enum(*codes, name='taxcode', native_enum=False, length=length)


def upgrade():
    with op.batch_alter_table('practice', schema=None) as batch_op:
        for name, length in PRACTICE_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), server_default='',
                                          nullable=False))
    for table in TAX_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('tax', existing_type=_tax_code(OLD_CODES, 10),
                                  type_=_tax_code(NEW_CODES, 12), existing_nullable=False)


def downgrade():
    # Lines with a new code would not fit the old column: they become GST-free, the nearest.
    for table in TAX_TABLES:
        op.execute(f"UPDATE {table} SET tax = 'GST_FREE' WHERE tax IN ('INPUT_TAXED', 'BAS_EXCLUDED')")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('tax', existing_type=_tax_code(NEW_CODES, 12),
                                  type_=_tax_code(OLD_CODES, 10), existing_nullable=False)
    with op.batch_alter_table('practice', schema=None) as batch_op:
        for name, _ in reversed(PRACTICE_COLUMNS):
            batch_op.drop_column(name)
