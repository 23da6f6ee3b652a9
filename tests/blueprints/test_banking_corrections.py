"""Banking pages where a bookkeeper works from the statement: a bank fee recorded from the reconcile
page comes back to the reconcile page; the banking page lists every register entry (a bill's
payment included).

The books (office bank 1-1000): nothing but the statement, with a bank fee of -12.50 on 22 July.
"""

import io

from sqlalchemy import func, select

from accounting.office.bank_transactions import BankTransaction
from tests.support import html

CSV = b"Date,Description,Amount\n2026-07-22,BANK FEE,-12.50\n"


def test_a_bank_fee_recorded_from_the_reconcile_page_returns_there(client, auth, books, db_session):
    auth.login()
    bank = books.account("1-1000")
    client.submit(f"/banking/accounts/{bank.id}/statement",
                  {"statement": (io.BytesIO(CSV), "july.csv")}, content_type="multipart/form-data")
    page = html(client.get(f"/banking/accounts/{bank.id}/reconcile"))
    link = page.find("a", string="Record it as a withdrawal")["href"]
    assert "back=reconcile" in link
    form = html(client.get(link)).find("form", class_="money-form")
    assert "back=reconcile" in form["action"]
    response = client.submit(form["action"], {
        "bank_account": str(bank.id), "date": "2026-07-22", "contact": "Bank",
        "lines-0-description": "BANK FEE", "lines-0-account": str(books.account("6-2000").id),
        "lines-0-amount": "12.50", "lines-0-tax": "gst_free"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/banking/accounts/{bank.id}/reconcile"
    assert db_session.scalar(select(func.count()).select_from(BankTransaction)) == 1


def test_a_withdrawal_recorded_from_the_banking_page_opens_the_transaction(client, auth, books):
    auth.login()
    bank = books.account("1-1000")
    response = client.submit("/banking/withdrawal/new", {
        "bank_account": str(bank.id), "date": "2026-07-22", "contact": "Bank",
        "lines-0-description": "BANK FEE", "lines-0-account": str(books.account("6-2000").id),
        "lines-0-amount": "12.50", "lines-0-tax": "gst_free"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/banking/transactions/")


def test_the_banking_page_lists_a_bill_payment_among_the_register_entries(client, auth, books, db_session):
    from tests.accounting.office.test_billing import Billing

    billing = Billing(books)
    bill = billing.bill()
    billing.pay(bill, "110.00")
    auth.login()
    page = html(client.get("/banking/"))
    rows = page.select("#latest-entries table.bank-entries tbody tr")
    assert len(rows) == 1
    cells = [td.get_text(" ", strip=True) for td in rows[0].select("td")]
    assert cells[4] == "110.00" and "1-1000" in cells[3]
    assert "Nothing recorded" not in page.select_one("#latest-entries").get_text()
    assert "entries above" in page.get_text()  # no deposits yet, but the payment is not hidden


def test_the_banking_page_says_so_when_nothing_is_recorded(client, auth, books):
    auth.login()
    page = html(client.get("/banking/"))
    empty = page.select_one("#latest-entries").get_text()
    assert "Nothing recorded on the office bank accounts yet." in empty
