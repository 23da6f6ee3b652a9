"""Banking pages: bank accounts and registers, receive/spend money with htmx lines and totals,
transfers, statement import, matching (htmx) and saving a reconciliation."""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accounting.ledger.accounts import Account, AccountType
from accounting.ledger.journals import Journal
from accounting.ledger.practice import get_practice
from accounting.ledger.tax import TaxCode
from accounting.office.bank_reconciliation import Reconciliation, StatementLine
from accounting.office.bank_transactions import (
    BankStatus,
    BankTransaction,
    BankTransfer,
    MoneyLine,
    record_bank_transaction,
)
from tests.support import html, text_of

HX = {"HX-Request": "true"}
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "banking"


@pytest.fixture
def signed_in(auth):
    auth.login()


def count(db_session, model):
    return db_session.scalar(select(func.count()).select_from(model))


def savings(books):
    account = Account(code="1-1050", name="Office Savings", type=AccountType.BANK, is_bank=True)
    books.session.add(account)
    books.session.commit()
    return account


def money_form(books, *lines, **fields):
    data = {"bank_account": str(books.account("1-1000").id), "date": "2026-07-20", "contact": "Smith & Co",
            "reference": "R-1"}
    data.update(fields)
    for i, (description, code, amount, tax) in enumerate(lines):
        data[f"lines-{i}-description"] = description
        data[f"lines-{i}-account"] = str(books.account(code).id) if code else ""
        data[f"lines-{i}-amount"], data[f"lines-{i}-tax"] = amount, tax
    return data


def test_the_banking_page_lists_office_banks_with_balances_and_register_links(client, signed_in, books):
    books.journal({"1-1000": "1234.50", "3-1000": "-1234.50"})
    page = html(client.get("/banking/"))
    rows = page.select("table.bank-accounts tbody tr")
    assert len(rows) == 1 and "1-1000 Office Cheque Account" in text_of(rows[0])
    assert text_of(rows[0].select_one("td.num")) == "1,234.50"
    link = rows[0].find("a")["href"]
    assert link == f"/banking/accounts/{books.account('1-1000').id}"
    assert "Coming soon" not in text_of(page)


def test_the_register_shows_a_running_balance_a_date_filter_and_pages(app, client, signed_in, books):
    app.config["PAGE_SIZE"] = 2
    for day, amount in ((1, "100.00"), (2, "-30.00"), (3, "50.00")):
        books.journal({"1-1000": amount, "3-1000": str(-Decimal(amount))}, on=date(2026, 7, day))
    bank_id = books.account("1-1000").id
    page = html(client.get(f"/banking/accounts/{bank_id}?page=2"))
    assert [text_of(td) for td in page.select("table.bank-register tbody tr td:nth-of-type(6)")] == ["120.00"]
    assert "70.00" in text_of(page.select_one("tr.opening"))
    assert page.find("label", attrs={"for": "start"}) is not None
    fragment = html(client.get(f"/banking/accounts/{bank_id}?start=2026-07-02", headers=HX))
    assert fragment.find("html") is None
    assert [text_of(td) for td in fragment.select("tbody tr td:nth-of-type(6)")] == ["70.00", "120.00"]
    assert client.get(f"/banking/accounts/{books.account('1-1100').id}").status_code == 404
    assert client.get("/banking/accounts/99999999999").status_code == 404


def test_the_deposit_form_has_labelled_fields(client, signed_in, books):
    page = html(client.get("/banking/deposit/new"))
    for field_id in ("bank_account", "date", "contact", "reference", "lines-0-description",
                     "lines-0-account", "lines-0-amount", "lines-0-tax"):
        assert page.find("label", attrs={"for": field_id}) is not None, field_id
    assert text_of(page.find("label", attrs={"for": "contact"})) == "Received from"
    assert page.find("input", attrs={"name": "csrf_token"}) is not None
    assert client.get("/banking/withdraw/new").status_code == 404


def test_a_deposit_posts_and_redirects_to_it(client, signed_in, books, db_session):
    response = client.submit("/banking/deposit/new", money_form(
        books, ("Fees", "4-1000", "1,000.00", "gst"), ("Interest", "4-3000", "5.55", "gst_free")))
    assert response.status_code == 303
    txn = db_session.execute(select(BankTransaction)).scalar_one()
    assert response.location == f"/banking/transactions/{txn.id}"
    assert [(x.account.code, str(x.amount)) for x in txn.journal.lines] == [
        ("1-1000", "1105.55"), ("4-1000", "-1000.00"), ("4-3000", "-5.55"), ("2-1100", "-100.00")]
    page = html(client.get(response.location))
    assert "DEP-00001 recorded." in text_of(page.find(class_="flashes"))
    assert "1,105.55" in text_of(page.find("tfoot"))


