"""Trust reports under random sequences of receipts, payments, journals and reversals (hypothesis).

Whatever happens, in whatever order: at any date the trust trial balance's total equals the cash
book (trust bank account) and the Trust Liability; the cash book report's closing balance is the
bank account's balance; and a bank statement holding exactly the presented items (each cleared on
its day or a few days later, some after the month end) always reconciles at the month end, with the
rest listed as unpresented, and can be signed off.
"""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounting.errors import LedgerError
from accounting.money import ZERO
from accounting.parties.clients import ClientDetails, open_matter, save_client
from accounting.trust.accounts import ensure_default_trust_account
from accounting.trust.ledger import TrustStatus, TrustTransaction, matter_balance
from accounting.trust.posting import (
    record_payment,
    record_receipt,
    record_trust_journal,
    reverse_trust_transaction,
)
from accounting.trust.reconciliation import match_line, save_statement, sign_off, three_way
from accounting.trust.reports import cash_book, cash_book_items, trust_trial_balance

START = date(2026, 7, 1)
MONTH_END = date(2026, 7, 31)
STATEMENT_END = date(2026, 8, 15)

amounts = st.integers(min_value=1, max_value=500_000).map(lambda c: Decimal(c) / 100)
operations = st.lists(st.one_of(
    st.tuples(st.just("receipt"), st.integers(0, 2), amounts, st.integers(0, 40)),
    st.tuples(st.just("payment"), st.integers(0, 2), amounts, st.integers(0, 40)),
    st.tuples(st.just("journal"), st.integers(0, 2), amounts, st.integers(0, 40)),
    st.tuples(st.just("reverse"), st.integers(0, 50), amounts, st.integers(0, 40)),
), min_size=1, max_size=12)
presented = st.lists(st.tuples(st.booleans(), st.integers(0, 6)), min_size=60, max_size=60)

PROPERTY_SETTINGS = settings(max_examples=15, deadline=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture])


def _apply(session, account, matters, operation):
    kind, which, amount, day = operation
    when = START + timedelta(days=day)
    matter = matters[which % 3]
    if kind == "receipt":
        record_receipt(session, None, trust_account_id=account.id, matter_id=matter.id, date=when,
                       amount=amount, payer="Payer", method="eft")
        return
    available = matter_balance(session, account, matter.id)
    if kind in ("payment", "journal") and available > ZERO:
        amount = min(amount, available)
        if kind == "payment":
            _unless_refused(session, lambda: record_payment(
                session, None, trust_account_id=account.id, matter_id=matter.id, date=when,
                amount=amount, payee="Payee", method="eft", authority="Signed",
                description="Disbursement"))
        else:
            _unless_refused(session, lambda: record_trust_journal(
                session, None, trust_account_id=account.id, from_matter_id=matter.id,
                to_matter_id=matters[(which + 1) % 3].id, date=when, amount=amount,
                authority="Signed", description="Move"))
    elif kind == "reverse":
        live = session.query(TrustTransaction).filter(
            TrustTransaction.status == TrustStatus.POSTED, TrustTransaction.reverses_id.is_(None)).order_by(
            TrustTransaction.id).all()
        if live:
            target = live[which % len(live)]
            _unless_refused(session, lambda: reverse_trust_transaction(
                session, None, target.id, date=max(target.date, when), reason="Random"))


def _unless_refused(session, action) -> None:
    """Do `action`, or nothing when the books refuse it: money out dated before the receipt that
    funds it, or reversing money already spent, would overdraw a day and is refused."""
    savepoint = session.begin_nested()
    try:
        action()
        savepoint.commit()
    except LedgerError:
        savepoint.rollback()


@PROPERTY_SETTINGS
@given(ops=operations, clearing=presented)
def test_the_three_records_agree_and_an_exact_statement_always_reconciles(books, db_session, ops, clearing):
    session = db_session
    try:
        account = ensure_default_trust_account(session)
        client = save_client(session, None, ClientDetails(kind="company", name="Acme Pty Ltd"))
        matters = [open_matter(session, None, client, description=f"Matter {n}", responsible_id=None,
                               opened_on=START) for n in range(3)]
        for operation in ops:
            _apply(session, account, matters, operation)
            for n in range(3):
                assert matter_balance(session, account, matters[n].id) >= ZERO

        for day in (START, MONTH_END, STATEMENT_END, STATEMENT_END + timedelta(days=30)):
            tb = trust_trial_balance(session, account, day)
            assert tb.total == tb.cash_book == tb.position.liability, day
            assert all(r.balance != ZERO for r in tb.rows)
        book = cash_book(session, account, START, STATEMENT_END + timedelta(days=30))
        assert book.opening == ZERO
        assert book.closing == trust_trial_balance(session, account, STATEMENT_END + timedelta(days=30)).total

        items = cash_book_items(session, account)
        lines = []
        for item, (clears, lag) in zip(items, clearing, strict=False):
            cleared = min(item.date + timedelta(days=lag), STATEMENT_END)
            if clears:
                lines.append((cleared, item))
        lines.sort(key=lambda pair: (pair[0], pair[1].transaction.id))
        if not lines:
            return
        typed = "\n".join(f"{day.isoformat()}, {item.transaction.number}, {item.amount:.2f}"
                          for day, item in lines)
        total = sum((item.amount for _, item in lines), ZERO)
        statement = save_statement(session, None, trust_account_id=account.id, opening="0.00",
                                   closing=f"{total:.2f}", typed=typed, start=START, end=STATEMENT_END)
        for statement_line, (_, item) in zip(statement.lines, lines, strict=True):
            match_line(session, None, account, statement_line.id, item.transaction.id)

        figures = three_way(session, account, MONTH_END)
        assert figures.adjusted_bank_balance == figures.cash_book == figures.client_ledgers
        assert figures.agrees and figures.unexplained == []
        on_statement = {item.transaction.id for day, item in lines if day <= MONTH_END}
        assert {i.transaction.id for i in figures.unpresented} == {
            i.transaction.id for i in items if i.date <= MONTH_END and i.transaction.id not in on_statement}
        done = sign_off(session, None, account.id, "2026-07", today=date(2026, 9, 1))
        assert done.adjusted_bank_balance == done.cash_book_balance == done.client_ledgers
        assert account.reconciled_to == MONTH_END
    finally:
        session.rollback()
