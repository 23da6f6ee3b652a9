"""Reports over the office books' documents: aged receivables, aged payables and the GST summary.

Invariants these reports keep:

- Aged receivables as at a date are exactly Accounts Receivable in the general ledger as at that
  date: every bill's amount owed is rebuilt from its events dated on or before the date (posting
  +, payment / credit / write-off -, undo +, revert / void -), and the credit still unused on each
  credit note as at the date is shown as a negative amount (the credit note took it off
  Accounts Receivable when it was issued). Later payments, bills and credits change nothing.
- Aged payables as at a date are exactly Accounts Payable (a credit balance, shown positive) as
  at that date, from supplier invoices, their payments and voids, and the supplier credit notes
  not yet applied as at the date.
- The GST summary's GST on sales (1A) and GST on purchases (1B) on the accrual basis are the
  movements of the GST Collected and GST Paid accounts in the period, taken from the documents'
  own journals (a reversal counts, negated, on its own date). Anything else posted to those
  accounts (a general journal) is shown apart, never folded in silently.
- On the cash basis a payment, refund or receive / spend money counts in the period the money moved,
  and an undo of it (its journal reversed) counts negated in the period of the undo, flagged as an
  adjustment when the original was counted in an earlier period. A period's figures therefore never
  change when something is undone later (the ATO's adjustment in the later period), and over all
  periods every undone payment nets to zero.
- G1 and G11 count supplies only: a receive / spend money line that carries no GST and is not to an
  income account (sales) or an expense account (purchases), such as a loan, a capital contribution,
  drawings or a bond, is shown as "not a sale / purchase" and left out of every figure.

Everything is summed in SQL over integer cents (one grouped query per report page), so the reports
stay quick over a hundred thousand bills; per-document detail is one party at a time, paged.
"""

import enum
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, cached_property
from typing import NamedTuple

from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
    union,
    union_all,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Select

from accounting.errors import LedgerError
from accounting.ledger.accounts import AccountClass, AccountRole, account_for_role
from accounting.ledger.journals import Journal, JournalLine
from accounting.ledger.practice import Basis, get_practice
from accounting.ledger.tax import TaxCode
from accounting.money import CENT, ZERO, from_cents
from accounting.office import bill_totals
from accounting.office.bills import (
    Bill,
    BillEvent,
    BillLine,
    BillStatus,
    CreditNote,
    CreditNoteLine,
    CreditRefund,
    EventKind,
)
from accounting.office.suppliers import (
    Supplier,
    SupplierCredit,
    SupplierCreditApplication,
    SupplierCreditLine,
    SupplierInvoice,
    SupplierInvoiceLine,
    SupplierPayment,
)
from accounting.parties.clients import Client

DETAIL_PER_PAGE = 50
SUMMARY_PER_PAGE = 50
MAX_DETAIL_ROWS = 100_000  # one party's documents in one CSV


class Bucket(enum.IntEnum):
    """How far past its due date an amount is, as at the report's date."""

    CURRENT = 0
    DAYS_1_30 = 1
    DAYS_31_60 = 2
    DAYS_61_90 = 3
    OVER_90 = 4

    @property
    def label(self) -> str:
        return ("Current", "1–30 days", "31–60 days", "61–90 days", "Over 90 days")[self]

    @property
    def csv_label(self) -> str:
        return ("Current", "1-30 days", "31-60 days", "61-90 days", "Over 90 days")[self]


BUCKETS = tuple(Bucket)


def bucket_of(due: date, as_at: date) -> Bucket:
    """Current when not yet past due on `as_at`; otherwise by whole days past the due date."""
    late = (as_at - due).days
    if late <= 0:
        return Bucket.CURRENT
    return Bucket.DAYS_1_30 if late <= 30 else Bucket.DAYS_31_60 if late <= 60 else \
        Bucket.DAYS_61_90 if late <= 90 else Bucket.OVER_90


def _signed(sign: int, amount: Decimal) -> Decimal:
    """`amount` negated when `sign` is -1, never the "-0.00" a plain negation gives."""
    return amount if sign > 0 else ZERO - amount


def _cents(column):
    """A Money column as the raw integer cents it stores, for exact sums in SQL."""
    return type_coerce(column, BigInteger)


# Events that add to what a bill owes: its posting, and an undo of a payment, credit or write-off
# (billing may not have undos yet; the enum decides). Every other event takes its amount off.
ADDS_TO_OWED = [kind for kind in EventKind if kind.value in ("posted", "undone")]


# ---------------------------------------------------------------- aged reports


class AgedRow(NamedTuple):
    """One client's or supplier's amounts owed, per bucket (a named tuple: a thousand of them are
    made per page)."""

    party_id: int
    name: str
    cents: tuple[int, ...]  # per bucket; Decimals only for the rows a page shows

    @property
    def buckets(self) -> tuple[Decimal, ...]:
        return tuple(from_cents(c) for c in self.cents)

    @property
    def total(self) -> Decimal:
        return from_cents(sum(self.cents))


@dataclass(frozen=True)
class AgedReport:
    """Aged receivables or payables as at a date, with the ledger account it must agree with."""

    as_at: date
    rows: list[AgedRow]  # every party with something owing, by name
    # The control account's balance as at `as_at`, sign as owed; None when not asked for (it sums
    # every line of the account, so the page fetches it separately: see `ledger_balance`).
    ledger_balance: Decimal | None = None

    @cached_property
    def totals(self) -> tuple[Decimal, ...]:
        return tuple(from_cents(sum(r.cents[b] for r in self.rows)) for b in BUCKETS)

    @cached_property
    def total(self) -> Decimal:
        return from_cents(sum(sum(r.cents) for r in self.rows))

    @property
    def difference(self) -> Decimal | None:
        """Ledger less report: non-zero only when something else was posted to the account."""
        return None if self.ledger_balance is None else self.ledger_balance - self.total

    @property
    def count(self) -> int:
        return len(self.rows)

    def page(self, number: int, per_page: int = SUMMARY_PER_PAGE) -> list[AgedRow]:
        return self.rows[(number - 1) * per_page:number * per_page]


