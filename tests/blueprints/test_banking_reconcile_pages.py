"""The reconcile page is paged: 50 open statement lines and 50 book entries to match at a time, so
its size does not grow with the statement; the totals still count every open line, and matching
from page 2 comes back to page 2.

The books (office bank 1-1000): `entries` receipts of 10.00, 11.00, ... on consecutive days from
1 March 2026; the statement: `lines` bank fees of -1.00, -2.00, ... one a day from 1 January 2026
(the n-th line is dated n-1 days after it), and one deposit matching the first receipt.
"""

from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from accounting.office.bank_reconciliation import StatementLine, match
from accounting.office.bank_transactions import MoneyLine, record_bank_transaction
from accounting.ledger.tax import TaxCode
from tests.support import html, text_of

HX = {"HX-Request": "true"}
START, RECEIPTS = date(2026, 1, 1), date(2026, 3, 1)


def fill(books, db_session, *, lines: int, entries: int):
    """The statement lines and receipts above; returns the bank, the fees in order and the receipts'
    bank lines."""
    bank = books.account("1-1000")
    receipts = []
    for n in range(entries):
        txn = record_bank_transaction(db_session, books.admin, kind="deposit", bank_account_id=bank.id,
                                      date=RECEIPTS + timedelta(days=n), contact="Client", lines=[
                                          MoneyLine(books.account("4-1000").id, Decimal(10 + n),
                                                    TaxCode.GST_FREE)])
        receipts.append(next(x for x in txn.journal.lines if x.account_id == bank.id))
    fees = [StatementLine(bank_account_id=bank.id, date=START + timedelta(days=n),
                          description=f"FEE {n + 1}", amount=-Decimal(n + 1)) for n in range(lines)]
    db_session.add_all(fees)
    db_session.commit()
    return bank, fees, receipts


def statement_rows(page):
    return [text_of(row.find_all("td")[2]) for row in page.select("table.statement-lines tbody tr")]


def test_page_two_shows_the_51st_line_and_keeps_the_book_page(client, auth, books, db_session):
    auth.login()
    bank, fees, receipts = fill(books, db_session, lines=120, entries=3)
    url = f"/banking/accounts/{bank.id}/reconcile"
    first = html(client.get(url))
    assert statement_rows(first) == [f"FEE {n}" for n in range(1, 51)]
    pager = first.select("table.statement-lines ~ nav.pager")[0]
    assert "120 results · page 1 of 3" in text_of(pager)
    next_page = urlsplit(pager.find("a", string="Next ›")["href"])
    assert (next_page.path, parse_qs(next_page.query)) == (url, {"page": ["2"], "book_page": ["1"]})
    second = html(client.get(f"{url}?page=2"))
    assert statement_rows(second)[0] == "FEE 51" and len(statement_rows(second)) == 50
    third = html(client.get(f"{url}?page=3"))
    assert statement_rows(third) == [f"FEE {n}" for n in range(101, 121)]
    # The pager swaps the workspace only (htmx); junk page numbers mean page 1.
    fragment = html(client.get(f"{url}?page=2", headers=HX))
    assert fragment.find("html") is None and statement_rows(fragment)[0] == "FEE 51"
    assert statement_rows(html(client.get(f"{url}?page=abc"))) == statement_rows(first)
    # The saving form proposes the last open line's date, not the page's.
    assert first.find("input", attrs={"name": "statement_date"})["value"] == "2026-04-30"


def test_the_page_does_not_grow_with_the_number_of_lines(client, auth, books, db_session):
    auth.login()
    bank, fees, receipts = fill(books, db_session, lines=60, entries=60)
    url = f"/banking/accounts/{bank.id}/reconcile"
    small = client.get(url).get_data()
    extra = [StatementLine(bank_account_id=bank.id, date=START + timedelta(days=60 + n),
                           description=f"FEE {61 + n}", amount=-Decimal(61 + n)) for n in range(540)]
    db_session.add_all(extra)
    db_session.commit()
    response = client.get(url)
    large = html(response)
    assert len(statement_rows(large)) == 50
    # Each line's list offers the page's 50 book entries, whatever the books hold.
    options = large.select("table.statement-lines select")[0].find_all("option")
    assert len(options) == 51  # and the "Choose a book entry…" prompt
    assert len(large.select("table.book-lines tbody tr")) == 50
    assert "60 results · page 1 of 2" in text_of(large.select("table.book-lines ~ nav.pager")[0])
    # Only the counts in the pager and the totals differ.
    assert abs(len(response.get_data()) - len(small)) < 200


