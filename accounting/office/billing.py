"""Client billing services: bills per matter, payments, write-offs, and undoing them.

The rows are in accounting/office/bills.py; credit notes (issued, applied to bills, refunded) are
in credit_notes.py and unbilled work in work_in_progress.py, both built on this module.

Invariant this module protects: for every bill, `applied` equals the sum of its payment, credit
and write-off events, and its amount owed is `total - applied`, never below zero. Every posting
goes through `accounting.ledger.journals.post`:

- approve a bill:   Dr Accounts Receivable total; Cr each income account its lines' amounts;
                    Cr GST Collected the GST.
- payment:          Dr the office bank account; Cr Accounts Receivable.
- write-off:        Dr Bad Debts; Cr Accounts Receivable.
- revert or void:   `reverse()` of the bill's journal.
- undo a payment or write-off: `reverse()` of its journal; undo a credit applied: no journal.
- time entries and disbursements (work in progress) post nothing; a draft bill made from them
  marks them billed, and deleting that draft or voiding the bill frees them.

Whoever changes what is owed on a bill or left on a credit note first locks its row
(SELECT ... FOR UPDATE on PostgreSQL), so two people paying the same bill wait for each other and
the second sees what the first paid. A payment made by a transfer from trust records that
transfer's number (`BillEvent.trust_transfer`); it is undone only with the transfer's reversal
(`undo_trust_payment`), never from the bill alone.
"""

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from accounting.audit import record
from accounting.errors import (
    InvalidAccount,
    InvalidAmount,
    LedgerError,
    MatterClosed,
    NotADraft,
    NotFound,
    WouldOverdraw,
)
from accounting.events import CreditApplicationUndone, CreditSide, emit
from accounting.ledger.accounts import (
    Account,
    AccountClass,
    AccountRole,
    account_for_role,
    office_bank_accounts,
)
from accounting.ledger.journals import Journal, LineInput, post, reverse
from accounting.ledger.practice import get_practice
from accounting.ledger.tax import TaxCode, check_gst_allowed, gst_on
from accounting.lookup import clean_text, fetch, like_pattern, page_number, valid_id
from accounting.money import ZERO, format_money
from accounting.office import bill_totals
from accounting.office.bills import (
    MAX_DESCRIPTION,
    MAX_LINES,
    STATUS_CONDITIONS,
    Bill,
    BillEvent,
    BillLine,
    BillLineInput,
    BillStatus,
    CreditNote,
    EventKind,
    TimeEntry,
    line_amount,
)
from accounting.office.corrections import check_correction, required_reason
from accounting.parties.clients import Client, Matter, MatterStatus
from accounting.parties.users import User
from accounting.sequences import next_number

# ---------------------------------------------------------------- lookups


def income_accounts(session: Session) -> list[Account]:
    """Active revenue accounts, in code order: what a bill line may be credited to."""
    accounts = session.execute(
        select(Account).where(Account.archived.is_(False)).order_by(Account.code)
    ).scalars()
    return [a for a in accounts if a.account_class == AccountClass.REVENUE]


def open_matters(session: Session) -> list[Matter]:
    """Open matters of clients that are not archived, by number: what a bill may be for."""
    return list(session.execute(
        select(Matter).join(Matter.client)
        .where(Matter.status == MatterStatus.OPEN, Client.archived.is_(False))
        .options(selectinload(Matter.client)).order_by(Matter.number)
    ).scalars())


def active_clients(session: Session) -> list[Client]:
    """Clients that are not archived, by name: whom a credit note may be for."""
    return list(session.execute(
        select(Client).where(Client.archived.is_(False)).order_by(Client.name)
    ).scalars())


def get_bill(session: Session, bill_id: int, *, for_update: bool = False) -> Bill:
    """The bill with this id (row-locked when `for_update`), or NotFound."""
    return fetch(session, Bill, bill_id, missing="There is no such bill.", for_update=for_update)


