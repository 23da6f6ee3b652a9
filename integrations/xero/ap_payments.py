"""Payments of supplier invoices from an office bank account -> Xero Payments on the ACCPAY bill.

| ours (a supplier payment, SP-00042) | Xero payment                                          |
|-------------------------------------|-------------------------------------------------------|
| the supplier invoice                | Invoice.InvoiceID (its link: it must be in Xero)      |
| office bank account                 | Account.Code (the bank account's mapping)             |
| date, amount                        | Date, Amount                                          |
| reference, else journal number      | Reference                                             |

Ledger effect in Xero equals ours: Dr Accounts Payable (CREDITORS), Cr the mapped bank account.
A payment whose invoice is not in Xero waits, saying for what. Linked: the payment is locked
"In Xero as a payment on <the supplier's number>".
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from accounting.office.supplier_documents import SupplierPayment
from integrations.xero.elements import Answer, NotReady, posted_document
from integrations.xero.links import add_link, link_of, lock_reason
from integrations.xero.outbox import OutboxRow
from integrations.xero.payments import payment_element, send, waiting_for
from integrations.xero.purchase_invoices import KIND as INVOICE_KIND

KIND = "ap_payment"
__all__ = ["KIND", "party_of", "build", "send", "accept", "ID_FIELD", "NUMBER_FIELD"]


def payment_of(session: Session, row: OutboxRow) -> SupplierPayment:
    """The supplier payment whose journal this row pushes."""
    return posted_document(session, SupplierPayment, row.journal_id, "supplier payment")


def party_of(session: Session, row: OutboxRow) -> None:
    return None  # the bill carries the contact


def build(session: Session, tenant_id: str, row: OutboxRow) -> dict:
    payment = payment_of(session, row)
    invoice = payment.invoice
    bill = link_of(session, tenant_id, INVOICE_KIND, invoice.id)
    if bill is None:
        raise NotReady(waiting_for(session, invoice.journal_id, invoice.number,
                                   "supplier invoice"))
    return payment_element(session, tenant_id, bill.xero_id, payment.bank_account_id, payment)


def accept(session: Session, tenant_id: str, row: OutboxRow, answer: Answer) -> None:
    payment = payment_of(session, row)
    bill = link_of(session, tenant_id, INVOICE_KIND, payment.invoice_id)
    add_link(session, tenant_id, KIND, payment.id, answer.xero_id, "", lock=payment,
             reason=lock_reason(bill.xero_number if bill else payment.invoice.supplier_ref,
                                "a payment on "))


ID_FIELD, NUMBER_FIELD = "PaymentID", None