@dataclass(frozen=True)
class AgedPage:
    """One page of an aged report (the parties on it, by name) with the whole report's totals and
    number of parties: what the report page shows, without reading every party's row."""

    as_at: date
    number: int
    rows: list[AgedRow]  # this page's parties only
    count: int  # parties in the whole report
    totals: tuple[Decimal, ...]
    total: Decimal

    def page(self, number: int, per_page: int = SUMMARY_PER_PAGE) -> list[AgedRow]:
        return self.rows if number == self.number else []


@dataclass(frozen=True)
class AgedItem:
    """One document owing (or credit unused) as at the report's date."""

    kind: str  # "bill", "credit_note", "supplier_invoice", "supplier_credit"
    id: int
    number: str
    date: date
    due_date: date
    total: Decimal
    owed: Decimal  # negative for unused credit
    bucket: Bucket
    days_overdue: int


@dataclass(frozen=True)
class AgedDetail:
    as_at: date
    party_id: int
    name: str
    items: list[AgedItem]  # one page
    count: int
    buckets: tuple[Decimal, ...]  # over every item, not only this page

    @property
    def total(self) -> Decimal:
        return sum(self.buckets, ZERO)


# The aged reports' queries are built once with these parameters and run with `_dates(as_at)`:
# building SQLAlchemy expressions costs more per request than the database's work on them.
AS_AT = bindparam("as_at", type_=Date())
BOUNDS = [AS_AT, *(bindparam(f"days_{days}", type_=Date()) for days in (30, 60, 90))]


def _dates(as_at: date) -> dict[str, date]:
    """Values of the aged reports' parameters as at `as_at`."""
    return {"as_at": as_at, **{f"days_{days}": as_at - timedelta(days=days) for days in (30, 60, 90)}}


def _bucket_sums(due, cents) -> list:
    """SUM(cents) per bucket of `due` as at AS_AT, as five SQL expressions."""
    bounds = BOUNDS
    sums = [
        func.coalesce(func.sum(case((due >= bounds[0], cents), else_=0)), 0),
        func.coalesce(func.sum(case((and_(due < bounds[0], due >= bounds[1]), cents), else_=0)), 0),
        func.coalesce(func.sum(case((and_(due < bounds[1], due >= bounds[2]), cents), else_=0)), 0),
        func.coalesce(func.sum(case((and_(due < bounds[2], due >= bounds[3]), cents), else_=0)), 0),
        func.coalesce(func.sum(case((due < bounds[3], cents), else_=0)), 0),
    ]
    return [total.label(f"bucket_{bucket}") for bucket, total in enumerate(sums)]


def _reversed_on_or_before(journal_id_column, as_at: date):
    """True when the journal was reversed by a journal dated on or before `as_at`."""
    reversal = aliased(Journal)
    return select(reversal.id).where(reversal.reverses_id == journal_id_column,
                                     reversal.date <= as_at).exists()


# Receivables ------------------------------------------------------------------------------


def _replayed_bills(as_at: date):
    """(bill_id, party, due, owed cents) of the bills with an event after `as_at`, from their
    events up to `as_at`: a posting adds the bill's total and an undo adds back what it undoes; a
    payment, credit, write-off, revert or void takes its amount off. A bill dated after `as_at`
    has no event by then (each event is dated on or after its bill), so it is not read at all."""
    later = select(BillEvent.bill_id).where(BillEvent.date > as_at)
    due = func.coalesce(Bill.due_date, Bill.date)
    amount = _cents(BillEvent.amount)
    owed = func.sum(case((BillEvent.kind.in_(ADDS_TO_OWED), amount), else_=-amount))
    return (select(Bill.id.label("bill_id"), Bill.client_id.label("party"), due.label("due"),
                   owed.label("cents"))
            .join(BillEvent, BillEvent.bill_id == Bill.id)
            .where(BillEvent.date <= as_at, Bill.date <= as_at, Bill.id.in_(later))
            .group_by(Bill.id, Bill.client_id, due).having(owed != 0))


def _bills_owed(as_at: date, client_id: int | None = None):
    """(bill_id, party, due, owed cents) of every bill owing something as at `as_at`.

    A bill with no event after `as_at` owes then what it owes now (`total - applied` while posted),
    which its row answers without reading its events. Only the few bills with an event after
    `as_at` are replayed from their events up to that date: a posting adds the bill's total and
    an undo adds back what it undoes; a payment, credit, write-off, revert or void takes its
    amount off (events are dated as their journals are). So as at today the report reads the open
    bills, not every event of every bill ever posted.
    """
    later = select(BillEvent.bill_id).where(BillEvent.date > as_at)
    due = func.coalesce(Bill.due_date, Bill.date)
    # Written as ix_bill_open's condition (a literal 0), so that index can answer it.
    owing = _cents(Bill.total) - _cents(Bill.applied)
    unchanged = select(Bill.id.label("bill_id"), Bill.client_id.label("party"), due.label("due"),
                       owing.label("owed")).where(
        owing > literal_column("0"), Bill.status == BillStatus.POSTED, Bill.id.not_in(later))
    replayed = _replayed_bills(as_at)
    if client_id is not None:
        unchanged = unchanged.where(Bill.client_id == client_id)
        replayed = replayed.where(Bill.client_id == client_id)
    return union_all(unchanged, replayed).subquery("owed")


def _credit_unused(as_at: date, client_id: int | None = None):
    """(credit_note_id, party, on, unused cents) of every credit note as at `as_at`: its total less
    what was applied to bills (net of undos) and refunded (net of refunds undone) by then."""
    applied = _cents(BillEvent.amount)
    net = func.sum(case((BillEvent.kind == EventKind.CREDIT, applied), else_=-applied))
    used = (select(BillEvent.credit_note_id.label("id"), net.label("cents"))
            .where(BillEvent.credit_note_id.is_not(None), BillEvent.date <= as_at,
                   BillEvent.kind.in_([EventKind.CREDIT, *ADDS_TO_OWED]))
            .group_by(BillEvent.credit_note_id).subquery("used"))
    refunded = (select(CreditRefund.credit_note_id.label("id"),
                       func.sum(_cents(CreditRefund.amount)).label("cents"))
                .where(CreditRefund.date <= as_at, ~_reversed_on_or_before(CreditRefund.journal_id, as_at))
                .group_by(CreditRefund.credit_note_id).subquery("refunded"))
    unused = (_cents(CreditNote.total) - func.coalesce(used.c.cents, 0)
              - func.coalesce(refunded.c.cents, 0)).label("unused")
    statement = (select(CreditNote.id.label("credit_note_id"), CreditNote.client_id.label("party"),
                        CreditNote.date.label("due"), unused)
                 .outerjoin(used, used.c.id == CreditNote.id)
                 .outerjoin(refunded, refunded.c.id == CreditNote.id)
                 .where(CreditNote.date <= as_at, ~_reversed_on_or_before(CreditNote.journal_id, as_at)))
    if client_id is not None:
        statement = statement.where(CreditNote.client_id == client_id)
    return statement.subquery("unused")


