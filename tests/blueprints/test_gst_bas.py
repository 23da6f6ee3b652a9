"""The GST summary as a BAS reads it: G4 for input-taxed sales, BAS-excluded left out, and on the
untouched demo data the GST accounts agree with the summary."""

from datetime import date, timedelta
from decimal import Decimal

from accounting.demo import seed_demo
from accounting.ledger.tax import TaxCode
from accounting.office.bank_transactions import BankTransactionKind, MoneyLine, record_bank_transaction
from tests.support import html, text_of


def test_the_demo_data_agrees_with_the_ledger_and_shows_its_interest_in_g4(client, db_session):
    seed_demo(db_session, admin_password="demo-password-1")
    db_session.commit()
    client.submit("/login", {"email": "admin@example.com", "password": "demo-password-1"})
    today = date.today()
    page = html(client.get(f"/reports/gst?start={(today - timedelta(days=120)).isoformat()}"
                           f"&end={today.isoformat()}"))
    check = text_of(page.find(class_="ledger-check"))
    assert "agrees" in check and "differs" not in check
    assert text_of(page.find(id="g4")) == "18.45"
    assert text_of(page.find(id="gst-1b")) == "552.93"  # the insurance's 385.00 is in it now
    assert "control accounts" in text_of(page.find(id="gst-control-note"))


def test_input_taxed_goes_to_g4_and_bas_excluded_is_left_out(client, auth, books, db_session):
    auth.login()
    bank, interest, capital = (books.account(c).id for c in ("1-1000", "4-3000", "4-1000"))
    record_bank_transaction(db_session, books.admin, kind=BankTransactionKind.DEPOSIT, bank_account_id=bank,
                            date=date(2026, 7, 10), lines=[
                                MoneyLine(interest, Decimal("12.00"), TaxCode.INPUT_TAXED),
                                MoneyLine(capital, Decimal("100.00"), TaxCode.BAS_EXCLUDED)])
    db_session.commit()
    page = html(client.get("/reports/gst?start=2026-07-01&end=2026-07-31"))
    assert text_of(page.find(id="g1")) == "12.00"
    assert text_of(page.find(id="g4")) == "12.00"
    assert text_of(page.find(id="g3")) == "0.00"
    assert text_of(page.find(id="bas-excluded")) == "100.00"
    sales = page.find("section", attrs={"aria-labelledby": "gst-sales"})
    assert "100.00 BAS-excluded" in text_of(sales)
