"""Billing correction pages: undo buttons in a bill's history, undoing refunds and voiding credit
notes from the credit note's page, the history CSV; each refusal is a 422 beside its field with
nothing saved."""

import csv
import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounting.ledger.journals import Journal
from accounting.office.bills import BillEvent
from accounting.office.credit_notes import apply_credit, refund_credit
from tests.accounting.office.test_billing import JULY, Billing
from tests.support import html

D = Decimal


@pytest.fixture
def billing(books, auth):
    auth.login("staff@example.com")
    return Billing(books)


def count(db_session, model):
    return db_session.scalar(select(func.count()).select_from(model))


def test_a_payment_is_undone_from_the_bill_history(client, billing, db_session):
    bill = billing.bill()
    payment = billing.pay(bill, "110.00")
    page = html(client.get(f"/billing/{bill.id}"))
    row = page.find(id=f"event-{payment.id}")
    assert row.find("summary").text == "Undo payment"
    prefix = f"undo{payment.id}"
    assert row.find("label", attrs={"for": f"{prefix}-reason"})
    assert row.find("input", attrs={"name": f"{prefix}-csrf_token"})
    response = client.submit(f"/billing/{bill.id}/events/{payment.id}/undo",
                             {f"{prefix}-date": "2026-07-09", f"{prefix}-reason": "Cheque bounced"})
    assert response.status_code == 303
    page = html(client.get(response.headers["Location"]))
    assert page.select_one("h1 .status").text == "awaiting payment"
    assert page.select_one("tfoot .owed").text == "110.00"
    last = page.select("table.bill-history tbody tr")[-1]
    cells = [td.get_text(" ", strip=True) for td in last.select("td")]
    assert cells[:4] == ["09 Jul 2026", "Payment undone", "· Cheque bounced", "Stu Staff"]
    assert cells[4].startswith("RV-") and "num" in last.select("td")[5]["class"]
    assert page.find(id=f"event-{payment.id}").find("summary") is None  # undone once only


@pytest.mark.parametrize("date_, reason, field, message", [
    ("2026-06-30", "Bounced", "date", "cannot be dated before the payment (01 Jul 2026)"),
    ("", "Bounced", "date", "Enter the date"),
    ("2026-07-09", "", "reason", "Say why"),
    ("2026-07-09", "x" * 201, "reason", "under 200 characters"),
])
def test_a_bad_undo_is_refused_beside_its_field_and_nothing_saved(client, billing, db_session, date_,
                                                                  reason, field, message):
    bill = billing.bill()
    payment = billing.pay(bill, "10.00")
    prefix = f"undo{payment.id}"
    response = client.submit(f"/billing/{bill.id}/events/{payment.id}/undo",
                             {f"{prefix}-date": date_, f"{prefix}-reason": reason})
    assert response.status_code == 422
    page = html(response)
    assert message in page.find(id=f"{prefix}-{field}-error").text
    assert page.find(id=f"event-{payment.id}").find("details").has_attr("open")
    assert page.find("input", attrs={"name": f"{prefix}-reason"})["value"] == reason
    assert count(db_session, BillEvent) == 2 and count(db_session, Journal) == 2


def test_a_locked_payment_is_not_undone(client, billing, db_session):
    bill = billing.bill()
    payment = billing.pay(bill, "10.00")
    payment.journal.lock("Pushed to Xero as PAY-7")
    db_session.commit()
    assert "Locked" in html(client.get(f"/billing/{bill.id}")).find(id=f"event-{payment.id}").text
    prefix = f"undo{payment.id}"
    response = client.submit(f"/billing/{bill.id}/events/{payment.id}/undo",
                             {f"{prefix}-date": "2026-07-09", f"{prefix}-reason": "x"})
    assert response.status_code == 422
    assert "Locked: Pushed to Xero as PAY-7. Unlink it in Integrations first." in html(response).text
    assert count(db_session, BillEvent) == 2


def test_undo_of_another_bills_event_is_404(client, billing):
    bill, other = billing.bill(), billing.bill()
    payment = billing.pay(bill, "10.00")
    response = client.submit(f"/billing/{other.id}/events/{payment.id}/undo",
                             {f"undo{payment.id}-date": "2026-07-09", f"undo{payment.id}-reason": "x"})
    assert response.status_code == 404


def test_a_credit_application_is_undone_and_the_credit_note_links_to_it(client, billing, db_session):
    bill = billing.bill()
    note = billing.credit_note(billing.line(rate="50.00"))
    [applied] = apply_credit(db_session, None, note.id, date=JULY, amounts={bill.id: D("55.00")})
    db_session.commit()
    page = html(client.get(f"/billing/credit-notes/{note.id}"))
    link = page.find("a", string="Undo on INV-00001")
    assert link["href"] == f"/billing/{bill.id}#event-{applied.id}"
    assert "undo its application to INV-00001 (55.00)" in page.find(id="void").text
    prefix = f"undo{applied.id}"
    response = client.submit(f"/billing/{bill.id}/events/{applied.id}/undo",
                             {f"{prefix}-date": "2026-07-02", f"{prefix}-reason": "Wrong bill"})
    assert response.status_code == 303
    page = html(client.get(f"/billing/credit-notes/{note.id}"))
    assert page.select_one(".remaining").text == "55.00"
    assert "Application to INV-00001 undone · Wrong bill" in page.select_one(".bill-history").text


