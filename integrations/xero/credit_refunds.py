"""Refunds of a credit note's remaining credit -> Xero Payments on the credit note (batch PUT
/Payments).

| ours (a credit note's refund)   | Xero payment                                              |
|---------------------------------|-----------------------------------------------------------|
| the credit note                 | CreditNote.CreditNoteID (its link: it must be in Xero)    |
| office bank account             | Account.Code (the bank account's mapping)                 |
| date, amount                    | Date, Amount                                              |
| reference, else journal number  | Reference                                                 |

Ledger effect in Xero equals ours: Dr Accounts Receivable (DEBTORS), Cr the mapped bank account
(money paid out to the client). A refund whose credit note is not in Xero waits, saying for what.
Linked: the refund's journal is locked "In Xero as a refund of CN-00007".
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from accounting.office.bills import CreditRefund
from integrations.xero import payments
from integrations.xero.elements import Answer, NotReady, bank_code, posted_document
from integrations.xero.links import add_link, link_of, lock_reason
from integrations.xero.outbox import OutboxRow

KIND = "credit_refund"


def refund_of(session: Session, row: OutboxRow) -> CreditRefund:
    """The refund whose journal this row pushes."""
    return posted_document(session, CreditRefund, row.journal_id, "refund")


def party_of(session: Session, row: OutboxRow) -> int | None:
    return None  # the credit note carries the contact


def build(session: Session, tenant_id: str, row: OutboxRow) -> dict:
    refund = refund_of(session, row)
    note = refund.credit_note
    linked = link_of(session, tenant_id, "credit_note", note.id)
    if linked is None:
        raise NotReady(payments.waiting_for(session, note.journal_id, note.number, "credit note"))
    bank = bank_code(session, tenant_id, refund.bank_account_id)
    return {"CreditNote": {"CreditNoteID": linked.xero_id}, "Account": {"Code": bank},
            "Date": refund.date.isoformat(), "Amount": refund.amount,
            "Reference": refund.reference or refund.journal.number}


def accept(session: Session, tenant_id: str, row: OutboxRow, answer: Answer) -> None:
    refund = refund_of(session, row)
    add_link(session, tenant_id, KIND, refund.id, answer.xero_id, "", lock=refund.journal,
             reason=lock_reason(refund.credit_note.number, "a refund of "))


# The same batch PUT /Payments as a bill's payments (a Payment names its invoice or credit note).
send = payments.send
ID_FIELD, NUMBER_FIELD = "PaymentID", None