def test_a_withdrawal_posts_cr_bank_dr_expense_and_gst_paid(client, signed_in, books, db_session):
    response = client.submit("/banking/withdrawal/new", money_form(books, ("Rent", "6-2000", "500", "gst")))
    assert response.status_code == 303
    txn = db_session.execute(select(BankTransaction)).scalar_one()
    assert txn.number == "WDL-00001"
    assert [(x.account.code, str(x.amount)) for x in txn.journal.lines] == [
        ("1-1000", "-550.00"), ("6-2000", "500.00"), ("2-1200", "50.00")]


@pytest.mark.parametrize(("lines", "fields", "status", "field_id", "message"), [
    ([("Fees", "4-1000", "ten", "gst")], {}, 422, "lines-0-amount", "is not an amount"),
    ([("Fees", "4-1000", "-5", "gst")], {}, 422, "lines-0-amount", "above zero"),
    ([("Fees", "4-1000", "1.005", "gst")], {}, 422, "lines-0-amount", "two decimals"),
    ([("Fees", "", "5", "gst")], {}, 422, "lines-0-account", "choose an account"),
    ([], {}, 422, "lines", "at least one line"),
    ([("Fees", "4-1000", "5", "gst")], {"bank_account": ""}, 422, "bank_account", "Choose a bank account"),
    ([("Fees", "4-1000", "5", "gst")], {"date": ""}, 400, "date", "Enter the date"),
    ([("Fees", "4-1000", "5", "gst")], {"date": "2026-06-01"}, 422, "date", "locked before"),
])
def test_bad_deposits_show_the_message_keep_the_input_and_save_nothing(
        client, signed_in, books, db_session, lines, fields, status, field_id, message):
    get_practice(db_session).lock_date = date(2026, 7, 1)
    db_session.commit()
    response = client.submit("/banking/deposit/new", money_form(books, *lines, **fields))
    assert response.status_code == status
    page = html(response)
    where = page.find(id=f"{field_id}-error") if field_id else page.find(class_="form-errors")
    assert message in text_of(where)
    if lines:
        assert page.find(id="lines-0-amount")["value"] == lines[0][2]
    assert count(db_session, Journal) == 0 and count(db_session, BankTransaction) == 0


def test_lines_are_added_and_removed_and_totals_come_from_the_server(client, signed_in, books):
    data = money_form(books, ("Fees", "4-1000", "100.00", "gst"), ("Other", "4-3000", "3.00", "gst_free"))
    fragment = html(client.submit("/banking/deposit/new/lines?add=1", data, headers=HX))
    assert fragment.find("html") is None and len(fragment.select("tr.line")) == 3
    assert fragment.find(id="lines-0-amount")["value"] == "100.00"
    fragment = html(client.submit("/banking/deposit/new/lines?remove=0", data, headers=HX))
    assert len(fragment.select("tr.line")) == 1 and fragment.find(id="lines-0-amount")["value"] == "3.00"
    totals = html(client.submit("/banking/deposit/new/totals", data, headers=HX))
    assert text_of(totals.select_one(".subtotal")) == "103.00"
    assert text_of(totals.select_one(".gst")) == "10.00"
    assert text_of(totals.select_one(".total")) == "113.00"


def deposit_now(books, locked=False):
    txn = record_bank_transaction(books.session, books.admin, kind="deposit",
                                  bank_account_id=books.account("1-1000").id, date=date(2026, 7, 20),
                                  lines=[MoneyLine(books.account("4-1000").id, Decimal("100.00"),
                                                   TaxCode.GST)])
    if locked:
        txn.lock("Pushed to Xero as RCT-7")
    books.session.commit()
    return txn


def test_a_deposit_is_reversed_with_a_reason(client, signed_in, books, db_session):
    txn = deposit_now(books)
    response = client.submit(f"/banking/transactions/{txn.id}/reverse", {"date": "", "reason": ""})
    assert response.status_code == 400
    assert "Give the reason" in text_of(html(response).find(id="reason-error"))
    response = client.submit(f"/banking/transactions/{txn.id}/reverse",
                             {"date": "2026-07-21", "reason": "Wrong account"})
    assert response.status_code == 303
    db_session.expire_all()
    assert db_session.get(BankTransaction, txn.id).status == BankStatus.REVERSED
    page = html(client.get(f"/banking/transactions/{txn.id}"))
    assert "already been reversed" in text_of(page.find(id="reverse"))


def test_a_locked_deposit_explains_why_and_refuses_reversal(client, signed_in, books, db_session):
    txn = deposit_now(books, locked=True)
    page = html(client.get(f"/banking/transactions/{txn.id}"))
    assert "Pushed to Xero as RCT-7" in text_of(page.find(id="reverse"))
    response = client.submit(f"/banking/transactions/{txn.id}/reverse",
                             {"date": "2026-07-21", "reason": "Wrong"})
    assert response.status_code == 422
    assert "locked" in text_of(html(response))
    assert count(db_session, Journal) == 1


