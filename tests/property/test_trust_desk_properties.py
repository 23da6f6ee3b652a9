"""Trust money under random sequences of receipts, payments, trust journals and reversals (hypothesis),
including attempts the books must refuse (overdraws, journals to the same matter, zero amounts,
reversals of reversals and of money already spent).

Whatever happens: every attempt is refused exactly when a simple model says it must be, a refusal
changes nothing, no matter's trust ledger is ever below zero, each matter holds what the model says,
the three records (matters, cash book, liability) agree, and the general ledger sums to zero.
"""

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from accounting.errors import LedgerError
from accounting.ledger.journals import JournalLine
from accounting.money import ZERO
from accounting.parties.clients import ClientDetails, open_matter, save_client
from accounting.trust.accounts import ensure_default_trust_account
from accounting.trust.ledger import TrustTransaction, matter_balances, trust_position
from accounting.trust.posting import (
    record_payment,
    record_receipt,
    record_trust_journal,
    reverse_trust_transaction,
)

JULY = date(2026, 7, 1)
MATTERS = 3

amounts = st.integers(min_value=0, max_value=50_000).map(lambda c: Decimal(c) / 100)
matter = st.integers(0, MATTERS - 1)
operations = st.lists(st.one_of(
    st.tuples(st.just("receipt"), matter, matter, amounts),
    st.tuples(st.just("payment"), matter, matter, amounts),
    st.tuples(st.just("journal"), matter, matter, amounts),
    st.tuples(st.just("reverse"), st.integers(0, 30), matter, amounts),
), min_size=1, max_size=14)


def _attempt(session, user, account, matters, operation):
    """Make the attempt; return {matter index: change} the model expects, or None for a refusal."""
    kind, a, b, amount = operation
    common = dict(trust_account_id=account.id, date=JULY, amount=amount)
    if kind == "receipt":
        record_receipt(session, user, matter_id=matters[a].id, payer="Payer", method="eft", **common)
        return {a: amount}
    if kind == "payment":
        record_payment(session, user, matter_id=matters[a].id, payee="Payee", method="cheque",
                       authority="Signed", description="Out", **common)
        return {a: -amount}
    if kind == "journal":
        record_trust_journal(session, user, from_matter_id=matters[a].id, to_matter_id=matters[b].id,
                             authority="Email", description="Move", **common)
        return {a: -amount, b: amount}
    done = session.scalars(select(TrustTransaction).order_by(TrustTransaction.id)).all()
    if not done:
        return {}
    original = done[a % len(done)]
    index = {m.id: i for i, m in enumerate(matters)}
    change = {}
    for entry in original.entries:
        change[index[entry.matter_id]] = change.get(index[entry.matter_id], ZERO) - entry.amount
    reverse_trust_transaction(session, user, original.id, date=JULY, reason="Random")
    return change


def _must_refuse(session, operation, model, matters) -> bool:
    kind, a, b, amount = operation
    if kind == "reverse":
        done = session.scalars(select(TrustTransaction).order_by(TrustTransaction.id)).all()
        if not done:
            return False
        original = done[a % len(done)]
        if original.reverses_id is not None or original.reversed_by is not None:
            return True
        index = {m.id: i for i, m in enumerate(matters)}
        change = dict.fromkeys(range(MATTERS), ZERO)
        for entry in original.entries:
            change[index[entry.matter_id]] -= entry.amount
        return any(model[i] + change[i] < ZERO for i in change)
    if amount <= ZERO:
        return True
    if kind == "payment":
        return amount > model[a]
    if kind == "journal":
        return a == b or amount > model[a]
    return False


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_no_ledger_goes_negative_and_the_three_records_always_agree(books, db_session, ops):
    session = db_session
    try:
        account = ensure_default_trust_account(session)
        matters = []
        for n in range(MATTERS):
            client = save_client(session, books.admin, ClientDetails(kind="individual", name=f"Client {n}"))
            matters.append(open_matter(session, books.admin, client, description=f"Matter {n}",
                                       responsible_id=None, opened_on=JULY))
        model = dict.fromkeys(range(MATTERS), ZERO)
        for operation in ops:
            refuse = _must_refuse(session, operation, model, matters)
            try:
                with session.begin_nested():
                    change = _attempt(session, books.admin, account, matters, operation)
            except LedgerError:
                assert refuse, operation
            else:
                assert not refuse, operation
                for i, amount in change.items():
                    model[i] += amount
            session.expire_all()
            balances = matter_balances(session, account)
            assert all(value >= ZERO for value in balances.values())
            assert {i: balances.get(m.id, ZERO) for i, m in enumerate(matters)} == model
            position = trust_position(session, account)
            assert position.agrees and position.matters == sum(model.values(), ZERO)
            assert (session.scalar(select(func.sum(JournalLine.amount))) or ZERO) == ZERO
    finally:
        session.rollback()