def search_bills(session: Session, query: str = "", *, status: str = "", page: int = 1,
                 per_page: int = 25) -> tuple[list[Bill], int]:
    """Bills whose number, reference, client or matter contains `query`, filtered by display
    status; newest first. Returns (rows, total)."""
    statement = select(Bill)
    if status in STATUS_CONDITIONS:
        statement = statement.where(STATUS_CONDITIONS[status])
    query = query.strip()
    if query:
        like = like_pattern(query)
        statement = statement.join(Bill.client).join(Bill.matter).where(or_(*(
            func.lower(column).like(like, escape="\\")
            for column in (Bill.number, Bill.reference, Client.name, Matter.number)
        )))
    if query:  # count(*), not of whole joined rows nor of ids: SQLite counts it from the smallest index
        total = session.scalar(statement.with_only_columns(func.count()).select_from(Bill).order_by(None))
    else:  # counting every bill would be most of the page's cost over many bills
        total = bill_totals.bill_count(session, status)
    rows = session.execute(
        # One query: each row's client and matter joined in, only what the list shows of them.
        statement.options(joinedload(Bill.client).load_only(Client.name),
                          joinedload(Bill.matter).load_only(Matter.number))
        .order_by(Bill.date.desc(), Bill.id.desc())
        .limit(per_page).offset((page_number(page) - 1) * per_page)
    ).scalars().all()
    return list(rows), total


def bills_of_matter(session: Session, matter_id: int) -> list[Bill]:
    """Every bill of a matter (drafts and voided ones too), newest first."""
    return list(session.execute(
        select(Bill).where(Bill.matter_id == matter_id).order_by(Bill.date.desc(), Bill.id.desc())
    ).scalars())


def open_bills_of(session: Session, client_id: int) -> list[Bill]:
    """The client's approved bills with something still owed, oldest first."""
    return list(session.execute(
        select(Bill).where(Bill.client_id == client_id, Bill.status == BillStatus.POSTED,
                           Bill.applied < Bill.total)
        .order_by(Bill.date, Bill.id)
    ).scalars())


# ---------------------------------------------------------------- lines and totals


def priced_lines(session: Session, lines: list[BillLineInput]) -> list[dict]:
    """Check the lines and work out each one's amount and GST. Raises a LedgerError naming the field."""
    if not lines:
        raise LedgerError("Add at least one line.", "lines")
    if len(lines) > MAX_LINES:
        raise LedgerError(f"A bill has at most {MAX_LINES} lines.", "lines")
    practice = get_practice(session)
    rate = practice.gst_rate
    allowed = {a.id for a in income_accounts(session)}
    priced = []
    for i, line in enumerate(lines):
        n = i + 1
        if not line.description.strip():
            raise LedgerError(f"Line {n}: describe the work.", f"lines-{i}-description")
        if len(line.description.strip()) > MAX_DESCRIPTION:
            raise LedgerError(f"Line {n}: keep the description under {MAX_DESCRIPTION} characters.",
                              f"lines-{i}-description")
        if line.quantity <= ZERO:
            raise InvalidAmount(f"Line {n}: the quantity must be more than zero.", f"lines-{i}-quantity")
        if line.rate <= ZERO:
            raise InvalidAmount(f"Line {n}: the rate must be more than zero.", f"lines-{i}-rate")
        if line.account_id not in allowed:
            raise InvalidAccount(f"Line {n}: choose an income account.", f"lines-{i}-account")
        check_gst_allowed(practice, line.tax == TaxCode.GST, f"lines-{i}-tax")
        amount = line_amount(line.quantity, line.rate)
        if amount == ZERO:
            raise InvalidAmount(f"Line {n}: quantity x rate comes to nothing.", f"lines-{i}-rate")
        gst = gst_on(amount, rate) if line.tax == TaxCode.GST else ZERO
        priced.append({"line_no": n, "description": line.description.strip(),
                       "quantity": line.quantity, "rate": line.rate, "account_id": line.account_id,
                       "tax": TaxCode(line.tax), "amount": amount, "gst": gst})
    return priced


def totals_of(priced: list[dict]) -> tuple[Decimal, Decimal, Decimal]:
    """(subtotal, GST, total) of priced lines."""
    subtotal = sum((p["amount"] for p in priced), ZERO)
    gst = sum((p["gst"] for p in priced), ZERO)
    return subtotal, gst, subtotal + gst


