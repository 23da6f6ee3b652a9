"""Supplier invoice, credit note and purchase order lines carry a tax code, as bill lines do

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-03 09:00:00.000000

Each line's `gst_free` flag becomes a `tax` column holding the TaxCode enum's name (stored as
BillLine.tax is, a VARCHAR(10) without a native enum): a GST-free line becomes GST_FREE, every
other line GST. Downgrading turns the codes back into the flag. The column is added nullable,
filled, then made NOT NULL, so a table with lines in it upgrades; SQLite rebuilds each table
(batch mode) to change the column.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


LINE_TABLES = ('supplier_invoice_line', 'supplier_credit_line', 'purchase_order_line')


def _tax_code():
    return sa.Enum('GST', 'GST_FREE', name='taxcode', native_enum=False, length=10)


def upgrade():
    for table in LINE_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('tax', _tax_code(), nullable=True))
        op.execute(f"UPDATE {table} SET tax = CASE WHEN gst_free THEN 'GST_FREE' ELSE 'GST' END")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('tax', existing_type=_tax_code(), nullable=False)
            batch_op.drop_column('gst_free')


def downgrade():
    for table in LINE_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('gst_free', sa.Boolean(), nullable=True))
        op.execute(f"UPDATE {table} SET gst_free = (tax = 'GST_FREE')")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('gst_free', existing_type=sa.Boolean(), nullable=False)
            batch_op.drop_column('tax')