def test_a_transfer_posts_and_bad_ones_are_refused(client, signed_in, books, db_session):
    other = savings(books)
    office = books.account("1-1000").id
    page = html(client.get("/banking/transfers/new"))
    for field_id in ("from_account", "to_account", "date", "amount", "reference"):
        assert page.find("label", attrs={"for": field_id}) is not None
    bad = [
        ({"from_account": office, "to_account": office, "amount": "10"}, 422, "to_account", "different"),
        ({"from_account": office, "to_account": other.id, "amount": "0"}, 422, "amount", "above zero"),
        ({"from_account": office, "to_account": other.id, "amount": "-3"}, 422, "amount", "above zero"),
        ({"from_account": office, "to_account": other.id, "amount": "x"}, 422, "amount", "not an amount"),
        ({"from_account": office, "to_account": books.account("1-1100").id, "amount": "5"}, 422,
         "to_account", "not an office bank"),
        ({"from_account": office, "to_account": other.id, "amount": ""}, 400, "amount", "Enter the amount"),
    ]
    for fields, status, field_id, message in bad:
        response = client.submit("/banking/transfers/new", {"date": "2026-07-20", "reference": "", **fields})
        assert response.status_code == status, fields
        assert message in text_of(html(response).find(id=f"{field_id}-error")), fields
    assert count(db_session, Journal) == 0
    response = client.submit("/banking/transfers/new", {"from_account": office, "to_account": other.id,
                                                        "amount": "250.00", "date": "2026-07-20",
                                                        "reference": "Sweep"})
    assert response.status_code == 303
    moved = db_session.execute(select(BankTransfer)).scalar_one()
    assert [(x.account.code, str(x.amount)) for x in moved.journal.lines] == [
        ("1-1050", "250.00"), ("1-1000", "-250.00")]
    assert "TRF-00001" in text_of(html(client.get("/banking/")).find("table", class_="bank-documents"))


def upload(client, bank_id, name, data):
    return client.submit(f"/banking/accounts/{bank_id}/statement",
                         {"statement": (io.BytesIO(data), name)}, content_type="multipart/form-data")


@pytest.mark.parametrize(("name", "data", "message"), [
    ("unknown_columns.csv", (FIXTURES / "unknown_columns.csv").read_bytes(), "Unknown column: Category"),
    ("not_a_statement.pdf", (FIXTURES / "not_a_statement.pdf").read_bytes(), "not a CSV or OFX"),
    ("s.csv", b"Date,Amount\n2026-02-30,5\n", "is not a date"),
    ("s.ofx", b"plain text", "not an OFX statement"),
])
def test_bad_statement_files_are_refused_beside_the_field(client, signed_in, books, db_session, name, data,
                                                          message):
    response = upload(client, books.account("1-1000").id, name, data)
    assert response.status_code == 422
    assert message in text_of(html(response).find(id="statement-error"))
    assert count(db_session, StatementLine) == 0


def books_for_reconciling(client, books):
    deposit_now(books)  # 110.00 on 20 July
    books.journal({"1-1000": "-55.00", "6-2600": "55.00"}, on=date(2026, 7, 21))
    bank_id = books.account("1-1000").id
    csv = b"Date,Description,Amount\n2026-07-20,DEPOSIT,110.00\n2026-07-22,FEES,-55.00\n"
    assert upload(client, bank_id, "july.csv", csv).status_code == 303
    return bank_id


def test_import_match_with_htmx_and_save_a_balanced_reconciliation(client, signed_in, books, db_session):
    bank_id = books_for_reconciling(client, books)
    page = html(client.get(f"/banking/accounts/{bank_id}/reconcile"))
    rows = page.select("table.statement-lines tbody tr")
    assert len(rows) == 2 and all("Accept suggestion" in text_of(row) for row in rows)
    lines = db_session.scalars(select(StatementLine).order_by(StatementLine.date)).all()
    suggested = [row.find("option", selected=True)["value"] for row in rows]
    fragment = html(client.submit(f"/banking/accounts/{bank_id}/match",
                                  {"statement_line": lines[0].id, "journal_line": suggested[0]}, headers=HX))
    assert fragment.find("html") is None
    assert text_of(fragment.select_one(".matched")) == "110.00"
    # Unbalanced: 0 + 110 is not 55.
    response = client.submit(f"/banking/accounts/{bank_id}/reconciliations",
                             {"statement_date": "2026-07-31", "closing_balance": "55.00"})
    assert response.status_code == 422
    assert "does not balance" in text_of(html(response).find(id="closing_balance-error"))
    assert html(response).find(id="closing_balance")["value"] == "55.00"
    assert count(db_session, Reconciliation) == 0
    client.submit(f"/banking/accounts/{bank_id}/match",
                  {"statement_line": lines[1].id, "journal_line": suggested[1]})
    response = client.submit(f"/banking/accounts/{bank_id}/reconciliations",
                             {"statement_date": "2026-07-31", "closing_balance": "55.00"})
    assert response.status_code == 303
    report = html(client.get(response.location))
    assert text_of(report.select_one(".statement-balance")) == "55.00"
    assert text_of(report.select_one(".book-balance")) == "55.00"
    assert text_of(report.select_one(".difference")) == "0.00"
    page = html(client.get(f"/banking/accounts/{bank_id}/reconcile"))
    assert "31 Jul 2026" in text_of(page.find("table", class_="recon-history"))
    register = html(client.get(f"/banking/accounts/{bank_id}"))
    assert len(register.select(".status-reconciled")) == 2


