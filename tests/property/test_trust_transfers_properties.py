"""Trust transfers under random sequences (hypothesis) of receipts, bills, transfers to office (one
bill or a batch), reversals of transfers, interest to matters, the practice or the statutory body,
and statutory deposits and withdrawals, including attempts the books must refuse.

Whatever happens: a refusal changes nothing; no matter's trust ledger is ever below zero; the three
records (matters, cash book plus statutory deposit, liability) agree; the statutory deposit is
never negative; every bill's applied amount is its live payments and never more than its total
(owed == total - applied); what trust paid to office for a bill equals that bill's payments from
trust; and the general ledger sums to zero.
"""

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from accounting.errors import LedgerError
from accounting.ledger.accounts import Account
from accounting.ledger.journals import JournalLine
from accounting.ledger.tax import TaxCode
from accounting.money import ZERO
from accounting.office import bills
from accounting.office.billing import approve_bill, create_bill
from accounting.office.bills import Bill, BillEvent, BillLineInput, EventKind
from accounting.parties.clients import ClientDetails, open_matter, save_client
from accounting.trust.accounts import ensure_default_trust_account
from accounting.trust.interest import InterestShare, record_interest
from accounting.trust.ledger import (
    TrustKind,
    TrustStatus,
    TrustTransaction,
    matter_balances,
    statutory_deposit_balance,
    trust_position,
)
from accounting.trust.posting import record_receipt
from accounting.trust.statutory import lodge_statutory_deposit, withdraw_statutory_deposit
from accounting.trust.transfers import TransferLine, reverse_trust_transfer, transfer_to_office

JULY = date(2026, 7, 1)
MATTERS = 3

amounts = st.integers(min_value=0, max_value=200_000).map(lambda c: Decimal(c) / 100)
matter = st.integers(0, MATTERS - 1)
pick = st.integers(0, 30)
operations = st.lists(st.one_of(
    st.tuples(st.just("receipt"), matter, amounts),
    st.tuples(st.just("receipt"), matter, amounts),
    st.tuples(st.just("bill"), matter, amounts),
    st.tuples(st.just("bill"), matter, amounts),
    st.tuples(st.just("transfer"), pick, amounts),
    st.tuples(st.just("batch"), st.tuples(pick, pick), st.tuples(amounts, amounts)),
    st.tuples(st.just("reverse"), pick, st.just(ZERO)),
    st.tuples(st.just("interest"), st.sampled_from(["matters", "practice", "statutory"]), amounts),
    st.tuples(st.just("deposit"), st.booleans(), amounts),
), min_size=3, max_size=14)


def _nth(session, model, n, *where):
    rows = session.scalars(select(model).where(*where).order_by(model.id)).all()
    return rows[n % len(rows)] if rows else None


def _attempt(session, user, account, matters, operation):
    kind, a, amount = operation
    if kind == "receipt":
        record_receipt(session, user, trust_account_id=account.id, matter_id=matters[a].id, date=JULY,
                       amount=amount, payer="Payer", method="eft")
    elif kind == "bill":
        line = BillLineInput("Work", Decimal("1"), max(amount, Decimal("0.01")), _fees(session), TaxCode.GST)
        bill = create_bill(session, user, matter_id=matters[a].id, date=JULY, lines=[line])
        approve_bill(session, user, bill)
    elif kind in ("transfer", "batch"):
        picks, values = ((a,), (amount,)) if kind == "transfer" else (a, amount)
        bills = [_nth(session, Bill, n) for n in picks]
        if None in bills:
            return
        transfer_to_office(session, user, trust_account_id=account.id, date=JULY, authority="Signed",
                           lines=[TransferLine(b.id, v, f"rows-{i}-amount")
                                  for i, (b, v) in enumerate(zip(bills, values, strict=True))])
    elif kind == "reverse":
        done = _nth(session, TrustTransaction, a, TrustTransaction.kind.in_(
            [TrustKind.TRANSFER_TO_OFFICE, TrustKind.INTEREST, TrustKind.STATUTORY_DEPOSIT]))
        if done is not None:
            reverse_trust_transfer(session, user, done.id, date=JULY, reason="Random")
    elif kind == "interest":
        half = (amount / 2).quantize(Decimal("0.01"))
        record_interest(session, user, trust_account_id=account.id, date=JULY, amount=amount, destination=a,
                        shares=[InterestShare(matters[0].id, half, "s0"),
                                InterestShare(matters[1].id, amount - half, "s1")])
    else:
        move = lodge_statutory_deposit if a else withdraw_statutory_deposit
        move(session, user, trust_account_id=account.id, date=JULY, amount=amount)


def _fees(session):
    return session.scalar(select(Account.id).where(Account.code == "4-1000"))


def _check(session, account):
    balances = matter_balances(session, account)
    assert all(value >= ZERO for value in balances.values()), balances
    assert trust_position(session, account).agrees, trust_position(session, account)
    assert statutory_deposit_balance(session, account) >= ZERO
    assert (session.scalar(select(func.sum(JournalLine.amount))) or ZERO) == ZERO
    for bill in session.scalars(select(Bill).where(Bill.status == bills.BillStatus.POSTED)):
        live = sum((e.amount for e in bill.events if e.kind == EventKind.PAYMENT and e.undone_by is None),
                   ZERO)
        assert bill.applied == live and ZERO <= bill.applied <= bill.total
        assert bill.owed == bill.total - bill.applied
        from_trust = sum((t.amount for t in session.scalars(select(TrustTransaction).where(
            TrustTransaction.bill_id == bill.id, TrustTransaction.kind == TrustKind.TRANSFER_TO_OFFICE,
            TrustTransaction.status == TrustStatus.POSTED))), ZERO)
        assert from_trust == live


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_transfers_interest_and_deposits_keep_trust_and_bills_in_balance(books, db_session, ops):
    session = db_session
    try:
        account = ensure_default_trust_account(session)
        matters = []
        for n in range(MATTERS):
            client = save_client(session, books.admin, ClientDetails(kind="individual", name=f"Client {n}"))
            matters.append(open_matter(session, books.admin, client, description=f"Matter {n}",
                                       responsible_id=None, opened_on=JULY))
        for operation in ops:
            before = (session.scalar(select(func.count()).select_from(JournalLine)),
                      session.scalar(select(func.count()).select_from(BillEvent)))
            try:
                with session.begin_nested():
                    _attempt(session, books.admin, account, matters, operation)
            except LedgerError:
                event(f"{operation[0]} refused")
                session.expire_all()
                assert (session.scalar(select(func.count()).select_from(JournalLine)),
                        session.scalar(select(func.count()).select_from(BillEvent))) == before
            else:
                event(f"{operation[0]} done")
            session.expire_all()
            _check(session, account)
    finally:
        session.rollback()
