"""What settled a receivable or a payable, read one way: the payments of a document and the credits
applied to it, whether the document is a client's Bill or a SupplierInvoice.

A bill's payments and credits are rows of bill_event (kinds PAYMENT and CREDIT, undone by a later
UNDONE event); a supplier invoice's are supplier_payment rows (undone by reversing their journal)
and supplier_credit_application rows (undone in place). Each comes back as the same `Settlement`,
so a reader (a report, a mapper to Xero) never needs to know which table a payment lives in.
Read only: nothing here changes the books.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from accounting.ledger.journals import Journal, JournalStatus
from accounting.office.bills import Bill, BillEvent, EventKind
from accounting.office.supplier_documents import SupplierCreditApplication, SupplierInvoice, SupplierPayment


@dataclass(frozen=True)
class Settlement:
    """One payment of, or one credit applied to, a bill or a supplier invoice."""

    id: int  # of its own row: the bill event, supplier payment or supplier credit application
    date: date
    amount: Decimal
    # A payment: its journal's number (bills) or its own (supplier payments); a credit: the credit note's.
    number: str
    reference: str
    journal_id: int | None  # the payment's journal; applying a credit posts none
    bank_account_id: int | None  # where a payment went or came from; None for a credit
    credit_note_id: int | None  # the credit note (CreditNote or SupplierCredit) of a credit applied
    undone: bool
    undone_on: date | None = None


def payments_of(session: Session, document: Bill | SupplierInvoice) -> list[Settlement]:
    """The document's payments, undone ones too, in the order they were recorded."""
    if isinstance(document, Bill):
        return [_bill_settlement(e, e.journal.number if e.journal else "")
                for e in _bill_events(session, document, EventKind.PAYMENT)]
    if isinstance(document, SupplierInvoice):
        payments = session.scalars(
            select(SupplierPayment).where(SupplierPayment.invoice_id == document.id)
            .options(joinedload(SupplierPayment.journal).joinedload(Journal.reversed_by))
            .order_by(SupplierPayment.id))
        return [Settlement(p.id, p.date, p.amount, p.number, p.reference, p.journal_id,
                           p.bank_account_id, None, p.journal.status == JournalStatus.REVERSED,
                           p.journal.reversed_by.date if p.journal.reversed_by else None)
                for p in payments]
    raise TypeError(f"Not a bill or a supplier invoice: {document!r}")


def credits_applied_to(session: Session, document: Bill | SupplierInvoice) -> list[Settlement]:
    """The credit notes applied to the document, undone applications too, in the order applied."""
    if isinstance(document, Bill):
        return [_bill_settlement(e, e.credit_note.number)
                for e in _bill_events(session, document, EventKind.CREDIT)]
    if isinstance(document, SupplierInvoice):
        applications = session.scalars(
            select(SupplierCreditApplication).where(SupplierCreditApplication.invoice_id == document.id)
            .options(joinedload(SupplierCreditApplication.credit))
            .order_by(SupplierCreditApplication.id))
        return [Settlement(a.id, a.date, a.amount, a.credit.number, a.credit.supplier_ref, None, None,
                           a.credit_id, a.undone_on is not None, a.undone_on)
                for a in applications]
    raise TypeError(f"Not a bill or a supplier invoice: {document!r}")


def _bill_events(session: Session, bill: Bill, kind: EventKind) -> list[BillEvent]:
    return list(session.scalars(
        select(BillEvent).where(BillEvent.bill_id == bill.id, BillEvent.kind == kind)
        .options(joinedload(BillEvent.journal), joinedload(BillEvent.credit_note),
                 selectinload(BillEvent.undone_by))
        .order_by(BillEvent.id)))


def _bill_settlement(event: BillEvent, number: str) -> Settlement:
    undo = event.undone_by
    return Settlement(event.id, event.date, event.amount, number, event.reference, event.journal_id,
                      event.bank_account_id, event.credit_note_id, undo is not None,
                      undo.date if undo else None)
