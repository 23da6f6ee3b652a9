"""Client billing pages: the list, the bill form with htmx lines and live totals, the bill page and
its actions, the printable bill and credit notes; every refusal is a 4xx with its message and
nothing saved."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounting.ledger.journals import Journal
from accounting.office.bills import Bill, BillEvent, BillStatus, CreditNote
from tests.accounting.office.test_billing import Billing
from tests.support import html

D = Decimal
HX = {"HX-Request": "true"}


@pytest.fixture
def billing(books, auth):
    auth.login("staff@example.com")
    return Billing(books)


def bill_form(billing, **overrides):
    data = {"matter": str(billing.matter.id), "date": "2026-07-01", "reference": "PO 7",
            "lines-0-description": "Advice on lease", "lines-0-quantity": "2", "lines-0-rate": "150.00",
            "lines-0-account": str(billing.id("4-1000")), "lines-0-tax": "gst",
            "lines-1-description": "Search fee", "lines-1-quantity": "1", "lines-1-rate": "40.00",
            "lines-1-account": str(billing.id("4-2000")), "lines-1-tax": "gst_free"}
    data.update(overrides)
    return data


def count(db_session, model):
    return db_session.scalar(select(func.count()).select_from(model))


def test_the_billing_page_lists_bills_with_status_and_right_aligned_amounts(client, billing):
    billing.bill()
    billing.bill(approve=False)
    page = html(client.get("/billing/"))
    assert "Coming soon" not in page.text
    rows = page.select("table.bills tbody tr")
    assert len(rows) == 2
    assert {r.select_one(".status").text for r in rows} == {"awaiting payment", "draft"}
    assert all("num" in td["class"] for td in rows[0].select("td")[-2:])
    assert page.find("label", attrs={"for": "q"}) and page.find("label", attrs={"for": "status"})


def test_the_list_filters_and_searches_as_an_htmx_fragment(client, billing):
    billing.bill()
    billing.bill(approve=False)
    response = client.get("/billing/?status=draft", headers=HX)
    assert "HX-Request" in response.headers["Vary"]
    fragment = html(response)
    assert fragment.find("h1") is None
    assert [r.select_one(".status").text for r in fragment.select("tbody tr")] == ["draft"]
    assert "No bills match." in html(client.get("/billing/?q=nobody", headers=HX)).text
    assert "1 result" in html(client.get("/billing/?q=INV-00001")).text


def test_a_draft_bill_is_written_saved_and_shows_its_totals(client, billing, db_session):
    form = html(client.get("/billing/new"))
    for name in ("matter", "date", "lines-0-description", "lines-0-quantity", "lines-0-rate",
                 "lines-0-account", "lines-0-tax"):
        assert form.find("label", attrs={"for": name}), name
    fees = form.find("select", attrs={"name": "lines-0-account"}).find("option", selected=True)
    assert fees.text == "4-1000 Professional Fees"
    response = client.submit("/billing/new", bill_form(billing))
    assert response.status_code == 303
    bill = db_session.scalars(select(Bill)).one()
    assert (bill.status, bill.total, bill.gst) == (BillStatus.DRAFT, D("370.00"), D("30.00"))
    page = html(client.get(response.headers["Location"]))
    assert page.select_one("tfoot .total").text == "370.00"
    assert page.select_one("h1 .status").text == "draft"


def test_live_totals_and_lines_are_computed_by_the_server(client, billing):
    fragment = html(client.submit("/billing/totals", bill_form(billing), headers=HX))
    assert fragment.select_one(".subtotal").text == "340.00"
    assert fragment.select_one(".gst").text == "30.00"
    assert fragment.select_one(".total").text == "370.00"
    lines = html(client.submit("/billing/lines?add=1", bill_form(billing), headers=HX))
    assert len(lines.select("tr.line")) == 3
    assert lines.find("input", attrs={"name": "lines-0-rate"})["value"] == "150.00"
    fewer = html(client.submit("/billing/lines?remove=0", bill_form(billing), headers=HX))
    assert [i["value"] for i in fewer.select("input[name$=description]")] == ["Search fee"]


@pytest.mark.parametrize("overrides, field, message", [
    ({"lines-0-quantity": "0"}, "lines-0-quantity", "more than zero"),
    ({"lines-0-rate": "-5"}, "lines-0-rate", "more than zero"),
    ({"lines-0-rate": "abc"}, "lines-0-rate", "is not an amount"),
    ({"matter": ""}, "matter", "Choose the matter"),
])
def test_bad_bill_input_is_refused_beside_its_field_and_nothing_is_saved(client, billing, db_session,
                                                                      overrides, field, message):
    response = client.submit("/billing/new", bill_form(billing, **overrides))
    assert response.status_code == 422
    page = html(response)
    assert message in page.find(id=f"{field}-error").text
    assert page.find("input", attrs={"name": "lines-1-description"})["value"] == "Search fee"
    assert count(db_session, Bill) == 0


def test_a_bill_with_no_lines_is_refused(client, billing, db_session):
    data = {"matter": str(billing.matter.id), "date": "2026-07-01"}
    response = client.submit("/billing/new", data)
    assert response.status_code == 422
    assert "Add at least one line." in html(response).text
    assert count(db_session, Bill) == 0


def test_a_draft_is_edited_and_deleted(client, billing, db_session):
    bill = billing.bill(approve=False)
    page = html(client.get(f"/billing/{bill.id}/edit"))
    assert page.find("input", attrs={"name": "lines-0-description"})["value"] == "Advice"
    response = client.submit(f"/billing/{bill.id}/edit", bill_form(billing))
    assert response.status_code == 303
    db_session.expire_all()
    assert bill.total == D("370.00")
    response = client.submit(f"/billing/{bill.id}/delete")
    assert response.status_code == 303 and response.headers["Location"] == "/billing/"
    assert count(db_session, Bill) == 0


def test_approving_numbers_and_posts_the_bill(client, billing, db_session):
    bill = billing.bill(approve=False)
    response = client.submit(f"/billing/{bill.id}/approve")
    assert response.status_code == 303
    page = html(client.get(f"/billing/{bill.id}"))
    assert "Bill INV-00001 approved and posted." in page.select_one(".flashes").text
    assert page.select_one("h1 .status").text == "awaiting payment"
    history = page.select("table.bill-history tbody tr")
    assert "Posted" in history[0].text and history[0].find("a", href=f"/journals/{bill.journal_id}")


def test_a_part_payment_then_the_rest(client, billing, db_session):
    bill = billing.bill()
    data = {"payment-date": "2026-07-05", "payment-amount": "60.00",
            "payment-bank_account": str(billing.id("1-1000")), "payment-reference": "EFT 1"}
    assert client.submit(f"/billing/{bill.id}/payments", data).status_code == 303
    page = html(client.get(f"/billing/{bill.id}"))
    assert page.select_one("h1 .status").text == "part paid"
    assert page.select_one("tfoot .owed").text == "50.00"
    assert page.find("input", attrs={"name": "payment-amount"})["value"] == "50.00"
    assert client.submit(f"/billing/{bill.id}/payments", {**data, "payment-amount": "50"}).status_code == 303
    page = html(client.get(f"/billing/{bill.id}"))
    assert page.select_one("h1 .status").text == "paid"
    assert page.find(id="payment") is None


@pytest.mark.parametrize("overrides, field, message", [
    ({"payment-amount": "110.01"}, "payment-amount", "more than is owed: INV-00001 has 110.00 owing"),
    ({"payment-amount": "0"}, "payment-amount", "more than zero"),
    ({"payment-amount": "x"}, "payment-amount", "is not an amount"),
    ({"payment-date": "2026-06-30"}, "payment-date", "before the bill"),
    ({"payment-bank_account": "999"}, "payment-bank_account", "office bank account"),
])
def test_bad_payments_are_refused_and_nothing_is_saved(client, billing, db_session, overrides, field,
                                                       message):
    bill = billing.bill()
    data = {"payment-date": "2026-07-05", "payment-amount": "60.00",
            "payment-bank_account": str(billing.id("1-1000")), **overrides}
    response = client.submit(f"/billing/{bill.id}/payments", data)
    assert response.status_code == 422
    page = html(response)
    assert message in page.find(id=f"{field}-error").text
    assert page.find("input", attrs={"name": "payment-amount"})["value"] == data["payment-amount"]
    assert count(db_session, BillEvent) == 1  # only the posting


def test_a_payment_to_a_draft_is_refused(client, billing, db_session):
    bill = billing.bill(approve=False)
    response = client.submit(f"/billing/{bill.id}/payments", {
        "payment-date": "2026-07-05", "payment-amount": "1.00",
        "payment-bank_account": str(billing.id("1-1000"))})
    assert response.status_code == 422
    assert "is a draft: approve it before recording a payment" in html(response).text


def test_revert_void_and_the_locked_explanation(client, billing, db_session):
    bill = billing.bill()
    assert client.submit(f"/billing/{bill.id}/revert").status_code == 303
    page = html(client.get(f"/billing/{bill.id}"))
    assert page.select_one("h1 .status").text == "draft" and "INV-00001" in page.find("h1").text
    assert [r.select("td")[1].text for r in page.select("table.bill-history tbody tr")] == [
        "Posted", "Reverted"]
    client.submit(f"/billing/{bill.id}/approve")
    db_session.expire_all()
    bill.journal.lock("Pushed to Xero as INV-0042")
    db_session.commit()
    page = html(client.get(f"/billing/{bill.id}"))
    assert "Pushed to Xero as INV-0042. Unlink it in Integrations first" in page.select_one(
        "#correct .notice").text
    response = client.submit(f"/billing/{bill.id}/void", {"reason": "Sent to the wrong client"})
    assert response.status_code == 422
    assert "Unlink it in Integrations" in html(response).select_one(".form-errors").text
    bill.journal.unlock()
    db_session.commit()
    voided = client.submit(f"/billing/{bill.id}/void", {"reason": "Sent to the wrong client"})
    assert voided.status_code == 303
    assert html(client.get(f"/billing/{bill.id}")).select_one("h1 .status").text == "voided"


def test_write_off(client, billing, db_session):
    bill = billing.bill()
    response = client.submit(f"/billing/{bill.id}/write-off", {"write_off-date": "2026-07-09",
                                                              "write_off-reason": "Gone"})
    assert response.status_code == 303
    page = html(client.get(f"/billing/{bill.id}"))
    assert page.select_one("h1 .status").text == "written off"  # not the green "paid"
    assert "Write-off" in page.select_one("table.bill-history").text


def test_the_printable_bill(client, billing):
    bill = billing.bill()
    billing.pay(bill, "10.00")
    page = html(client.get(f"/billing/{bill.id}/print"))
    assert "Tax invoice" in page.text and "INV-00001" in page.text and "Acme Pty Ltd" in page.text
    assert billing.matter.number in page.text
    assert page.select_one(".owed").text == "100.00"
    assert page.find("nav") is None


def test_a_credit_note_prints_as_an_adjustment_note_with_the_practices_details(client, billing,
                                                                              db_session):
    from accounting.ledger.practice import get_practice

    practice = get_practice(db_session)
    practice.legal_name, practice.abn = "Smith & Co Lawyers Pty Ltd", "51824753556"
    db_session.commit()
    client.submit("/billing/credit-notes/new", {
        "client": str(billing.client.id), "date": "2026-07-02", "lines-0-description": "Goodwill",
        "lines-0-quantity": "1", "lines-0-rate": "100.00", "lines-0-account": str(billing.id("4-1000")),
        "lines-0-tax": "gst"})
    note = db_session.scalars(select(CreditNote)).one()
    shown = html(client.get(f"/billing/credit-notes/{note.id}"))
    link = shown.find("a", string="Print adjustment note")
    page = html(client.get(link["href"]))
    assert page.select_one(".bill-title h2").text == "Adjustment note"
    assert note.number in page.text and "Acme Pty Ltd" in page.text
    assert "Smith & Co Lawyers Pty Ltd" in page.text and "ABN 51 824 753 556" in page.text
    assert page.select_one(".owed").text == "110.00"  # the credit remaining
    assert page.find(class_="payment-details") is None and page.find("button", attrs={"data-print": True})


def test_credit_note_issued_applied_to_bills_and_refunded(client, billing, db_session):
    first, second = billing.bill(), billing.bill()
    form = html(client.get("/billing/credit-notes/new"))
    assert form.find("label", attrs={"for": "client"})
    response = client.submit("/billing/credit-notes/new", {
        "client": str(billing.client.id), "date": "2026-07-02", "lines-0-description": "Goodwill",
        "lines-0-quantity": "1", "lines-0-rate": "100.00", "lines-0-account": str(billing.id("4-1000")),
        "lines-0-tax": "gst"})
    assert response.status_code == 303
    note = db_session.scalars(select(CreditNote)).one()
    page = html(client.get(response.headers["Location"]))
    assert page.select_one(".remaining").text == "110.00"
    response = client.submit(f"/billing/credit-notes/{note.id}/apply", {
        "apply-date": "2026-07-03", f"amount-{first.id}": "100.00", f"amount-{second.id}": "5.00"})
    assert response.status_code == 303
    db_session.expire_all()
    assert (first.owed, second.owed, note.remaining) == (D("10.00"), D("105.00"), D("5.00"))
    response = client.submit(f"/billing/credit-notes/{note.id}/refund", {
        "refund-date": "2026-07-04", "refund-amount": "5.00",
        "refund-bank_account": str(billing.id("1-1000"))})
    assert response.status_code == 303
    page = html(client.get(f"/billing/credit-notes/{note.id}"))
    assert page.select_one("h1 .status").text == "used"
    assert page.find(id="apply") is None
    assert "Refunded" in page.select_one(".bill-history").text
    assert "CN-00001" in html(client.get("/billing/credit-notes/")).select_one("table").text


def test_applying_more_than_is_left_is_refused_and_nothing_saved(client, billing, db_session):
    bill = billing.bill(billing.line(rate="500.00"))
    note = billing.credit_note(billing.line(rate="10.00"))
    response = client.submit(f"/billing/credit-notes/{note.id}/apply", {
        "apply-date": "2026-07-03", f"amount-{bill.id}": "20.00"})
    assert response.status_code == 422
    page = html(response)
    assert "more than is left on CN-00001: 11.00" in page.select_one(".form-errors").text
    assert page.find("input", attrs={"name": f"amount-{bill.id}"})["value"] == "20.00"
    db_session.expire_all()
    assert note.used == D("0.00") and bill.applied == D("0.00")


def test_refunding_more_than_is_left_is_refused(client, billing, db_session):
    note = billing.credit_note()
    response = client.submit(f"/billing/credit-notes/{note.id}/refund", {
        "refund-date": "2026-07-04", "refund-amount": "110.01",
        "refund-bank_account": str(billing.id("1-1000"))})
    assert response.status_code == 422
    assert "more than is left on CN-00001: 110.00" in html(response).find(id="refund-amount-error").text
    assert count(db_session, Journal) == 1


def test_unknown_bills_are_404(client, billing):
    assert client.get("/billing/999").status_code == 404
    assert client.get(f"/billing/{2**40}").status_code == 404
    assert client.get("/billing/credit-notes/999").status_code == 404


def test_actions_need_the_csrf_token(client, billing):
    bill = billing.bill(approve=False)
    assert client.post(f"/billing/{bill.id}/approve").status_code == 400
    assert date.today()


def test_work_in_progress_is_recorded_and_billed(client, billing, db_session, books):
    from accounting.office.bills import TimeEntry

    page = html(client.get(f"/billing/wip?matter={billing.matter.id}"))
    for name in ("kind", "date", "person", "description", "hours", "rate", "amount", "account", "tax"):
        assert page.find("label", attrs={"for": name}), name
    url = f"/billing/wip/{billing.matter.id}/entries"
    response = client.submit(url, {"kind": "time", "date": "2026-07-02", "person": str(books.staff.id),
                                   "description": "Drafting", "hours": "1.5", "rate": "300", "tax": "gst"})
    assert response.status_code == 303
    client.submit(url, {"kind": "disbursement", "date": "2026-07-02", "description": "Search",
                        "amount": "40", "tax": "gst_free"})
    page = html(client.get(f"/billing/wip?matter={billing.matter.id}"))
    rows = page.select("table.wip tbody tr")
    assert [r.select("td.num")[-1].text for r in rows] == ["450.00", "40.00"]
    ids = [e.id for e in db_session.scalars(select(TimeEntry).order_by(TimeEntry.id))]
    response = client.submit(f"/billing/wip/{billing.matter.id}/bill",
                             {"bill-date": "2026-07-03", "entry": ids[0]})
    assert response.status_code == 303
    page = html(client.get(response.headers["Location"]))
    assert page.select_one("tfoot .total").text == "495.00"
    assert len(html(client.get(f"/billing/wip?matter={billing.matter.id}")).select("table.wip tbody tr")) == 1


def test_bad_entries_and_billing_nothing_are_refused(client, billing, db_session):
    from accounting.office.bills import TimeEntry

    response = client.submit(f"/billing/wip/{billing.matter.id}/entries", {
        "kind": "time", "date": "2026-07-02", "description": "Drafting", "hours": "0", "rate": "300"})
    assert response.status_code == 422
    page = html(response)
    assert "Enter the hours, more than zero." in page.find(id="hours-error").text
    assert page.find("input", attrs={"name": "description"})["value"] == "Drafting"
    assert count(db_session, TimeEntry) == 0
    response = client.submit(f"/billing/wip/{billing.matter.id}/bill", {"bill-date": "2026-07-03"})
    assert response.status_code == 422
    assert "Choose at least one entry to bill." in html(response).text
    assert count(db_session, Bill) == 0


def test_an_unbilled_entry_is_deleted_and_a_billed_one_is_not(client, billing, db_session):
    from accounting.office.bills import TimeEntry
    from accounting.office.work_in_progress import bill_from_entries, record_entry

    first, second = (record_entry(db_session, None, matter_id=billing.matter.id, kind="disbursement",
                                  on=date(2026, 7, 1), person_id=None, description=text, amount=D("5.00"))
                     for text in ("Courier", "Stamp"))
    bill_from_entries(db_session, None, matter_id=billing.matter.id, entry_ids=[second.id],
                      date=date(2026, 7, 2))
    db_session.commit()
    page = html(client.get(f"/billing/wip?matter={billing.matter.id}"))
    assert page.find("button", attrs={"aria-label": "Delete Courier"})
    response = client.submit(f"/billing/wip/entries/{first.id}/delete", {"matter": billing.matter.id})
    assert response.status_code == 303
    response = client.submit(f"/billing/wip/entries/{second.id}/delete", {"matter": billing.matter.id})
    assert response.status_code == 422
    assert "delete or void the bill to free it" in html(response).text
    assert count(db_session, TimeEntry) == 1


def test_bad_credit_notes_are_refused_and_nothing_is_saved(client, billing, db_session):
    data = {"client": "", "date": "2026-07-02", "lines-0-description": "Goodwill", "lines-0-quantity": "1",
            "lines-0-rate": "100.00", "lines-0-account": str(billing.id("4-1000")), "lines-0-tax": "gst"}
    response = client.submit("/billing/credit-notes/new", data)
    assert response.status_code == 422
    assert "Choose the client" in html(response).find(id="client-error").text
    response = client.submit("/billing/credit-notes/new", {**data, "client": str(billing.client.id),
                                                          "lines-0-rate": "0"})
    assert response.status_code == 422
    assert "more than zero" in html(response).find(id="lines-0-rate-error").text
    assert count(db_session, CreditNote) == 0 and count(db_session, Journal) == 0
    lines = html(client.submit("/billing/credit-notes/lines?add=1", data, headers=HX))
    assert len(lines.select("tr.line")) == 2
    totals = html(client.submit("/billing/credit-notes/totals", data, headers=HX))
    assert totals.select_one(".total").text == "110.00"


def test_a_credit_note_is_not_applied_to_another_clients_bill(client, billing, db_session, books):
    from accounting.parties.clients import ClientDetails, open_matter, save_client

    other = save_client(db_session, books.admin, ClientDetails(kind="individual", name="Bea Other"))
    matter = open_matter(db_session, books.admin, other, description="Will", responsible_id=None,
                         opened_on=date(2026, 7, 1))
    theirs = billing.bill(matter=matter)
    note = billing.credit_note()
    response = client.submit(f"/billing/credit-notes/{note.id}/apply", {
        "apply-date": "2026-07-03", f"amount-{theirs.id}": "10.00"})
    assert response.status_code == 422
    assert "another client's bill" in html(response).select_one(".form-errors").text
    db_session.expire_all()
    assert theirs.applied == D("0.00") and note.used == D("0.00")


def test_approving_before_the_lock_date_is_refused(client, billing, db_session):
    from accounting.ledger.practice import get_practice

    bill = billing.bill(approve=False)
    get_practice(db_session).lock_date = date(2026, 8, 1)
    db_session.commit()
    response = client.submit(f"/billing/{bill.id}/approve")
    assert response.status_code == 422
    assert "The books are locked before 01 Aug 2026" in html(response).select_one(".form-errors").text
    db_session.expire_all()
    assert bill.status == BillStatus.DRAFT and bill.number is None
