"""Work in progress: time and disbursements recorded on a matter until a bill takes them.

An entry posts nothing. A draft bill made from chosen entries marks them billed (`TimeEntry.bill`);
deleting that draft or voiding the bill frees them again (`billing.free_entries`). The entries'
rows are locked while they are billed, so two people billing the same work cannot both take it.
"""

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from accounting.audit import record
from accounting.errors import InvalidAccount, InvalidAmount, LedgerError
from accounting.ledger.accounts import AccountRole, account_for_role
from accounting.ledger.practice import get_practice
from accounting.ledger.tax import TaxCode, check_gst_allowed
from accounting.lookup import fetch, valid_id
from accounting.money import ZERO, format_money
from accounting.office.billing import billable_matter, create_bill, income_accounts
from accounting.office.bills import MAX_DESCRIPTION, Bill, BillLineInput, EntryKind, TimeEntry, line_amount
from accounting.parties.clients import Matter
from accounting.parties.users import User


def record_entry(session: Session, user: User | None, *, matter_id: int | None, kind: str, on: date,
                 person_id: int | None, description: str, hours: Decimal | None = None,
                 rate: Decimal | None = None, amount: Decimal | None = None,
                 account_id: int | None = None, tax: TaxCode = TaxCode.GST) -> TimeEntry:
    """Record time (hours x rate) or a disbursement (an amount) against an open matter."""
    matter = billable_matter(session, matter_id)
    if kind not in EntryKind._value2member_map_:
        raise LedgerError("Choose time or disbursement.", "kind")
    kind = EntryKind(kind)
    if on is None:
        raise LedgerError("Enter the date of the work.", "date")
    if not description.strip() or len(description.strip()) > MAX_DESCRIPTION:
        raise LedgerError(f"Describe the work in up to {MAX_DESCRIPTION} characters.", "description")
    if person_id is not None and session.get(User, person_id) is None:
        raise LedgerError("Choose who did the work.", "person")
    if kind == EntryKind.TIME:
        if hours is None or hours <= ZERO:
            raise InvalidAmount("Enter the hours, more than zero.", "hours")
        if rate is None or rate <= ZERO:
            raise InvalidAmount("Enter the hourly rate, more than zero.", "rate")
        amount = line_amount(hours, rate)
    else:
        hours = rate = None
        if amount is None or amount <= ZERO:
            raise InvalidAmount("Enter the amount, more than zero.", "amount")
    if amount == ZERO:
        raise InvalidAmount("Hours x rate comes to nothing.", "rate")
    check_gst_allowed(get_practice(session), TaxCode(tax) == TaxCode.GST, "tax")
    default = (AccountRole.PROFESSIONAL_FEES if kind == EntryKind.TIME
               else AccountRole.DISBURSEMENTS_RECOVERED)
    account_id = account_id or account_for_role(session, default).id
    if account_id not in {a.id for a in income_accounts(session)}:
        raise InvalidAccount("Choose an income account.", "account")
    entry = TimeEntry(matter_id=matter.id, kind=kind, date=on, person_id=person_id,
                      description=description.strip(), hours=hours, rate=rate, amount=amount,
                      account_id=account_id, tax=TaxCode(tax))
    session.add(entry)
    session.flush()
    record(session, user, "created", "time_entry", entry.id,
           f"{kind.label} on {matter.number}: {entry.description} ({format_money(amount)})")
    return entry


def unbilled_entries(session: Session, matter_id: int) -> list[TimeEntry]:
    """A matter's work not yet on a bill, oldest first."""
    return list(session.execute(
        select(TimeEntry).where(TimeEntry.matter_id == matter_id, TimeEntry.bill_id.is_(None))
        .options(selectinload(TimeEntry.person)).order_by(TimeEntry.date, TimeEntry.id)
    ).scalars())


def delete_entry(session: Session, user: User | None, entry_id: int) -> None:
    """Delete an unbilled entry."""
    entry = fetch(session, TimeEntry, entry_id, missing="There is no such entry.")
    if entry.bill_id is not None:
        raise LedgerError("That entry is on a bill; delete or void the bill to free it first.")
    record(session, user, "deleted", "time_entry", entry.id, f"Entry deleted: {entry.description}")
    session.delete(entry)
    session.flush()


def bill_from_entries(session: Session, user: User | None, *, matter_id: int | None,
                      entry_ids: list[int], date: date) -> Bill:
    """A draft bill from chosen unbilled entries of one matter; they become billed.

    The entries' rows are locked, so two people billing the same work at once cannot both take it.
    """
    if not entry_ids:
        raise LedgerError("Choose at least one entry to bill.", "entries")
    entries = list(session.execute(
        select(TimeEntry).where(TimeEntry.id.in_([i for i in entry_ids if valid_id(i)]))
        .order_by(TimeEntry.date, TimeEntry.id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalars())
    if len(entries) != len(set(entry_ids)) or any(e.matter_id != matter_id for e in entries):
        raise LedgerError("Choose entries of this matter only.", "entries")
    if any(e.bill_id is not None for e in entries):
        raise LedgerError("Some of those entries are already on a bill; refresh the page.", "entries")
    lines = [BillLineInput(
        f"{e.date:%d %b %Y} {e.person.name + ': ' if e.person else ''}{e.description}"[:MAX_DESCRIPTION],
        e.hours if e.kind == EntryKind.TIME else Decimal("1.00"),
        e.rate if e.kind == EntryKind.TIME else e.amount, e.account_id, e.tax) for e in entries]
    bill = create_bill(session, user, matter_id=matter_id, date=date, lines=lines)
    for entry in entries:
        entry.bill_id = bill.id
    session.flush()
    return bill


def get_billing_matter(session: Session, matter_id: int) -> Matter:
    """The matter with this id, or NotFound (recording work on it checks that it is open)."""
    return fetch(session, Matter, matter_id, missing="There is no such matter.")