def income_lines(lines, sign: int, gst: Decimal, session: Session, label: str) -> list[LineInput]:
    """One journal line per income account (its lines' amounts summed) and one for GST collected."""
    per_account: OrderedDict[int, Decimal] = OrderedDict()
    for line in lines:
        per_account[line.account_id] = per_account.get(line.account_id, ZERO) + line.amount
    result = [LineInput(account_id, sign * amount, label) for account_id, amount in per_account.items()]
    if gst:
        result.append(LineInput(account_for_role(session, AccountRole.GST_COLLECTED).id, sign * gst,
                                f"GST on {label}"))
    return result


# ---------------------------------------------------------------- bills


def billable_matter(session: Session, matter_id: int | None) -> Matter:
    """The open matter of a client not archived that a bill (or its work) is for; refused beside
    the matter field otherwise."""
    number = valid_id(matter_id)
    matter = session.get(Matter, number) if number else None
    if matter is None:
        raise LedgerError("Choose the matter the bill is for.", "matter")
    if not matter.is_open:
        raise MatterClosed(f"Matter {matter.number} is closed; reopen it to bill it.", "matter")
    if matter.client.archived:
        raise MatterClosed(f"{matter.client.name} is archived; restore the client to bill them.",
                           "matter")
    return matter


def _check_header(when: date | None, due: date | None, reference: str) -> str:
    """The bill's date, due date and reference checked; returns the reference, trimmed."""
    if when is None:
        raise LedgerError("Enter the bill's date.", "date")
    if due is not None and due < when:
        raise LedgerError("The due date cannot be before the bill's date.", "due_date")
    return clean_text(reference, 100, "reference", "the reference")


def _set_lines(session: Session, bill: Bill, lines: list[BillLineInput]) -> None:
    priced = priced_lines(session, lines)
    bill.lines.clear()
    session.flush()
    bill.lines.extend(BillLine(**p) for p in priced)
    bill.subtotal, bill.gst, bill.total = totals_of(priced)


def create_bill(session: Session, user: User | None, *, matter_id: int | None, date: date,
                lines: list[BillLineInput], due_date: date | None = None, reference: str = "") -> Bill:
    """A draft bill for an open matter, written by hand. Posts nothing."""
    reference = _check_header(date, due_date, reference)
    matter = billable_matter(session, matter_id)
    bill = Bill(client_id=matter.client_id, matter_id=matter.id, date=date, due_date=due_date,
                reference=reference, status=BillStatus.DRAFT)
    session.add(bill)
    _set_lines(session, bill, lines)
    session.flush()
    record(session, user, "created", "bill", bill.id,
           f"Draft bill for {matter.number} created ({format_money(bill.total)})")
    return bill


def _check_draft(bill: Bill, doing: str) -> None:
    if not bill.is_draft():
        raise NotADraft(f"{bill.title} is not a draft, so it cannot be {doing}. "
                        "Revert it to draft first (only when nothing is applied to it).")


def update_bill(session: Session, user: User | None, bill: Bill, *, matter_id: int | None, date: date,
                lines: list[BillLineInput], due_date: date | None = None, reference: str = "") -> None:
    """Change a draft bill: header and lines."""
    _check_draft(bill, "edited")
    reference = _check_header(date, due_date, reference)
    matter = billable_matter(session, matter_id)
    bill.client_id, bill.matter_id, bill.matter = matter.client_id, matter.id, matter
    bill.client = matter.client
    bill.date, bill.due_date, bill.reference = date, due_date, reference
    _set_lines(session, bill, lines)
    session.flush()
    record(session, user, "changed", "bill", bill.id, f"{bill.title} changed ({format_money(bill.total)})")


def delete_bill(session: Session, user: User | None, bill: Bill) -> None:
    """Delete a draft that never had a number (a numbered one is voided instead: numbers stay used)."""
    _check_draft(bill, "deleted")
    if not bill.can_delete():
        raise LedgerError(f"{bill.number} has been issued before, so its number must stay on record: "
                          "void it instead.")
    record(session, user, "deleted", "bill", bill.id, f"Draft bill for {bill.matter.number} deleted")
    free_entries(session, bill)
    session.delete(bill)
    session.flush()


