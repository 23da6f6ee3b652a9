"""Trial balance and general ledger pages, their filters and their CSV downloads."""

import csv
import io
from datetime import date

import pytest

from tests.support import html, text_of


@pytest.fixture
def ledger(auth, books):
    """Capital in; July rent; August insurance with GST."""
    auth.login()
    books.journal({"1-1000": "50000.00", "3-1000": "-50000.00"}, on=date(2026, 7, 1),
                  narration="Capital")
    books.journal({"6-2000": "4200.00", "1-1000": "-4200.00"}, on=date(2026, 7, 2), narration="Rent")
    books.journal({"6-2100": "3850.00", "2-1200": "385.00", "1-1000": "-4235.00"},
                  on=date(2026, 8, 1), narration="Insurance")
    return books


def table_rows(table, part="tbody"):
    return [[text_of(td) for td in tr.find_all("td")] for tr in table.find(part).find_all("tr")]


def test_trial_balance_as_at_a_date_with_totals(client, ledger):
    page = html(client.get("/reports/trial-balance?as_at=2026-07-31"))
    table = page.find("table", class_="trial-balance")
    assert table_rows(table) == [
        ["1-1000", "Office Cheque Account", "Bank", "45,800.00", ""],
        ["3-1000", "Owner's Capital", "Equity", "", "50,000.00"],
        ["6-2000", "Rent", "Overhead", "4,200.00", ""],
    ]
    assert table_rows(table, "tfoot") == [["Totals", "50,000.00", "50,000.00"]]
    assert all("num" in td["class"] for td in table.find("tbody").find_all("td")[3:5])
    assert page.find("input", id="as_at")["value"] == "2026-07-31"


def test_trial_balance_defaults_to_today(client, ledger):
    page = html(client.get("/reports/trial-balance"))
    assert page.find("input", id="as_at")["value"] == date.today().isoformat()
    assert text_of(page.find("table").find("tfoot")) == "Totals 50,000.00 50,000.00"


def test_trial_balance_accounts_link_to_their_general_ledger(client, ledger):
    page = html(client.get("/reports/trial-balance?as_at=2026-07-31"))
    link = page.find("a", string="Rent")
    rent = ledger.account("6-2000")
    assert link["href"] == f"/reports/general-ledger?account={rent.id}&start=2026-07-01&end=2026-07-31"
    gl = html(client.get(link["href"]))
    assert [text_of(h) for h in gl.find_all("h2")] == ["6-2000 Rent"]


def test_financial_year_view_moves_last_years_profit_to_retained_earnings(client, auth, books):
    auth.login()
    books.journal({"1-1000": "1000.00", "4-1000": "-1000.00"}, on=date(2026, 3, 1))
    books.journal({"1-1000": "300.00", "4-1000": "-300.00"}, on=date(2026, 7, 10))
    rows = table_rows(html(client.get("/reports/trial-balance?as_at=2026-07-31&fy=1")).find("table"))
    assert ["3-9000", "Retained Earnings", "Equity", "", "1,000.00"] in rows
    assert ["4-1000", "Professional Fees", "Revenue", "", "300.00"] in rows


def test_trial_balance_csv_is_an_attachment_of_plain_amounts(client, ledger):
    response = client.get("/reports/trial-balance.csv?as_at=2026-07-31")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="trial-balance-2026-07-31.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [
        ["Code", "Account", "Type", "Debit", "Credit"],
        ["1-1000", "Office Cheque Account", "Bank", "45800.00", ""],
        ["3-1000", "Owner's Capital", "Equity", "", "50000.00"],
        ["6-2000", "Rent", "Overhead", "4200.00", ""],
        ["", "Total", "", "50000.00", "50000.00"],
    ]


def test_the_page_links_to_the_csv_with_the_same_filters(client, ledger):
    page = html(client.get("/reports/trial-balance?as_at=2026-07-31&fy=1"))
    href = page.find("a", string="Download CSV")["href"]
    assert href.startswith("/reports/trial-balance.csv?") and "as_at=2026-07-31" in href and "fy=1" in href


@pytest.mark.parametrize("url", ["/reports/trial-balance?as_at=notadate",
                                 "/reports/trial-balance?as_at=2026-02-30"])
