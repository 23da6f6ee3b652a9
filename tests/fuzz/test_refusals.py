"""The classes of server error the route fuzzer found, each pinned by a test that failed before its
fix: every one is now a 4xx (or a redirect) with a message, and nothing changes."""

import logging
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from accounting.ledger.accounts import Account
from accounting.ledger.practice import get_practice
from accounting.office.bills import Bill
from accounting.parties.clients import Matter
from accounting.trust.ledger import TrustAccount
from tests.conftest import PASSWORD
from tests.support import html, text_of

HX = {"HX-Request": "true"}


def _first(db_session, model):
    return db_session.scalars(select(model).order_by(model.id)).first()


def _bank(db_session):
    return db_session.scalars(select(Account).where(Account.code == "1-1000")).one()


def test_the_match_selection_without_htmx_goes_back_to_the_page(admin, db_session):
    bank = _bank(db_session)
    response = admin.submit(f"/banking/accounts/{bank.id}/match/selection", {"statement_line": "1"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/banking/accounts/{bank.id}/reconcile")
    page = html(admin.get(response.headers["Location"]))
    assert "totals update on the reconciliation page" in text_of(page.find(class_="flashes"))


def test_a_month_at_the_end_of_the_calendar_is_refused(admin, db_session):
    account = _first(db_session, TrustAccount)
    response = admin.submit(f"/trust/reports/accounts/{account.id}/sign-off",
                            {"month": "9999-12-31", "comment": ""})
    assert 400 <= response.status_code < 500
    assert "is not a month" in response.get_data(as_text=True)


def test_a_gst_rate_of_1e309_is_refused_beside_its_field(admin, db_session):
    response = admin.submit("/admin/practice", {
        "name": "Harbour & Vine Lawyers", "base_currency": "AUD", "basis": "accrual",
        "gst_registered": "y", "gst_rate": "1e309", "fy_start_month": "7", "fy_start_day": "1",
        "lock_date": ""})
    assert 400 <= response.status_code < 500
    page = html(response)
    assert "is not a percentage" in text_of(page.find(id="gst_rate-error"))
    assert page.find("input", attrs={"name": "gst_rate"})["value"] == "1e309"  # kept as typed
    db_session.expire_all()
    assert get_practice(db_session).gst_rate == Decimal("10.00")


def _bill(db_session, **line):
    matter = _first(db_session, Matter)
    income = db_session.scalars(select(Account).where(Account.code == "4-1000")).one()
    data = {"matter": str(matter.id), "date": date.today().isoformat(), "reference": "Fuzz",
            "lines-0-description": "Advice", "lines-0-quantity": "1", "lines-0-rate": "100",
            "lines-0-account": str(income.id), "lines-0-tax": "gst"}
    data.update({f"lines-0-{name}": value for name, value in line.items()})
    return data


def test_a_line_whose_quantity_times_rate_overflows_the_ledger_is_refused(admin, db_session):
    bills = db_session.scalar(select(func.count()).select_from(Bill))
    response = admin.submit("/billing/new", _bill(db_session, quantity="999999999",
                                                  rate="99,999,999,999.99"))
    assert 400 <= response.status_code < 500
    assert "too large" in text_of(html(response).find(class_="form-errors"))
    assert db_session.scalar(select(func.count()).select_from(Bill)) == bills
    totals = admin.submit("/billing/totals", _bill(db_session, quantity="999999999",
                                                    rate="99999999999.99"), headers=HX)
    assert totals.status_code == 200


def test_an_account_id_that_only_looks_like_digits_is_refused(admin, db_session):
    bills = db_session.scalar(select(func.count()).select_from(Bill))
    for typed in ("²", "１２", "9" * 40):
        response = admin.submit("/billing/new", _bill(db_session, account=typed))
        assert 400 <= response.status_code < 500, typed
        assert "choose an income account" in text_of(html(response).find(id="lines-0-account-error"))
    assert db_session.scalar(select(func.count()).select_from(Bill)) == bills


def test_a_query_date_in_other_digits_or_past_the_calendar_is_a_400(admin):
    for typed in ("２０２６-07-01", "9999-12-31", "0001-01-01"):
        response = admin.get("/reports/trial-balance", query_string={"as_at": typed})
        assert response.status_code == 400, typed
        assert html(response).find(id="as_at-error") is not None


def test_a_server_error_shows_the_app_page_with_the_reference_in_the_log(demo_app, caplog):
    demo_app.config["PROPAGATE_EXCEPTIONS"] = False

    @demo_app.route("/fuzz-boom")
    def boom():
        raise RuntimeError("boom")

    client = demo_app.test_client()
    client.submit("/login", {"email": "admin@example.com", "password": PASSWORD})
    with caplog.at_level(logging.ERROR):
        response = client.get("/fuzz-boom")
    assert response.status_code == 500
    page = html(response)
    reference = text_of(page.find(class_="error-reference"))
    assert len(reference) == 8
    assert page.find("nav") is not None or page.find("header") is not None  # the app's layout
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and logged[0].exc_info[0] is RuntimeError


def test_a_control_character_anywhere_is_a_400_naming_the_field_and_changes_nothing(admin,
                                                                                     db_session):
    matter = _first(db_session, Matter)
    before = matter.description
    response = admin.submit(f"/matters/{matter.id}/edit", {"description": "Lease\x00 advice",
                                                           "status": "open"})
    assert response.status_code == 400
    assert "“description” has a control character" in text_of(html(response).find(class_="lead"))
    assert admin.get("/clients?q=a%00b").status_code == 400
    db_session.expire_all()
    assert db_session.get(Matter, matter.id).description == before


def test_a_due_date_before_the_bill_date_shows_with_the_other_field_errors(admin, db_session):
    bills = db_session.scalar(select(func.count()).select_from(Bill))
    data = _bill(db_session)
    data.update({"date": "2026-07-10", "due_date": "2026-07-01", "reference": "x" * 5000})
    page = html(admin.submit("/billing/new", data))
    assert "cannot be before the bill's date" in text_of(page.find(id="due_date-error"))
    assert "under 100 characters" in text_of(page.find(id="reference-error"))
    assert page.find("input", attrs={"name": "reference"})["maxlength"] == "100"
    assert page.find("input", attrs={"name": "due_date"})["value"] == "2026-07-01"
    assert db_session.scalar(select(func.count()).select_from(Bill)) == bills


def test_every_bad_line_of_a_bill_is_shown_at_once(admin, db_session):
    data = _bill(db_session, rate="abc", quantity="１２")
    data.update({"lines-1-description": "Search", "lines-1-quantity": "1", "lines-1-rate": "1e3",
                 "lines-1-account": "²", "lines-1-tax": "gst"})
    page = html(admin.submit("/billing/new", data))
    for field in ("lines-0-quantity", "lines-0-rate", "lines-1-rate", "lines-1-account"):
        assert page.find(id=f"{field}-error") is not None, field
    assert page.find("input", attrs={"name": "lines-0-quantity"})["value"] == "１２"


def test_a_report_link_carries_the_filters_but_not_a_second_id_or_url_for_options(admin,
                                                                                  db_session):
    matter = _first(db_session, Matter)
    response = admin.get(f"/trust/reports/matters/{matter.id}",
                         query_string={"matter_id": "7", "_scheme": "javascript", "_external": "1",
                                       "from": "2026-07-01"})
    assert response.status_code == 200
    hrefs = [a["href"] for a in html(response).find_all("a", href=True)]
    csv = next(h for h in hrefs if ".csv" in h)
    assert csv.startswith(f"/trust/reports/matters/{matter.id}.csv?") and "from=2026-07-01" in csv
    assert not any(h.startswith("javascript") for h in hrefs)


def test_a_line_description_has_its_columns_limit_in_the_page_and_on_the_server(admin,
                                                                                 db_session):
    page = html(admin.get("/billing/new"))
    assert page.find("input", attrs={"name": "lines-0-description"})["maxlength"] == "300"
    for url in ("/suppliers/invoices/new", "/suppliers/orders/new"):
        assert html(admin.get(url)).find(
            "input", attrs={"name": "lines-0-description"})["maxlength"] == "300", url
    bills = db_session.scalar(select(func.count()).select_from(Bill))
    response = admin.submit("/billing/new", _bill(db_session, description="x" * 5000))
    assert 400 <= response.status_code < 500
    assert "at most 300 characters" in text_of(html(response).find(id="lines-0-description-error"))
    assert db_session.scalar(select(func.count()).select_from(Bill)) == bills


def test_clean_text_refuses_control_characters_and_single_line_breaks():
    import pytest

    from accounting.errors import LedgerError
    from accounting.lookup import clean_text, column_limit
    from accounting.parties.clients import Client

    assert column_limit(Client.name) == 200
    assert clean_text(" Lease\tadvice\r\nsecond line ", 300, "note", "the note") == (
        "Lease\tadvice\r\nsecond line")
    for typed, multiline in (("a\x00b", True), ("a\x1bb", True), ("a\nb", False)):
        with pytest.raises(LedgerError, match="plain text"):
            clean_text(typed, 300, "note", "the note", multiline=multiline)


def test_deleting_an_entry_someone_just_billed_is_a_422_with_the_reason(admin, db_session):
    from accounting.office.bills import TimeEntry

    matter = _first(db_session, Matter)
    admin.submit(f"/billing/wip/{matter.id}/entries", {
        "kind": "time", "date": date.today().isoformat(), "person": "1", "description": "Call",
        "hours": "1", "rate": "100", "tax": "gst"})
    entry = db_session.scalars(select(TimeEntry).order_by(TimeEntry.id.desc())).first()
    assert admin.submit(f"/billing/wip/{matter.id}/bill", {
        "bill-date": date.today().isoformat(), "entry": str(entry.id)}).status_code == 303
    response = admin.submit(f"/billing/wip/entries/{entry.id}/delete", {"matter": str(matter.id)})
    assert response.status_code == 422
    assert "That entry is on a bill" in text_of(html(response).find(class_="form-errors"))
    stale = admin.submit(f"/billing/wip/entries/{entry.id}/delete", {})  # a page without its matter
    assert stale.status_code == 303
    page = html(admin.get(stale.headers["Location"]))
    assert "That entry is on a bill" in text_of(page.find(class_="flashes"))
    db_session.expire_all()
    assert db_session.get(TimeEntry, entry.id) is not None


def test_every_bad_line_of_a_journal_is_shown_at_once(admin, db_session):
    expenses = db_session.scalars(select(Account).where(Account.code == "6-2000")).one()
    page = html(admin.submit("/journals/new", {
        "date": date.today().isoformat(), "narration": "Fuzz",
        "lines-0-account": str(expenses.id), "lines-0-debit": "1_000", "lines-0-credit": "",
        "lines-1-account": "", "lines-1-debit": "", "lines-1-credit": "٣"}))
    assert "is not an amount" in text_of(page.find(id="lines-0-debit-error"))
    assert "is not an amount" in text_of(page.find(id="lines-1-credit-error"))


def test_installing_the_defaults_after_the_bank_was_renumbered_adds_no_second_bank(admin,
                                                                                   db_session):
    bank = _bank(db_session)
    bank.code = "1-1010"
    db_session.commit()
    response = admin.submit("/admin/accounts/install-defaults", {})
    assert response.status_code == 303
    db_session.expire_all()
    codes = db_session.scalars(select(Account.code).where(Account.role == bank.role)).all()
    assert codes == ["1-1010"]
