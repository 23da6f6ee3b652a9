"""Running totals of the bills, kept as bills change, so busy pages need not read every bill.

- `ClientBillTotals`: per client, how many bills are in each display status (draft, awaiting
  payment, part paid, paid, voided) and what the client's posted bills owe. The bills list counts
  from these, and aged receivables finds the clients owing from them.
- `ReceivableDue`: per due date, what posted bills due that day owe. Aged receivables' bucket
  totals come from these few hundred rows instead of every open bill.

Invariant: once a transaction commits, every row equals what the bill rows say (`differences`
checks it; `flask check-ledger` reports any). How it is kept: a flush that writes a bill marks its
client and its due date (before and after the change) stale; before the transaction commits, and
before a report reads the totals (`refresh`), each stale row is locked and then recomputed from
the bills in a statement of its own, in key order.

- Recomputing, rather than adding differences, keeps a rolled-back savepoint harmless.
- Locking first and reading in a later statement means two transactions changing bills of one
  client cannot lose each other's change: on PostgreSQL (READ COMMITTED) the second waits for the
  first's commit and its next statement sees it.
- Locking last, just before commit, and in key order keeps these locks brief and free of deadlock.
"""

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Integer,
    and_,
    case,
    event,
    func,
    inspect,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql import Select

from accounting.base import Base, insert_if_missing
from accounting.money import ZERO, Money, from_cents
from accounting.office.bills import DISPLAY_STATUSES, STATUS_CONDITIONS, Bill, BillStatus


class ClientBillTotals(Base):
    """One client's bills: how many in each display status, and what the posted ones owe."""

    __tablename__ = "client_bill_totals"

    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), primary_key=True, autoincrement=False)
    bills: Mapped[int] = mapped_column(Integer, default=0)
    draft: Mapped[int] = mapped_column(Integer, default=0)
    awaiting_payment: Mapped[int] = mapped_column(Integer, default=0)
    part_paid: Mapped[int] = mapped_column(Integer, default=0)
    paid: Mapped[int] = mapped_column(Integer, default=0)
    voided: Mapped[int] = mapped_column(Integer, default=0)
    open_bills: Mapped[int] = mapped_column(Integer, default=0)  # posted, something owed
    owed: Mapped[Decimal] = mapped_column(Money, default=ZERO)


class ReceivableDue(Base):
    """What the posted bills due on one day (their due date, else their date) owe."""

    __tablename__ = "receivable_due"

    due: Mapped[date] = mapped_column(Date, primary_key=True)
    open_bills: Mapped[int] = mapped_column(Integer, default=0)
    owed: Mapped[Decimal] = mapped_column(Money, default=ZERO)


def _cents(column):
    return type_coerce(column, BigInteger)


_POSTED = Bill.status == BillStatus.POSTED
_OWING = and_(_POSTED, _cents(Bill.total) - _cents(Bill.applied) > 0)
_DUE = func.coalesce(Bill.due_date, Bill.date)


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


_CLIENT_COLUMNS = {
    "bills": func.count(),
    **{status: _count(condition) for status, condition in STATUS_CONDITIONS.items()},
    "open_bills": _count(_OWING),
    "owed": func.coalesce(func.sum(case((_OWING, _cents(Bill.total) - _cents(Bill.applied)), else_=0)), 0),
}
_DUE_COLUMNS = {
    "open_bills": func.count(),
    "owed": func.coalesce(func.sum(_cents(Bill.total) - _cents(Bill.applied)), 0),
}


def _of_due(day):
    """The bills due on `day`, written so the open bills' due-date index answers it."""
    return or_(Bill.due_date == day, and_(Bill.due_date.is_(None), Bill.date == day))


# ---------------------------------------------------------------- keeping them

_STALE = "bill_totals_stale"
_WATCHED = ("client_id", "due_date", "date", "status", "total", "applied")


def _stale(session: Session) -> tuple[set[int], set[date]]:
    return session.info.setdefault(_STALE, (set(), set()))


def _values(bill: Bill, name: str) -> list:
    """The attribute's value now and, when this flush changes it, before (never loading it: no SQL
    may run during a flush; `_load_keys` loaded it before)."""
    state = inspect(bill)
    history = state.attrs[name].history
    return [*history.added, *history.unchanged, *history.deleted] or [state.dict.get(name)]


def _changes_totals(bill: Bill) -> bool:
    attrs = inspect(bill).attrs
    return any(attrs[name].history.has_changes() for name in _WATCHED)


@event.listens_for(Session, "before_flush")
def _load_keys(session: Session, _context, _instances) -> None:
    """Load the client and dates of each bill about to be changed or deleted (an expired one has
    them unloaded), so `_mark_stale` knows them; their old values, when changed, are kept by the
    columns' active history."""
    for bill in (*session.dirty, *session.deleted):
        if isinstance(bill, Bill):
            bill.client_id, bill.due_date, bill.date  # noqa: B018 (loads them)


