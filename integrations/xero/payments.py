"""Payments of bills into an office bank account -> Xero Payments (batch PUT /Payments).

| ours (a bill's payment event)   | Xero payment                                              |
|---------------------------------|-----------------------------------------------------------|
| the bill                        | Invoice.InvoiceID (the bill's link: it must be in Xero)   |
| office bank account             | Account.Code (the bank account's mapping)                 |
| date, amount                    | Date, Amount                                              |
| reference, else journal number  | Reference                                                 |

Ledger effect in Xero equals ours: Dr the mapped bank account, Cr Accounts Receivable (DEBTORS).
A payment whose bill is not in Xero waits, saying for what (its bill waiting, or failed with
Xero's message). Linked: the payment's journal is locked "In Xero as a payment on INV-00042".
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from accounting.office.bills import BillEvent
from integrations.xero.elements import (
    Answer,
    NotReady,
    NotSent,
    Unmappable,
    bank_code,
    batch_answer,
    posted_document,
)
from integrations.xero.links import add_link, link_of, lock_reason
from integrations.xero.outbox import OutboxRow, OutboxState, rows_for_journal

KIND = "bill_payment"


def payment_of(session: Session, row: OutboxRow) -> BillEvent:
    """The bill event whose journal this row pushes."""
    payment = posted_document(session, BillEvent, row.journal_id, "payment")
    if payment.bank_account_id is None:
        raise Unmappable("The payment of this posting is no longer recorded here.")
    return payment


def party_of(session: Session, row: OutboxRow) -> int | None:
    return None  # the invoice carries the contact


def build(session: Session, tenant_id: str, row: OutboxRow) -> dict:
    payment = payment_of(session, row)
    bill = payment.bill
    invoice = link_of(session, tenant_id, "bill", bill.id)
    if invoice is None:
        raise NotReady(waiting_for(session, bill))
    bank = bank_code(session, tenant_id, payment.bank_account_id)
    return {"Invoice": {"InvoiceID": invoice.xero_id}, "Account": {"Code": bank},
            "Date": payment.date.isoformat(), "Amount": payment.amount,
            "Reference": payment.reference or payment.journal.number}


def waiting_for(session: Session, document, what: str = "bill") -> str:
    """What a row waits for while its document (a bill, a credit note) is not linked; NotSent
    when that document will never be sent."""
    row = rows_for_journal(session, document.journal_id)
    if row is not None and row.state is OutboxState.FAILED:
        return f"Waiting for {document.number}, which failed to reach Xero: {row.last_error}"
    if row is None or row.state is OutboxState.NOT_SENT:
        raise NotSent(f"Its {what} {document.number} is not sent to Xero"
                      + (f": {row.reason}" if row is not None else "."))
    return f"Waiting for {document.number} to reach Xero."


def accept(session: Session, tenant_id: str, row: OutboxRow, answer: Answer) -> None:
    payment = payment_of(session, row)
    add_link(session, tenant_id, KIND, payment.id, answer.xero_id, "", lock=payment.journal,
             reason=lock_reason(payment.bill.number, "a payment on "))


def send(api, tenant_id: str, elements: list[dict], key: str, timeout: float = 60.0):
    """One batch PUT (summarizeErrors=false: each element answers for itself)."""
    return batch_answer(api, "Payments", lambda: api.create_payments(
        tenant_id, {"Payments": elements}, summarize_errors=False, idempotency_key=key,
        _request_timeout=timeout))


ID_FIELD, NUMBER_FIELD = "PaymentID", None
