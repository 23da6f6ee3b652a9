"""Supplier invoices -> Xero bills (Invoice ACCPAY).

| ours (an approved supplier invoice) | Xero invoice                                            |
|-------------------------------------|---------------------------------------------------------|
| the supplier's invoice number       | InvoiceNumber (free text and not unique for ACCPAY: the |
|                                     | exactly-once key is the batch's Idempotency-Key)        |
| our number (SI-00042)               | each LineItem's Description starts with it (Xero keeps  |
|                                     | no Reference on ACCPAY: "ACCREC only", FACTS §7.4)      |
| supplier                            | Contact.ContactID (created first, contacts.py)          |
| date, due date                      | Date, DueDate                                           |
| lines                               | one LineItem per (expense account, tax code): Quantity  |
|                                     | 1, UnitAmount = the lines' sum, TaxAmount = their GST,  |
|                                     | AccountCode and TaxType (the expenses side) mapped      |
| -                                   | Status AUTHORISED, LineAmountTypes Exclusive            |

Ledger effect in Xero equals ours on the mapped accounts: Dr each mapped expense account its
lines' amounts, Dr GST the GST, Cr Accounts Payable (Xero's CREDITORS) the total.
Linked: the supplier invoice is locked "In Xero as <the supplier's number>".
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from accounting.events import PartyKind
from accounting.office.supplier_documents import SupplierInvoice
from integrations.suggest import TaxUse
from integrations.xero.elements import Answer, contact_id, posted_document
from integrations.xero.invoices import MAX_DESCRIPTION, send, summed_line_items
from integrations.xero.links import add_link, lock_reason
from integrations.xero.outbox import OutboxRow, Party

KIND = "purchase_invoice"
__all__ = ["KIND", "party_of", "build", "send", "accept", "ID_FIELD", "NUMBER_FIELD"]
# Every tax code's use on the expenses side, so a code added to TaxCode is covered.
EXPENSE_TAX_USE = {use.tax_code: use for use in TaxUse if use.side == "expenses"}


def invoice_of(session: Session, row: OutboxRow) -> SupplierInvoice:
    """The supplier invoice whose posting this row pushes."""
    return posted_document(session, SupplierInvoice, row.journal_id, "supplier invoice")


def party_of(session: Session, row: OutboxRow) -> Party:
    """The supplier whose contact must be in Xero before this invoice goes."""
    return Party(PartyKind.SUPPLIER, invoice_of(session, row).supplier_id)


def build(session: Session, tenant_id: str, row: OutboxRow) -> dict:
    """The ACCPAY invoice of the row's supplier invoice."""
    invoice = invoice_of(session, row)
    contact = contact_id(session, tenant_id, invoice.supplier, PartyKind.SUPPLIER.value)
    lines = [(line, line.gst_amount) for line in invoice.lines]
    items = summed_line_items(session, tenant_id, lines, EXPENSE_TAX_USE)
    for item in items:
        item["Description"] = f"{invoice.number}: {item['Description']}"[:MAX_DESCRIPTION]
    return {"Type": "ACCPAY", "InvoiceNumber": invoice.supplier_ref,
            "Contact": {"ContactID": contact},
            "Date": invoice.date.isoformat(), "DueDate": invoice.due_date.isoformat(),
            "Status": "AUTHORISED", "LineAmountTypes": "Exclusive", "LineItems": items}


def accept(session: Session, tenant_id: str, row: OutboxRow, answer: Answer) -> None:
    """Link the supplier invoice to its Xero bill and lock it."""
    invoice = invoice_of(session, row)
    number = answer.number or invoice.supplier_ref
    add_link(session, tenant_id, KIND, invoice.id, answer.xero_id, number, lock=invoice,
             reason=lock_reason(number))


ID_FIELD, NUMBER_FIELD = "InvoiceID", "InvoiceNumber"
