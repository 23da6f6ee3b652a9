"""The admin area over HTTP: users, practice settings and the chart of accounts.

Every bad input is a 4xx with the message beside its field and nothing saved; staff get 403 on
every admin URL; names are shown escaped.
"""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounting.audit import AuditEvent
from accounting.ledger.accounts import Account, AccountType
from accounting.ledger.practice import get_practice
from accounting.parties.users import Role, User, find_user_by_email
from tests.conftest import PASSWORD
from tests.support import html, text_of

XSS = "<script>alert(1)</script>"


def error_beside(response, name: str) -> str:
    """The error text shown in the .field that holds the input called `name`."""
    page = html(response)
    control = page.find(attrs={"name": name})
    assert control is not None, f"no field {name}"
    return text_of(control.find_parent(class_="field").find(class_="error"))


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def admin(client, auth):
    auth.login()
    return client


def account_data(**overrides) -> dict:
    data = {"code": "6-2450", "name": "Staff Training", "type": "OVERHEADS", "description": ""}
    data.update(overrides)
    return data


def practice_data(**overrides) -> dict:
    data = {"name": "Smith & Co Lawyers", "base_currency": "AUD", "basis": "accrual",
            "gst_registered": "y", "gst_rate": "10", "fy_start_month": "7", "fy_start_day": "1",
            "lock_date": ""}
    data.update(overrides)
    return data


# ---- roles ----

STAFF_GETS = ["/admin/", "/admin/users", "/admin/users/new", "/admin/users/1", "/admin/practice",
              "/admin/accounts", "/admin/accounts/new", "/admin/accounts/1"]
STAFF_POSTS = ["/admin/users/new", "/admin/users/1", "/admin/users/1/password", "/admin/practice",
               "/admin/accounts/new", "/admin/accounts/1", "/admin/accounts/1/archive",
               "/admin/accounts/1/restore", "/admin/accounts/1/delete",
               "/admin/accounts/install-defaults"]


def test_staff_get_403_on_every_admin_page(client, auth):
    auth.login("staff@example.com")
    for url in STAFF_GETS:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Your role does not allow" in text_of(html(response).find("main"))


def test_staff_posts_to_admin_urls_get_403_and_change_nothing(client, auth, db_session, books):
    auth.login("staff@example.com")
    events = count(db_session, AuditEvent)
    for url in STAFF_POSTS:
        response = client.submit(url, {**account_data(), **practice_data(name="Hijacked"),
                                       "email": "new@example.com", "password": "a-long-password",
                                       "role": "admin", "active": "y"})
        assert response.status_code == 403, url
    db_session.expire_all()
    assert get_practice(db_session).name != "Hijacked"
    assert find_user_by_email(db_session, "new@example.com") is None
    assert books.account("1-1200").archived is False
    assert books.staff.role == Role.STAFF
    assert count(db_session, AuditEvent) == events


def test_admin_home_links_to_the_three_areas(admin):
    page = html(admin.get("/admin/"))
    links = {text_of(a.find(class_="card-title")): a["href"] for a in page.select("a.card")}
    assert links == {"Users": "/admin/users", "Practice settings": "/admin/practice",
                     "Chart of accounts": "/admin/accounts"}
    assert page.find("nav").find("a", string="Admin")["aria-current"] == "page"


def test_every_admin_form_field_has_a_label(admin, books):
    urls = ["/admin/users/new", f"/admin/users/{books.staff.id}", "/admin/practice",
            "/admin/accounts/new", f"/admin/accounts/{books.account('1-1200').id}"]
    for url in urls:
        page = html(admin.get(url))
        controls = page.select("main input:not([type=hidden]), main select, main textarea")
        assert controls, url
        for control in controls:
            label = page.find("label", attrs={"for": control.get("id")}) or control.find_parent("label")
            assert label is not None and text_of(label), (url, control.get("name"))


def test_a_missing_record_is_404(admin):
    for missing_id in (999, 2**31, 10**20):
        assert admin.get(f"/admin/users/{missing_id}").status_code == 404
        assert admin.get(f"/admin/accounts/{missing_id}").status_code == 404
        assert admin.submit(f"/admin/users/{missing_id}/password",
                            {"password": "a-long-password"}).status_code == 404
        assert admin.submit(f"/admin/accounts/{missing_id}/delete").status_code == 404


def test_admin_post_without_csrf_is_400(admin, db_session):
    response = admin.post("/admin/accounts/new", data=account_data())
    assert response.status_code == 400
    assert db_session.scalar(select(Account).where(Account.code == "6-2450")) is None


