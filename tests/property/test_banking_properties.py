"""Banking under random sequences of deposits, withdrawals, transfers and their reversals (hypothesis).

Whatever is recorded and reversed, in whatever order: the trial balance sums to zero; each bank
account's book balance is what the live (unreversed) documents say; GST collected and GST paid hold
exactly the GST of the live deposits and withdrawals; each document's total is its lines plus GST,
and its journal moves the bank by exactly that total. Reconciling every statement line matched to
its book entry always balances and leaves no unpresented item.
"""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from accounting.ledger.accounts import Account, AccountType
from accounting.ledger.journals import JournalLine
from accounting.ledger.tax import TaxCode, gst_on
from accounting.money import ZERO
from accounting.office.bank_reconciliation import (
    StatementLine,
    match,
    reconciliation_report,
    save_reconciliation,
)
from accounting.office.bank_transactions import (
    BankStatus,
    BankTransaction,
    BankTransfer,
    MoneyLine,
    book_balances,
    record_bank_transaction,
    reverse_bank_transaction,
    transfer,
)

START = date(2026, 7, 1)
INCOME, EXPENSES = ["4-1000", "4-3000", "3-1000"], ["6-2000", "6-2600", "5-1000"]

amounts = st.integers(min_value=1, max_value=2_000_000).map(lambda c: Decimal(c) / 100)
money_lines = st.lists(st.tuples(st.integers(0, 2), amounts, st.sampled_from(list(TaxCode))),
                       min_size=1, max_size=4)
operations = st.lists(st.one_of(
    st.tuples(st.just("deposit"), money_lines, st.integers(0, 1), st.integers(0, 20)),
    st.tuples(st.just("withdrawal"), money_lines, st.integers(0, 1), st.integers(0, 20)),
    st.tuples(st.just("transfer"), amounts, st.integers(0, 1), st.integers(0, 20)),
    st.tuples(st.just("reverse"), st.integers(0, 50), st.integers(0, 1), st.integers(0, 20)),
), min_size=1, max_size=10)

PROPERTY_SETTINGS = settings(max_examples=20, deadline=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture])


def _apply(session, user, banks, codes, operation):
    kind, payload, which, day = operation
    when = START + timedelta(days=day)
    if kind in ("deposit", "withdrawal"):
        pool = INCOME if kind == "deposit" else EXPENSES
        record_bank_transaction(session, user, kind=kind, bank_account_id=banks[which], date=when,
                                lines=[MoneyLine(codes[pool[i]], amount, tax) for i, amount, tax in payload])
    elif kind == "transfer":
        transfer(session, user, from_account_id=banks[which], to_account_id=banks[1 - which], date=when,
                 amount=payload)
    else:
        live = [*session.scalars(select(BankTransaction).where(BankTransaction.status == BankStatus.POSTED)
                                 .order_by(BankTransaction.id)),
                *session.scalars(select(BankTransfer).where(BankTransfer.status == BankStatus.POSTED)
                                 .order_by(BankTransfer.id))]
        if live:
            target = live[payload % len(live)]
            reverse_bank_transaction(session, user, target, date=target.date, reason="Random")


@PROPERTY_SETTINGS
@given(ops=operations)
def test_any_sequence_keeps_the_books_balanced_and_every_balance_explained(books, db_session, ops):
    savings = Account(code="1-1050", name="Office Savings", type=AccountType.BANK, is_bank=True)
    db_session.add(savings)
    db_session.flush()
    codes = {code: books.account(code).id for code in INCOME + EXPENSES + ["2-1100", "2-1200"]}
    banks = [books.account("1-1000").id, savings.id]
    rate = Decimal("10.00")
    try:
        for operation in ops:
            _apply(db_session, books.admin, banks, codes, operation)
            assert (db_session.scalar(select(func.sum(JournalLine.amount))) or ZERO) == ZERO

        expected = dict.fromkeys(banks, ZERO)
        collected = paid = ZERO
        for txn in db_session.scalars(select(BankTransaction)):
            assert txn.gst == sum((gst_on(x.amount, rate) for x in txn.lines if x.tax is TaxCode.GST), ZERO)
            assert txn.total == sum((x.amount for x in txn.lines), ZERO) + txn.gst
            sign = 1 if txn.kind == "deposit" else -1
            bank_line = next(x for x in txn.journal.lines if x.account_id == txn.bank_account_id)
            assert bank_line.amount == sign * txn.total
            if txn.status == BankStatus.POSTED:
                expected[txn.bank_account_id] += sign * txn.total
                collected += txn.gst if sign == 1 else ZERO
                paid += txn.gst if sign == -1 else ZERO
        for moved in db_session.scalars(select(BankTransfer).where(BankTransfer.status == BankStatus.POSTED)):
            expected[moved.to_account_id] += moved.amount
            expected[moved.from_account_id] -= moved.amount
        assert book_balances(db_session, banks) == expected
        gst = book_balances(db_session, [codes["2-1100"], codes["2-1200"]])
        assert gst == {codes["2-1100"]: -collected, codes["2-1200"]: paid}

        # A statement showing every book entry of the office bank, each matched, always reconciles.
        office = db_session.get(Account, banks[0])
        entries = db_session.scalars(select(JournalLine).where(JournalLine.account_id == office.id)).all()
        if entries:
            for entry in entries:
                line = StatementLine(bank_account_id=office.id, date=entry.date, amount=entry.amount)
                db_session.add(line)
                db_session.flush()
                match(db_session, books.admin, office, line.id, entry.id)
            done = save_reconciliation(db_session, books.admin, office,
                                       statement_date=START + timedelta(days=30),
                                       closing_balance=expected[office.id])
            report = reconciliation_report(db_session, done)
            assert report.unpresented == [] and report.difference == ZERO
    finally:
        db_session.rollback()
