"""Supplier pages: suppliers, invoices with htmx lines and live totals, approve, pay, void."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounting.ledger.journals import Journal
from accounting.ledger.practice import get_practice
from accounting.office.supplier_documents import InvoiceStatus, SupplierInvoice, SupplierPayment
from accounting.office.suppliers import Supplier, SupplierDetails, save_supplier
from tests.support import html, text_of

HX = {"HX-Request": "true"}


@pytest.fixture
def signed_in(auth):
    auth.login("staff@example.com")


@pytest.fixture
def supplier(books, db_session):
    s = save_supplier(db_session, books.admin, SupplierDetails(name="Officeworks", abn="51824753556"))
    db_session.commit()
    return s


def count(db_session, model):
    return db_session.scalar(select(func.count()).select_from(model))


def invoice_data(books, supplier, *lines, **fields):
    data = {"supplier_id": str(supplier.id), "supplier_ref": "INV-77", "date": "2026-07-10",
            "due_date": "2026-08-10"}
    data.update(fields)
    for i, (description, amount, code, *free) in enumerate(lines):
        data[f"lines-{i}-description"] = description
        data[f"lines-{i}-amount"] = amount
        data[f"lines-{i}-account"] = str(books.account(code).id) if code else ""
        if free:
            data[f"lines-{i}-gst_free"] = "y"
    return data


def error_beside(page, field_id):
    return text_of(page.find(id=f"{field_id}-error"))


def make_invoice(client, books, supplier, approve=False):
    response = client.submit("/suppliers/invoices/new", invoice_data(
        books, supplier, ("Paper", "100.00", "6-2400"), ("Filing fee", "50", "5-1000", True)))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    invoice_id = int(response.location.rsplit("/", 1)[1])
    if approve:
        assert client.submit(f"/suppliers/invoices/{invoice_id}/approve").status_code == 303
    return invoice_id


# Suppliers


def test_the_supplier_list_searches_with_htmx_and_pages(client, signed_in, books, db_session, app):
    app.config["PAGE_SIZE"] = 2
    for name in ("Acme", "Bolt", "Crane", "Delta"):
        save_supplier(db_session, books.admin, SupplierDetails(name=name))
    db_session.commit()
    page = html(client.get("/suppliers/"))
    assert page.find("label", attrs={"for": "supplier-search"}) is not None
    assert [text_of(a) for a in page.select(".suppliers-table tbody td:first-child a")] == ["Acme", "Bolt"]
    assert "Coming soon" not in page.get_text()
    fragment = client.get("/suppliers/?q=cra", headers=HX)
    assert "HX-Request" in fragment.headers["Vary"]
    body = html(fragment)
    assert body.find("html") is None and "Crane" in body.get_text() and "Acme" not in body.get_text()
    assert "Delta" in html(client.get("/suppliers/?page=2")).get_text()


def test_a_supplier_is_added_and_edited(client, signed_in, books, db_session):
    page = html(client.get("/suppliers/new"))
    for field_id in ("name", "abn", "email", "phone", "address", "default_account_id"):
        assert page.find("label", attrs={"for": field_id}) is not None, field_id
    response = client.submit("/suppliers/new", {
        "name": "Telstra", "abn": "51 824 753 556", "email": "bills@telstra.example",
        "phone": "13 22 00", "address": "1 Lonsdale St",
        "default_account_id": str(books.account("6-2500").id)})
    assert response.status_code == 303
    supplier = db_session.execute(select(Supplier)).scalar_one()
    assert (supplier.abn, supplier.default_account.code) == ("51824753556", "6-2500")
    response = client.submit(f"/suppliers/{supplier.id}/edit", {"name": "Telstra Corp", "abn": ""})
    assert response.status_code == 303
    db_session.refresh(supplier)
    assert supplier.name == "Telstra Corp" and supplier.default_account_id is None
    assert "Telstra Corp" in html(client.get(f"/suppliers/{supplier.id}/edit")).find(id="name")["value"]
    supplier.default_account_id = books.account("6-2500").id
    db_session.commit()
    page = html(client.get(f"/suppliers/invoices/new?supplier={supplier.id}"))
    chosen = page.find(id="lines-0-account").find("option", selected=True)
    assert text_of(chosen) == "6-2500 Telephone and Internet"


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"name": ""}, "name", "Enter the supplier's name."),
    ({"name": "X", "abn": "51 824 753 557"}, "abn", "check digit"),
    ({"name": "X", "email": "nope"}, "email", "email address"),
])
def test_a_bad_supplier_is_refused_beside_its_field(client, signed_in, books, db_session, data, field,
                                                     message):
    response = client.submit("/suppliers/new", data)
    assert response.status_code == 422
    page = html(response)
    assert message in error_beside(page, field)
    assert page.find(id="name")["value"] == data["name"]
    assert count(db_session, Supplier) == 0


def test_pages_need_sign_in_and_unknown_ids_are_404(client, books, supplier):
    assert client.get("/suppliers/").status_code in (302, 303)
    client.submit("/login", {"email": "staff@example.com", "password": "correct-horse-battery"})
    assert client.get("/suppliers/99999/edit").status_code == 404
    assert client.get("/suppliers/invoices/99999").status_code == 404
    assert client.get(f"/suppliers/invoices/{2**40}").status_code == 404


# Invoices


def test_the_invoice_form_has_labelled_fields_and_expense_accounts(client, signed_in, books, supplier):
    page = html(client.get(f"/suppliers/invoices/new?supplier={supplier.id}"))
    for field_id in ("supplier_id", "supplier_ref", "date", "due_date", "lines-0-description",
                     "lines-0-amount", "lines-0-account", "lines-0-gst_free"):
        assert page.find("label", attrs={"for": field_id}) is not None, field_id
    options = [text_of(o) for o in page.find(id="lines-0-account").find_all("option")]
    assert "6-2400 Office Supplies" in options and "5-1000 Court and Filing Fees" in options
    assert "4-1000 Professional Fees" not in options and "1-1000 Office Cheque Account" not in options
    assert page.find(id="supplier_id").find("option", selected=True)["value"] == str(supplier.id)


def test_lines_are_added_and_removed_by_the_server(client, signed_in, books, supplier):
    data = invoice_data(books, supplier, ("Paper", "10", "6-2400"), ("Toner", "20", "6-2400"))
    added = html(client.submit("/suppliers/invoices/lines?add=1", data, headers=HX))
    assert added.find("html") is None
    assert len(added.select("tr.line")) == 3
    removed = html(client.submit("/suppliers/invoices/lines?remove=0", data, headers=HX))
    assert [i["value"] for i in removed.select("input[name$=description]")] == ["Toner"]


def test_live_totals_are_computed_by_the_server(client, signed_in, books, supplier):
    data = invoice_data(books, supplier, ("Paper", "100.00", "6-2400"), ("Fee", "50", "5-1000", True),
                        ("Odd", "0.05", "6-2400"))
    page = html(client.submit("/suppliers/invoices/totals", data, headers=HX))
    assert page.find("html") is None
    assert text_of(page.select_one(".subtotal")) == "150.05"
    assert text_of(page.select_one(".gst")) == "10.01"
    assert text_of(page.select_one(".total")) == "160.06"
    junk = html(client.submit("/suppliers/invoices/totals", invoice_data(
        books, supplier, ("Paper", "abc", "6-2400")), headers=HX))
    assert text_of(junk.select_one(".total")) == "0.00"


def test_an_invoice_is_drafted_edited_approved_and_shown(client, signed_in, books, supplier, db_session):
    invoice_id = make_invoice(client, books, supplier)
    invoice = db_session.get(SupplierInvoice, invoice_id)
    assert (invoice.number, invoice.status, invoice.total) == ("SI-00001", InvoiceStatus.DRAFT,
                                                               Decimal("160.00"))
    assert count(db_session, Journal) == 0
    edit = html(client.get(f"/suppliers/invoices/{invoice_id}/edit"))
    assert edit.find(id="lines-1-gst_free").has_attr("checked")
    assert edit.find(id="lines-0-amount")["value"] == "100.00"
    response = client.submit(f"/suppliers/invoices/{invoice_id}/edit", invoice_data(
        books, supplier, ("Paper", "200.00", "6-2400"), supplier_ref="INV-78"))
    assert response.status_code == 303
    response = client.submit(f"/suppliers/invoices/{invoice_id}/approve")
    assert response.status_code == 303
    db_session.expire_all()
    invoice = db_session.get(SupplierInvoice, invoice_id)
    assert invoice.status == InvoiceStatus.AWAITING_PAYMENT and invoice.total == Decimal("220.00")
    page = html(client.get(f"/suppliers/invoices/{invoice_id}"))
    assert text_of(page.select_one(".invoice-status")) == "awaiting payment"
    assert text_of(page.select_one(".total")) == "220.00"
    history = page.find(id="history")
    assert "Approved" in text_of(history)
    link = history.select_one("tbody a")
    assert link["href"] == f"/journals/{invoice.journal_id}" and text_of(link) == invoice.journal.number
    assert client.get(f"/suppliers/invoices/{invoice_id}/edit").status_code == 303
    whole = client.get("/suppliers/invoices")
    assert whole.status_code == 200 and "SI-00001" in whole.get_data(as_text=True)
    listing = html(client.get("/suppliers/invoices?status=awaiting_payment", headers=HX))
    assert "SI-00001" in listing.get_text() and listing.find("html") is None


@pytest.mark.parametrize(("lines", "fields", "field", "message"), [
    ([], {}, None, "at least one line"),
    ([("Paper", "abc", "6-2400")], {}, "lines-0-amount", "is not an amount"),
    ([("Paper", "0", "6-2400")], {}, "lines-0-amount", "more than zero"),
    ([("Paper", "-3", "6-2400")], {}, "lines-0-amount", "more than zero"),
    ([("Paper", "10", "")], {}, "lines-0-account", "Choose an expense"),
    ([("", "10", "6-2400")], {}, "lines-0-description", "describe what was bought"),
    ([("Paper", "10", "6-2400")], {"supplier_id": ""}, "supplier_id", "Choose the supplier"),
    ([("Paper", "10", "6-2400")], {"supplier_ref": ""}, "supplier_ref", "invoice number"),
    ([("Paper", "10", "6-2400")], {"due_date": "2026-07-01"}, "due_date", "before the invoice date"),
    ([("Paper", "10", "6-2400")], {"date": "2026-13-40"}, "date", "real date"),
])
def test_a_bad_invoice_is_refused_and_nothing_saved(client, signed_in, books, supplier, db_session, lines,
                                                    fields, field, message):
    response = client.submit("/suppliers/invoices/new", invoice_data(books, supplier, *lines, **fields))
    assert response.status_code == 422
    page = html(response)
    shown = error_beside(page, field) if field else text_of(page.select_one(".form-errors"))
    assert message in shown, text_of(page.select_one(".form-errors"))
    assert count(db_session, SupplierInvoice) == 0
    if lines:
        assert page.find(id="lines-0-description")["value"] == lines[0][0]


def test_a_duplicate_supplier_invoice_number_is_refused(client, signed_in, books, supplier, db_session):
    make_invoice(client, books, supplier)
    response = client.submit("/suppliers/invoices/new", invoice_data(books, supplier, ("x", "1", "6-2400")))
    assert response.status_code == 422
    assert "already entered as SI-00001" in error_beside(html(response), "supplier_ref")
    assert count(db_session, SupplierInvoice) == 1


def test_a_draft_is_deleted(client, signed_in, books, supplier, db_session):
    invoice_id = make_invoice(client, books, supplier)
    assert client.submit(f"/suppliers/invoices/{invoice_id}/delete").status_code == 303
    assert count(db_session, SupplierInvoice) == 0


def test_approving_in_a_locked_period_is_refused_with_the_reason(client, signed_in, books, supplier,
                                                                 db_session):
    invoice_id = make_invoice(client, books, supplier)
    get_practice(db_session).lock_date = date(2026, 8, 1)
    db_session.commit()
    response = client.submit(f"/suppliers/invoices/{invoice_id}/approve")
    assert response.status_code == 422
    assert "locked before 01 Aug 2026" in html(response).get_text()
    assert count(db_session, Journal) == 0


# Payments and voids


def pay_data(books, amount, on="2026-07-20", bank="1-1000"):
    return {"date": on, "amount": amount, "bank_account_id": str(books.account(bank).id),
            "reference": "EFT"}


def test_part_then_full_payment_marks_the_invoice_paid(client, signed_in, books, supplier, db_session):
    invoice_id = make_invoice(client, books, supplier, approve=True)
    page = html(client.get(f"/suppliers/invoices/{invoice_id}"))
    banks = [text_of(o) for o in page.find(id="bank_account_id").find_all("option")]
    assert banks == ["1-1000 Office Cheque Account"]
    assert page.find(id="amount")["value"] == "160.00"
    assert client.submit(f"/suppliers/invoices/{invoice_id}/pay", pay_data(books, "60")).status_code == 303
    page = html(client.get(f"/suppliers/invoices/{invoice_id}"))
    assert text_of(page.select_one(".invoice-status")) == "part paid"
    assert text_of(page.select_one(".owing")) == "100.00"
    response = client.submit(f"/suppliers/invoices/{invoice_id}/pay", pay_data(books, "100.00"))
    assert response.status_code == 303
    page = html(client.get(f"/suppliers/invoices/{invoice_id}"))
    assert text_of(page.select_one(".invoice-status")) == "paid"
    assert page.find(id="pay") is None
    history = [text_of(row) for row in page.select("#history tbody tr")]
    assert len(history) == 3 and "Payment SP-00002" in history[2]
    assert "cannot be voided" in text_of(page.find(id="void"))


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"amount": "160.01"}, "amount", "160.00 owing"),
    ({"amount": "0"}, "amount", "more than zero"),
    ({"amount": "ten"}, "amount", "is not an amount"),
    ({"on": "2026-07-09"}, "date", "before the invoice"),
    ({"bank": "1-1100"}, "bank_account_id", "office bank account"),
])
def test_a_bad_payment_is_refused_and_nothing_saved(client, signed_in, books, supplier, db_session, data,
                                                    field, message):
    invoice_id = make_invoice(client, books, supplier, approve=True)
    response = client.submit(f"/suppliers/invoices/{invoice_id}/pay",
                             pay_data(books, data.get("amount", "10"), data.get("on", "2026-07-20"),
                                      data.get("bank", "1-1000")))
    assert response.status_code == 422
    assert message in error_beside(html(response), field)
    assert count(db_session, SupplierPayment) == 0


def test_a_payment_before_the_lock_date_is_refused(client, signed_in, books, supplier, db_session):
    invoice_id = make_invoice(client, books, supplier, approve=True)
    get_practice(db_session).lock_date = date(2026, 8, 1)
    db_session.commit()
    response = client.submit(f"/suppliers/invoices/{invoice_id}/pay", pay_data(books, "10"))
    assert response.status_code == 422
    assert "locked before" in error_beside(html(response), "date")
    assert count(db_session, SupplierPayment) == 0


def test_a_draft_cannot_be_paid(client, signed_in, books, supplier, db_session):
    invoice_id = make_invoice(client, books, supplier)
    response = client.submit(f"/suppliers/invoices/{invoice_id}/pay", pay_data(books, "10"))
    assert response.status_code == 422
    assert "is draft" in text_of(html(response).select_one(".form-errors"))
    assert count(db_session, SupplierPayment) == 0


def test_an_invoice_is_voided_and_its_history_links_the_reversal(client, signed_in, books, supplier,
                                                                 db_session):
    invoice_id = make_invoice(client, books, supplier, approve=True)
    response = client.submit(f"/suppliers/invoices/{invoice_id}/void", {"date": "2026-07-11",
                                                                        "reason": "Entered twice"})
    assert response.status_code == 303
    page = html(client.get(f"/suppliers/invoices/{invoice_id}"))
    assert text_of(page.select_one(".invoice-status")) == "voided"
    assert "Voided: Entered twice" in text_of(page.find(id="history"))
    assert [text_of(a) for a in page.select("#history tbody a")] == ["PU-000001", "RV-000001"]
    assert page.find(id="pay") is None


def test_a_locked_invoice_explains_why_it_cannot_be_voided(client, signed_in, books, supplier, db_session):
    invoice_id = make_invoice(client, books, supplier, approve=True)
    db_session.get(SupplierInvoice, invoice_id).lock("Pushed to Xero as BILL-9")
    db_session.commit()
    page = html(client.get(f"/suppliers/invoices/{invoice_id}"))
    assert "Pushed to Xero as BILL-9" in text_of(page.find(id="void"))
    response = client.submit(f"/suppliers/invoices/{invoice_id}/void", {"date": "2026-07-11", "reason": "x"})
    assert response.status_code == 422
    assert "Pushed to Xero as BILL-9" in text_of(html(response).find(id="void"))
    assert db_session.get(SupplierInvoice, invoice_id).status == InvoiceStatus.AWAITING_PAYMENT


def test_output_is_escaped(client, signed_in, books, db_session):
    supplier = save_supplier(db_session, books.admin, SupplierDetails(name="<script>x</script>"))
    db_session.commit()
    body = client.get("/suppliers/").get_data(as_text=True)
    assert "<script>x</script>" not in body and "&lt;script&gt;" in body
    assert supplier.id


# Credit notes


def credit_data(books, supplier, *lines, **fields):
    data = invoice_data(books, supplier, *lines, **fields)
    data.pop("due_date")
    data.setdefault("supplier_ref", "CN-1")
    if "supplier_ref" not in fields:
        data["supplier_ref"] = "CN-1"
    return data


def make_credit(client, books, supplier, amount="20.00"):
    response = client.submit("/suppliers/credits/new", credit_data(
        books, supplier, ("Returned paper", amount, "6-2400")))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return int(response.location.rsplit("/", 1)[1])


def test_a_credit_note_is_posted_and_applied_to_invoices(client, signed_in, books, supplier, db_session):
    from accounting.office.supplier_documents import SupplierCredit

    page = html(client.get(f"/suppliers/credits/new?supplier={supplier.id}"))
    assert page.find(id="due_date") is None
    for field_id in ("supplier_id", "supplier_ref", "date", "lines-0-amount"):
        assert page.find("label", attrs={"for": field_id}) is not None, field_id
    first = make_invoice(client, books, supplier, approve=True)
    response = client.submit("/suppliers/invoices/new", invoice_data(
        books, supplier, ("Toner", "10.00", "6-2400"), supplier_ref="INV-2"))
    second = int(response.location.rsplit("/", 1)[1])
    client.submit(f"/suppliers/invoices/{second}/approve")
    credit_id = make_credit(client, books, supplier, "100.00")  # 110.00 with GST
    credit = db_session.get(SupplierCredit, credit_id)
    assert [(x.account.code, str(x.amount)) for x in credit.journal.lines] == [
        ("2-1000", "110.00"), ("6-2400", "-100.00"), ("2-1200", "-10.00")]
    page = html(client.get(f"/suppliers/credits/{credit_id}"))
    assert page.find("label", attrs={"for": f"apply-{first}"}) is not None
    response = client.submit(f"/suppliers/credits/{credit_id}/apply", {
        "date": "2026-07-12", f"apply-{first}": "99.00", f"apply-{second}": "11.00"})
    assert response.status_code == 303
    page = html(client.get(f"/suppliers/credits/{credit_id}"))
    assert text_of(page.select_one(".remaining")) == "0.00" and page.find(id="apply") is None
    invoice_page = html(client.get(f"/suppliers/invoices/{second}"))
    assert text_of(invoice_page.select_one(".invoice-status")) == "paid"
    assert "Credit note SC-00001 applied" in text_of(invoice_page.find(id="history"))
    listing = html(client.get("/suppliers/credits"))
    assert "SC-00001" in listing.get_text()


@pytest.mark.parametrize(("amount", "message"), [
    ("200.00", "160.00 owing"), ("abc", "is not an amount"), ("-1", "more than zero")])
def test_a_bad_application_is_refused_beside_the_invoice(client, signed_in, books, supplier, db_session,
                                                         amount, message):
    from accounting.office.supplier_documents import SupplierCreditApplication

    invoice_id = make_invoice(client, books, supplier, approve=True)
    credit_id = make_credit(client, books, supplier, "500.00")
    response = client.submit(f"/suppliers/credits/{credit_id}/apply",
                             {"date": "2026-07-12", f"apply-{invoice_id}": amount})
    assert response.status_code == 422
    page = html(response)
    assert message in error_beside(page, f"apply-{invoice_id}")
    assert page.find(id=f"apply-{invoice_id}")["value"] == amount
    assert count(db_session, SupplierCreditApplication) == 0


def test_more_than_is_left_on_the_credit_is_refused(client, signed_in, books, supplier, db_session):
    invoice_id = make_invoice(client, books, supplier, approve=True)
    credit_id = make_credit(client, books, supplier, "10.00")
    response = client.submit(f"/suppliers/credits/{credit_id}/apply",
                             {"date": "2026-07-12", f"apply-{invoice_id}": "12.00"})
    assert response.status_code == 422
    assert "11.00 is left to apply" in text_of(html(response).select_one(".form-errors"))


def test_another_suppliers_invoice_is_refused(client, signed_in, books, supplier, db_session):
    other = save_supplier(db_session, books.admin, SupplierDetails(name="Telstra"))
    db_session.commit()
    theirs = make_invoice(client, books, other, approve=True)
    credit_id = make_credit(client, books, supplier)
    page = html(client.get(f"/suppliers/credits/{credit_id}"))
    assert page.find(id=f"apply-{theirs}") is None
    response = client.submit(f"/suppliers/credits/{credit_id}/apply",
                             {"date": "2026-07-12", f"apply-{theirs}": "1.00"})
    assert response.status_code == 422
    assert "Telstra's invoice" in text_of(html(response).select_one(".form-errors"))


def test_a_bad_credit_note_is_refused_and_nothing_saved(client, signed_in, books, supplier, db_session):
    from accounting.office.supplier_documents import SupplierCredit

    response = client.submit("/suppliers/credits/new", credit_data(books, supplier, ("Back", "0", "6-2400")))
    assert response.status_code == 422
    assert "more than zero" in error_beside(html(response), "lines-0-amount")
    response = client.submit("/suppliers/credits/new", credit_data(books, supplier))
    assert "at least one line" in text_of(html(response).select_one(".form-errors"))
    assert count(db_session, SupplierCredit) == count(db_session, Journal) == 0


# Purchase orders


def order_data(books, supplier, *lines, **fields):
    data = {"supplier_id": str(supplier.id), "date": "2026-07-10", "delivery_date": "2026-07-20"}
    data.update(fields)
    for i, (description, quantity, price, code, *free) in enumerate(lines):
        data.update({f"lines-{i}-description": description, f"lines-{i}-quantity": quantity,
                     f"lines-{i}-unit_price": price,
                     f"lines-{i}-account": str(books.account(code).id) if code else ""})
        if free:
            data[f"lines-{i}-gst_free"] = "y"
    return data


def test_a_purchase_order_is_raised_edited_sent_printed_and_posts_nothing(client, signed_in, books,
                                                                          supplier, db_session):
    from accounting.office.purchase_orders import PurchaseOrder

    page = html(client.get("/suppliers/orders/new"))
    for field_id in ("supplier_id", "date", "delivery_date", "lines-0-description", "lines-0-quantity",
                     "lines-0-unit_price", "lines-0-account", "lines-0-gst_free"):
        assert page.find("label", attrs={"for": field_id}) is not None, field_id
    two_lines = order_data(books, supplier, ("Paper", "3", "12.50", "6-2400"),
                           ("Fee", "1.5", "10", "5-1000", True))
    totals = html(client.submit("/suppliers/orders/totals", two_lines, headers=HX))
    assert [text_of(totals.select_one(c)) for c in (".subtotal", ".gst", ".total")] == [
        "52.50", "3.75", "56.25"]
    lines = html(client.submit("/suppliers/orders/lines?add=1", order_data(
        books, supplier, ("Paper", "3", "12.50", "6-2400")), headers=HX))
    assert len(lines.select("tr.line")) == 2 and lines.find("html") is None
    response = client.submit("/suppliers/orders/new", order_data(
        books, supplier, ("Paper", "3", "12.50", "6-2400"), ("Fee", "1.5", "10", "5-1000", True)))
    assert response.status_code == 303
    order = db_session.execute(select(PurchaseOrder)).scalar_one()
    assert order.number == "PO-00001"
    edit = html(client.get(f"/suppliers/orders/{order.id}/edit"))
    assert edit.find(id="lines-1-quantity")["value"] == "1.5"
    response = client.submit(f"/suppliers/orders/{order.id}/edit", order_data(
        books, supplier, ("Paper", "4", "12.50", "6-2400")))
    assert response.status_code == 303
    assert client.submit(f"/suppliers/orders/{order.id}/send").status_code == 303
    page = html(client.get(f"/suppliers/orders/{order.id}"))
    assert text_of(page.select_one(".order-status")) == "sent"
    assert text_of(page.select_one(".total")) == "55.00"
    assert client.get(f"/suppliers/orders/{order.id}/edit").status_code == 303
    printed = html(client.get(f"/suppliers/orders/{order.id}/print"))
    assert "PO-00001" in text_of(printed.select_one(".order-number"))
    assert printed.select_one(".topbar") is None and "Officeworks" in printed.get_text()
    assert "PO-00001" in html(client.get("/suppliers/orders")).get_text()
    assert count(db_session, Journal) == 0


@pytest.mark.parametrize(("line", "fields", "field", "message"), [
    (("Paper", "0", "1", "6-2400"), {}, "lines-0-quantity", "more than zero"),
    (("Paper", "x", "1", "6-2400"), {}, "lines-0-quantity", "is not an amount"),
    (("Paper", "1", "-1", "6-2400"), {}, "lines-0-unit_price", "cannot be negative"),
    (("Paper", "1", "1", "4-1000"), {}, "lines-0-account", "Choose an expense"),
    (("Paper", "1", "1", "6-2400"), {"delivery_date": "2026-07-01"}, "delivery_date", "before the order"),
    (("Paper", "1", "1", "6-2400"), {"supplier_id": ""}, "supplier_id", "Choose the supplier"),
])
def test_a_bad_purchase_order_is_refused_and_nothing_saved(client, signed_in, books, supplier, db_session,
                                                           line, fields, field, message):
    from accounting.office.purchase_orders import PurchaseOrder

    response = client.submit("/suppliers/orders/new", order_data(books, supplier, line, **fields))
    assert response.status_code == 422
    page = html(response)
    assert message in error_beside(page, field)
    assert page.find(id="lines-0-description")["value"] == "Paper"
    assert count(db_session, PurchaseOrder) == 0
