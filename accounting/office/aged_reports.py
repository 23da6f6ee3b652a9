"""Aged receivables and aged payables: what each client owes the practice, and what the practice
owes each supplier, as at a date, by how far past due.

Invariants these reports keep:

- Aged receivables as at a date are exactly Accounts Receivable in the general ledger as at that
  date: every bill's amount owed is rebuilt from its events dated on or before the date (posting
  +, payment / credit / write-off -, undo +, revert / void -), and the credit still unused on each
  credit note as at the date is shown as a negative amount (the credit note took it off
  Accounts Receivable when it was issued). Later payments, bills and credits change nothing.
- Aged payables as at a date are exactly Accounts Payable (a credit balance, shown positive) as
  at that date, from supplier invoices, their payments and voids, and the supplier credit notes
  not yet applied as at the date.

Everything is summed in SQL over integer cents (one grouped query per report page), so the reports
stay quick over a hundred thousand bills; per-document detail is one party at a time, paged.
"""

import enum
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
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

from accounting.ledger.accounts import AccountRole, account_for_role
from accounting.ledger.journals import Journal, JournalLine
from accounting.lookup import page_number
from accounting.money import ZERO, from_cents
from accounting.office import bill_totals
from accounting.office.bills import Bill, BillEvent, BillStatus, CreditNote, CreditRefund, EventKind
from accounting.office.supplier_documents import (
    SupplierCredit,
    SupplierCreditApplication,
    SupplierInvoice,
    SupplierPayment,
)
from accounting.office.suppliers import Supplier
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


def signed(sign: int, amount: Decimal) -> Decimal:
    """`amount` negated when `sign` is -1, never the "-0.00" a plain negation gives."""
    return amount if sign > 0 else ZERO - amount


def sql_cents(column):
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
    """One client's or supplier's documents owing as at the report's date: one page of them, with
    how many there are and the bucket totals over them all."""

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
    amount = sql_cents(BillEvent.amount)
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
    owing = sql_cents(Bill.total) - sql_cents(Bill.applied)
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
    applied = sql_cents(BillEvent.amount)
    net = func.sum(case((BillEvent.kind == EventKind.CREDIT, applied), else_=-applied))
    used = (select(BillEvent.credit_note_id.label("id"), net.label("cents"))
            .where(BillEvent.credit_note_id.is_not(None), BillEvent.date <= as_at,
                   BillEvent.kind.in_([EventKind.CREDIT, *ADDS_TO_OWED]))
            .group_by(BillEvent.credit_note_id).subquery("used"))
    refunded = (select(CreditRefund.credit_note_id.label("id"),
                       func.sum(sql_cents(CreditRefund.amount)).label("cents"))
                .where(CreditRefund.date <= as_at, ~_reversed_on_or_before(CreditRefund.journal_id, as_at))
                .group_by(CreditRefund.credit_note_id).subquery("refunded"))
    unused = (sql_cents(CreditNote.total) - func.coalesce(used.c.cents, 0)
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
    owing = sql_cents(Bill.total) - sql_cents(Bill.applied)
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
    cents = session.scalar(select(func.coalesce(func.sum(sql_cents(JournalLine.amount)), 0))
                           .where(JournalLine.account_id == account.id, JournalLine.date <= as_at))
    return signed(sign, from_cents(cents))


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
    number = page_number(number)
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
    number = page_number(number)
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
    owing = sql_cents(Bill.total) - sql_cents(Bill.applied)
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
                  *(cast(total, BigInteger) for total in _bucket_sums(owed.c.due, sql_cents(owed.c.owed))))


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
    start = (page_number(page) - 1) * per_page
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
    paid = (select(func.coalesce(func.sum(sql_cents(SupplierPayment.amount)), 0))
            .where(SupplierPayment.invoice_id == SupplierInvoice.id, SupplierPayment.date <= as_at,
                   ~_reversed_on_or_before(SupplierPayment.journal_id, as_at))
            .scalar_subquery())
    credited = (select(func.coalesce(func.sum(sql_cents(SupplierCreditApplication.amount)), 0))
                .where(SupplierCreditApplication.invoice_id == SupplierInvoice.id,
                       SupplierCreditApplication.date <= as_at)
                .scalar_subquery())
    owed = (sql_cents(SupplierInvoice.total) - paid - credited).label("owed")
    posted = select(Journal.id).where(Journal.id == SupplierInvoice.journal_id,
                                      Journal.date <= as_at).exists()
    statement = select(SupplierInvoice.id.label("invoice_id"), owed).where(
        SupplierInvoice.journal_id.is_not(None), posted,
        ~_reversed_on_or_before(SupplierInvoice.journal_id, as_at))
    if supplier_id is not None:
        statement = statement.where(SupplierInvoice.supplier_id == supplier_id)
    return statement.subquery("owed")


def _supplier_credit_unused(as_at: date, supplier_id: int | None = None):
    applied = (select(func.coalesce(func.sum(sql_cents(SupplierCreditApplication.amount)), 0))
               .where(SupplierCreditApplication.credit_id == SupplierCredit.id,
                      SupplierCreditApplication.date <= as_at)
               .scalar_subquery())
    unused = (sql_cents(SupplierCredit.total) - applied).label("unused")
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


__all__ = ["BUCKETS", "AgedDetail", "AgedItem", "AgedPage", "AgedReport", "AgedRow", "Bucket",
           "aged_payables", "aged_payables_page", "aged_receivables", "aged_receivables_page",
           "bucket_of", "client_receivables", "ledger_balance", "signed", "sql_cents",
           "supplier_payables"]