def _grouped(items) -> Select:
    """Per party: the bucket sums of `items`' (party, due, cents) rows, as integers (PostgreSQL's
    SUM of integers is numeric, slower to add up again)."""
    sums = _bucket_sums(items.c.due, items.c.cents)
    return select(items.c.party, *(cast(total, BigInteger) for total in sums)).group_by(items.c.party)


@cache
def _receivable_parts(as_at=AS_AT, parties=None) -> tuple:
    """Queries of (party, five bucket sums) whose rows add up to aged receivables (of the clients
    in `parties`, a list parameter, when given).

    Bills unchanged since `as_at` are summed straight from their rows, grouped by client, in the
    order of the index of open bills, ix_bill_open, which answers them alone (its condition is this
    query's `owing > 0`); bills changed since, replayed from their events, and credit notes' unused
    credit (negative) are few, summed together. `_summary` adds the parts up per client.
    """
    later = select(BillEvent.bill_id).where(BillEvent.date > as_at)
    owing = _cents(Bill.total) - _cents(Bill.applied)
    unchanged = (select(Bill.client_id.label("party"), func.coalesce(Bill.due_date, Bill.date).label("due"),
                        owing.label("cents"))
                 .where(owing > literal_column("0"), Bill.status == BillStatus.POSTED, Bill.id.not_in(later)))
    replayed = _replayed_bills(as_at)
    unused = _credit_unused(as_at)
    notes = select(unused.c.party, unused.c.due, -unused.c.unused).where(unused.c.unused != 0)
    if parties is not None:
        unchanged = unchanged.where(Bill.client_id.in_(parties))
        replayed = replayed.where(Bill.client_id.in_(parties))
        notes = notes.where(unused.c.party.in_(parties))
    unchanged, replayed = unchanged.subquery("unchanged"), replayed.subquery("replayed")
    changed = union_all(select(replayed.c.party, replayed.c.due, replayed.c.cents), notes).subquery("changed")
    return (_grouped(unchanged), _grouped(changed))


def ledger_balance(session: Session, which: str, as_at: date) -> Decimal:
    """Accounts Receivable ("receivables") or Accounts Payable ("payables") as at `as_at`, in the
    sign of what is owed: what the aged report of the same date must total."""
    if which == "receivables":
        return _ledger(session, AccountRole.ACCOUNTS_RECEIVABLE, as_at, 1)
    return _ledger(session, AccountRole.ACCOUNTS_PAYABLE, as_at, -1)


def _ledger(session: Session, role: AccountRole, as_at: date, sign: int) -> Decimal:
    """The control account's balance as at `as_at` (from the covering index of journal lines)."""
    account = account_for_role(session, role)
    cents = session.scalar(select(func.coalesce(func.sum(_cents(JournalLine.amount)), 0))
                           .where(JournalLine.account_id == account.id, JournalLine.date <= as_at))
    return _signed(sign, from_cents(cents))


@cache
def _summary(parts: tuple, party_model):
    """One query: (party id, name, five bucket sums) of the parties with something in a bucket,
    the `parts`' (party, five bucket sums) rows added up per party, in the database."""
    rows = union_all(*parts).subquery("parts")
    party, *buckets = rows.c
    sums = [func.sum(bucket).label(f"bucket_{number}") for number, bucket in enumerate(buckets)]
    per_party = (select(party.label("party"), *sums).group_by(party)
                 .having(or_(*(total != 0 for total in sums))).subquery("per_party"))
    party, *buckets = per_party.c
    return select(party_model.id, party_model.name, *buckets).join(per_party, party == party_model.id)


def _aged(session: Session, parts: tuple, party_model, as_at: date, role: AccountRole, sign: int,
          with_ledger: bool) -> AgedReport:
    """Add up the parts per party (see `_summary`) and sort the parties by name."""
    rows = [AgedRow(party_id, name, tuple(sums))
            for party_id, name, *sums in session.execute(_summary(parts, party_model), _dates(as_at))]
    # Sorted here, not in SQL, so the order is the same on every database (no collation rules).
    rows.sort(key=_by_name)
    return AgedReport(as_at=as_at, rows=rows,
                      ledger_balance=_ledger(session, role, as_at, sign) if with_ledger else None)


def _by_name(row: "AgedRow") -> tuple[str, int]:
    return row.name, row.party_id


@cache
def _page_query(parts: tuple, party_model, dialect: str):
    """A page of `_summary`'s parties by name (in code point order, as `_by_name` sorts: the "C"
    collation on PostgreSQL, SQLite's own), each row with the whole report's count and totals."""
    summary = _summary(parts, party_model).subquery("summary")
    party, name, *buckets = summary.c
    ordered = _in_code_point_order(name, dialect)
    return (select(party, name, *buckets, func.count().over(), *(func.sum(b).over() for b in buckets))
            .order_by(ordered, party).limit(bindparam("limit")).offset(bindparam("offset")))


def _aged_page(session: Session, parts: tuple, party_model, as_at: date, number: int,
               per_page: int) -> AgedPage:
    number = max(number, 1)
    query = _page_query(parts, party_model, session.get_bind().dialect.name)
    found = session.execute(query, {**_dates(as_at), "limit": per_page,
                                    "offset": (number - 1) * per_page}).all()
    if not found:  # nothing owing, or a page past the end: the totals come from the whole report
        report = _aged(session, parts, party_model, as_at, AccountRole.ACCOUNTS_RECEIVABLE, 1, False)
        return AgedPage(as_at, number, [], report.count, report.totals, report.total)
    width = len(BUCKETS)
    rows = [AgedRow(row[0], row[1], tuple(row[2:2 + width])) for row in found]
    first = found[0]
    totals = tuple(from_cents(cents) for cents in first[3 + width:])
    return AgedPage(as_at, number, rows, first[2 + width], totals, from_cents(sum(first[3 + width:])))