def test_a_refused_match_says_why_in_the_fragment(client, signed_in, books, db_session):
    bank_id = books_for_reconciling(client, books)
    line = db_session.scalars(select(StatementLine).order_by(StatementLine.date)).first()
    other = db_session.scalars(select(StatementLine).order_by(StatementLine.date.desc())).first()
    page = html(client.get(f"/banking/accounts/{bank_id}/reconcile"))
    wrong = page.find(id=f"match-{other.id}").find("option", selected=True)["value"]
    fragment = html(client.submit(f"/banking/accounts/{bank_id}/match",
                                  {"statement_line": line.id, "journal_line": wrong}, headers=HX))
    assert "amounts differ" in text_of(fragment.find(class_="form-errors"))
    response = client.submit(f"/banking/accounts/{bank_id}/match",
                             {"statement_line": line.id, "journal_line": ""})
    assert response.status_code == 422
    assert db_session.get(StatementLine, line.id).match_id is None


def test_an_ofx_statement_is_imported_and_a_second_import_skips_what_is_stored(client, signed_in, books,
                                                                               db_session):
    bank_id = books.account("1-1000").id
    data = (FIXTURES / "statement.ofx").read_bytes()
    response = upload(client, bank_id, "statement.ofx", data)
    assert response.status_code == 303
    page = html(client.get(response.location))
    assert "2 statement lines imported." in text_of(page.find(class_="flashes"))
    assert "DEPOSIT SMITH Fees" in text_of(page.find("table", class_="statement-lines"))
    response = upload(client, bank_id, "statement.ofx", data)
    assert response.status_code == 422
    assert "Every line of statement.ofx (2) is already imported for 1-1000 Office Cheque Account: nothing " \
        "was imported." in text_of(html(response).find(id="statement-error"))
    assert count(db_session, StatementLine) == 2


def test_a_transfer_has_its_own_page_and_is_reversed_there(client, signed_in, books, db_session):
    from accounting.office.bank_transactions import transfer

    other = savings(books)
    moved = transfer(db_session, books.admin, from_account_id=books.account("1-1000").id,
                     to_account_id=other.id, date=date(2026, 7, 20), amount=Decimal("80.00"))
    db_session.commit()
    page = html(client.get(f"/banking/transfers/{moved.id}"))
    assert text_of(page.select_one(".amount")) == "80.00"
    assert page.find("label", attrs={"for": "reason"}) is not None
    response = client.submit(f"/banking/transfers/{moved.id}/reverse", {"date": "2026-07-01", "reason": "x"})
    assert response.status_code == 422
    assert "cannot be dated before" in text_of(html(response))
    response = client.submit(f"/banking/transfers/{moved.id}/reverse",
                             {"date": "2026-07-20", "reason": "Oops"})
    assert response.status_code == 303
    page = html(client.get(response.location))
    assert "already been reversed" in text_of(page.find(id="reverse"))
    assert client.get("/banking/transfers/999999").status_code == 404


def test_an_unmatched_statement_line_offers_to_record_it_prefilled(client, signed_in, books):
    bank_id = books.account("1-1000").id
    upload(client, bank_id, "fees.csv", b"Date,Description,Amount\n2026-07-25,ACCOUNT FEE,-12.50\n")
    page = html(client.get(f"/banking/accounts/{bank_id}/reconcile"))
    link = page.find("a", string=lambda t: t and "Record it as a withdrawal" in t)
    form = html(client.get(link["href"]))
    assert form.find(id="date")["value"] == "2026-07-25"
    assert form.find(id="lines-0-amount")["value"] == "12.50"
    assert form.find(id="lines-0-description")["value"] == "ACCOUNT FEE"
    assert form.find(id="lines-0-tax").find("option", selected=True)["value"] == "gst_free"
    assert form.find(id="bank_account").find("option", selected=True)["value"] == str(bank_id)
