"""Reports from journal lines: the trial balance and the general ledger."""

from datetime import date
from decimal import Decimal

import pytest

from accounting.errors import LedgerError
from accounting.ledger.journals import reverse
from accounting.ledger.reports import general_ledger, trial_balance


def balances(report):
    return {row.account.code: row.balance for row in report.rows}


def test_trial_balance_sums_debits_and_credits_as_at_a_date(db_session, books):
    books.journal({"1-1000": "50000.00", "3-1000": "-50000.00"}, on=date(2026, 7, 1))
    books.journal({"6-2000": "4200.00", "1-1000": "-4200.00"}, on=date(2026, 7, 2))
    books.journal({"6-2100": "3850.00", "1-2100": "385.00", "1-1000": "-4235.00"}, on=date(2026, 8, 1))

    july = trial_balance(db_session, date(2026, 7, 31))
    assert balances(july) == {"1-1000": Decimal("45800.00"), "3-1000": Decimal("-50000.00"),
                              "6-2000": Decimal("4200.00")}
    assert july.total_debit == july.total_credit == Decimal("50000.00")
    assert july.balances

    august = trial_balance(db_session, date(2026, 8, 31))
    assert august.total_debit == august.total_credit == Decimal("50000.00")
    assert [row.account.code for row in august.rows] == ["1-1000", "1-2100", "3-1000", "6-2000",
                                                         "6-2100"]


def test_trial_balance_rows_show_debit_or_credit(db_session, books):
    books.journal({"6-2000": "10.00", "1-1000": "-10.00"})
    rows = {r.account.code: r for r in trial_balance(db_session, date(2026, 12, 31)).rows}
    assert (rows["6-2000"].debit, rows["6-2000"].credit) == (Decimal("10.00"), None)
    assert (rows["1-1000"].debit, rows["1-1000"].credit) == (None, Decimal("10.00"))


def test_a_reversed_journal_leaves_no_balance(db_session, books):
    journal = books.journal({"6-2000": "10.00", "1-1000": "-10.00"})
    reverse(db_session, books.admin, journal, date=date(2026, 7, 16), reason="mistake")
    assert trial_balance(db_session, date(2026, 7, 16)).rows == []
    assert balances(trial_balance(db_session, date(2026, 7, 15))) == {
        "6-2000": Decimal("10.00"), "1-1000": Decimal("-10.00")}


def test_financial_year_view_folds_prior_years_profit_into_retained_earnings(db_session, books):
    # FY starts 1 July. Last year: fees 1000, rent 400 (profit 600). This year: fees 300.
    books.journal({"1-1000": "1000.00", "4-1000": "-1000.00"}, on=date(2026, 3, 1))
    books.journal({"6-2000": "400.00", "1-1000": "-400.00"}, on=date(2026, 4, 1))
    books.journal({"1-1000": "300.00", "4-1000": "-300.00"}, on=date(2026, 7, 10))

    fy = trial_balance(db_session, date(2026, 7, 31), fy_start=date(2026, 7, 1))
    assert balances(fy) == {"1-1000": Decimal("900.00"), "3-9000": Decimal("-600.00"),
                            "4-1000": Decimal("-300.00")}
    assert fy.total_debit == fy.total_credit == Decimal("900.00")

    all_time = trial_balance(db_session, date(2026, 7, 31))
    assert balances(all_time)["4-1000"] == Decimal("-1300.00")
    assert "3-9000" not in balances(all_time)


def test_general_ledger_has_opening_running_and_closing_balances(db_session, books):
    books.journal({"1-1000": "100.00", "3-1000": "-100.00"}, on=date(2026, 6, 30))
    books.journal({"6-2000": "30.00", "1-1000": "-30.00"}, on=date(2026, 7, 2), narration="Rent")
    books.journal({"1-1000": "5.50", "4-3000": "-5.50"}, on=date(2026, 7, 3), narration="Interest")
    books.journal({"6-2000": "1.00", "1-1000": "-1.00"}, on=date(2026, 8, 1), narration="Later")

    ledgers = general_ledger(db_session, date(2026, 7, 1), date(2026, 7, 31))
    bank = next(ledger for ledger in ledgers if ledger.account.code == "1-1000")
    assert bank.opening_balance == Decimal("100.00")
    assert [(e.journal.narration, e.running_balance) for e in bank.entries] == [
        ("Rent", Decimal("70.00")), ("Interest", Decimal("75.50"))]
    assert bank.closing_balance == Decimal("75.50")
    assert (bank.total_debit, bank.total_credit) == (Decimal("5.50"), Decimal("30.00"))
    # Capital has only an opening balance in July; it is still shown.
    capital = next(ledger for ledger in ledgers if ledger.account.code == "3-1000")
    assert capital.entries == [] and capital.closing_balance == Decimal("-100.00")


def test_general_ledger_for_one_account(db_session, books):
    books.journal({"6-2000": "30.00", "1-1000": "-30.00"})
    rent = books.account("6-2000")
    ledgers = general_ledger(db_session, date(2026, 7, 1), date(2026, 7, 31), rent.id)
    assert [ledger.account.code for ledger in ledgers] == ["6-2000"]


def test_general_ledger_refuses_a_start_after_the_end(db_session, books):
    with pytest.raises(LedgerError, match="start date is after the end date"):
        general_ledger(db_session, date(2026, 8, 1), date(2026, 7, 1))