def aged_receivables_page(session: Session, as_at: date, number: int = 1,
                          per_page: int = SUMMARY_PER_PAGE) -> AgedPage:
    """Page `number` of `aged_receivables` (clients by name), with the whole report's totals.

    Read mostly from the bills' running totals (accounting/office/bill_totals.py), not every open bill: a
    client with no bill event after `as_at` and no credit unused then owes exactly what its open
    bills owe now. Only the clients that are not so ("touched": a bill event after `as_at`, or
    unused credit) are worked out from their documents, as the whole report does. When most
    clients are touched (an as-at date long ago) the whole report's single query is quicker.
    """
    bill_totals.refresh(session)
    touched = _touched_clients(session, as_at)
    if touched is None:
        return _aged_page(session, _receivable_parts(), Client, as_at, number, per_page)
    exact = _receivables_of(session, touched, as_at)
    owing_then = [party for party, cents in exact.items() if any(cents)]
    number = max(number, 1)
    found = session.execute(_listed_clients(session.get_bind().dialect.name), {
        "touched": touched, "owing_then": owing_then, "limit": per_page,
        "offset": (number - 1) * per_page}).all()
    now = _open_now(session, [party for party, _ in found if party not in exact], as_at)
    rows = [AgedRow(party, name, exact.get(party) or now[party]) for party, name in found]
    owing_now, *totals = session.execute(_owing_now_query(), {**_dates(as_at), "touched": touched}).one()
    totals = _receivable_totals(session, as_at, totals, touched, exact)
    return AgedPage(as_at, number, rows, owing_now + len(owing_then), tuple(from_cents(c) for c in totals),
                    from_cents(sum(totals)))


def _receivable_totals(session: Session, as_at: date, totals: list[int], touched: list[int],
                       exact: dict[int, tuple[int, ...]]) -> list[int]:
    """Cents per bucket of the whole report: what is owed by due date now (`totals`), less what the
    touched clients' open bills owe now, plus what they owed as at `as_at`."""
    for sign, per_client in ((-1, _open_now(session, touched, as_at)), (1, exact)):
        for cents in per_client.values():
            totals = [total + sign * part for total, part in zip(totals, cents, strict=True)]
    return totals


@cache
def _listed_clients(dialect: str) -> Select:
    """A page of the clients the report lists, by name: those owing now and not touched, and the
    touched ones owing as at the report's date (`owing_then`)."""
    listed = or_(bill_totals.owes_now(Client.id, excluding=bindparam("touched", expanding=True)),
                 Client.id.in_(bindparam("owing_then", expanding=True)))
    return (select(Client.id, Client.name).where(listed)
            .order_by(_in_code_point_order(Client.name, dialect), Client.id)
            .limit(bindparam("limit")).offset(bindparam("offset")))


# Above this many bill events after the as-at date, or clients touched, aged receivables is one
# query over every open bill instead (finding the touched clients would cost more than it saves).
MAX_LATER_EVENTS = 1_000
MAX_TOUCHED_CLIENTS = 200
PARTIES = bindparam("parties", expanding=True)


def _touched_clients(session: Session, as_at: date) -> list[int] | None:
    """Clients whose bills had an event after `as_at`, or who held unused credit then; None when
    there are too many for the totals to help."""
    dates = _dates(as_at)
    if session.scalar(_LATER_EVENTS, {**dates, "cap": MAX_LATER_EVENTS + 1}) > MAX_LATER_EVENTS:
        return None
    touched = session.scalars(_touched_clients_query(), dates).all()
    return None if len(touched) > MAX_TOUCHED_CLIENTS else touched


# How many bill events are dated after AS_AT, counted up to "cap" (a range of ix_bill_event_date).
_LATER_EVENTS = select(func.count()).select_from(
    select(literal_column("1")).where(BillEvent.date > AS_AT).limit(bindparam("cap")).subquery())


@cache
def _touched_clients_query() -> Select:
    later = (select(Bill.client_id).join(BillEvent, BillEvent.bill_id == Bill.id)
             .where(BillEvent.date > AS_AT))
    unused = _credit_unused(AS_AT)
    credit = select(unused.c.party).where(unused.c.unused != 0)
    return union(later, credit)


def _receivables_of(session: Session, parties: list[int], as_at: date) -> dict[int, tuple[int, ...]]:
    """{client: cents per bucket} as at `as_at` of these clients, from their documents."""
    if not parties:
        return {}
    return {party: tuple(cents) for party, _, *cents in session.execute(
        _summary(_receivable_parts_of_parties(), Client), {**_dates(as_at), "parties": parties})}


@cache
def _receivable_parts_of_parties() -> tuple:
    """`_receivable_parts` for the clients in PARTIES only."""
    return _receivable_parts(parties=PARTIES)


def _open_now(session: Session, parties: list[int], as_at: date) -> dict[int, tuple[int, ...]]:
    """{client: cents per bucket as at `as_at`} of what these clients' open bills owe now."""
    if not parties:
        return {}
    return {party: tuple(cents) for party, *cents in session.execute(_open_now_query(), {
        **_dates(as_at), "parties": parties})}


@cache
def _open_now_query() -> Select:
    owing = _cents(Bill.total) - _cents(Bill.applied)
    bills = (select(Bill.client_id.label("party"), func.coalesce(Bill.due_date, Bill.date).label("due"),
                    owing.label("cents"))
             .where(owing > literal_column("0"), Bill.status == BillStatus.POSTED,
                    Bill.client_id.in_(PARTIES))
             .subquery("open_now"))
    return _grouped(bills)


@cache
def _owing_now_query() -> Select:
    """How many clients not touched owe something now, and the cents per bucket as at AS_AT of
    what posted bills owe now, from what is owed per due date (one round trip)."""
    owed = bill_totals.ReceivableDue.__table__
    clients = bill_totals.count_owing_query(excluding=bindparam("touched", expanding=True))
    return select(clients.scalar_subquery(),
                  *(cast(total, BigInteger) for total in _bucket_sums(owed.c.due, _cents(owed.c.owed))))