def add_event(bill: Bill, user: User | None, kind: EventKind, when: date, **values) -> BillEvent:
    """Add to the bill's history what just happened to it (by `user`, on `when`)."""
    happened = BillEvent(kind=kind, date=when, user_id=user.id if user else None, **values)
    bill.events.append(happened)
    return happened


def approve_bill(session: Session, user: User | None, bill: Bill) -> Journal:
    """Number the bill (the first time) and post it: Dr AR total, Cr income, Cr GST collected."""
    _check_draft(bill, "approved")
    if not bill.lines:
        raise LedgerError("A bill needs at least one line before it is approved.")
    practice = get_practice(session)
    practice.check_open(bill.date)
    if any(line.tax == TaxCode.GST for line in bill.lines):  # a draft written while registered
        check_gst_allowed(practice, True)
    if bill.number is None:
        bill.number = next_number(session, "bill", "INV-", 5)
    receivable = account_for_role(session, AccountRole.ACCOUNTS_RECEIVABLE)
    label = f"{bill.number} {bill.client.name}"
    journal = post(session, user, date=bill.date, kind="bill", reference=bill.number,
                   narration=f"Bill {bill.number} to {bill.client.name} ({bill.matter.number})",
                   lines=[LineInput(receivable.id, bill.total, label),
                          *income_lines(bill.lines, -1, bill.gst, session, label)])
    bill.journal_id, bill.journal = journal.id, journal
    bill.status, bill.applied = BillStatus.POSTED, ZERO
    add_event(bill, user, EventKind.POSTED, bill.date, amount=bill.total, journal_id=journal.id)
    session.flush()
    record(session, user, "posted", "bill", bill.id, f"{bill.number} approved ({format_money(bill.total)})")
    return journal


def _undo_posting(session: Session, user: User | None, bill: Bill, on: date, reason: str,
                  kind: EventKind, why: str = "") -> Journal:
    refusal = bill.refusal_to_revert()
    if refusal is not None:
        raise refusal
    reversal = reverse(session, user, bill.journal, date=max(on, bill.date), reason=reason)
    add_event(bill, user, kind, reversal.date, amount=bill.total, journal_id=reversal.id,
              reference=why[:100])
    bill.journal_id, bill.journal = None, None
    return reversal


def revert_bill(session: Session, user: User | None, bill: Bill, *, on: date) -> Journal:
    """Back to draft: reverse the bill's journal; the bill keeps its number."""
    reversal = _undo_posting(session, user, bill, on, f"{bill.number} reverted to draft",
                             EventKind.REVERTED)
    bill.status = BillStatus.DRAFT
    session.flush()
    record(session, user, "reverted", "bill", bill.id, f"{bill.number} reverted to draft")
    return reversal


def void_bill(session: Session, user: User | None, bill: Bill, *, on: date,
              reason: str) -> Journal | None:
    """Void a posted bill with nothing applied (reversing its journal), or a numbered draft.

    The reason is required (refused blank), and kept on the voided event in the bill's history,
    on the reversing journal's narration and in the audit log."""
    why = required_reason(reason, "bill", "voided")
    reversal = None
    if bill.is_draft() and bill.number:
        add_event(bill, user, EventKind.VOIDED, on, reference=why[:100])
    else:
        reversal = _undo_posting(session, user, bill, on, f"{bill.number} voided: {why}",
                                 EventKind.VOIDED, why)
    bill.status = BillStatus.VOIDED
    free_entries(session, bill)
    record(session, user, "voided", "bill", bill.id, f"{bill.title} voided: {why}")
    return reversal


def free_entries(session: Session, bill: Bill) -> None:
    """The bill's entries are unbilled again (its draft was deleted or it was voided)."""
    for entry in session.execute(select(TimeEntry).where(TimeEntry.bill_id == bill.id)).scalars():
        entry.bill_id = None
    session.flush()


# ---------------------------------------------------------------- payments and write-offs


