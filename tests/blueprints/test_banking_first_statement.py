"""The first reconciliation of an account opens at the statement's opening balance, so a real
closing balance reconciles although the books hold history from before the statement; the report
prints the opening balance, the statement lines and the closing balance.

The books (office bank 1-1000): 1,000.00 received on 30 June (before the statement), receipts of
100.00 and 200.00 on 20 July. The July statement opens at 1,000.00, shows one deposit of 300.00 on
21 July, and closes at 1,300.00.
"""

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounting.ledger.tax import TaxCode
from accounting.office.bank_reconciliation import Reconciliation, StatementLine
from accounting.office.bank_transactions import MoneyLine, record_bank_transaction
from tests.support import html, text_of

CSV = b"Date,Description,Amount\n2026-07-21,DEPOSIT,300.00\n"


def receive(db_session, books, bank, amount, on):
    txn = record_bank_transaction(db_session, books.admin, kind="deposit", bank_account_id=bank.id,
                                  date=on, contact="Client", lines=[
                                      MoneyLine(books.account("4-1000").id, Decimal(amount),
                                                TaxCode.GST_FREE)])
    return next(x for x in txn.journal.lines if x.account_id == bank.id)


@pytest.fixture
def first_statement(client, auth, books, db_session):
    """Signed in as the admin; history from June, July's receipts matched to the statement."""
    auth.login()
    bank = books.account("1-1000")
    receive(db_session, books, bank, "1000.00", date(2026, 6, 30))
    july = [receive(db_session, books, bank, a, date(2026, 7, 20)) for a in ("100.00", "200.00")]
    db_session.commit()
    client.submit(f"/banking/accounts/{bank.id}/statement", {"statement": (io.BytesIO(CSV), "july.csv")},
                  content_type="multipart/form-data")
    deposit = db_session.scalars(select(StatementLine)).one()
    response = client.submit(f"/banking/accounts/{bank.id}/match",
                             {"statement_line": [deposit.id], "journal_line": [j.id for j in july]})
    assert response.status_code == 303
    return bank


def save(client, bank, opening, closing="1300.00"):
    return client.submit(f"/banking/accounts/{bank.id}/reconciliations", {
        "opening_balance": opening, "statement_date": "2026-07-31", "closing_balance": closing})


def test_the_first_reconciliation_asks_for_the_statements_opening_balance(client, first_statement):
    page = html(client.get(f"/banking/accounts/{first_statement.id}/reconcile"))
    assert page.find("label", attrs={"for": "opening_balance"}) is not None
    assert page.find("input", attrs={"name": "opening_balance"}) is not None


def test_a_real_closing_balance_reconciles_from_the_statements_opening(client, first_statement,
                                                                      db_session):
    response = save(client, first_statement, "1,000.00")
    assert response.status_code == 303
    report = html(client.get(response.headers["Location"]))
    assert text_of(report.select_one(".opening-balance")) == "1,000.00"
    assert text_of(report.select_one(".statement-lines-total")) == "300.00"
    assert text_of(report.select_one(".statement-balance")) == "1,300.00"
    assert text_of(report.select_one(".book-balance")) == "1,300.00"
    assert text_of(report.select_one(".difference")) == "0.00"
    assert "DEPOSIT" in text_of(report.select_one("table.statement-lines"))
    # June's receipt is held by the opening balance, not left unpresented for ever
    assert report.select_one("table.unpresented") is None
    # the next reconciliation opens where this one closed: it asks no opening balance
    page = html(client.get(f"/banking/accounts/{first_statement.id}/reconcile"))
    assert page.find("input", attrs={"name": "opening_balance"}) is None


@pytest.mark.parametrize("opening, field, message", [
    ("", "closing_balance", "It does not balance"),          # blank is zero: 0 + 300 is not 1,300
    ("lots", "opening_balance", "is not an amount"),
    ("1000.001", "opening_balance", "at most two decimals"),
])
def test_a_wrong_opening_balance_is_refused_and_nothing_saved(client, first_statement, db_session,
                                                              opening, field, message):
    response = save(client, first_statement, opening)
    assert response.status_code == 422
    page = html(response)
    assert message in text_of(page.find(id=f"{field}-error"))
    assert page.find("input", attrs={"name": "opening_balance"})["value"] == opening
    assert db_session.scalar(select(func.count()).select_from(Reconciliation)) == 0