def _in_code_point_order(column, dialect: str):
    """`column` for ORDER BY in code point order, as `_by_name` sorts (the "C" collation on
    PostgreSQL, SQLite's own)."""
    return column.collate("C") if dialect == "postgresql" else column


def aged_receivables(session: Session, as_at: date, *, with_ledger: bool = True) -> AgedReport:
    """What each client owes as at `as_at`, by how far past due; equal to Accounts Receivable."""
    return _aged(session, _receivable_parts(), Client, as_at, AccountRole.ACCOUNTS_RECEIVABLE, 1,
                 with_ledger)


def _detail(as_at: date, party_id: int, name: str, items: list[AgedItem], page: int,
            per_page: int) -> AgedDetail:
    buckets = [ZERO] * len(BUCKETS)
    for item in items:
        buckets[item.bucket] += item.owed
    start = (max(page, 1) - 1) * per_page
    return AgedDetail(as_at, party_id, name, items[start:start + per_page], len(items), tuple(buckets))


def _item(kind, id_, number, on, due, total, cents, as_at) -> AgedItem:
    return AgedItem(kind, id_, number or "", on, due, total, from_cents(cents), bucket_of(due, as_at),
                    max((as_at - due).days, 0))


PARTY = bindparam("party", type_=Integer())


@cache
def _client_queries() -> tuple[Select, Select]:
    """One client's (`PARTY`'s) bills owing and credit notes unused, built once (see AS_AT)."""
    owed = _bills_owed(AS_AT, PARTY)
    unused = _credit_unused(AS_AT, PARTY)
    bills = select(Bill.id, Bill.number, Bill.date, Bill.due_date, Bill.total, owed.c.owed).join(
        owed, owed.c.bill_id == Bill.id)
    notes = (select(CreditNote.id, CreditNote.number, CreditNote.date, CreditNote.total, unused.c.unused)
             .join(unused, unused.c.credit_note_id == CreditNote.id).where(unused.c.unused != 0))
    return bills, notes


def client_receivables(session: Session, client: Client, as_at: date, *, page: int = 1,
                       per_page: int = DETAIL_PER_PAGE) -> AgedDetail:
    """One client's bills owing and credit unused as at `as_at`, oldest due first, one page."""
    bills, notes = _client_queries()
    values = {**_dates(as_at), "party": client.id}
    items = [_item("bill", id_, number, on, due or on, total, cents, as_at)
             for id_, number, on, due, total, cents in session.execute(bills, values)]
    items += [_item("credit_note", id_, number, on, on, total, -cents, as_at)
              for id_, number, on, total, cents in session.execute(notes, values)]
    items.sort(key=lambda i: (i.due_date, i.number))
    return _detail(as_at, client.id, client.name, items, page, per_page)


# Payables ---------------------------------------------------------------------------------


def _invoices_owed(as_at: date, supplier_id: int | None = None):
    """(invoice_id, owed cents) of every supplier invoice owing something as at `as_at`."""
    paid = (select(func.coalesce(func.sum(_cents(SupplierPayment.amount)), 0))
            .where(SupplierPayment.invoice_id == SupplierInvoice.id, SupplierPayment.date <= as_at,
                   ~_reversed_on_or_before(SupplierPayment.journal_id, as_at))
            .scalar_subquery())
    credited = (select(func.coalesce(func.sum(_cents(SupplierCreditApplication.amount)), 0))
                .where(SupplierCreditApplication.invoice_id == SupplierInvoice.id,
                       SupplierCreditApplication.date <= as_at)
                .scalar_subquery())
    owed = (_cents(SupplierInvoice.total) - paid - credited).label("owed")
    posted = select(Journal.id).where(Journal.id == SupplierInvoice.journal_id,
                                      Journal.date <= as_at).exists()
    statement = select(SupplierInvoice.id.label("invoice_id"), owed).where(
        SupplierInvoice.journal_id.is_not(None), posted,
        ~_reversed_on_or_before(SupplierInvoice.journal_id, as_at))
    if supplier_id is not None:
        statement = statement.where(SupplierInvoice.supplier_id == supplier_id)
    return statement.subquery("owed")


def _supplier_credit_unused(as_at: date, supplier_id: int | None = None):
    applied = (select(func.coalesce(func.sum(_cents(SupplierCreditApplication.amount)), 0))
               .where(SupplierCreditApplication.credit_id == SupplierCredit.id,
                      SupplierCreditApplication.date <= as_at)
               .scalar_subquery())
    unused = (_cents(SupplierCredit.total) - applied).label("unused")
    statement = select(SupplierCredit.id.label("credit_id"), unused).where(
        SupplierCredit.date <= as_at, ~_reversed_on_or_before(SupplierCredit.journal_id, as_at))
    if supplier_id is not None:
        statement = statement.where(SupplierCredit.supplier_id == supplier_id)
    return statement.subquery("unused")


@cache
def _payable_parts(as_at=AS_AT) -> tuple:
    """Queries of (party, five bucket sums) whose rows add up to aged payables (see `_summary`)."""
    owed = _invoices_owed(as_at)
    unused = _supplier_credit_unused(as_at)
    invoices = select(SupplierInvoice.supplier_id.label("party"), SupplierInvoice.due_date.label("due"),
                      owed.c.owed.label("cents")).join(owed, owed.c.invoice_id == SupplierInvoice.id
                                                       ).where(owed.c.owed != 0)
    credits = select(SupplierCredit.supplier_id, SupplierCredit.date, -unused.c.unused).join(
        unused, unused.c.credit_id == SupplierCredit.id).where(unused.c.unused != 0)
    return (_grouped(union_all(invoices, credits).subquery("items")),)


def aged_payables(session: Session, as_at: date, *, with_ledger: bool = True) -> AgedReport:
    """What the practice owes each supplier as at `as_at`, by how far past due; equal to Accounts
    Payable."""
    return _aged(session, _payable_parts(), Supplier, as_at, AccountRole.ACCOUNTS_PAYABLE, -1,
                 with_ledger)