def check_applicable(bill: Bill, amount: Decimal, when: date, what: str) -> None:
    """The checks every payment, credit and write-off makes on a (row-locked) bill."""
    if bill.is_draft():
        raise LedgerError(f"{bill.title} is a draft: approve it before recording a {what}.")
    if bill.is_voided():
        raise LedgerError(f"{bill.title} is voided: nothing can be applied to it.")
    if amount <= ZERO:
        raise InvalidAmount("Enter an amount more than zero.", "amount")
    if amount > bill.owed:
        raise WouldOverdraw(f"That is more than is owed: {bill.number} has {format_money(bill.owed)} "
                         "owing.", "amount")
    if when < bill.date:
        raise LedgerError(f"The {what} cannot be dated before the bill ({bill.date:%d %b %Y}).", "date")


def office_bank(session: Session, account_id: int | None) -> Account:
    """The office bank account chosen (money in or out of billing moves through one)."""
    banks = {a.id: a for a in office_bank_accounts(session)}
    if account_id not in banks:
        raise InvalidAccount("Choose an office bank account.", "bank_account")
    return banks[account_id]


def record_payment(session: Session, user: User | None, bill_id: int, *, amount: Decimal, date: date,
                   bank_account_id: int | None, reference: str = "",
                   trust_transfer: str | None = None) -> BillEvent:
    """A payment, full or part, into an office bank account: Dr bank, Cr Accounts Receivable.

    The bill's row is locked before what is owed is checked, so two payments at once cannot both
    take the same amount owed. `trust_transfer` is the number of the transfer from trust making
    this payment (trust's own code passes it), which only that transfer's reversal may undo.
    """
    bill = get_bill(session, bill_id, for_update=True)
    check_applicable(bill, amount, date, "payment")
    bank = office_bank(session, bank_account_id)
    reference = clean_text(reference, 100, "reference", "the reference")
    receivable = account_for_role(session, AccountRole.ACCOUNTS_RECEIVABLE)
    label = f"Payment of {bill.number} {bill.client.name}"
    journal = post(session, user, date=date, kind="bill_payment", reference=bill.number,
                   narration=label + (f" ({reference})" if reference else ""),
                   lines=[LineInput(bank.id, amount, label), LineInput(receivable.id, -amount, label)])
    bill.applied += amount
    payment = add_event(bill, user, EventKind.PAYMENT, date, amount=amount, journal_id=journal.id,
                    bank_account_id=bank.id, reference=reference, trust_transfer=trust_transfer)
    session.flush()
    record(session, user, "paid", "bill", bill.id, f"{bill.number}: payment of {format_money(amount)}")
    return payment


def write_off(session: Session, user: User | None, bill_id: int, *, date: date,
              reason: str) -> BillEvent:
    """Write off what is left owing on a bill: Dr Bad Debts, Cr Accounts Receivable. The reason
    is required (refused blank), and kept like a void's."""
    bill = get_bill(session, bill_id, for_update=True)
    amount = bill.owed
    if bill.is_posted() and amount == ZERO:
        raise LedgerError(f"{bill.number} is paid: there is nothing left to write off.")
    reason = required_reason(reason, "bill", "written off")
    check_applicable(bill, amount, date, "write-off")
    label = f"Write-off of {bill.number} {bill.client.name}"
    journal = post(session, user, date=date, kind="bill_write_off", reference=bill.number,
                   narration=f"{label}: {reason}",
                   lines=[LineInput(account_for_role(session, AccountRole.BAD_DEBTS).id, amount, label),
                          LineInput(account_for_role(session, AccountRole.ACCOUNTS_RECEIVABLE).id,
                                    -amount, label)])
    bill.applied += amount
    written_off = add_event(bill, user, EventKind.WRITE_OFF, date, amount=amount, journal_id=journal.id,
                            reference=reason[:100])
    session.flush()
    record(session, user, "written_off", "bill", bill.id,
           f"{bill.number}: {format_money(amount)} written off: {reason}")
    return written_off


# ---------------------------------------------------------------- corrections