def test_a_refund_is_undone_and_a_credit_note_voided(client, billing, db_session):
    note = billing.credit_note()
    refund = refund_credit(db_session, None, note.id, amount=D("40.00"), date=JULY,
                           bank_account_id=billing.id("1-1000"))
    db_session.commit()
    page = html(client.get(f"/billing/credit-notes/{note.id}"))
    assert "undo its refund of 40.00 on 01 Jul 2026 first" in page.find(id="void").text
    assert page.find(id="void").find("form") is None
    prefix = f"undo-refund{refund.id}"
    bad = client.submit(f"/billing/credit-notes/{note.id}/refunds/{refund.id}/undo",
                        {f"{prefix}-date": "2026-06-01", f"{prefix}-reason": "Wrong account"})
    assert bad.status_code == 422
    assert "before the refund" in html(bad).find(id=f"{prefix}-date-error").text
    assert count(db_session, Journal) == 2
    response = client.submit(f"/billing/credit-notes/{note.id}/refunds/{refund.id}/undo",
                             {f"{prefix}-date": "2026-07-02", f"{prefix}-reason": "Wrong account"})
    assert response.status_code == 303
    page = html(client.get(f"/billing/credit-notes/{note.id}"))
    assert page.select_one(".remaining").text == "110.00"
    assert "(undone 02 Jul 2026: Refund of CN-00001 undone: Wrong account)" in page.text
    bad = client.submit(f"/billing/credit-notes/{note.id}/void", {"void-date": "2026-07-02",
                                                                  "void-reason": ""})
    assert bad.status_code == 422 and html(bad).find(id="void-reason-error")
    response = client.submit(f"/billing/credit-notes/{note.id}/void",
                             {"void-date": "2026-07-02", "void-reason": "Issued in error"})
    assert response.status_code == 303
    page = html(client.get(f"/billing/credit-notes/{note.id}"))
    assert page.select_one("h1 .status").text == "voided"
    assert page.find(id="void") is None and page.find(id="apply") is None
    assert "voided by RV-" in page.select_one("dl.details").text
    assert "Voided · Credit note CN-00001 voided: Issued in error" in page.select_one(".event-voided").text


def test_the_bill_history_downloads_as_csv_with_formulas_neutralised(client, billing, db_session):
    bill = billing.bill()
    billing.pay(bill, "10.00")
    from accounting.office.billing import write_off

    write_off(db_session, billing.books.admin, bill.id, date=JULY, reason="=HYPERLINK(\"x\")")
    db_session.commit()
    page = html(client.get(f"/billing/{bill.id}"))
    link = page.find("a", string="Download CSV")
    assert link["href"] == f"/billing/{bill.id}/history.csv"
    response = client.get(link["href"])
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="history-INV-00001.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Date", "What", "Details", "Amount", "By", "Journal"]
    assert rows[1] == ["2026-07-01", "Posted", "", "110.00", "Ada Admin", "BI-000001"]
    assert rows[2][:4] == ["2026-07-01", "Payment", "into 1-1000 Office Cheque Account · EFT", "10.00"]
    assert rows[3][1:3] == ["Write-off", "'=HYPERLINK(\"x\")"]
    assert client.get("/billing/999999/history.csv").status_code == 404


def test_when_not_registered_for_gst_the_forms_default_to_gst_free_and_gst_lines_are_refused(
        client, billing, db_session):
    from accounting.ledger.practice import get_practice
    from accounting.office.bills import Bill

    get_practice(db_session).gst_registered = False
    db_session.commit()
    page = html(client.get("/billing/new"))
    assert "not registered for GST" in page.select_one(".gst-note").text
    tax = page.find("select", attrs={"name": "lines-0-tax"})
    assert tax.find("option", selected=True)["value"] == "gst_free"
    added = html(client.submit("/billing/lines?add", {"lines-0-description": "x"},
                               headers={"HX-Request": "true"}))
    new_line = added.find("select", attrs={"name": "lines-1-tax"})
    assert new_line.find("option", selected=True)["value"] == "gst_free"
    response = client.submit("/billing/new", {
        "matter": str(billing.matter.id), "date": "2026-07-01", "lines-0-description": "Advice",
        "lines-0-quantity": "1", "lines-0-rate": "100", "lines-0-account": str(billing.id("4-1000")),
        "lines-0-tax": "gst"})
    assert response.status_code == 422
    page = html(response)
    assert page.find(id="lines-0-tax-error").text == (
        "The practice is not registered for GST (Admin > Practice settings): choose GST-free.")
    assert count(db_session, Bill) == 0
    wip = html(client.get(f"/billing/wip?matter={billing.matter.id}"))
    assert wip.find("select", attrs={"name": "tax"}).find("option", selected=True)["value"] == "gst_free"
    assert "not registered for GST" in wip.find(id="record").text