def test_a_bad_as_at_date_is_a_400_with_a_message(client, ledger, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "is not a date" in text_of(html(response).find(id="as_at-error"))


@pytest.mark.parametrize("url", ["/reports/trial-balance?as_at=0001-01-01",
                                 "/reports/trial-balance?as_at=1899-12-31",
                                 "/reports/general-ledger?start=0001-01-01"])
def test_a_date_before_1900_is_a_400_with_a_message(client, ledger, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "from 01 Jan 1900" in html(response).text


def test_a_bad_date_for_the_csv_is_a_400(client, ledger):
    response = client.get("/reports/trial-balance.csv?as_at=junk")
    assert response.status_code == 400
    assert "“junk” is not a date" in response.get_data(as_text=True)


def test_general_ledger_shows_opening_running_and_closing_balances(client, ledger):
    bank = ledger.account("1-1000")
    page = html(client.get(f"/reports/general-ledger?start=2026-07-02&end=2026-08-31&account={bank.id}"))
    table = page.find("table", class_="general-ledger")
    rows = table_rows(table)
    assert rows[0] == ["02 Jul 2026", "", "Opening balance", "", "", "50,000.00 Dr"]
    assert rows[1] == ["02 Jul 2026", "GJ-000002", "Rent", "", "4,200.00", "45,800.00 Dr"]
    assert rows[2] == ["01 Aug 2026", "GJ-000003", "Insurance", "", "4,235.00", "41,565.00 Dr"]
    assert table_rows(table, "tfoot") == [["31 Aug 2026", "", "Closing balance", "0.00", "8,435.00",
                                           "41,565.00 Dr"]]
    journal_link = table.find("a", string="GJ-000002")
    assert journal_link["href"].startswith("/journals/")
    assert page.find("select", id="account").find("option", selected=True)["value"] == str(bank.id)


def test_general_ledger_of_all_accounts_has_a_section_each(client, ledger):
    page = html(client.get("/reports/general-ledger?start=2026-07-01&end=2026-07-31"))
    assert [text_of(h) for h in page.find_all("h2")] == [
        "1-1000 Office Cheque Account", "3-1000 Owner's Capital", "6-2000 Rent"]
    capital = page.find_all("table")[1]
    assert table_rows(capital, "tfoot")[0][-1] == "50,000.00 Cr"


def test_general_ledger_csv(client, ledger):
    rent = ledger.account("6-2000")
    response = client.get(f"/reports/general-ledger.csv?start=2026-07-01&end=2026-07-31&account={rent.id}")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[1:] == [
        ["6-2000", "Rent", "2026-07-01", "", "Opening balance", "", "", "", "0.00"],
        ["6-2000", "Rent", "2026-07-02", "GJ-000002", "Rent", "", "4200.00", "", "4200.00"],
        ["6-2000", "Rent", "2026-07-31", "", "Closing balance", "", "", "", "4200.00"],
    ]


@pytest.mark.parametrize(("query", "field_id", "message"), [
    ("start=yesterday", "start", "“yesterday” is not a date"),
    ("end=2026-13-01", "end", "is not a date"),
    ("start=2026-08-01&end=2026-07-01", "start", "start date is after the end date"),
    ("account=abc", "account", "There is no such account"),
    ("account=99999", "account", "There is no such account"),
    ("account=99999999999999999999", "account", "There is no such account"),
])
def test_bad_general_ledger_filters_are_a_400_with_a_message(client, ledger, query, field_id, message):
    response = client.get(f"/reports/general-ledger?{query}")
    assert response.status_code == 400
    assert message in text_of(html(response).find(id=f"{field_id}-error"))
    assert client.get(f"/reports/general-ledger.csv?{query}").status_code == 400


def test_reports_need_sign_in(client, books):
    assert client.get("/reports/trial-balance").status_code == 302
    assert client.get("/reports/general-ledger.csv").status_code == 302


def test_csv_text_cannot_run_as_a_spreadsheet_formula(client, auth, books):
    auth.login()
    books.journal({"6-2000": "5.00", "1-1000": "-5.00"}, narration="=HYPERLINK(\"http://x\")")
    response = client.get("/reports/general-ledger.csv?start=2026-07-01&end=2026-07-31")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[2][4] == "'=HYPERLINK(\"http://x\")"
    assert rows[2][7] == "5.00" and rows[2][8] == "-5.00"  # amounts stay plain numbers
