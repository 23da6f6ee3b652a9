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
Found after a lost answer (`find_sent`, past Xero's 6-minute replay): among its invoice's
payments, one with its date, amount and reference that no other payment of ours is linked to.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounting.money import CENT
from accounting.office.bills import BillEvent
from integrations.xero.elements import Answer, NotReady, NotSent, Unmappable, bank_code, batch_answer
from integrations.xero.links import XeroLink, add_link, link_of, lock_reason
from integrations.xero.outbox import OutboxRow, OutboxState, rows_for_journal

KIND = "bill_payment"


def payment_of(session: Session, row: OutboxRow) -> BillEvent:
    """The bill event whose journal this row pushes."""
    payment = session.execute(select(BillEvent).where(
        BillEvent.journal_id == row.journal_id)).scalar_one_or_none()
    if payment is None or payment.bank_account_id is None:
        raise Unmappable("The payment of this posting is no longer recorded here.")
    return payment


def party_of(session: Session, row: OutboxRow) -> int | None:
    return None  # the invoice carries the contact


def build(session: Session, tenant_id: str, row: OutboxRow) -> dict:
    payment = payment_of(session, row)
    bill = payment.bill
    invoice = link_of(session, tenant_id, "bill", bill.id)
    if invoice is None:
        raise NotReady(waiting_for(session, bill.journal_id, bill.number))
    return payment_element(session, tenant_id, invoice.xero_id, payment.bank_account_id, payment)


def waiting_for(session: Session, journal_id: int, number: str, what: str = "bill") -> str:
    """What a payment waits for while the document it pays (posted by `journal_id`) is not in
    Xero; NotSent when that document never goes."""
    row = rows_for_journal(session, journal_id)
    if row is not None and row.state is OutboxState.FAILED:
        return f"Waiting for {number}, which failed to reach Xero: {row.last_error}"
    if row is None or row.state is OutboxState.NOT_SENT:
        raise NotSent(f"Its {what} {number} is not sent to Xero"
                      + (f": {row.reason}" if row is not None else "."))
    return f"Waiting for {number} to reach Xero."


def payment_element(session: Session, tenant_id: str, invoice_id: str, bank_account_id: int,
                    payment) -> dict:
    """A Payment on the Xero invoice `invoice_id` from our mapped bank account."""
    return {"Invoice": {"InvoiceID": invoice_id},
            "Account": {"Code": bank_code(session, tenant_id, bank_account_id)},
            "Date": payment.date.isoformat(), "Amount": payment.amount,
            "Reference": payment.reference or payment.journal.number}


def accept(session: Session, tenant_id: str, row: OutboxRow, answer: Answer) -> None:
    payment = payment_of(session, row)
    add_link(session, tenant_id, KIND, payment.id, answer.xero_id, "", lock=payment.journal,
             reason=lock_reason(payment.bill.number, "a payment on "))


def send(api, tenant_id: str, elements: list[dict], key: str, timeout: float = 60.0):
    """One batch PUT (summarizeErrors=false: each element answers for itself)."""
    return batch_answer(api, "Payments", lambda: api.create_payments(
        tenant_id, {"Payments": elements}, summarize_errors=False, idempotency_key=key,
        _request_timeout=timeout))


def find_sent(session: Session, api, tenant_id: str, rows: list[OutboxRow]) -> dict[int, Answer]:
    """The rows whose payment Xero has, read from their invoices' payments: one call."""
    wanted = {row.id: build(session, tenant_id, row) for row in rows}
    invoice_ids = sorted({element["Invoice"]["InvoiceID"] for element in wanted.values()})
    invoices = api.get_invoices(tenant_id, i_ds=invoice_ids, page=1,
                                page_size=len(invoice_ids)).invoices or []
    on_invoice = {str(invoice.invoice_id): list(invoice.payments or []) for invoice in invoices}
    taken = _linked_payment_ids(session, tenant_id, on_invoice)
    found = {}
    for row_id, element in wanted.items():
        for candidate in on_invoice.get(element["Invoice"]["InvoiceID"], []):
            if str(candidate.payment_id) not in taken and _same_payment(candidate, element):
                taken.add(str(candidate.payment_id))
                found[row_id] = Answer(str(candidate.payment_id))
                break
    return found


def _linked_payment_ids(session: Session, tenant_id: str, on_invoice: dict[str, list]) -> set[str]:
    ids = [str(p.payment_id) for payments in on_invoice.values() for p in payments]
    return set(session.execute(select(XeroLink.xero_id).where(
        XeroLink.tenant_id == tenant_id, XeroLink.xero_id.in_(ids))).scalars())


def _same_payment(candidate, element: dict) -> bool:
    return (candidate.date.isoformat() == element["Date"]
            and Decimal(str(candidate.amount)).quantize(CENT) == element["Amount"]
            and (candidate.reference or "") == element["Reference"])


ID_FIELD, NUMBER_FIELD = "PaymentID", None