# ---- users ----

def test_users_are_listed_with_role_and_status(admin):
    rows = html(admin.get("/admin/users")).select("tbody tr")
    texts = [text_of(row) for row in rows]
    assert any("Ada Admin" in t and "admin@example.com" in t and "admin" in t and "active" in t
               for t in texts)
    assert any("Stu Staff" in t and "staff" in t for t in texts)


def test_admin_adds_a_user_who_can_then_sign_in(admin, client, auth, db_session):
    response = admin.submit("/admin/users/new", {"name": "Nina New", "email": "Nina@Example.com",
                                                 "role": "staff", "password": "a-long-password"})
    assert response.status_code == 303
    assert response.location == "/admin/users"
    page = html(admin.get("/admin/users"))
    assert "Nina New can now sign in" in text_of(page.find(class_="flashes"))
    assert "nina@example.com" in text_of(page.find("table"))
    user = find_user_by_email(db_session, "nina@example.com")
    assert user.role == Role.STAFF and user.check_password("a-long-password")
    auth.logout()
    auth.login("nina@example.com", "a-long-password")


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"name": ""}, "name", "Enter the person's name."),
    ({"name": "x" * 121}, "name", "at most 120 characters"),
    ({"email": ""}, "email", "Enter their email address."),
    ({"email": "not-an-email"}, "email", "Enter an email address"),
    ({"email": "a" * 250 + "@example.com"}, "email", "at most 254 characters"),
    ({"email": "STAFF@example.com"}, "email", "already exists"),
    ({"password": "short"}, "password", "at least 10 characters"),
    ({"password": ""}, "password", "Choose an initial password."),
    ({"role": "owner"}, "role", "Not a valid choice"),
])
def test_bad_new_user_is_refused_beside_the_field(admin, db_session, data, field, message):
    before = count(db_session, User)
    form = {"name": "Nina New", "email": "nina@example.com", "role": "staff",
            "password": "a-long-password", **data}
    response = admin.submit("/admin/users/new", form)
    assert response.status_code in (400, 422)
    assert message in error_beside(response, field)
    assert count(db_session, User) == before
    if field != "name":
        assert html(response).find("input", attrs={"name": "name"})["value"] == "Nina New"
    assert html(response).find("input", attrs={"name": "password"}).get("value") in (None, "")


def test_user_name_with_script_is_shown_escaped(admin):
    admin.submit("/admin/users/new", {"name": XSS, "email": "x@example.com", "role": "staff",
                                      "password": "a-long-password"})
    body = admin.get("/admin/users").get_data(as_text=True)
    assert XSS not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_admin_edits_name_role_and_active(admin, books, db_session):
    staff_id = books.staff.id
    page = html(admin.get(f"/admin/users/{staff_id}"))
    assert page.find("input", attrs={"name": "name"})["value"] == "Stu Staff"
    assert page.find("select", attrs={"name": "role"}).find("option", selected=True)["value"] == "staff"
    response = admin.submit(f"/admin/users/{staff_id}",
                            {"name": "Stuart Staff", "role": "admin", "active": ""})
    assert response.status_code == 303
    db_session.expire_all()
    user = db_session.get(User, staff_id)
    assert (user.name, user.role, user.active) == ("Stuart Staff", Role.ADMIN, False)
    assert "Stuart Staff saved." in text_of(html(admin.get("/admin/users")).find(class_="flashes"))
    summary = db_session.scalars(select(AuditEvent.summary).where(AuditEvent.entity_type == "user",
                                                                  AuditEvent.action == "changed")).one()
    assert "role staff → admin" in summary and "active yes → no" in summary


def test_the_last_active_admin_cannot_demote_themselves(admin, books, db_session):
    admin_id = books.admin.id
    response = admin.submit(f"/admin/users/{admin_id}", {"name": "Ada Admin", "role": "staff",
                                                         "active": "y"})
    assert response.status_code == 422
    assert "at least one active admin" in error_beside(response, "role")
    assert html(response).find("select", attrs={"name": "role"}).find(
        "option", selected=True)["value"] == "staff"
    db_session.expire_all()
    assert db_session.get(User, admin_id).role == Role.ADMIN


def test_the_last_active_admin_cannot_be_deactivated(admin, books, db_session):
    admin_id = books.admin.id
    response = admin.submit(f"/admin/users/{admin_id}", {"name": "Ada Admin", "role": "admin"})
    assert response.status_code == 422
    assert "at least one active admin" in error_beside(response, "active")
    db_session.expire_all()
    assert db_session.get(User, admin_id).active is True