def aged_payables_page(session: Session, as_at: date, number: int = 1,
                       per_page: int = SUMMARY_PER_PAGE) -> AgedPage:
    """Page `number` of `aged_payables` (suppliers by name), with its totals, from one query."""
    return _aged_page(session, _payable_parts(), Supplier, as_at, number, per_page)


def supplier_payables(session: Session, supplier: Supplier, as_at: date, *, page: int = 1,
                      per_page: int = DETAIL_PER_PAGE) -> AgedDetail:
    """One supplier's invoices owing and credit unused as at `as_at`, oldest due first, one page."""
    owed = _invoices_owed(AS_AT, supplier.id)
    unused = _supplier_credit_unused(AS_AT, supplier.id)
    dates = _dates(as_at)
    items = [_item("supplier_invoice", i.id, i.number, i.date, i.due_date, i.total, cents, as_at)
             for i, cents in session.execute(
                 select(SupplierInvoice, owed.c.owed).join(owed, owed.c.invoice_id == SupplierInvoice.id)
                 .where(owed.c.owed != 0), dates)]
    items += [_item("supplier_credit", c.id, c.number, c.date, c.date, c.total, -cents, as_at)
              for c, cents in session.execute(
                  select(SupplierCredit, unused.c.unused)
                  .join(unused, unused.c.credit_id == SupplierCredit.id).where(unused.c.unused != 0), dates)]
    items.sort(key=lambda i: (i.due_date, i.number))
    return _detail(as_at, supplier.id, supplier.name, items, page, per_page)


# ---------------------------------------------------------------- GST summary


class Side(enum.StrEnum):
    SALES = "sales"
    PURCHASES = "purchases"


@dataclass(frozen=True)
class GstDocument:
    """One document's part in the period: amounts signed (a credit note or reversal is negative)."""

    side: Side
    kind: str  # "bill", "credit_note", "bank_transaction", "supplier_invoice", "supplier_credit"
    id: int
    date: date
    what: str  # "Bill", "Bill reversed", "Payment received (40%)", ...
    number: str
    party: str
    total: Decimal  # GST-inclusive
    gst_free: Decimal
    gst: Decimal
    # Receive / spend money to accounts that are no supply (a loan, capital, drawings): in no figure.
    excluded: Decimal = ZERO
    # An undo or reversal of something counted in an earlier period: the adjustment made in this one.
    adjustment: bool = False


@dataclass
class GstSummary:
    start: date
    end: date
    basis: Basis
    documents: list[GstDocument]
    ledger_collected: Decimal  # GST Collected's movement in the period (credits positive)
    ledger_paid: Decimal  # GST Paid's movement in the period (debits positive)
    sales: list[GstDocument] = field(init=False)
    purchases: list[GstDocument] = field(init=False)

    def __post_init__(self):
        self.documents.sort(key=lambda d: (d.date, d.number, d.what))
        self.sales = [d for d in self.documents if d.side == Side.SALES]
        self.purchases = [d for d in self.documents if d.side == Side.PURCHASES]

    @property
    def g1_total_sales(self) -> Decimal:
        return sum((d.total for d in self.sales), ZERO)

    @property
    def gst_free_sales(self) -> Decimal:
        return sum((d.gst_free for d in self.sales), ZERO)

    @property
    def gst_on_sales(self) -> Decimal:  # 1A
        return sum((d.gst for d in self.sales), ZERO)

    @property
    def g11_purchases(self) -> Decimal:
        return sum((d.total for d in self.purchases), ZERO)

    @property
    def gst_free_purchases(self) -> Decimal:
        return sum((d.gst_free for d in self.purchases), ZERO)

    @property
    def gst_on_purchases(self) -> Decimal:  # 1B
        return sum((d.gst for d in self.purchases), ZERO)

    @property
    def net_gst(self) -> Decimal:
        """1A less 1B: positive is payable to the ATO, negative is a refund."""
        return self.gst_on_sales - self.gst_on_purchases

    @property
    def adjustments(self) -> list[GstDocument]:
        """Undos and reversals in the period of what an earlier period counted."""
        return [d for d in self.documents if d.adjustment]

    @property
    def other_collected(self) -> Decimal:
        """Posted to GST Collected in the period by journals that are not documents (accrual)."""
        return self.ledger_collected - self.gst_on_sales if self.basis == Basis.ACCRUAL else ZERO

    @property
    def other_paid(self) -> Decimal:
        return self.ledger_paid - self.gst_on_purchases if self.basis == Basis.ACCRUAL else ZERO


@dataclass(frozen=True)
class _Source:
    """A GST-bearing document as its own journal posted it."""

    side: Side
    kind: str
    id: int
    what: str
    number: str
    party: str
    sign: int  # -1 for documents that take sales or purchases back (credit notes)
    total: Decimal
    gst_free: Decimal
    gst: Decimal
    excluded: Decimal = ZERO


def _gst_free_by(session: Session, line_model, parent_column, ids: set[int], free) -> dict[int, Decimal]:
    if not ids:
        return {}
    return {parent: from_cents(cents) for parent, cents in session.execute(
        select(parent_column, func.sum(_cents(line_model.amount))).where(parent_column.in_(ids), free)
        .group_by(parent_column))}


# Kinds of journal that documents with GST post; reversals are found through `reverses_id`.
DOCUMENT_KINDS = ("bill", "credit_note", "deposit", "withdrawal", "purchase_invoice", "vendor_credit")
CHUNK = 5_000  # ids per IN (...): well under SQLite's limit on bound parameters


def _sources(session: Session, journal_ids: set[int]) -> dict[int, _Source]:
    """The documents posted by `journal_ids`, by journal id (journals of other kinds are absent)."""
    found: dict[int, _Source] = {}
    ordered = sorted(journal_ids)
    for first in range(0, len(ordered), CHUNK):
        found.update(_sources_of(session, ordered[first:first + CHUNK]))
    return found


