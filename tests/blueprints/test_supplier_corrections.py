"""Supplier correction pages: undo a payment or a credit application from the invoice's history,
void a supplier credit note, the history CSV, and GST when the practice is not registered."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounting.ledger.journals import Journal
from accounting.ledger.practice import get_practice
from accounting.office.supplier_documents import SupplierCreditApplication, SupplierInvoice
from tests.accounting.office.test_suppliers import apply, approved, credit_note, pay
from tests.support import html

D = Decimal


@pytest.fixture
def supplier(books, db_session, auth):
    from accounting.office.suppliers import SupplierDetails, save_supplier

    auth.login("staff@example.com")
    made = save_supplier(db_session, books.admin, SupplierDetails(name="Officeworks"))
    db_session.commit()
    return made


def count(db_session, model):
    return db_session.scalar(select(func.count()).select_from(model))


def test_a_payment_is_undone_from_the_invoice_history(client, books, supplier, db_session):
    invoice = approved(books, db_session, supplier)
    payment = pay(books, db_session, invoice, "160.00")
    url = f"/suppliers/invoices/{invoice.id}"
    row = html(client.get(url)).find(id=f"undo-payment{payment.id}-row")
    assert row.find("summary").text == "Undo payment"
    prefix = f"undo-payment{payment.id}"
    assert row.find("label", attrs={"for": f"{prefix}-reason"})
    bad = client.submit(f"{url}/payments/{payment.id}/undo", {f"{prefix}-date": "2026-07-01",
                                                              f"{prefix}-reason": "Paid twice"})
    assert bad.status_code == 422
    page = html(bad)
    assert "before the payment" in page.find(id=f"{prefix}-date-error").text
    assert page.find(id=f"{prefix}-row").find("details").has_attr("open")
    assert count(db_session, Journal) == 2
    response = client.submit(f"{url}/payments/{payment.id}/undo", {f"{prefix}-date": "2026-07-12",
                                                                   f"{prefix}-reason": "Paid twice"})
    assert response.status_code == 303
    page = html(client.get(url))
    assert page.select_one(".invoice-status .status").text == "awaiting payment"
    last_row = page.select(".invoice-history tbody tr")[-1]
    last = [td.get_text(" ", strip=True) for td in last_row.select("td")]
    assert last[:5] == ["12 Jul 2026", "Payment SP-00001 undone", "Paid twice", "Stu Staff", "160.00"]
    assert last[5].startswith("RV-")
    assert page.find(id=f"{prefix}-row") is None


def test_a_credit_application_is_undone_and_the_credit_note_voided(client, books, supplier, db_session):
    invoice = approved(books, db_session, supplier)
    credit = credit_note(books, db_session, supplier)  # 22.00
    [application] = apply(books, db_session, credit, [(invoice, "22.00")])
    page = html(client.get(f"/suppliers/credits/{credit.id}"))
    link = page.find("a", string="Undo on SI-00001")
    assert link["href"] == f"/suppliers/invoices/{invoice.id}#undo-credit{application.id}-row"
    assert "undo its application to SI-00001 (22.00) first" in page.find(id="void").text
    prefix = f"undo-credit{application.id}"
    response = client.submit(f"/suppliers/invoices/{invoice.id}/credits/{application.id}/undo",
                             {f"{prefix}-date": "2026-07-11", f"{prefix}-reason": "Wrong invoice"})
    assert response.status_code == 303
    db_session.expire_all()
    assert db_session.get(SupplierCreditApplication, application.id).undone_on == date(2026, 7, 11)
    page = html(client.get(f"/suppliers/credits/{credit.id}"))
    assert page.select_one(".remaining").text == "22.00"
    assert "(undone 11 Jul 2026: Wrong invoice)" in page.find(id="applications").text
    bad = client.submit(f"/suppliers/credits/{credit.id}/void",
                        {"void-date": "2026-07-11", "void-reason": ""})
    assert bad.status_code == 422 and html(bad).find(id="void-reason-error")
    response = client.submit(f"/suppliers/credits/{credit.id}/void",
                             {"void-date": "2026-07-11", "void-reason": "Entered twice"})
    assert response.status_code == 303
    page = html(client.get(f"/suppliers/credits/{credit.id}"))
    assert page.select_one(".credit-status .status").text == "voided"
    assert page.find(id="void") is None and page.find(id="apply") is None


def test_undo_of_another_invoices_payment_is_404(client, books, supplier, db_session):
    first = approved(books, db_session, supplier, ref="A")
    second = approved(books, db_session, supplier, ref="B")
    payment = pay(books, db_session, first, "10.00")
    response = client.submit(f"/suppliers/invoices/{second.id}/payments/{payment.id}/undo",
                             {f"undo-payment{payment.id}-date": "2026-07-12",
                              f"undo-payment{payment.id}-reason": "x"})
    assert response.status_code == 404


def test_the_invoice_history_downloads_as_csv(client, books, supplier, db_session):
    invoice = approved(books, db_session, supplier)
    from accounting.office.supplier_invoices import pay_invoice

    pay_invoice(db_session, books.admin, invoice.id, bank_account_id=books.account("1-1000").id,
                date=date(2026, 7, 10), amount=D("10.00"), reference="+61 400 000 000")
    db_session.commit()
    link = html(client.get(f"/suppliers/invoices/{invoice.id}")).find("a", string="Download CSV")
    response = client.get(link["href"])
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="history-SI-00001.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Date", "What", "Details", "Amount", "By", "Journal"]
    assert rows[1] == ["2026-07-10", "Approved", "", "160.00", "Ada Admin", "PU-000001"]
    assert rows[2][1:4] == ["Payment SP-00001", "from 1-1000 Office Cheque Account · +61 400 000 000",
                            "10.00"]


def test_when_not_registered_for_gst_supplier_lines_start_gst_free_and_gst_is_refused(
        client, books, supplier, db_session):
    get_practice(db_session).gst_registered = False
    db_session.commit()
    page = html(client.get("/suppliers/invoices/new"))
    assert "not registered for GST" in page.select_one(".gst-note").text
    assert page.find("input", attrs={"name": "lines-0-gst_free"}).has_attr("checked")
    response = client.submit("/suppliers/invoices/new", {
        "supplier_id": str(supplier.id), "supplier_ref": "INV-77", "date": "2026-07-10",
        "due_date": "2026-08-10", "lines-0-description": "Paper", "lines-0-amount": "100.00",
        "lines-0-account": str(books.account("6-2400").id)})
    assert response.status_code == 422
    assert html(response).find(id="lines-0-gst_free-error").text == (
        "The practice is not registered for GST (Admin > Practice settings): choose GST-free.")
    assert count(db_session, SupplierInvoice) == 0