def test_an_admin_who_makes_themselves_staff_lands_on_the_dashboard(admin, books, db_session):
    books.staff.role = Role.ADMIN
    db_session.commit()
    response = admin.submit(f"/admin/users/{books.admin.id}", {"name": "Ada Admin", "role": "staff",
                                                               "active": "y"})
    assert response.status_code == 303 and response.location == "/"
    assert admin.get("/admin/").status_code == 403


def test_an_admin_cannot_deactivate_themselves(admin, books, db_session):
    books.staff.role = Role.ADMIN
    db_session.commit()
    response = admin.submit(f"/admin/users/{books.admin.id}", {"name": "Ada Admin", "role": "admin"})
    assert response.status_code == 422
    assert "your own account" in error_beside(response, "active")
    db_session.expire_all()
    assert books.admin.active is True


def test_bad_user_edit_keeps_what_was_typed_and_saves_nothing(admin, books, db_session):
    staff_id = books.staff.id
    response = admin.submit(f"/admin/users/{staff_id}", {"name": "x" * 121, "role": "staff",
                                                         "active": "y"})
    assert response.status_code == 400
    assert "at most 120 characters" in error_beside(response, "name")
    assert html(response).find("input", attrs={"name": "name"})["value"] == "x" * 121
    db_session.expire_all()
    assert db_session.get(User, staff_id).name == "Stu Staff"


def test_admin_resets_a_password(admin, client, auth, books, db_session):
    staff_id = books.staff.id
    response = admin.submit(f"/admin/users/{staff_id}/password", {"password": "brand-new-secret"})
    assert response.status_code == 303
    assert response.location == f"/admin/users/{staff_id}"
    assert "password was reset" in text_of(html(admin.get(response.location)).find(class_="flashes"))
    auth.logout()
    assert client.submit("/login", {"email": "staff@example.com",
                                    "password": PASSWORD}).status_code == 401
    auth.login("staff@example.com", "brand-new-secret")


def test_a_short_reset_password_is_refused(admin, books, db_session):
    staff_id = books.staff.id
    response = admin.submit(f"/admin/users/{staff_id}/password", {"password": "short"})
    assert response.status_code == 422
    assert "at least 10 characters" in error_beside(response, "password")
    db_session.expire_all()
    assert db_session.get(User, staff_id).check_password(PASSWORD)


# ---- practice settings ----

def test_practice_settings_show_the_defaults(admin):
    page = html(admin.get("/admin/practice"))
    assert page.find("select", attrs={"name": "base_currency"}).find(
        "option", selected=True)["value"] == "AUD"
    assert page.find("select", attrs={"name": "basis"}).find(
        "option", selected=True)["value"] == "accrual"
    assert page.find("input", attrs={"name": "gst_rate"})["value"] == "10.00"
    assert page.find("input", attrs={"name": "gst_registered"}).has_attr("checked")
    for control in page.select("form input:not([type=hidden]), form select"):
        assert page.find("label", attrs={"for": control["id"]}) or control.find_parent("label")


def test_admin_changes_practice_settings_and_the_audit_log_says_what(admin, db_session):
    response = admin.submit("/admin/practice", practice_data(
        basis="cash", gst_rate="12.5", base_currency="NZD", fy_start_month="4", fy_start_day="1",
        lock_date="2026-06-30", gst_registered=""))
    assert response.status_code == 303
    db_session.expire_all()
    practice = get_practice(db_session)
    assert practice.name == "Smith & Co Lawyers"
    assert practice.basis == "cash" and practice.base_currency == "NZD"
    assert practice.gst_rate == Decimal("12.50") and practice.gst_registered is False
    assert (practice.fy_start_month, practice.fy_start_day) == (4, 1)
    assert practice.lock_date == date(2026, 6, 30)
    page = html(admin.get("/admin/practice"))
    assert "lock date none → 30 Jun 2026" in text_of(page.find(class_="flashes"))
    assert text_of(page.find(id="current-lock-date")) == "30 Jun 2026"
    summary = db_session.scalars(select(AuditEvent.summary).where(
        AuditEvent.entity_type == "practice")).one()
    assert "basis accrual → cash" in summary and "GST rate 10.00 → 12.50" in summary