@event.listens_for(Session, "after_flush")
def _mark_stale(session: Session, _context) -> None:
    """Mark the clients and due dates of every bill this flush wrote (old and new values)."""
    changed = (o for o in session.dirty if isinstance(o, Bill) and _changes_totals(o))
    clients, dues = _stale(session)
    for bill in (*session.new, *session.deleted, *changed):
        if isinstance(bill, Bill):
            clients.update(value for value in _values(bill, "client_id") if value is not None)
            dues.update(due or on for due in _values(bill, "due_date") for on in _values(bill, "date")
                        if (due or on) is not None)


@event.listens_for(Session, "before_commit")
def _refresh_before_commit(session: Session) -> None:
    refresh(session)


@event.listens_for(Session, "after_rollback")
def _forget_stale(session: Session) -> None:
    session.info.pop(_STALE, None)


def refresh(session: Session) -> None:
    """Bring the stale rows up to date from the bills (see the module's docstring)."""
    session.flush()  # no work when nothing is pending
    if not session.info.get(_STALE):
        return
    clients, dues = session.info.pop(_STALE)
    for client_id in sorted(clients):
        _recompute(session, ClientBillTotals, ClientBillTotals.client_id, client_id,
                   Bill.client_id == client_id, _CLIENT_COLUMNS)
    for due in sorted(dues):
        _recompute(session, ReceivableDue, ReceivableDue.due, due, and_(_OWING, _of_due(due)), _DUE_COLUMNS)


def _recompute(session: Session, model, key_column, key, bills_condition, columns: dict) -> None:
    """Lock the row (made first if missing), then set it from the bills in a later statement."""
    insert_if_missing(session, model, {key_column.key: key})
    session.execute(select(key_column).where(key_column == key).with_for_update())
    figures = session.execute(select(*columns.values()).where(bills_condition)).one()
    session.execute(update(model).where(key_column == key).values(**_named(columns, figures)))


def _named(columns: dict, figures) -> dict:
    """{column name: value} of a row of `columns`' figures, the amount owed as Decimal."""
    return {name: (from_cents(value) if name == "owed" else value)
            for name, value in zip(columns, figures, strict=True)}


def rebuild(session: Session) -> None:
    """Every row recomputed from the bills at once (after bills were written around the ORM: a
    migration, a bulk load)."""
    session.flush()
    session.info.pop(_STALE, None)
    session.execute(ClientBillTotals.__table__.delete())
    session.execute(ReceivableDue.__table__.delete())
    session.execute(ClientBillTotals.__table__.insert().from_select(
        ["client_id", *_CLIENT_COLUMNS],
        select(Bill.client_id, *_CLIENT_COLUMNS.values()).group_by(Bill.client_id)))
    session.execute(ReceivableDue.__table__.insert().from_select(
        ["due", *_DUE_COLUMNS], select(_DUE, *_DUE_COLUMNS.values()).where(_OWING).group_by(_DUE)))


def differences(session: Session) -> list[str]:
    """Where the kept totals differ from the bills, as sentences (empty when they agree)."""
    refresh(session)
    clients = ClientBillTotals.__table__
    kept = {row.client_id: {name: getattr(row, name) for name in _CLIENT_COLUMNS}
            for row in session.execute(select(clients)).all()}
    actual = {client_id: _named(_CLIENT_COLUMNS, figures) for client_id, *figures in session.execute(
        select(Bill.client_id, *_CLIENT_COLUMNS.values()).group_by(Bill.client_id))}
    problems = [f"The kept bill totals of client {client_id} differ from its bills."
                for client_id in sorted(kept.keys() | actual.keys())
                if kept.get(client_id, _NONE_FOR_CLIENT) != actual.get(client_id, _NONE_FOR_CLIENT)]
    dues = ReceivableDue.__table__
    kept = {row.due: (row.open_bills, row.owed) for row in session.execute(select(dues)).all()}
    actual = {due: (count, from_cents(cents)) for due, count, cents in session.execute(
        select(_DUE, *_DUE_COLUMNS.values()).where(_OWING).group_by(_DUE))}
    problems += [f"What is kept as owed on bills due {due.isoformat()} differs from the bills."
                 for due in sorted(kept.keys() | actual.keys())
                 if kept.get(due, (0, ZERO)) != actual.get(due, (0, ZERO))]
    return problems


_NONE_FOR_CLIENT = {name: (ZERO if name == "owed" else 0) for name in _CLIENT_COLUMNS}


# ---------------------------------------------------------------- reading them


def bill_count(session: Session, status: str = "") -> int:
    """How many bills there are (in display status `status`, when it is one)."""
    refresh(session)
    column = ClientBillTotals.__table__.c[status if status in DISPLAY_STATUSES else "bills"]
    return session.scalar(select(func.coalesce(func.sum(column), 0)))


def owes_now(client_id, excluding):
    """SQL condition: the client `client_id` (a column) owes something on posted bills now and is
    not one of `excluding` (a list, or an expanding bind parameter)."""
    totals = ClientBillTotals.__table__.c
    return select(totals.client_id).where(totals.client_id == client_id, totals.open_bills > 0,
                                          totals.client_id.not_in(excluding)).exists()


def count_owing_query(excluding) -> Select:
    """How many clients owe something on posted bills now, leaving out `excluding` (a list, or
    an expanding bind parameter)."""
    totals = ClientBillTotals.__table__.c
    return select(func.count()).where(totals.open_bills > 0, totals.client_id.not_in(excluding))