def test_the_totals_count_every_open_line_not_the_page(client, auth, books, db_session):
    auth.login()
    bank, fees, receipts = fill(books, db_session, lines=60, entries=1)
    deposit = StatementLine(bank_account_id=bank.id, date=date(2026, 12, 31), description="DEPOSIT",
                            amount=Decimal("10.00"))
    db_session.add(deposit)
    db_session.flush()
    match(db_session, books.admin, bank, deposit.id, receipts[0].id)  # on page 2
    db_session.commit()
    page = html(client.get(f"/banking/accounts/{bank.id}/reconcile"))
    assert text_of(page.select_one(".recon-summary .matched")) == "10.00"
    assert text_of(page.select_one(".reconciled-balance")) == "10.00"
    fees_total = sum(range(1, 61))  # 1,830.00 of fees, all open and unmatched
    assert text_of(page.select_one(".statement-balance")) == f"{10 - fees_total:,.2f}"
    assert text_of(page.select_one(".recon-summary .difference")) == f"{-fees_total:,.2f}"


def test_matching_on_page_two_comes_back_to_page_two(client, auth, books, db_session):
    auth.login()
    bank, fees, receipts = fill(books, db_session, lines=60, entries=1)
    fee = fees[55]  # FEE 56, on page 2
    receipt = record_bank_transaction(db_session, books.admin, kind="withdrawal", bank_account_id=bank.id,
                                      date=fee.date, contact="Bank", lines=[
                                          MoneyLine(books.account("4-1000").id, -fee.amount,
                                                    TaxCode.GST_FREE)])
    db_session.commit()
    charge = next(x for x in receipt.journal.lines if x.account_id == bank.id)
    url = f"/banking/accounts/{bank.id}/reconcile"
    second = html(client.get(f"{url}?page=2"))
    form = second.find(id=f"statement-line-{fee.id}").find("form", class_="match-form")
    # The suggestion for a line on page 2 is found, and selected in its list.
    assert form.find("option", selected=True)["value"] == str(charge.id)
    fields = {i["name"]: i["value"] for i in form.find_all("input", type="hidden")}
    assert (fields["page"], fields["book_page"]) == ("2", "1")
    response = client.submit(f"/banking/accounts/{bank.id}/match",
                             {**fields, "journal_line": charge.id})
    back = urlsplit(response.headers["Location"])
    assert response.status_code == 303
    assert (back.path, parse_qs(back.query)) == (url, {"page": ["2"], "book_page": ["1"]})
    db_session.expire_all()
    assert [j.id for j in db_session.get(StatementLine, fee.id).journal_lines] == [charge.id]
    # With htmx the workspace comes back at page 2, the line matched.
    fields = {i["name"]: i["value"] for i in html(client.get(f"{url}?page=2")).find(
        id=f"statement-line-{fee.id}").select("form.inline input[type=hidden]")}
    fragment = html(client.submit(f"/banking/accounts/{bank.id}/unmatch", fields, headers=HX))
    assert statement_rows(fragment)[0] == "FEE 51"
    assert "unmatched" in fragment.find(id=f"statement-line-{fee.id}")["class"]


@pytest.mark.parametrize("ticked", [{"statement_line": ["abc", "999999"], "journal_line": ["-1"]}, {}])
def test_ticked_totals_ignore_junk_and_other_lines(client, auth, books, db_session, ticked):
    auth.login()
    bank, fees, receipts = fill(books, db_session, lines=2, entries=1)
    fragment = html(client.submit(f"/banking/accounts/{bank.id}/match/selection",
                                  {**ticked, "statement_line": ticked.get("statement_line", []) + [fees[1].id]},
                                  headers=HX))
    assert text_of(fragment.select_one(".ticked-statement")) == "-2.00"
    assert text_of(fragment.select_one(".ticked-book")) == "0.00"
