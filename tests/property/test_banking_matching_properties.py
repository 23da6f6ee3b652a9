"""Grouped matching and undoing reconciliations under random books (hypothesis).

For any receipts in the books and any statement deposit: matching the deposit to a chosen set of
receipts succeeds exactly when they add up to the deposit, and a refusal changes nothing. Once
matched, saving a reconciliation and undoing it leaves the workspace as it was before the save
(the same matches, nothing reconciled, the same opening balance), and unmatching leaves no trace.
"""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from accounting.errors import LedgerError
from accounting.ledger.tax import TaxCode
from accounting.money import ZERO
from accounting.office.bank_reconciliation import (
    BankMatch,
    MatchedBookLine,
    ReconciledLine,
    StatementLine,
    match,
    reconciliation_state,
    save_reconciliation,
    undo_reconciliation,
    unmatch,
)
from accounting.office.bank_transactions import MoneyLine, record_bank_transaction

START = date(2026, 7, 1)
cents = st.integers(min_value=1, max_value=500_000).map(lambda c: Decimal(c) / 100)
books_and_choice = st.lists(cents, min_size=1, max_size=6).flatmap(
    lambda amounts: st.tuples(st.just(amounts),
                              st.lists(st.booleans(), min_size=len(amounts), max_size=len(amounts)),
                              st.one_of(st.none(), cents)))


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=books_and_choice)
def test_a_deposit_matches_exactly_the_receipts_that_add_up_to_it(books, db_session, case):
    amounts, chosen, other_amount = case
    bank = books.account("1-1000")
    try:
        entries, income = [], books.account("4-1000").id
        for i, amount in enumerate(amounts):
            txn = record_bank_transaction(db_session, books.admin, kind="deposit", bank_account_id=bank.id,
                                          date=START + timedelta(days=i),
                                          lines=[MoneyLine(income, amount, TaxCode.GST_FREE)])
            entries.append(next(x for x in txn.journal.lines if x.account_id == bank.id))
        picked = [e for e, keep in zip(entries, chosen, strict=True) if keep] or entries[:1]
        picked_total = sum((e.amount for e in picked), ZERO)
        deposit_amount = other_amount if other_amount is not None else picked_total
        deposit = StatementLine(bank_account_id=bank.id, date=START + timedelta(days=10),
                                description="DEPOSIT", amount=deposit_amount)
        db_session.add(deposit)
        db_session.flush()
        try:
            match(db_session, books.admin, bank, deposit.id, [e.id for e in picked])
        except LedgerError as refused:
            assert deposit_amount != picked_total
            assert refused.field == "journal_line"
            assert count(db_session, BankMatch) == 0 and count(db_session, MatchedBookLine) == 0
            return
        assert deposit_amount == picked_total
        before = reconciliation_state(db_session, bank)
        done = save_reconciliation(db_session, books.admin, bank, statement_date=START + timedelta(days=31),
                                   closing_balance=picked_total)
        assert count(db_session, ReconciledLine) == len(picked)
        undo_reconciliation(db_session, books.admin, done, reason="property")
        after = reconciliation_state(db_session, bank)
        assert count(db_session, ReconciledLine) == 0
        assert (after.opening, after.matched_total) == (before.opening, before.matched_total)
        assert {j.id for j in deposit.journal_lines} == {e.id for e in picked}
        unmatch(db_session, books.admin, bank, deposit.id)
        assert count(db_session, BankMatch) == 0 and count(db_session, MatchedBookLine) == 0
        assert len(reconciliation_state(db_session, bank).unmatched_book) == len(entries)
    finally:
        db_session.rollback()
