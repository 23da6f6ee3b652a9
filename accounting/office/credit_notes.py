"""Credit notes to clients: issued, applied to the client's bills, refunded, and undone.

Invariant this module protects: a credit note's `used` is what is applied from it to bills (live
CREDIT events) plus what is refunded (refunds not undone), never more than its total; what is
left is `total - used`. Postings, all through `accounting.ledger.journals.post`:

- credit note:      Dr each income account; Dr GST Collected; Cr Accounts Receivable.
- applying credit:  no journal (both sides are already in Accounts Receivable); the allocation only
                    moves what the client owes from the bill to the credit note.
- refund of credit: Dr Accounts Receivable (the client's credit balance is used up);
                    Cr the office bank account (money paid out to the client).
- undo a refund, void a credit note: `reverse()` of its journal. An application is undone from
  the bill's history (`billing.undo_event`).

The credit note's row is locked before what is left on it is read, then each bill's, always in
that order, so two people using the same credit at once cannot both spend it.
"""

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from accounting.audit import record
from accounting.errors import InvalidAmount, LedgerError, WouldOverdraw
from accounting.events import CreditApplied, CreditSide, emit
from accounting.ledger.accounts import AccountRole, account_for_role
from accounting.ledger.journals import Journal, LineInput, post, reverse
from accounting.ledger.practice import get_practice
from accounting.lookup import clean_text, fetch, valid_id
from accounting.money import ZERO, format_money
from accounting.office.billing import (
    add_event,
    check_applicable,
    get_bill,
    income_lines,
    office_bank,
    priced_lines,
    totals_of,
)
from accounting.office.bills import (
    BillEvent,
    BillLineInput,
    CreditNote,
    CreditNoteLine,
    CreditNoteStatus,
    CreditRefund,
    EventKind,
)
from accounting.office.corrections import check_correction
from accounting.parties.clients import Client
from accounting.parties.users import User
from accounting.sequences import next_number


def get_credit_note(session: Session, credit_note_id: int, *, for_update: bool = False) -> CreditNote:
    """The credit note with this id (row-locked when `for_update`), or NotFound."""
    return fetch(session, CreditNote, credit_note_id, missing="There is no such credit note.",
                 for_update=for_update)


def list_credit_notes(session: Session) -> list[CreditNote]:
    """Every credit note, newest first, with its client."""
    return list(session.execute(
        select(CreditNote).options(selectinload(CreditNote.client))
        .order_by(CreditNote.date.desc(), CreditNote.id.desc())
    ).scalars())


def create_credit_note(session: Session, user: User | None, *, client_id: int | None, date: date,
                       lines: list[BillLineInput], reference: str = "") -> CreditNote:
    """Issue and post a credit note: Dr each income account, Dr GST collected, Cr Accounts Receivable."""
    number = valid_id(client_id)
    client = session.get(Client, number) if number else None
    if client is None or client.archived:
        raise LedgerError("Choose the client the credit note is for.", "client")
    if date is None:
        raise LedgerError("Enter the credit note's date.", "date")
    reference = clean_text(reference, 100, "reference", "the reference")
    priced = priced_lines(session, lines)
    get_practice(session).check_open(date)
    subtotal, gst, total = totals_of(priced)
    number = next_number(session, "credit_note", "CN-", 5)
    note = CreditNote(number=number, client_id=client.id, date=date, reference=reference,
                      subtotal=subtotal, gst=gst, total=total, used=ZERO,
                      lines=[CreditNoteLine(**p) for p in priced])
    label = f"{number} {client.name}"
    journal = post(session, user, date=date, kind="credit_note", reference=number,
                   narration=f"Credit note {number} to {client.name}",
                   lines=[*income_lines(note.lines, 1, gst, session, label),
                          LineInput(account_for_role(session, AccountRole.ACCOUNTS_RECEIVABLE).id,
                                    -total, label)])
    note.journal_id = journal.id
    session.add(note)
    session.flush()
    record(session, user, "posted", "credit_note", note.id, f"{number} issued ({format_money(total)})")
    return note


def _refuse_if_voided(note: CreditNote) -> None:
    if note.voided:
        raise LedgerError(f"{note.number} is voided: nothing of it can be applied or refunded.")


def _refuse_more_than_left(note: CreditNote, amount: Decimal, field: str) -> None:
    if amount > note.remaining:
        raise WouldOverdraw(f"That is more than is left on {note.number}: "
                         f"{format_money(note.remaining)}.", field)


