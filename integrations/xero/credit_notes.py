"""Credit notes to clients -> Xero sales credit notes (ACCRECCREDIT, batch PUT /CreditNotes).

| ours (a posted credit note)   | Xero credit note                                              |
|-------------------------------|---------------------------------------------------------------|
| number (CN-00007)             | CreditNoteNumber                                              |
| client                        | Contact.ContactID (created first, integrations/xero/contacts) |
| date                          | Date                                                          |
| reference                     | Reference                                                     |
| lines                         | one LineItem per (income account, tax code), summed as a      |
|                               | bill's are (integrations/xero/invoices.line_items)            |
| -                             | Type ACCRECCREDIT, Status AUTHORISED, LineAmountTypes         |
|                               | Exclusive                                                     |

Ledger effect in Xero equals ours on the mapped accounts: Dr each mapped income account its lines'
amounts, Dr GST the GST, Cr Accounts Receivable (DEBTORS) the total.
Linked: the credit note is locked "In Xero as CN-00007".
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from accounting.events import PartyKind
from accounting.office.bills import CreditNote
from integrations.xero.elements import Answer, batch_answer, contact_id, posted_document
from integrations.xero.invoices import line_items
from integrations.xero.links import add_link, lock_reason
from integrations.xero.outbox import OutboxRow, Party

KIND = "credit_note"


def credit_note_of(session: Session, row: OutboxRow) -> CreditNote:
    """The credit note whose posting this row pushes."""
    return posted_document(session, CreditNote, row.journal_id, "credit note")


def party_of(session: Session, row: OutboxRow) -> Party:
    """The client whose contact must be in Xero before this credit note goes."""
    return Party(PartyKind.CLIENT, credit_note_of(session, row).client_id)


def build(session: Session, tenant_id: str, row: OutboxRow) -> dict:
    """The ACCRECCREDIT credit note of the row's credit note."""
    note = credit_note_of(session, row)
    return {"Type": "ACCRECCREDIT", "CreditNoteNumber": note.number,
            "Contact": {"ContactID": contact_id(session, tenant_id, note.client)},
            "Date": note.date.isoformat(),
            "Reference": note.reference, "Status": "AUTHORISED", "LineAmountTypes": "Exclusive",
            "LineItems": line_items(session, tenant_id, note)}


def accept(session: Session, tenant_id: str, row: OutboxRow, answer: Answer) -> None:
    """Link the credit note to Xero's and lock it."""
    note = credit_note_of(session, row)
    number = answer.number or note.number
    add_link(session, tenant_id, KIND, note.id, answer.xero_id, number, lock=note,
             reason=lock_reason(number))


def send(api, tenant_id: str, elements: list[dict], key: str, timeout: float = 60.0):
    """One batch PUT (summarizeErrors=false: each element answers for itself)."""
    return batch_answer(api, "CreditNotes", lambda: api.create_credit_notes(
        tenant_id, {"CreditNotes": elements}, summarize_errors=False, idempotency_key=key,
        _request_timeout=timeout))


ID_FIELD, NUMBER_FIELD = "CreditNoteID", "CreditNoteNumber"
