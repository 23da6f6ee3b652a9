"""Aged receivables, aged payables and GST summary pages: figures, filters, htmx detail, CSV."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from accounting.errors import InvalidAccount
from accounting.ledger.tax import TaxCode
from accounting.office import billing
from accounting.office.bills import BillLineInput
from accounting.office.supplier_invoices import (
    InvoiceDetails,
    InvoiceLineInput,
    approve_invoice,
    create_invoice,
)
from accounting.office.suppliers import SupplierDetails, save_supplier
from accounting.parties.clients import ClientDetails, open_matter, save_client
from tests.support import html, text_of

D = Decimal


@pytest.fixture
def office(auth, books):
    """Two clients' bills (one with a hostile name), one paid in part; a supplier's invoice."""
    auth.login()
    s, admin = books.session, books.admin
    bills = []
    for name, rate, on, due in [("Acme Pty Ltd", "100.00", date(2026, 7, 1), date(2026, 7, 15)),
                                ("=HYPERLINK(\"x\") & Co", "200.00", date(2026, 9, 1), date(2026, 10, 15))]:
        client = save_client(s, admin, ClientDetails(kind="company", name=name))
        matter = open_matter(s, admin, client, description="Advice", responsible_id=None, opened_on=on)
        bill = billing.create_bill(s, admin, matter_id=matter.id, date=on, due_date=due, lines=[
            BillLineInput("Advice", D("1"), D(rate), books.account("4-1000").id, TaxCode.GST)])
        billing.approve_bill(s, admin, bill)
        bills.append(bill)
    billing.record_payment(s, admin, bills[0].id, amount=D("10.00"), date=date(2026, 10, 1),
                           bank_account_id=books.account("1-1000").id)
    supplier = save_supplier(s, admin, SupplierDetails(name="Officeworks"))
    paper = [InvoiceLineInput("Paper", D("50.00"), books.account("6-2400").id)]
    invoice = create_invoice(s, admin, InvoiceDetails(supplier.id, "OW-1", date(2026, 8, 1),
                                                      date(2026, 8, 31), paper))
    approve_invoice(s, admin, invoice)
    s.commit()
    books.bills, books.supplier, books.invoice = bills, supplier, invoice
    return books


def rows_of(table, part="tbody"):
    return [[text_of(c) for c in tr.find_all(["th", "td"])] for tr in table.find(part).find_all("tr")
            if "aged-detail-row" not in (tr.get("class") or [])]


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_the_reports_index_links_every_office_report(client, office):
    page = html(client.get("/reports/"))
    links = {text_of(a): a["href"] for a in page.find_all("a")}
    assert links["Aged receivables"] == "/reports/aged-receivables"
    assert links["Aged payables"] == "/reports/aged-payables"
    assert links["GST summary"] == "/reports/gst"


def test_aged_receivables_page_shows_buckets_totals_and_the_ledger_check(client, office):
    page = html(client.get("/reports/aged-receivables?as_at=2026-10-31"))
    table = page.find("table", class_="aged")
    assert rows_of(table, "thead") == [["Client", "Current", "1–30 days", "31–60 days", "61–90 days",
                                        "Over 90 days", "Total"]]
    assert rows_of(table) == [
        ["=HYPERLINK(\"x\") & Co Show documents", "0.00", "220.00", "0.00", "0.00", "0.00", "220.00"],
        ["Acme Pty Ltd Show documents", "0.00", "0.00", "0.00", "0.00", "100.00", "100.00"],
    ]
    assert rows_of(table, "tfoot") == [["Total", "0.00", "220.00", "0.00", "0.00", "100.00", "320.00"]]
    assert all("num" in td["class"] for td in table.find("tbody").find_all("td") if td.text.strip())
    check = page.find("p", class_="ledger-check")
    assert check["hx-trigger"] == "load"
    assert check["hx-get"] == "/reports/aged-receivables/ledger-check?as_at=2026-10-31&total=320.00"
    fragment = client.get(check["hx-get"], headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert text_of(html(fragment)) == (
        "Accounts Receivable in the general ledger as at 31 Oct 2026: 320.00 agrees")
    assert page.find("input", id="as_at")["value"] == "2026-10-31"
    assert page.find("a", string="Download CSV")["href"] == "/reports/aged-receivables.csv?as_at=2026-10-31"


def test_changing_the_as_at_date_leaves_out_later_bills_and_payments(client, office):
    page = html(client.get("/reports/aged-receivables?as_at=2026-08-15"))
    assert rows_of(page.find("table", class_="aged")) == [
        ["Acme Pty Ltd Show documents", "0.00", "0.00", "110.00", "0.00", "0.00", "110.00"]]


def test_a_journal_straight_to_accounts_receivable_is_refused_so_the_report_agrees(client, office):
    with pytest.raises(InvalidAccount, match="Accounts Receivable is a control account"):
        office.journal({"1-2000": "5.00", "4-1000": "-5.00"}, on=date(2026, 10, 2))
    check = html(client.get("/reports/aged-receivables/ledger-check?as_at=2026-10-31&total=320.00"))
    assert "320.00 agrees" in text_of(check)


@pytest.mark.parametrize("url, status", [
    ("/reports/aged-receivables/ledger-check?as_at=bad", 400),
    ("/reports/aged-sideways/ledger-check?as_at=2026-10-31", 404),
    ("/reports/aged-payables/ledger-check?as_at=2026-10-31&total=lots", 200),
])
def test_the_ledger_check_refuses_bad_input(client, office, url, status):
    assert client.get(url).status_code == status


def test_aged_receivables_default_to_today(client, office):
    page = html(client.get("/reports/aged-receivables"))
    assert page.find("input", id="as_at")["value"] == date.today().isoformat()


@pytest.mark.parametrize("url", ["/reports/aged-receivables?as_at=31/10/2026",
                                 "/reports/aged-payables?as_at=soon"])
def test_a_bad_as_at_date_is_a_400_with_the_message_beside_the_field(client, office, url):
    response = client.get(url)
    assert response.status_code == 400
    page = html(response)
    assert "is not a date" in text_of(page.find("p", id="as_at-error"))
    assert page.find("input", id="as_at")["aria-invalid"] == "true"
    assert page.find("table", class_="aged") is None


def test_a_bad_date_in_a_csv_link_is_a_plain_400(client, office):
    response = client.get("/reports/aged-receivables.csv?as_at=nope")
    assert response.status_code == 400 and "is not a date" in response.get_data(as_text=True)


def test_the_show_documents_button_loads_the_clients_bills_in_place(client, office):
    page = html(client.get("/reports/aged-receivables?as_at=2026-10-31"))
    acme = office.bills[0].client
    button = page.find("button", attrs={"aria-controls": f"detail-{acme.id}"})
    assert button["hx-get"] == f"/reports/aged-receivables/{acme.id}?as_at=2026-10-31"
    assert button["hx-target"] == f"#detail-{acme.id}"
    fragment = client.get(button["hx-get"], headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    part = html(fragment)
    assert part.find("html") is None and part.find("h1") is None
    assert rows_of(part.find("table")) == [
        [office.bills[0].number, "01 Jul 2026", "15 Jul 2026", "108", "110.00", "100.00", "Over 90 days"]]
    assert part.find("a", string=office.bills[0].number)["href"] == f"/billing/{office.bills[0].id}"


def test_a_clients_detail_page_stands_alone_with_its_own_csv(client, office):
    acme = office.bills[0].client
    page = html(client.get(f"/reports/aged-receivables/{acme.id}?as_at=2026-10-31"))
    assert text_of(page.find("h1")) == "Acme Pty Ltd"
    assert rows_of(page.find("table"), "tfoot") == [["Total owed", "100.00", ""]]
    rows = csv_rows(client.get(f"/reports/aged-receivables/{acme.id}.csv?as_at=2026-10-31"))
    assert rows == [["Client", "Document", "Date", "Due", "Days overdue", "Total", "Owed", "Bucket"],
                    ["Acme Pty Ltd", office.bills[0].number, "2026-07-01", "2026-07-15", "108", "110.00",
                     "100.00", "Over 90 days"],
                    ["Total", "", "", "", "", "", "100.00", ""]]


@pytest.mark.parametrize("url", ["/reports/aged-receivables/999999", "/reports/aged-receivables/99999999999",
                                 "/reports/aged-payables/424242.csv"])
def test_an_unknown_client_or_supplier_is_a_404(client, office, url):
    assert client.get(url).status_code == 404


def test_aged_receivables_csv_neutralises_formulas_and_has_a_totals_row(client, office):
    response = client.get("/reports/aged-receivables.csv?as_at=2026-10-31")
    assert response.mimetype == "text/csv"
    assert 'filename="aged-receivables-2026-10-31.csv"' in response.headers["Content-Disposition"]
    assert csv_rows(response) == [
        ["Client", "Current", "1-30 days", "31-60 days", "61-90 days", "Over 90 days", "Total"],
        ["'=HYPERLINK(\"x\") & Co", "0.00", "220.00", "0.00", "0.00", "0.00", "220.00"],
        ["Acme Pty Ltd", "0.00", "0.00", "0.00", "0.00", "100.00", "100.00"],
        ["Total", "0.00", "220.00", "0.00", "0.00", "100.00", "320.00"],
    ]


def test_aged_payables_page_and_csv(client, office):
    page = html(client.get("/reports/aged-payables?as_at=2026-10-31"))
    assert rows_of(page.find("table", class_="aged")) == [
        ["Officeworks Show documents", "0.00", "0.00", "0.00", "55.00", "0.00", "55.00"]]
    check = html(client.get(page.find("p", class_="ledger-check")["hx-get"]))
    assert text_of(check) == "Accounts Payable in the general ledger as at 31 Oct 2026: 55.00 agrees"
    detail = html(client.get(f"/reports/aged-payables/{office.supplier.id}?as_at=2026-10-31"))
    link = detail.find("a", string=office.invoice.number)
    assert link["href"] == f"/suppliers/invoices/{office.invoice.id}"
    assert csv_rows(client.get("/reports/aged-payables.csv?as_at=2026-10-31"))[-1] == [
        "Total", "0.00", "0.00", "0.00", "55.00", "0.00", "55.00"]


def test_the_summary_is_paged_with_htmx(client, office, monkeypatch):
    from accounting.office import aged_reports as office_reports

    monkeypatch.setattr(office_reports, "SUMMARY_PER_PAGE", 1)
    page = html(client.get("/reports/aged-receivables?as_at=2026-10-31"))
    assert len(rows_of(page.find("table", class_="aged"))) == 1
    link = page.find("nav", class_="pager").find("a", string="Next ›")
    assert link["hx-target"] == "#aged-summary"
    second = html(client.get(link["hx-get"], headers={"HX-Request": "true"}))
    assert second.find("h1") is None
    assert rows_of(second.find("table"))[0][0] == "Acme Pty Ltd Show documents"
    assert rows_of(second.find("table"), "tfoot")[0][-1] == "320.00"  # totals of every client


def test_a_page_past_the_last_still_shows_every_clients_totals(client, office):
    page = html(client.get("/reports/aged-receivables?as_at=2026-10-31&page=9",
                           headers={"HX-Request": "true"}))
    assert rows_of(page.find("table")) == []
    assert rows_of(page.find("table"), "tfoot")[0][-1] == "320.00"


def test_gst_summary_page_lists_figures_and_documents(client, office):
    page = html(client.get("/reports/gst?start=2026-07-01&end=2026-09-30"))
    table = page.find("table", class_="gst-summary")
    figures = {td["id"]: text_of(td) for td in table.find_all("td", id=True)}
    assert figures == {"g1": "330.00", "g3": "0.00", "g4": "0.00", "gst-1a": "30.00", "g11": "55.00",
                       "gst-1b": "5.00", "bas-excluded": "0.00", "net-gst": "25.00"}
    assert "Net GST payable" in text_of(page.find("table", class_="gst-summary").find("tfoot"))
    assert "agrees" in text_of(page.find("p", class_="ledger-check"))
    sales = page.find("section", attrs={"aria-labelledby": "gst-sales"})
    assert [r[:3] for r in rows_of(sales.find("table"))] == [
        ["01 Jul 2026", "Bill", office.bills[0].number], ["01 Sep 2026", "Bill", office.bills[1].number]]
    purchases = page.find("section", attrs={"aria-labelledby": "gst-purchases"})
    assert purchases.find("a", string=office.invoice.number) is not None
    assert "Accrual basis" in text_of(page.find("div", class_="page-head"))


def test_gst_summary_csv(client, office):
    rows = csv_rows(client.get("/reports/gst.csv?start=2026-07-01&end=2026-09-30"))
    assert rows[0] == ["GST summary", "2026-07-01", "2026-09-30", "Accrual basis"]
    assert rows[3] == ["1A", "GST on sales", "30.00"] and rows[5] == ["1B", "GST on purchases", "5.00"]
    assert rows[9] == ["sales", "2026-07-01", "Bill", office.bills[0].number, "Acme Pty Ltd", "110.00",
                       "0.00", "10.00"]
    assert rows[10][2:5] == ["Supplier invoice", office.invoice.number, "Officeworks"]
    assert rows[11][4] == "'=HYPERLINK(\"x\") & Co"


def test_gst_summary_defaults_to_this_quarter(client, office):
    page = html(client.get("/reports/gst"))
    start = date.fromisoformat(page.find("input", id="start")["value"])
    end = date.fromisoformat(page.find("input", id="end")["value"])
    assert start.day == 1 and start.month in (1, 4, 7, 10) and start <= date.today() <= end
    assert (end.month - start.month) % 12 == 2


@pytest.mark.parametrize("query, field, message", [
    ("start=2026-09-30&end=2026-07-01", "start", "starts after it ends"),
    ("start=yesterday&end=2026-07-01", "start", "is not a date"),
    ("start=2026-07-01&end=2026-13-01", "end", "is not a date"),
])
def test_a_bad_gst_period_is_a_400_beside_the_field(client, office, query, field, message):
    response = client.get(f"/reports/gst?{query}")
    assert response.status_code == 400
    page = html(response)
    assert message in text_of(page.find("p", id=f"{field}-error"))
    assert page.find("table", class_="gst-summary") is None
    assert client.get(f"/reports/gst.csv?{query}").status_code == 400


@pytest.mark.parametrize("url", ["/reports/aged-receivables", "/reports/aged-payables.csv", "/reports/gst",
                                 "/reports/aged-receivables/1"])
def test_the_reports_need_a_signed_in_person(client, books, url):
    response = client.get(url)
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


# ---------------------------------------------------------------- GST: cash-basis adjustments


@pytest.fixture
def undone(office):
    """On the cash basis: 55.00 of the first bill paid on 10 Jul and that payment undone on 5 Aug; a
    receive money on 12 Aug of 100.00 + GST fees and 2,000.00 of capital put in."""
    from accounting.ledger.practice import Basis, get_practice
    from accounting.ledger.tax import TaxCode
    from accounting.office.bank_transactions import BankTransactionKind, MoneyLine, record_bank_transaction

    s, admin = office.session, office.admin
    get_practice(s).basis = Basis.CASH
    payment = billing.record_payment(s, admin, office.bills[0].id, amount=D("55.00"), date=date(2026, 7, 10),
                                     bank_account_id=office.account("1-1000").id)
    billing.undo_event(s, admin, payment.id, date=date(2026, 8, 5), reason="Dishonoured")
    record_bank_transaction(s, admin, kind=BankTransactionKind.DEPOSIT,
                            bank_account_id=office.account("1-1000").id, date=date(2026, 8, 12),
                            contact="Owner", lines=[
                                MoneyLine(office.account("4-1000").id, D("100.00"), TaxCode.GST),
                                MoneyLine(office.account("3-1000").id, D("2000.00"), TaxCode.GST_FREE)])
    s.commit()
    return office


def gst_figures(page):
    return {td["id"]: text_of(td) for td in page.find("table", class_="gst-summary").find_all("td", id=True)}


def test_a_payment_undone_later_shows_as_an_adjustment_in_the_later_month(client, undone):
    july = html(client.get("/reports/gst?start=2026-07-01&end=2026-07-31"))
    assert gst_figures(july)["g1"] == "55.00" and gst_figures(july)["gst-1a"] == "5.00"
    assert july.find(id="gst-adjustments") is None and july.find("tr", class_="gst-adjustment") is None

    page = html(client.get("/reports/gst?start=2026-08-01&end=2026-08-31"))
    assert "an undo counts negated" in text_of(page.find("div", class_="page-head"))
    # G1: -55.00 undone + 110.00 received
    assert gst_figures(page) == {"g1": "55.00", "g3": "0.00", "g4": "0.00", "gst-1a": "5.00", "g11": "0.00",
                                 "gst-1b": "0.00", "bas-excluded": "2,000.00", "net-gst": "5.00"}
    sales = page.find("section", attrs={"aria-labelledby": "gst-sales"})
    [adjustment] = sales.find_all("tr", class_="gst-adjustment")
    assert [text_of(c) for c in adjustment.find_all("td")] == [
        "05 Aug 2026", "Payment received undone adjustment", undone.bills[0].number, "Acme Pty Ltd",
        "-55.00", "0.00", "0.00", "-5.00"]
    assert adjustment.find("span", class_="status-adjustment") is not None
    assert all("num" in td["class"] for td in adjustment.find_all("td")[4:])
    assert "1 entry undoes in this period what an earlier period counted" in text_of(
        page.find(id="gst-adjustments"))


def test_capital_put_in_is_shown_but_left_out_of_g1(client, undone):
    page = html(client.get("/reports/gst?start=2026-08-01&end=2026-08-31"))
    sales = page.find("section", attrs={"aria-labelledby": "gst-sales"})
    row = sales.find("span", class_="gst-excluded").find_parent("tr")
    assert [text_of(c) for c in row.find_all("td")][4:] == ["110.00", "0.00", "0.00", "10.00"]
    assert "2,000.00 BAS-excluded or not a sale (loan, capital or other account): left out" in text_of(row)


def test_the_gst_csv_flags_adjustments_and_money_that_is_no_sale(client, undone):
    rows = csv_rows(client.get("/reports/gst.csv?start=2026-08-01&end=2026-08-31"))
    assert rows[0] == ["GST summary", "2026-08-01", "2026-08-31", "Cash basis"]
    assert rows[1] == ["G1", "Total sales (including GST)", "55.00"]
    assert rows[9] == ["sales", "2026-08-05", "Payment received undone (adjustment of an earlier period)",
                       undone.bills[0].number, "Acme Pty Ltd", "-55.00", "0.00", "-5.00"]
    assert rows[10][2] == "Receive money (2000.00 not a sale: left out)" and rows[10][5:] == [
        "110.00", "0.00", "10.00"]