def apply_credit(session: Session, user: User | None, credit_note_id: int, *, date: date,
                 amounts: dict[int, Decimal]) -> list[BillEvent]:
    """Apply a credit note to one or more of the same client's bills ({bill id: amount}).

    No journal: the credit note already took the amount off Accounts Receivable. The credit note's
    row is locked first, then each bill's, always in that order (no deadlock between two people).
    """
    note = get_credit_note(session, credit_note_id, for_update=True)
    _refuse_if_voided(note)
    amounts = {bill_id: amount for bill_id, amount in amounts.items() if amount}
    if not amounts:
        raise InvalidAmount("Enter an amount to apply to at least one bill.", "amounts")
    if date is None:
        raise LedgerError("Enter the date the credit is applied.", "date")
    if date < note.date:
        raise LedgerError(f"The credit cannot be applied before the credit note's date "
                          f"({note.date:%d %b %Y}).", "date")
    get_practice(session).check_open(date)
    _refuse_more_than_left(note, sum(amounts.values(), ZERO), "amounts")
    events = []
    for bill_id in sorted(amounts):
        bill = get_bill(session, bill_id, for_update=True)
        if bill.client_id != note.client_id:
            raise LedgerError(f"{bill.title} is another client's bill; a credit note applies only to "
                              f"{note.client.name}'s bills.", "amounts")
        try:
            check_applicable(bill, amounts[bill_id], date, "credit")
        except LedgerError as error:
            raise type(error)(f"{bill.title}: {error.message}", f"amount-{bill_id}") from None
        bill.applied += amounts[bill_id]
        note.used += amounts[bill_id]
        events.append(add_event(bill, user, EventKind.CREDIT, date, amount=amounts[bill_id],
                                credit_note_id=note.id, reference=note.number))
        record(session, user, "credited", "bill", bill.id,
               f"{bill.number}: {format_money(amounts[bill_id])} of {note.number} applied")
    session.flush()
    for event in events:
        emit(session, CreditApplied(CreditSide.CLIENT, event.id, note.id, event.bill_id,
                                    event.amount, event.date))
    return events


def refund_credit(session: Session, user: User | None, credit_note_id: int, *, amount: Decimal,
                  date: date, bank_account_id: int | None, reference: str = "") -> CreditRefund:
    """Pay unapplied credit back to the client: Dr Accounts Receivable, Cr the office bank account."""
    note = get_credit_note(session, credit_note_id, for_update=True)
    _refuse_if_voided(note)
    if amount <= ZERO:
        raise InvalidAmount("Enter an amount more than zero.", "amount")
    _refuse_more_than_left(note, amount, "amount")
    if date is None or date < note.date:
        raise LedgerError(f"The refund cannot be dated before the credit note ({note.date:%d %b %Y}).",
                          "date")
    bank = office_bank(session, bank_account_id)
    label = f"Refund of {note.number} {note.client.name}"
    journal = post(session, user, date=date, kind="credit_refund", reference=note.number,
                   narration=label + (f" ({reference.strip()[:90]})" if reference.strip() else ""),
                   lines=[LineInput(account_for_role(session, AccountRole.ACCOUNTS_RECEIVABLE).id,
                                    amount, label),
                          LineInput(bank.id, -amount, label)])
    refund = CreditRefund(credit_note_id=note.id, date=date, amount=amount,
                          reference=reference.strip()[:100], bank_account_id=bank.id,
                          journal_id=journal.id)
    session.add(refund)
    note.used += amount
    session.flush()
    record(session, user, "refunded", "credit_note", note.id,
           f"{note.number}: {format_money(amount)} refunded")
    return refund


def undo_refund(session: Session, user: User | None, refund_id: int, *, date: date,
                reason: str) -> Journal:
    """Take back a refund: `reverse()` of its journal (Dr the bank, Cr Accounts Receivable); what
    it paid out is left on the credit note again."""
    refund = fetch(session, CreditRefund, refund_id, missing="There is no such refund.")
    note = get_credit_note(session, refund.credit_note_id, for_update=True)
    session.refresh(refund.journal)
    refusal = refund.refusal_to_undo()
    if refusal is not None:
        raise refusal
    reason = check_correction(date, reason, refund.date, "refund")
    reversal = reverse(session, user, refund.journal, date=date,
                       reason=f"Refund of {note.number} undone: {reason}")
    note.used -= refund.amount
    session.flush()
    record(session, user, "refund_undone", "credit_note", note.id,
           f"{note.number}: refund of {format_money(refund.amount)} undone ({reason})")
    return reversal


def void_credit_note(session: Session, user: User | None, credit_note_id: int, *, date: date,
                     reason: str) -> Journal:
    """Void a credit note nothing of which is applied or refunded: `reverse()` of its journal
    (Dr Accounts Receivable, Cr each income account, Cr GST collected)."""
    note = get_credit_note(session, credit_note_id, for_update=True)
    refusal = note.refusal_to_void()
    if refusal is not None:
        raise refusal
    reason = check_correction(date, reason, note.date, "credit note", "voided")
    reversal = reverse(session, user, note.journal, date=date,
                       reason=f"Credit note {note.number} voided: {reason}")
    note.status = CreditNoteStatus.VOIDED
    session.flush()
    record(session, user, "voided", "credit_note", note.id, f"{note.number} voided ({reason})")
    return reversal