def test_the_lock_date_stops_postings_before_it(admin, books):
    admin.submit("/admin/practice", practice_data(lock_date="2026-07-01"))
    with pytest.raises(Exception, match="locked before 01 Jul 2026"):
        books.journal({"1-1000": "100.00", "3-1000": "-100.00"}, on=date(2026, 6, 30))
    books.session.rollback()
    books.journal({"1-1000": "100.00", "3-1000": "-100.00"}, on=date(2026, 7, 1))


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"name": ""}, "name", "Enter the practice's name."),
    ({"name": "x" * 121}, "name", "at most 120 characters"),
    ({"base_currency": "XYZ"}, "base_currency", "Not a valid choice"),
    ({"basis": "hybrid"}, "basis", "Not a valid choice"),
    ({"gst_rate": ""}, "gst_rate", "Enter the GST rate"),
    ({"gst_rate": "ten"}, "gst_rate", "not a percentage"),
    ({"gst_rate": "NaN"}, "gst_rate", "not a percentage"),
    ({"gst_rate": "10.125"}, "gst_rate", "at most two decimals"),
    ({"gst_rate": "101"}, "gst_rate", "between 0 and 100"),
    ({"gst_rate": "-1"}, "gst_rate", "between 0 and 100"),
    ({"fy_start_month": "2", "fy_start_day": "30"}, "fy_start_day", "February has no day 30"),
    ({"fy_start_month": "2", "fy_start_day": "29"}, "fy_start_day", "February has no day 29"),
    ({"fy_start_day": "32"}, "fy_start_day", "from 1 to 31"),
    ({"fy_start_day": "first"}, "fy_start_day", "Not a valid integer"),
    ({"fy_start_month": "13"}, "fy_start_month", "Not a valid choice"),
    ({"lock_date": "30/06/2026"}, "lock_date", "Not a valid date"),
    ({"lock_date": "2026-02-30"}, "lock_date", "Not a valid date"),
])
def test_bad_practice_settings_are_refused_beside_the_field(admin, db_session, data, field, message):
    events = count(db_session, AuditEvent)
    response = admin.submit("/admin/practice", practice_data(**data))
    assert response.status_code in (400, 422)
    assert message in error_beside(response, field)
    if field != "name":
        assert html(response).find("input", attrs={"name": "name"})["value"] == "Smith & Co Lawyers"
    db_session.expire_all()
    practice = get_practice(db_session)
    assert practice.name == "My Practice" and practice.gst_rate == Decimal("10.00")
    assert count(db_session, AuditEvent) == events


INVOICE_DETAILS = {"legal_name": "Smith & Co Lawyers Pty Ltd", "abn": "51 824 753 556",
                   "address": "1 George St\nSydney NSW 2000", "phone": "02 9000 0000",
                   "email": "accounts@smithco.example", "bank_account_name": "Smith & Co Office",
                   "bsb": "062-000", "bank_account_number": "1234 5678",
                   "payment_reference": "your invoice number"}


def test_an_admin_saves_the_tax_invoice_details_normalised_and_the_audit_log_says_what(admin, db_session,
                                                                                 books):
    response = admin.submit("/admin/practice", practice_data(**INVOICE_DETAILS))
    assert response.status_code == 303
    db_session.expire_all()
    practice = get_practice(db_session)
    assert (practice.abn, practice.bsb, practice.bank_account_number) == (
        "51824753556", "062000", "12345678")
    assert practice.abn_display == "51 824 753 556" and practice.bsb_display == "062-000"
    summary = db_session.scalars(select(AuditEvent.summary).where(
        AuditEvent.entity_type == "practice")).one()
    assert "ABN none → 51824753556" in summary and "BSB none → 062000" in summary


def test_a_bad_abn_bsb_and_email_are_all_refused_at_once_and_nothing_is_saved(admin, db_session):
    events = count(db_session, AuditEvent)
    response = admin.submit("/admin/practice", practice_data(**{
        **INVOICE_DETAILS, "abn": "51 824 753 557", "bsb": "06-200", "email": "accounts at smith"}))
    assert response.status_code in (400, 422)
    assert "not a valid ABN" in error_beside(response, "abn")
    assert "6 digits" in error_beside(response, "bsb")
    assert "email address" in error_beside(response, "email")
    page = html(response)
    assert page.find("input", attrs={"name": "abn"})["value"] == "51 824 753 557"
    assert page.find("input", attrs={"name": "legal_name"})["value"] == "Smith & Co Lawyers Pty Ltd"
    db_session.expire_all()
    assert get_practice(db_session).abn == "" and count(db_session, AuditEvent) == events