def _sources_of(session: Session, ids: list[int]) -> dict[int, _Source]:
    from accounting.office.banking import BankTransaction, BankTransactionKind

    found: dict[int, _Source] = {}
    posted = session.execute(
        select(BillEvent.journal_id, BillEvent.amount, Bill).join(Bill, Bill.id == BillEvent.bill_id)
        .where(BillEvent.journal_id.in_(ids), BillEvent.kind == EventKind.POSTED)).all()
    free = _gst_free_by(session, BillLine, BillLine.bill_id, {b.id for _, _, b in posted},
                        BillLine.tax == TaxCode.GST_FREE)
    for journal_id, amount, bill in posted:
        found[journal_id] = _Source(Side.SALES, "bill", bill.id, "Bill", bill.number or "", bill.client.name,
                                    1, amount, free.get(bill.id, ZERO), bill.gst)
    notes = session.scalars(select(CreditNote).where(CreditNote.journal_id.in_(ids))).all()
    free = _gst_free_by(session, CreditNoteLine, CreditNoteLine.credit_note_id, {n.id for n in notes},
                        CreditNoteLine.tax == TaxCode.GST_FREE)
    for n in notes:
        found[n.journal_id] = _Source(Side.SALES, "credit_note", n.id, "Credit note", n.number,
                                      n.client.name, -1, n.total, free.get(n.id, ZERO), n.gst)
    moneys = session.scalars(select(BankTransaction).where(BankTransaction.journal_id.in_(ids))).all()
    free = _gst_free_by_class(session, {t.id for t in moneys})
    for t in moneys:
        deposit = t.kind == BankTransactionKind.DEPOSIT
        supply = AccountClass.REVENUE if deposit else AccountClass.EXPENSE
        by_class = free.get(t.id, {})
        excluded = sum((cents for cls, cents in by_class.items() if cls != supply), ZERO)
        found[t.journal_id] = _Source(Side.SALES if deposit else Side.PURCHASES, "bank_transaction", t.id,
                                      t.kind.label, t.number, t.contact, 1, t.total - excluded,
                                      by_class.get(supply, ZERO), t.gst, excluded)
    invoices = session.scalars(select(SupplierInvoice).where(SupplierInvoice.journal_id.in_(ids))).all()
    free = _gst_free_by(session, SupplierInvoiceLine, SupplierInvoiceLine.invoice_id,
                        {i.id for i in invoices}, SupplierInvoiceLine.gst_free.is_(True))
    for i in invoices:
        found[i.journal_id] = _Source(Side.PURCHASES, "supplier_invoice", i.id, "Supplier invoice",
                                      i.number, i.supplier.name, 1, i.total, free.get(i.id, ZERO), i.gst)
    credits = session.scalars(select(SupplierCredit).where(SupplierCredit.journal_id.in_(ids))).all()
    free = _gst_free_by(session, SupplierCreditLine, SupplierCreditLine.credit_id, {c.id for c in credits},
                        SupplierCreditLine.gst_free.is_(True))
    for c in credits:
        found[c.journal_id] = _Source(Side.PURCHASES, "supplier_credit", c.id, "Supplier credit note",
                                      c.number, c.supplier.name, -1, c.total, free.get(c.id, ZERO), c.gst)
    return found


def _gst_free_by_class(session: Session, ids: set[int]) -> dict[int, dict[AccountClass, Decimal]]:
    """Per bank transaction: its GST-free lines' amounts by the class of the account they are to.

    A GST-free line to an income account is a GST-free sale (G3); one to a liability or equity
    account (a loan, capital put in) or an asset is money that is no sale at all, so G1 leaves it
    out (likewise an expense account for purchases and G11). A line with GST is a taxable supply
    whatever its account, since its GST is in 1A or 1B."""
    from accounting.ledger.accounts import Account
    from accounting.ledger.tax import TaxCode
    from accounting.office.banking import BankTransactionLine

    found: dict[int, dict[AccountClass, Decimal]] = {}
    if not ids:
        return found
    for transaction_id, type_, cents in session.execute(
            select(BankTransactionLine.transaction_id, Account.type,
                   func.sum(_cents(BankTransactionLine.amount)))
            .join(Account, Account.id == BankTransactionLine.account_id)
            .where(BankTransactionLine.transaction_id.in_(ids), BankTransactionLine.tax == TaxCode.GST_FREE)
            .group_by(BankTransactionLine.transaction_id, Account.type)):
        classes = found.setdefault(transaction_id, {})
        classes[type_.account_class] = classes.get(type_.account_class, ZERO) + from_cents(cents)
    return found