def undo_event(session: Session, user: User | None, event_id: int, *, date: date,
               reason: str) -> BillEvent:
    """Take back a payment, credit application or write-off of a bill.

    - payment or write-off: `reverse()` of its journal, dated `date` (Dr AR, Cr bank / bad debts);
    - credit application: no journal; what it took off the bill goes back onto the credit note.
    The bill owes the amount again. A payment made by a transfer from trust is refused: only
    reversing that transfer undoes it (`undo_trust_payment`), or the trust side would stay spent.
    """
    applied = _locked_event(session, event_id)
    refusal = applied.refusal_to_undo_from_bill()
    if refusal is not None:
        raise refusal
    return _undo(session, user, applied, date, reason)


def undo_trust_payment(session: Session, user: User | None, event_id: int, *, date: date,
                       reason: str) -> BillEvent:
    """Take back a payment a transfer from trust made, as that transfer is reversed (trust's
    `reverse_trust_transfer` calls it in the same database transaction): as `undo_event`."""
    payment = _locked_event(session, event_id)
    if payment.trust_transfer is None:
        raise LedgerError("That payment was not made from trust: undo it in the bill's history.")
    refusal = payment.refusal_to_undo()
    if refusal is not None:
        raise refusal
    return _undo(session, user, payment, date, reason)


def _locked_event(session: Session, event_id: int) -> BillEvent:
    """The bill event, read again after its rows are locked: credit note first, then bill (the
    order `apply_credit` uses), so two people undoing the same payment at once cannot both undo it."""
    number = valid_id(event_id)
    found = session.execute(select(BillEvent.bill_id, BillEvent.credit_note_id)
                            .where(BillEvent.id == number)).one_or_none() if number else None
    if found is None:
        raise NotFound("There is no such payment, credit or write-off.")
    if found.credit_note_id:
        fetch(session, CreditNote, found.credit_note_id, missing="There is no such credit note.",
              for_update=True)
    get_bill(session, found.bill_id, for_update=True)
    return session.execute(select(BillEvent).where(BillEvent.id == number)
                           .execution_options(populate_existing=True)).scalar_one()


def _undo(session: Session, user: User | None, applied: BillEvent, date: date, reason: str) -> BillEvent:
    """Undo `applied` (checked and locked): reverse its journal, if any, and give back its amount."""
    bill, note = applied.bill, applied.credit_note
    what = applied.kind.label.lower()
    reason = check_correction(date, reason, applied.date, what)
    get_practice(session).check_open(date)
    journal_id = None
    if applied.journal is not None:
        journal_id = reverse(session, user, applied.journal, date=date,
                             reason=f"{applied.kind.label} on {bill.number} undone: {reason}").id
    if note is not None:
        note.used -= applied.amount
    bill.applied -= applied.amount
    undo = add_event(bill, user, EventKind.UNDONE, date, amount=applied.amount, journal_id=journal_id,
                 credit_note_id=applied.credit_note_id, reference=reason[:100])
    undo.undoes = applied
    session.flush()
    if applied.credit_note_id is not None:
        emit(session, CreditApplicationUndone(CreditSide.CLIENT, applied.id, applied.credit_note_id,
                                              bill.id, applied.amount, date))
    record(session, user, "undone", "bill", bill.id,
           f"{bill.number}: {what} of {format_money(applied.amount)} undone ({reason})")
    return undo


# ---------------------------------------------------------------- history


@dataclass(frozen=True)
class HistoryRow:
    """One line of a document's history, as the page and its CSV show it."""

    date: date
    what: str
    amount: Decimal | None
    by: str
    journal: Journal | None
    details: str = ""


def bill_history(bill: Bill) -> list[HistoryRow]:
    """What happened to a bill, in the order it happened."""
    rows = []
    for e in bill.events:
        details = [e.credit_note.number] if e.credit_note else []
        if e.bank_account:
            details.append(f"into {e.bank_account.label}")
        if e.shown_reference:
            details.append(e.shown_reference)
        rows.append(HistoryRow(e.date, e.what, e.amount, e.user.name if e.user else "",
                               e.journal, " · ".join(details)))
    return rows