def test_the_books_refuse_a_bad_abn_whatever_the_page(db_session, books):
    from accounting.errors import LedgerError
    from accounting.ledger.practice import update_practice

    practice = get_practice(db_session)
    with pytest.raises(LedgerError, match="not a valid ABN") as refused:
        update_practice(db_session, None, practice, name="P", base_currency="AUD",
                        basis="accrual", gst_registered=True, gst_rate="10", fy_start_month=7,
                        fy_start_day=1, lock_date=None,
                        invoice_details={**INVOICE_DETAILS, "abn": "12345678901"})
    assert refused.value.field == "abn"


def test_practice_name_with_script_is_shown_escaped(admin):
    admin.submit("/admin/practice", practice_data(name=XSS))
    for url in ("/admin/practice", "/admin/", "/"):
        body = admin.get(url).get_data(as_text=True)
        assert XSS not in body
    assert "&lt;script&gt;" in admin.get("/admin/").get_data(as_text=True)


# ---- chart of accounts ----

def test_the_chart_is_grouped_by_class_in_code_order(admin):
    page = html(admin.get("/admin/accounts"))
    groups = [text_of(t.find("th")) for t in page.select("table.chart tbody")]
    assert groups == ["Asset", "Liability", "Equity", "Revenue", "Expense"]
    codes = [text_of(r.find(class_="code")) for r in page.select("table.chart tbody tr[id]")]
    assert codes == sorted(codes) and "1-1000" in codes
    ar = text_of(page.find("td", string="1-2000").parent)
    assert "Accounts Receivable" in ar and "Current asset" in ar and "Accounts receivable" in ar
    bank = text_of(page.find("td", string="1-1100").parent)
    assert "Bank" in bank and "Yes" in bank and "Trust bank" in bank
    assert "Trust liability" in text_of(page.find("td", string="2-2000").parent)
    assert page.find("button", string=lambda s: s and "Install default chart" in s) is None


def test_admin_adds_an_account(admin, books, db_session):
    response = admin.submit("/admin/accounts/new", account_data(description="Courses and CPD"))
    assert response.status_code == 303 and response.location == "/admin/accounts"
    account = books.account("6-2450")
    assert (account.name, account.type, account.is_bank, account.description) == (
        "Staff Training", AccountType.OVERHEADS, False, "Courses and CPD")
    page = html(admin.get("/admin/accounts"))
    assert "Account 6-2450 Staff Training added." in text_of(page.find(class_="flashes"))
    assert "Staff Training" in text_of(page.find(id=f"account-{account.id}"))


def test_the_type_list_is_xeros_grouped_by_class(admin):
    select_ = html(admin.get("/admin/accounts/new")).find("select", attrs={"name": "type"})
    assert [g["label"] for g in select_.find_all("optgroup")] == [
        "Asset", "Liability", "Equity", "Revenue", "Expense"]
    assert {o["value"] for o in select_.find_all("option")} == {t.value for t in AccountType}


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"code": ""}, "code", "Enter a code"),
    ({"code": "1-1000"}, "code", "already used by “Office Cheque Account”"),
    ({"code": "6 2450!"}, "code", "Use up to 10 letters"),
    ({"code": "12345678901"}, "code", "at most 10 characters"),
    ({"name": ""}, "name", "Give the account a name."),
    ({"name": "x" * 151}, "name", "at most 150 characters"),
    ({"type": "SAVINGS"}, "type", "Not a valid choice"),
    ({"description": "x" * 501}, "description", "at most 500 characters"),
])
def test_bad_new_account_is_refused_beside_the_field(admin, db_session, data, field, message):
    before = count(db_session, Account)
    response = admin.submit("/admin/accounts/new", account_data(**data))
    assert response.status_code in (400, 422)
    assert message in error_beside(response, field)
    assert count(db_session, Account) == before
    if field != "name":
        assert html(response).find("input", attrs={"name": "name"})["value"] == "Staff Training"


def test_account_name_with_script_is_shown_escaped(admin, books):
    admin.submit("/admin/accounts/new", account_data(name=XSS))
    account_id = books.account("6-2450").id
    for url in ("/admin/accounts", f"/admin/accounts/{account_id}"):
        body = admin.get(url).get_data(as_text=True)
        assert XSS not in body and "&lt;script&gt;" in body


