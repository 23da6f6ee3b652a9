"""The journal and bank pages refuse control accounts: a 422 with the message beside the line's
account, what was typed kept, nothing posted."""

from sqlalchemy import func, select

from accounting.ledger.journals import Journal
from accounting.office.bank_transactions import BankTransaction
from tests.blueprints.test_banking import money_form
from tests.blueprints.test_journals import entry
from tests.support import html, text_of


def count(db_session, model):
    return db_session.scalar(select(func.count()).select_from(model))


def test_a_general_journal_to_accounts_receivable_is_refused_naming_a_bill(client, auth, books, db_session):
    auth.login()
    response = client.submit("/journals/new", entry(
        books, ("1-2000", "110.00", "", "Owed by a client"), ("4-1000", "", "110.00")))
    assert response.status_code == 422
    page = html(response)
    message = text_of(page.find(id="lines-0-account-error"))
    assert "1-2000 Accounts Receivable is a control account" in message
    assert "record a bill, a credit note or a payment received instead" in message
    assert page.find(id="lines-0-debit")["value"] == "110.00"
    assert count(db_session, Journal) == 0


def test_a_general_journal_to_gst_paid_is_refused_naming_the_tax_codes(client, auth, books, db_session):
    auth.login()
    response = client.submit("/journals/new", entry(
        books, ("6-2100", "3850.00", ""), ("2-1200", "385.00", ""), ("1-1000", "", "4235.00")))
    assert response.status_code == 422
    message = text_of(html(response).find(id="lines-1-account-error"))
    assert "2-1200 GST Paid is a control account: GST comes from the tax codes" in message
    assert count(db_session, Journal) == 0


def test_a_spend_money_line_to_accounts_payable_is_refused_naming_a_supplier_invoice(
        client, auth, books, db_session):
    auth.login()
    response = client.submit("/banking/withdrawal/new", money_form(
        books, ("Paying a supplier", "2-1000", "250.00", "gst_free")))
    assert response.status_code == 422
    page = html(response)
    message = text_of(page.find(id="lines-0-account-error"))
    assert "2-1000 Accounts Payable is a control account: record a supplier invoice" in message
    assert page.find(id="lines-0-amount")["value"] == "250.00"
    assert count(db_session, Journal) == 0 and count(db_session, BankTransaction) == 0
