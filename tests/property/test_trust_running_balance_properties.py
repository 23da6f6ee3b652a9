"""The running balance rule under random sequences (hypothesis) of dated receipts, payments,
journals between matters, transfers to office and reversals, in any order of dates.

Whatever is attempted: no matter's trust ledger ends any day below zero (recomputed here from the
entries, day by day), check-ledger agrees (it reports nothing), and a refusal writes nothing.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from accounting.errors import LedgerError
from accounting.integrity import trust_problems
from accounting.ledger.accounts import Account
from accounting.ledger.tax import TaxCode
from accounting.money import ZERO
from accounting.office.billing import approve_bill, create_bill
from accounting.office.bills import BillLineInput
from accounting.parties.clients import ClientDetails, open_matter, save_client
from accounting.trust.accounts import ensure_default_trust_account
from accounting.trust.ledger import TrustLedgerEntry, TrustTransaction
from accounting.trust.posting import (
    record_payment,
    record_receipt,
    record_trust_journal,
    reverse_trust_transaction,
)
from accounting.trust.transfers import TransferLine, transfer_to_office

JULY = date(2026, 7, 1)
MATTERS = 2

amounts = st.integers(min_value=1, max_value=50_000).map(lambda c: Decimal(c) / 100)
day = st.integers(0, 20)
matter = st.integers(0, MATTERS - 1)
operations = st.lists(st.one_of(
    st.tuples(st.just("receipt"), matter, day, amounts),
    st.tuples(st.just("receipt"), matter, day, amounts),
    st.tuples(st.just("payment"), matter, day, amounts),
    st.tuples(st.just("journal"), matter, day, amounts),
    st.tuples(st.just("transfer"), matter, day, amounts),
    st.tuples(st.just("reverse"), st.integers(0, 20), day, st.just(ZERO)),
), min_size=2, max_size=12)


def _attempt(session, user, account, matters, operation):
    kind, a, offset, amount = operation
    on = JULY + timedelta(days=offset)
    if kind == "receipt":
        record_receipt(session, user, trust_account_id=account.id, matter_id=matters[a].id, date=on,
                       amount=amount, payer="Payer", method="eft")
    elif kind == "payment":
        record_payment(session, user, trust_account_id=account.id, matter_id=matters[a].id, date=on,
                       amount=amount, payee="Payee", method="eft", authority="Signed", description="Out")
    elif kind == "journal":
        record_trust_journal(session, user, trust_account_id=account.id, from_matter_id=matters[a].id,
                             to_matter_id=matters[1 - a].id, date=on, amount=amount, authority="Signed",
                             description="Move")
    elif kind == "transfer":
        fees = session.scalar(select(Account.id).where(Account.code == "4-1000"))
        bill = create_bill(session, user, matter_id=matters[a].id, date=JULY,
                           lines=[BillLineInput("Work", Decimal("1"), amount, fees, TaxCode.GST_FREE)])
        approve_bill(session, user, bill)
        transfer_to_office(session, user, trust_account_id=account.id, date=on, authority="Signed",
                           lines=[TransferLine(bill.id, amount, "rows-0-amount")])
    else:
        done = session.scalars(select(TrustTransaction).where(TrustTransaction.reverses_id.is_(None))
                               .order_by(TrustTransaction.id)).all()
        if done:
            original = done[a % len(done)]
            reverse_trust_transaction(session, user, original.id, reason="Random",
                                      date=max(original.date, on))


def _lowest_day_balances(session) -> dict[int, Decimal]:
    """Each matter's lowest end-of-day balance, recomputed in Python from its entries."""
    by_matter = defaultdict(lambda: defaultdict(Decimal))
    for entry in session.scalars(select(TrustLedgerEntry)):
        by_matter[entry.matter_id][entry.date] += entry.amount
    lowest = {}
    for matter_id, days in by_matter.items():
        running, lowest[matter_id] = ZERO, ZERO
        for when in sorted(days):
            running += days[when]
            lowest[matter_id] = min(lowest[matter_id], running)
    return lowest


def _counts(session):
    return (session.scalar(select(func.count()).select_from(TrustLedgerEntry)),
            session.scalar(select(func.count()).select_from(TrustTransaction)))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_no_matter_ends_any_day_below_zero_and_check_ledger_agrees(books, db_session, ops):
    session = db_session
    try:
        account = ensure_default_trust_account(session)
        matters = []
        for n in range(MATTERS):
            client = save_client(session, books.admin, ClientDetails(kind="individual", name=f"Client {n}"))
            matters.append(open_matter(session, books.admin, client, description=f"Matter {n}",
                                       responsible_id=None, opened_on=JULY))
        for operation in ops:
            before = _counts(session)
            try:
                with session.begin_nested():
                    _attempt(session, books.admin, account, matters, operation)
            except LedgerError:
                event(f"{operation[0]} refused")
                session.expire_all()
                assert _counts(session) == before
            else:
                event(f"{operation[0]} done")
            session.expire_all()
            lowest = _lowest_day_balances(session)
            assert all(value >= ZERO for value in lowest.values()), (operation, lowest)
            assert trust_problems(session) == []
    finally:
        session.rollback()