def _gst_lines(session: Session, start: date, end: date) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Per journal: its movement of GST Collected (credit positive) and GST Paid (debit positive)."""
    collected = account_for_role(session, AccountRole.GST_COLLECTED).id
    paid = account_for_role(session, AccountRole.GST_PAID).id
    moves: tuple[dict, dict] = ({}, {})
    for journal_id, account_id, cents in session.execute(
            select(JournalLine.journal_id, JournalLine.account_id, func.sum(_cents(JournalLine.amount)))
            .where(JournalLine.account_id.in_([collected, paid]), JournalLine.date >= start,
                   JournalLine.date <= end)
            .group_by(JournalLine.journal_id, JournalLine.account_id)):
        if account_id == collected:
            moves[0][journal_id] = _signed(-1, from_cents(cents))
        else:
            moves[1][journal_id] = from_cents(cents)
    return moves


def _accrual_documents(session: Session, start: date, end: date, ledger) -> list[GstDocument]:
    """Documents posted in the period, and reversals in the period of documents posted any time."""
    original = aliased(Journal)
    in_period = session.execute(
        select(Journal.id, Journal.date, Journal.reverses_id, original.date)
        .outerjoin(original, original.id == Journal.reverses_id).where(
            Journal.date >= start, Journal.date <= end,
            or_(Journal.kind.in_(DOCUMENT_KINDS), Journal.reverses_id.is_not(None)))).all()
    sources = _sources(session, {j.reverses_id or j.id for j in in_period})
    documents = []
    for journal_id, on, reverses_id, original_on in in_period:
        source = sources.get(reverses_id or journal_id)
        if source is None:
            continue
        sign = source.sign * (-1 if reverses_id else 1)
        gst = ledger[0 if source.side == Side.SALES else 1].get(journal_id)
        documents.append(GstDocument(
            source.side, source.kind, source.id, on, source.what + (" reversed" if reverses_id else ""),
            source.number, source.party, _signed(sign, source.total), _signed(sign, source.gst_free),
            # The journal's own GST line is what the ledger holds; the document's figure is the
            # same unless the document was changed and posted again.
            gst if gst is not None else _signed(sign, source.gst), _signed(sign, source.excluded),
            adjustment=reverses_id is not None and original_on < start))
    return documents


def _share(part: Decimal, whole: Decimal, amount: Decimal) -> Decimal:
    """`amount` x part / whole, to the cent: the GST in a part payment."""
    if whole == ZERO:
        return ZERO
    return (amount * part / whole).quantize(CENT, rounding=ROUND_HALF_UP)


def _paid_share(side, kind, id_, on, what, number, party, sign, paid, total, gst_free, gst,
                adjustment=False) -> GstDocument:
    return GstDocument(side, kind, id_, on, what, number, party, _signed(sign, paid),
                       _signed(sign, _share(paid, total, gst_free)), _signed(sign, _share(paid, total, gst)),
                       adjustment=adjustment)


class _Moved(NamedTuple):
    """A payment or refund whose money moved in the period (sign 1), or whose undo is in it (-1)."""

    sign: int
    on: date  # when the money moved, or when it was undone
    adjustment: bool  # an undo of money counted in an earlier period
    row: object  # the payment or refund
    document: object  # what it paid: the bill, credit note or supplier invoice


def _moved(session: Session, query: Select, journal_column, date_column, start: date,
           end: date) -> list[_Moved]:
    """The rows of `query` (payment, document) dated in the period, and those whose journal was
    reversed (undone) in the period, negated and dated on the undo: a later undo never changes the
    period the money was counted in."""
    undo = aliased(Journal)
    made = session.execute(query.where(date_column >= start, date_column <= end)).all()
    undone = session.execute(query.add_columns(undo.date).join(undo, undo.reverses_id == journal_column)
                             .where(undo.date >= start, undo.date <= end)).all()
    return ([_Moved(1, row.date, False, row, document) for row, document in made]
            + [_Moved(-1, on, row.date < start, row, document) for row, document, on in undone])


def _cash_documents(session: Session, start: date, end: date, ledger) -> list[GstDocument]:
    """Money received or paid in the period, each with its proportion of its document's GST, and
    undos in the period of money received or paid before (negated, on the undo's date).

    Bills count by the payments received on them, supplier invoices by the payments made; client
    credit notes by what is refunded. Credit applied to a bill or written off is money never
    received, so it counts nowhere. Receive / spend money is cash already: as on accrual.
    """
    documents = [d for d in _accrual_documents(session, start, end, ledger)
                 if d.kind == "bank_transaction"]
    payments = _moved(session, select(BillEvent, Bill).join(Bill, Bill.id == BillEvent.bill_id)
                      .where(BillEvent.kind == EventKind.PAYMENT), BillEvent.journal_id, BillEvent.date,
                      start, end)
    free = _gst_free_by(session, BillLine, BillLine.bill_id, {m.document.id for m in payments},
                        BillLine.tax == TaxCode.GST_FREE)
    for m in payments:
        bill = m.document
        documents.append(_paid_share(Side.SALES, "bill", bill.id, m.on, _undone("Payment received", m),
                                     bill.number or "", bill.client.name, m.sign, m.row.amount, bill.total,
                                     free.get(bill.id, ZERO), bill.gst, m.adjustment))
    refunds = _moved(session, select(CreditRefund, CreditNote)
                     .join(CreditNote, CreditNote.id == CreditRefund.credit_note_id),
                     CreditRefund.journal_id, CreditRefund.date, start, end)
    free = _gst_free_by(session, CreditNoteLine, CreditNoteLine.credit_note_id,
                        {m.document.id for m in refunds}, CreditNoteLine.tax == TaxCode.GST_FREE)
    for m in refunds:
        note = m.document
        documents.append(_paid_share(Side.SALES, "credit_note", note.id, m.on, _undone("Credit refunded", m),
                                     note.number, note.client.name, -m.sign, m.row.amount, note.total,
                                     free.get(note.id, ZERO), note.gst, m.adjustment))
    paid = _moved(session, select(SupplierPayment, SupplierInvoice)
                  .join(SupplierInvoice, SupplierInvoice.id == SupplierPayment.invoice_id),
                  SupplierPayment.journal_id, SupplierPayment.date, start, end)
    free = _gst_free_by(session, SupplierInvoiceLine, SupplierInvoiceLine.invoice_id,
                        {m.document.id for m in paid}, SupplierInvoiceLine.gst_free.is_(True))
    for m in paid:
        invoice = m.document
        documents.append(_paid_share(Side.PURCHASES, "supplier_invoice", invoice.id, m.on,
                                     _undone("Payment made", m), invoice.number, invoice.supplier.name,
                                     m.sign, m.row.amount, invoice.total, free.get(invoice.id, ZERO),
                                     invoice.gst, m.adjustment))
    return documents


def _undone(what: str, moved: _Moved) -> str:
    return what if moved.sign > 0 else f"{what} undone"


def gst_summary(session: Session, start: date, end: date, basis: Basis | None = None) -> GstSummary:
    """GST on sales and purchases from `start` to `end`, on the practice's basis (or `basis`)."""
    if start is None or end is None:
        raise LedgerError("Enter both dates of the period.", "start" if start is None else "end")
    if start > end:
        raise LedgerError("The period starts after it ends: swap the dates.", "start")
    basis = Basis(basis or get_practice(session).basis)
    collected, paid = _gst_lines(session, start, end)
    documents = (_accrual_documents(session, start, end, (collected, paid)) if basis == Basis.ACCRUAL
                 else _cash_documents(session, start, end, (collected, paid)))
    return GstSummary(start, end, basis, documents, ledger_collected=sum(collected.values(), ZERO),
                      ledger_paid=sum(paid.values(), ZERO))


__all__ = ["BUCKETS", "AgedDetail", "AgedItem", "AgedReport", "AgedRow", "Bucket", "GstDocument",
           "GstSummary", "Side", "aged_payables", "aged_receivables", "bucket_of", "client_receivables",
           "gst_summary", "ledger_balance", "supplier_payables"]