def test_admin_edits_an_account(admin, books, db_session):
    account = books.account("6-2400")
    response = admin.submit(f"/admin/accounts/{account.id}", account_data(
        code="6-2410", name="Stationery", type="EXPENSE", is_bank="", description="Pens"))
    assert response.status_code == 303
    db_session.expire_all()
    assert (account.code, account.name, account.type, account.description) == (
        "6-2410", "Stationery", AccountType.EXPENSE, "Pens")
    summary = db_session.scalars(select(AuditEvent.summary).where(
        AuditEvent.entity_type == "account", AuditEvent.action == "changed")).one()
    assert "code 6-2400 → 6-2410" in summary


def test_an_account_with_postings_cannot_change_class(admin, books, db_session):
    books.journal({"6-2400": "50.00", "1-1000": "-50.00"})
    account = books.account("6-2400")
    response = admin.submit(f"/admin/accounts/{account.id}", account_data(
        code="6-2400", name="Office Supplies", type="CURRENT"))
    assert response.status_code == 422
    assert "must stay in the expense class" in error_beside(response, "type")
    db_session.expire_all()
    assert account.type == AccountType.OVERHEADS


def test_edit_with_a_duplicate_code_is_refused(admin, books, db_session):
    account = books.account("6-2400")
    response = admin.submit(f"/admin/accounts/{account.id}", account_data(code="6-2500",
                                                                          name="Office Supplies"))
    assert response.status_code == 422
    assert "already used by “Telephone and Internet”" in error_beside(response, "code")
    assert html(response).find("input", attrs={"name": "code"})["value"] == "6-2500"
    db_session.expire_all()
    assert account.code == "6-2400"


def test_admin_archives_and_restores_an_account(admin, books, db_session):
    account = books.account("1-1200")
    response = admin.submit(f"/admin/accounts/{account.id}/archive")
    assert response.status_code == 303
    page = html(admin.get("/admin/accounts"))
    assert "1-1200 Petty Cash archived" in text_of(page.find(class_="flashes"))
    assert "archived" in text_of(page.find(id=f"account-{account.id}"))
    db_session.expire_all()
    assert account.archived is True
    restore = html(admin.get(f"/admin/accounts/{account.id}")).find("button", string="Restore account")
    assert restore is not None
    assert admin.submit(f"/admin/accounts/{account.id}/restore").status_code == 303
    db_session.expire_all()
    assert account.archived is False


def test_an_account_the_books_need_cannot_be_archived(admin, books, db_session):
    account = books.account("1-2000")
    page = html(admin.get(f"/admin/accounts/{account.id}"))
    assert page.find("button", string="Archive account").has_attr("disabled")
    assert "accounts receivable" in text_of(page.find(id="archive-blocker"))
    response = admin.submit(f"/admin/accounts/{account.id}/archive")
    assert response.status_code == 422
    assert "cannot be archived" in text_of(html(response).find(class_="form-errors"))
    db_session.expire_all()
    assert account.archived is False


def test_an_unused_account_can_be_deleted(admin, books, db_session):
    account_id = books.account("1-1200").id
    page = html(admin.get(f"/admin/accounts/{account_id}"))
    assert not page.find("button", string="Delete account").has_attr("disabled")
    response = admin.submit(f"/admin/accounts/{account_id}/delete")
    assert response.status_code == 303
    db_session.expire_all()
    assert db_session.get(Account, account_id) is None
    assert "1-1200 Petty Cash deleted" in text_of(html(admin.get("/admin/accounts")).find(
        class_="flashes"))


def test_an_account_with_postings_cannot_be_deleted_only_archived(admin, books, db_session):
    books.journal({"1-1200": "100.00", "3-1000": "-100.00"})
    account_id = books.account("1-1200").id
    page = html(admin.get(f"/admin/accounts/{account_id}"))
    assert page.find("button", string="Delete account").has_attr("disabled")
    assert "archive it instead" in text_of(page.find(id="delete-blocker"))
    response = admin.submit(f"/admin/accounts/{account_id}/delete")
    assert response.status_code == 422
    assert "Archive it instead" in text_of(html(response).find(class_="form-errors"))
    db_session.expire_all()
    assert db_session.get(Account, account_id) is not None


def test_install_default_chart_adds_what_is_missing(admin, books, db_session):
    admin.submit(f"/admin/accounts/{books.account('1-1200').id}/delete")
    button = html(admin.get("/admin/accounts")).find(
        "button", string=lambda s: s and "Install default chart" in s)
    assert "1 missing" in text_of(button)
    response = admin.submit("/admin/accounts/install-defaults")
    assert response.status_code == 303
    assert "1 account of the default chart added." in text_of(
        html(admin.get("/admin/accounts")).find(class_="flashes"))
    db_session.expire_all()
    assert books.account("1-1200").name == "Petty Cash"
