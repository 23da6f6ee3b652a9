"""Ledger invariants under random sequences of postings and reversals (hypothesis).

Whatever balanced journals are posted and reversed, in whatever order: the trial balance sums to
zero, and reversing everything returns every account to zero. Unbalanced input never changes the
ledger.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from accounting.errors import LedgerError, UnbalancedJournal
from accounting.ledger.journals import Journal, JournalLine, JournalStatus, LineInput, post, reverse
from accounting.ledger.reports import account_balances, trial_balance
from accounting.money import ZERO

# General journals may not post to the control accounts (receivables, payables, GST): none here.
CODES = ["1-1000", "1-1200", "2-1300", "2-1400", "3-1000", "4-1000", "6-2000"]
START = date(2026, 7, 1)

cents = st.integers(min_value=-5_000_000, max_value=5_000_000).filter(lambda c: c != 0)


@st.composite
def balanced_lines(draw):
    """2-5 lines over the test accounts whose amounts sum to zero, none of them zero."""
    amounts = draw(st.lists(cents, min_size=1, max_size=4))
    closing = -sum(amounts)
    if closing == 0:
        amounts, closing = amounts + [1], -(sum(amounts) + 1)
    codes = draw(st.lists(st.sampled_from(CODES), min_size=len(amounts) + 1,
                          max_size=len(amounts) + 1))
    return list(zip(codes, [*amounts, closing], strict=True))


operations = st.lists(
    st.one_of(
        st.tuples(st.just("post"), balanced_lines(), st.integers(0, 30)),
        st.tuples(st.just("reverse"), st.integers(0, 50), st.integers(0, 30)),
    ),
    min_size=1, max_size=12,
)

PROPERTY_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _reset_ledger(session):
    session.rollback()
    session.execute(delete(JournalLine))
    session.execute(delete(Journal))
    session.commit()


def _apply(session, user, accounts, operation):
    kind, payload, day = operation
    if kind == "post":
        lines = [LineInput(accounts[code], Decimal(amount) / 100) for code, amount in payload]
        post(session, user, date=START + timedelta(days=day), narration="Random", lines=lines)
        return
    open_journals = session.execute(
        select(Journal).where(Journal.status == JournalStatus.POSTED,
                              Journal.reverses_id.is_(None)).order_by(Journal.id)
    ).scalars().all()
    if open_journals:
        target = open_journals[payload % len(open_journals)]
        reverse(session, user, target, date=target.date + timedelta(days=day), reason="Random")


def _ledger_total(session) -> Decimal:
    return session.execute(select(func.sum(JournalLine.amount))).scalar() or ZERO


@PROPERTY_SETTINGS
@given(ops=operations)
def test_trial_balance_always_sums_to_zero_and_full_reversal_zeroes_every_account(
    books, db_session, ops
):
    _reset_ledger(db_session)
    accounts = {code: books.account(code).id for code in CODES}
    for operation in ops:
        _apply(db_session, books.admin, accounts, operation)
        report = trial_balance(db_session, START + timedelta(days=400))
        assert report.total_debit == report.total_credit
        assert _ledger_total(db_session) == ZERO
    db_session.commit()

    for journal in db_session.execute(select(Journal).order_by(Journal.id)).scalars().all():
        if journal.can_reverse():
            reverse(db_session, books.admin, journal, date=START + timedelta(days=90),
                    reason="Undo all")
    db_session.commit()
    balances = account_balances(db_session, START + timedelta(days=400))
    assert all(balance == ZERO for balance in balances.values())


@PROPERTY_SETTINGS
@given(lines=balanced_lines(), nudge=cents)
def test_an_unbalanced_journal_is_refused_and_changes_nothing(books, db_session, lines, nudge):
    _reset_ledger(db_session)
    accounts = {code: books.account(code).id for code in CODES}
    (code, amount), *rest = lines
    unbalanced = [(code, amount + nudge), *rest]
    if sum(a for _, a in unbalanced) == 0:
        return  # the nudge happened to cancel out; nothing to test in this example
    with pytest.raises(UnbalancedJournal):
        post(db_session, books.admin, date=START, narration="Off", lines=[
            LineInput(accounts[c], Decimal(a) / 100) for c, a in unbalanced
        ])
    db_session.rollback()
    assert db_session.execute(select(func.count()).select_from(Journal)).scalar() == 0


@PROPERTY_SETTINGS
@given(lines=balanced_lines())
def test_a_reversal_is_never_reversed(books, db_session, lines):
    _reset_ledger(db_session)
    accounts = {code: books.account(code).id for code in CODES}
    journal = post(db_session, books.admin, date=START, narration="Once", lines=[
        LineInput(accounts[c], Decimal(a) / 100) for c, a in lines
    ])
    reversal = reverse(db_session, books.admin, journal, date=START, reason="Wrong")
    with pytest.raises(LedgerError):
        reverse(db_session, books.admin, reversal, date=START, reason="Again")
    with pytest.raises(LedgerError):
        reverse(db_session, books.admin, journal, date=START, reason="Twice")
