"""The monthly three-way trust reconciliation: statements, matching, figures and sign-off."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounting.errors import DocumentLocked, LedgerError, PeriodLocked
from accounting.trust.interest import record_interest
from accounting.trust.reconciliation import (
    TrustReconciliation,
    TrustStatement,
    TrustStatementLine,
    match_line,
    match_suggested,
    may_sign_off,
    open_lines,
    save_statement,
    sign_off,
    three_way,
    unmatch_line,
)
from accounting.trust.settings import save_trust_settings
from accounting.trust.statutory import lodge_statutory_deposit
from tests.support import outcomes, run_at_once

JULY = date(2026, 7, 1)
JULY_END = date(2026, 7, 31)
TODAY = date(2026, 9, 15)
D = Decimal


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_a_statement_is_kept_when_its_closing_balance_follows_from_its_lines(trust):
    statement = trust.statement("0.00", "1100.00", "2026-07-02, Deposit Acme, 1500.00\n"
                                                   "2026-07-20, Cheque 101, -400.00")
    assert (statement.start_date, statement.end_date) == (date(2026, 7, 2), date(2026, 7, 20))
    assert [(li.date, li.amount) for li in statement.lines] == [
        (date(2026, 7, 2), D("1500.00")), (date(2026, 7, 20), D("-400.00"))]
    assert statement.source == "Entered by hand"


def test_a_statement_whose_closing_balance_does_not_follow_is_refused_with_the_difference(trust):
    with pytest.raises(LedgerError, match=r"1,100\.00.*1,000\.00.*difference of -100\.00") as refused:
        trust.statement("0.00", "1000.00", "2026-07-02, Deposit, 1500.00\n2026-07-20, Cheque, -400.00")
    assert refused.value.field == "closing_balance"
    trust.s.rollback()
    assert count(trust.s, TrustStatement) == 0 and count(trust.s, TrustStatementLine) == 0


@pytest.mark.parametrize(("opening", "closing", "typed", "field", "message"), [
    ("", "10", "2026-07-02, x, 10", "opening_balance", "opening balance"),
    ("0", "ten", "2026-07-02, x, 10", "closing_balance", "amount"),
    ("0", "10", "", "statement", "type the statement's lines"),
    ("0", "10", "2026-13-02, x, 10", "lines", "Line 1: .* is not a date"),
    ("0", "10", "2026-07-02, x, 10\n2026-07-03, y, abc", "lines", "Line 2: .* not an amount"),
])
def test_a_bad_statement_is_refused_beside_its_field(trust, opening, closing, typed, field, message):
    with pytest.raises(LedgerError, match=message) as refused:
        trust.statement(opening, closing, typed)
    assert refused.value.field == field
    trust.s.rollback()
    assert count(trust.s, TrustStatement) == 0


def test_a_statement_following_another_opens_at_its_closing_balance(trust):
    trust.statement("0", "100", "2026-07-02, Deposit, 100.00", start=JULY, end=JULY_END)
    with pytest.raises(LedgerError, match="closed at 100.00, so this one, from 01 Aug 2026, opens at that "
                                          "balance, not 90.00") as refused:
        trust.statement("90", "100", "2026-08-02, Deposit, 10.00", start=date(2026, 8, 1))
    assert refused.value.field == "opening_balance"
    assert trust.statement("100", "110", "2026-08-02, Deposit, 10.00", start=date(2026, 8, 1)).id


def test_an_imported_csv_statement_uses_the_banking_parser(trust):
    data = b"Date,Description,Amount\n02/07/2026,Deposit,1500.00\n20/07/2026,Cheque,-400.00\n"
    statement = save_statement(trust.s, None, trust_account_id=trust.account.id, opening="0",
                               closing="1100", filename="july.csv", data=data)
    assert statement.source == "july.csv" and len(statement.lines) == 2


def test_an_imported_ofx_statement_is_kept(trust):
    from pathlib import Path

    data = (Path(__file__).parents[2] / "fixtures" / "banking" / "statement.ofx").read_bytes()
    statement = save_statement(trust.s, None, trust_account_id=trust.account.id, opening="0",
                               closing="550.00", filename="july.ofx", data=data, end=JULY_END)
    assert [(li.date, li.amount) for li in statement.lines] == [
        (date(2026, 7, 20), D("1100.00")), (date(2026, 7, 21), D("-550.00"))]
    assert statement.end_date == JULY_END


def test_a_line_outside_the_statements_period_is_refused(trust):
    with pytest.raises(LedgerError, match="within the statement's period") as refused:
        trust.statement("0", "10", "2026-08-02, x, 10", start=JULY, end=JULY_END)
    assert refused.value.field == "end_date"


def test_suggested_matches_pair_same_amount_and_date_and_a_wrong_amount_is_refused(trust):
    receipt = trust.receive("1500.00", on=date(2026, 7, 2))
    payment = trust.pay("400.00", on=date(2026, 7, 20))
    other = trust.receive("99.00", on=date(2026, 7, 30))
    trust.statement("0", "1100", "2026-07-02, Deposit, 1500.00\n2026-07-21, Cheque, -400.00")
    assert match_suggested(trust.s, None, trust.account) == 1  # the cheque cleared a day later
    [cheque] = open_lines(trust.s, trust.account)
    with pytest.raises(LedgerError, match="is 99.00 in the cash book but the statement line is -400.00"):
        match_line(trust.s, None, trust.account, cheque.id, other.id)
    with pytest.raises(LedgerError, match="unmatched cash book item"):  # already matched
        match_line(trust.s, None, trust.account, cheque.id, receipt.id)
    with pytest.raises(LedgerError, match="unmatched cash book item"):
        match_line(trust.s, None, trust.account, cheque.id, receipt.id + 1000)
    match_line(trust.s, None, trust.account, cheque.id, payment.id)
    assert cheque.transaction is payment and open_lines(trust.s, trust.account) == []


def test_the_three_way_figures_with_unpresented_items(trust):
    trust.receive("1500.00", on=date(2026, 7, 2))
    payment = trust.pay("400.00", on=date(2026, 7, 20))
    late = trust.receive("250.00", matter=trust.estate, on=date(2026, 7, 31))
    trust.statement("0", "1500", "2026-07-02, Deposit, 1500.00\n2026-08-01, Other bank line, 0.01\n"
                    "2026-08-01, reverse, -0.01", end=date(2026, 8, 5))
    match_suggested(trust.s, None, trust.account)
    figures = three_way(trust.s, trust.account, JULY_END)
    assert figures.statement_balance == D("1500.00")
    assert [i.transaction for i in figures.deposits] == [late]
    assert [i.transaction for i in figures.withdrawals] == [payment]
    assert figures.adjusted_bank_balance == D("1350.00") == figures.cash_book == figures.client_ledgers
    assert figures.agrees


def test_a_bank_line_missing_from_the_cash_book_is_a_difference_and_blocks_sign_off(trust):
    trust.receive("100.00", on=date(2026, 7, 2))
    trust.statement("0", "90", "2026-07-02, Deposit, 100.00\n2026-07-31, Bank fee, -10.00",
                    end=JULY_END)
    match_suggested(trust.s, None, trust.account)
    figures = three_way(trust.s, trust.account, JULY_END)
    assert figures.bank_difference == D("-10.00") and [li.description for li in figures.unexplained] == [
        "Bank fee"]
    trust.s.commit()
    with pytest.raises(LedgerError, match="do not agree.*-10.00") as refused:
        sign_off(trust.s, trust.books.admin, trust.account.id, "2026-07", today=TODAY)
    assert refused.value.field == "month"
    trust.s.rollback()
    assert count(trust.s, TrustReconciliation) == 0 and trust.account.reconciled_to is None


def test_only_an_admin_signs_off_a_month(trust):
    trust.receive("100.00", on=date(2026, 7, 2))
    trust.statement("0", "100", "2026-07-02, Deposit, 100.00", end=JULY_END)
    match_suggested(trust.s, None, trust.account)
    trust.s.commit()
    assert not may_sign_off(trust.books.staff) and may_sign_off(trust.books.admin)
    with pytest.raises(LedgerError, match="Only an admin") as refused:
        sign_off(trust.s, trust.books.staff, trust.account.id, "2026-07", today=TODAY)
    assert refused.value.field == "month"
    trust.s.rollback()
    assert count(trust.s, TrustReconciliation) == 0 and trust.account.reconciled_to is None
    done = sign_off(trust.s, trust.books.admin, trust.account.id, "2026-07", today=TODAY)
    assert done.signed_off_by_id == trust.books.admin.id and trust.account.reconciled_to == JULY_END


def reconciled_july(trust):
    trust.receive("1500.00", on=date(2026, 7, 2))
    trust.pay("400.00", on=date(2026, 7, 20))
    trust.statement("0", "1500", "2026-07-02, Deposit, 1500.00", end=JULY_END)
    match_suggested(trust.s, None, trust.account)
    return sign_off(trust.s, trust.books.admin, trust.account.id, "2026-07", comment="Checked by AA",
                    today=TODAY)


def test_sign_off_saves_the_figures_and_unpresented_items_and_locks_the_period(trust):
    done = reconciled_july(trust)
    assert (done.statement_balance, done.unpresented_deposits, done.unpresented_withdrawals,
            done.adjusted_bank_balance, done.cash_book_balance, done.client_ledgers) == (
        D("1500.00"), D("0.00"), D("400.00"), D("1100.00"), D("1100.00"), D("1100.00"))
    assert [(i.number, i.amount) for i in done.unpresented] == [("P-000001", D("-400.00"))]
    assert done.signed_off_by is trust.books.admin and done.comment == "Checked by AA"
    assert trust.account.reconciled_to == JULY_END
    with pytest.raises(PeriodLocked, match="reconciled to 31 Jul 2026"):
        trust.receive("5.00", on=date(2026, 7, 31))


def test_months_are_reconciled_in_order_and_once(trust):
    reconciled_july(trust)
    for month, message in [("2026-07", "already reconciled to 31 Jul 2026"),
                           ("2026-06", "already reconciled"),
                           ("2026-09", "reconcile August 2026 before September 2026")]:
        with pytest.raises(LedgerError, match=message):
            sign_off(trust.s, None, trust.account.id, month, today=date(2026, 12, 1))
    with pytest.raises(LedgerError, match="has not ended yet"):
        sign_off(trust.s, None, trust.account.id, "2026-08", today=date(2026, 8, 31))
    with pytest.raises(LedgerError, match="statement covering 31 Aug 2026"):
        sign_off(trust.s, None, trust.account.id, "2026-08", today=TODAY)
    with pytest.raises(LedgerError, match="not a month"):
        sign_off(trust.s, None, trust.account.id, "August", today=TODAY)


def test_a_line_in_a_reconciled_period_cannot_be_unmatched(trust):
    reconciled_july(trust)
    line = trust.s.scalar(select(TrustStatementLine))
    with pytest.raises(DocumentLocked, match="reconciled period"):
        unmatch_line(trust.s, None, trust.account, line.id)
    assert line.transaction_id is not None


def test_a_later_line_can_be_unmatched(trust):
    receipt = trust.receive("10.00", on=date(2026, 8, 3))
    trust.statement("0", "10", "2026-08-03, Deposit, 10.00")
    match_suggested(trust.s, None, trust.account)
    line = unmatch_line(trust.s, None, trust.account, trust.s.scalar(select(TrustStatementLine.id)))
    assert line.transaction_id is None
    with pytest.raises(LedgerError, match="not matched"):
        unmatch_line(trust.s, None, trust.account, line.id)
    match_line(trust.s, None, trust.account, line.id, receipt.id)
    with pytest.raises(LedgerError, match="already matched"):
        match_line(trust.s, None, trust.account, line.id, receipt.id)


def test_two_people_signing_off_the_same_month_at_once_save_it_once(app, trust):
    trust.receive("1500.00", on=date(2026, 7, 2))
    trust.statement("0", "1500", "2026-07-02, Deposit, 1500.00", end=JULY_END)
    match_suggested(trust.s, None, trust.account)
    trust.s.commit()
    account_id = trust.account.id

    def sign(session):
        sign_off(session, None, account_id, "2026-07", today=TODAY)

    results = outcomes(run_at_once(app, sign, sign))
    assert results.count("ok") == 1, results
    assert "already reconciled to 31 Jul 2026" in next(r for r in results if r != "ok")
    trust.s.rollback()
    assert count(trust.s, TrustReconciliation) == 1


def test_interest_to_the_practice_and_a_statutory_deposit_reconcile(trust, books):
    """Interest paid in and out again (I- then T-) shows both ways; money lodged as statutory deposit
    leaves the bank but stays in the client ledgers, so the ledgers less the deposit equal the cash book."""
    save_trust_settings(trust.s, None, jurisdiction="NSW", interest_destination="practice",
                        statutory_authority="Law Society")
    trust.receive("1000.00", on=date(2026, 7, 2))
    record_interest(trust.s, None, trust_account_id=trust.account.id, date=date(2026, 7, 30),
                    amount=D("3.20"), destination="practice",
                    office_bank_account_id=books.account("1-1000").id)
    lodge_statutory_deposit(trust.s, None, trust_account_id=trust.account.id, date=date(2026, 7, 15),
                            amount=D("400.00"))
    trust.statement("0", "600.00", "2026-07-02, Deposit, 1000.00\n2026-07-15, Law Society deposit, -400.00\n"
                    "2026-07-30, Interest, 3.20\n2026-07-30, Interest to office, -3.20", end=JULY_END)
    assert match_suggested(trust.s, None, trust.account) == 4
    figures = three_way(trust.s, trust.account, JULY_END)
    assert (figures.statement_balance, figures.cash_book, figures.statutory_deposit,
            figures.client_ledgers) == (D("600.00"), D("600.00"), D("400.00"), D("1000.00"))
    assert figures.agrees and figures.unpresented == []
    done = sign_off(trust.s, None, trust.account.id, "2026-07", today=TODAY)
    assert done.statutory_deposit == D("400.00")
