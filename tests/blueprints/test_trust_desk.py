"""Trust desk pages: the index with its three-way status, receipts (and the printable receipt),
payments, trust journals, reversals and trust accounts; every bad input a 4xx with its message and
nothing saved."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from accounting.ledger.journals import Journal, LineInput, post
from accounting.trust.ledger import TrustAccount, TrustKind, TrustStatus, TrustTransaction
from accounting.trust.posting import post_trust, record_receipt
from tests.support import html, text_of
from tests.trust_support import Trust

# The other trust areas' tables, which the blueprints import, exist before the schema is made even
# while accounting/models.py does not list them yet.

JULY = date(2026, 7, 1)
D = Decimal
HX = {"HX-Request": "true"}


@pytest.fixture
def trust(books, auth):
    auth.login()
    return Trust(books, commit_receipts=True)


def receipt_form(trust, **change):
    return {"trust_account": str(trust.account.id), "matter": str(trust.lease.id), "date": "2026-07-02",
            "amount": "1,500.00", "party": "Acme Pty Ltd", "method": "eft", "description": "Deposit on lease",
            "reference": "CHQ 1001"} | change


def payment_form(trust, **change):
    return {"trust_account": str(trust.account.id), "matter": str(trust.lease.id), "date": "2026-07-03",
            "amount": "400.00", "party": "Vendor's solicitors", "method": "eft",
            "authority": "Signed authority 3 Jul", "description": "Settlement", "reference": ""} | change


def journal_form(trust, **change):
    return {"trust_account": str(trust.account.id), "from_matter": str(trust.lease.id),
            "to_matter": str(trust.estate.id), "date": "2026-07-04", "amount": "100.00",
            "authority": "Client email 4 Jul", "description": "Costs of the estate"} | change


def error_of(page, field):
    return text_of(page.find(id=f"{field}-error"))


# ---- Index --------------------------------------------------------------------------------------


def test_the_index_shows_each_account_with_its_three_balances_agreeing(client, trust):
    trust.receive("1500.00")
    page = html(client.get("/trust/"))
    row = page.select_one("table.trust-accounts tr[data-account='1-1100']")
    assert text_of(row.select_one(".cash-book")) == "1,500.00"
    assert text_of(row.select_one(".matters")) == "1,500.00"
    assert text_of(row.select_one(".liability")) == "1,500.00"
    assert text_of(row.select_one(".agreement")) == "Agrees"
    links = {text_of(a): a["href"] for a in page.select(".page-head .actions a")}
    assert links == {"Record a receipt": "/trust/receipts/new", "Record a payment": "/trust/payments/new",
                     "Trust journal": "/trust/journals/new"}
    assert "R-000001" in text_of(page.select_one("table.trust-transactions"))


def test_the_index_says_when_the_books_do_not_agree(client, trust, books):
    trust.receive("100.00")
    # Money in the trust bank that no matter owns (as if posted around the trust desk).

    post(books.session, books.admin, date=JULY, kind="trust_receipt", narration="Stray",
         lines=[LineInput(trust.account.account_id, D("5.00")),
                LineInput(books.account("4-1000").id, D("-5.00"))])
    books.session.commit()
    row = html(client.get("/trust/")).select_one("tr[data-account='1-1100']")
    assert text_of(row.select_one(".agreement")) == "Does not agree"


def test_the_index_links_to_the_other_trust_areas_only_when_they_exist(client, trust, app):
    page = html(client.get("/trust/"))
    areas = {text_of(a.contents[0]) for a in page.select("nav.trust-areas a")}
    expected = {label for endpoint, label in (
        ("trust_reports.index", "Reports and reconciliation"),
        ("trust_transfers.index", "Transfers to office, interest, statutory deposits"))
        if endpoint in app.view_functions}
    assert areas == expected


def test_the_latest_transactions_page_through_htmx(client, trust, app):
    for n in range(app.config["PAGE_SIZE"] + 2):
        record_receipt(trust.s, None, trust_account_id=trust.account.id, matter_id=trust.lease.id,
                       date=JULY, amount=D(n + 1), payer="Acme", method="eft")
    trust.s.commit()
    response = client.get("/trust/?page=2", headers=HX)
    fragment = html(response)
    assert response.status_code == 200 and fragment.find("h1") is None
    assert len(fragment.select("table.trust-transactions tbody tr")) == 2
    assert "page 2 of 2" in text_of(fragment.select_one(".pager"))
    assert "HX-Request" in response.headers["Vary"]


def test_the_latest_transactions_show_which_way_a_journal_and_its_reversal_moved(client, trust):
    trust.receive("50.00")
    client.submit("/trust/journals/new", journal_form(trust, amount="30.00"))
    journal = trust.s.scalar(select(TrustTransaction).where(TrustTransaction.number == "J-000001"))
    client.submit(f"/trust/transactions/{journal.id}/reverse", {"date": date.today().isoformat(),
                                                                 "reason": "Wrong matter"})
    rows = {text_of(row.td): text_of(row.select("td")[3])
            for row in html(client.get("/trust/")).select("table.trust-transactions tbody tr")}
    assert rows["J-000001"] == f"{trust.lease.number} → {trust.estate.number}"
    assert rows["X-000001"] == f"{trust.estate.number} → {trust.lease.number}"


# ---- Receipts -----------------------------------------------------------------------------------


def test_a_receipt_is_recorded_and_its_printable_receipt_says_everything(client, trust):
    trust.account.bank_name, trust.account.bsb, trust.account.account_number = "Westpac", "032-000", "123456"
    trust.s.commit()
    response = client.submit("/trust/receipts/new", receipt_form(trust))
    assert response.status_code == 303
    receipt = trust.s.scalar(select(TrustTransaction))
    assert response.headers["Location"] == f"/trust/transactions/{receipt.id}"
    assert trust.balance() == D("1500.00")
    page = html(client.get(response.headers["Location"]))
    assert "Receipt R-000001 recorded." in text_of(page.select_one(".flashes"))
    printable = html(client.get(f"/trust/transactions/{receipt.id}/receipt"))
    details = text_of(printable.select_one("article.trust-receipt"))
    for expected in ("R-000001", "02 Jul 2026", "Acme Pty Ltd", "$1,500.00", trust.lease.number, "Lease",
                     "EFT", "Trust Bank Account", "Westpac", "BSB 032-000", "Account 123456", "Ada Admin"):
        assert expected in details, expected
    assert text_of(printable.select_one(".receipt-words")) == "One thousand five hundred dollars"
    assert printable.select_one(".no-print button")


def test_the_printed_receipt_gives_the_amount_in_words_and_figures(client, trust):
    receipt = trust.receive("1234.50")
    trust.s.commit()
    printable = html(client.get(f"/trust/transactions/{receipt.id}/receipt"))
    assert text_of(printable.select_one(".receipt-amount")) == "$1,234.50"
    assert text_of(printable.select_one(".receipt-words")) == (
        "One thousand two hundred and thirty-four dollars and fifty cents")


def test_the_receipt_form_offers_open_matters_and_prefills_from_the_matter(client, trust):
    trust.estate.status = "closed"
    trust.s.commit()
    page = html(client.get(f"/trust/receipts/new?matter_id={trust.lease.id}"))
    options = [text_of(o) for o in page.select("#matter option")]
    assert f"{trust.lease.number} — Acme Pty Ltd — Lease" in options
    assert not any("Estate" in o for o in options)
    assert page.select_one("#matter option[selected]")["value"] == str(trust.lease.id)
    assert page.select_one("#party")["value"] == "Acme Pty Ltd"
    for field in ("trust_account", "matter", "date", "amount", "party", "method", "description", "reference"):
        assert page.find("label", attrs={"for": field}), field


def test_choosing_a_matter_fills_the_payer_unless_someone_else_was_typed(client, trust):
    response = client.submit("/trust/receipts/new/payer", data={"matter": str(trust.estate.id), "party": ""},
                           headers=HX)
    fragment = html(response)
    assert fragment.find("form") is None and fragment.select_one("#party")["value"] == "Bo Smith"
    kept = html(client.submit("/trust/receipts/new/payer", headers=HX, data={
        "matter": str(trust.estate.id), "party": "Bo's bank", "payer_suggested": "Acme Pty Ltd"}))
    assert kept.select_one("#party")["value"] == "Bo's bank"
    switched = html(client.submit("/trust/receipts/new/payer", headers=HX, data={
        "matter": str(trust.estate.id), "party": "Acme Pty Ltd", "payer_suggested": "Acme Pty Ltd"}))
    assert switched.select_one("#party")["value"] == "Bo Smith"


def test_the_matter_search_narrows_the_options(client, trust):
    response = client.get("/trust/matters/options?q=estate", headers=HX)
    options = html(response).select("option")
    assert [o["value"] for o in options] == ["", str(trust.estate.id)]
    kept = html(client.get(f"/trust/matters/options?q=estate&matter={trust.lease.id}", headers=HX))
    assert kept.select_one("option[selected]")["value"] == str(trust.lease.id)


@pytest.mark.parametrize(("change", "field", "message", "status"), [
    ({"amount": "0"}, "amount", "more than zero", 422),
    ({"amount": "-5"}, "amount", "more than zero", 422),
    ({"amount": ""}, "amount", "Enter the amount", 400),
    ({"amount": "lots"}, "amount", "not an amount", 422),
    ({"party": "  "}, "party", "who the money is from", 422),
    ({"matter": ""}, "matter", "Choose a matter", 422),
    ({"method": "barter"}, "method", "how the money moved", 422),
    ({"date": ""}, "date", "Enter the date", 400),
    ({"trust_account": "999"}, "trust_account", "Choose a trust account", 422),
    ({"party": "x" * 201}, "party", "under 200", 400),
])
def test_a_bad_receipt_is_refused_beside_its_field_and_saves_nothing(client, trust, change, field, message,
                                                                       status):
    response = client.submit("/trust/receipts/new", receipt_form(trust, **change))
    assert response.status_code == status
    page = html(response)
    assert message in error_of(page, field)
    assert trust.count() == 0 and trust.count(Journal) == 0
    if field != "amount":
        assert page.select_one("#amount")["value"] == "1,500.00"


def test_a_receipt_for_a_closed_matter_is_refused(client, trust):
    trust.lease.status = "closed"
    trust.s.commit()
    response = client.submit("/trust/receipts/new", receipt_form(trust))
    assert response.status_code == 422
    assert "is closed" in error_of(html(response), "matter") and trust.count() == 0


def test_a_receipt_dated_in_a_reconciled_period_is_refused(client, trust):
    trust.account.reconciled_to = date(2026, 7, 31)
    trust.s.commit()
    response = client.submit("/trust/receipts/new", receipt_form(trust, date="2026-07-31"))
    assert response.status_code == 422
    assert "reconciled to 31 Jul 2026" in error_of(html(response), "date") and trust.count() == 0


def test_a_form_without_its_csrf_token_is_refused(client, trust):
    response = client.post("/trust/receipts/new", data=receipt_form(trust))
    assert response.status_code == 400 and trust.count() == 0


def test_the_receipt_print_view_is_only_for_receipts(client, trust):
    trust.receive("100.00")
    payment = client.submit("/trust/payments/new", payment_form(trust, amount="10.00"))
    payment_id = payment.headers["Location"].rsplit("/", 1)[1]
    assert client.get(f"/trust/transactions/{payment_id}/receipt").status_code == 404
    assert client.get("/trust/transactions/99999").status_code == 404


# ---- Payments -----------------------------------------------------------------------------------


def test_a_payment_is_recorded_with_its_authority(client, trust):
    trust.receive("1000.00")
    response = client.submit("/trust/payments/new", payment_form(trust))
    assert response.status_code == 303
    assert trust.balance() == D("600.00")
    page = html(client.get(response.headers["Location"]))
    assert "Payment P-000001 recorded." in text_of(page.select_one(".flashes"))
    details = text_of(page.select_one("dl.details"))
    assert "Paid to Vendor's solicitors" in details and "Authority Signed authority 3 Jul" in details


def test_an_overdraw_is_refused_with_the_available_balance(client, trust):
    trust.receive("600.00")
    response = client.submit("/trust/payments/new", payment_form(trust, amount="600.01"))
    assert response.status_code == 422
    page = html(response)
    assert "600.00 is available" in error_of(page, "amount")
    assert "600.00" in text_of(page.select_one("#available"))
    assert page.select_one("#amount")["value"] == "600.01"
    assert trust.count() == 1 and trust.balance() == D("600.00")


def test_the_payment_form_shows_the_matters_available_balance_through_htmx(client, trust):
    trust.receive("250.00")
    fragment = html(client.submit("/trust/payments/new/available", headers=HX, data={
        "trust_account": str(trust.account.id), "matter": str(trust.lease.id)}))
    assert fragment.find("form") is None
    assert text_of(fragment.select_one("#available")) == "Available in trust for this matter: 250.00"
    empty = html(client.submit("/trust/payments/new/available", headers=HX, data={"matter": "junk"}))
    assert "Choose a trust account and a matter" in text_of(empty.select_one("#available"))


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"authority": ""}, "authority", "the authority"),
    ({"description": " "}, "description", "what the payment is for"),
    ({"party": ""}, "party", "who the money is paid to"),
    ({"amount": "0.00"}, "amount", "more than zero"),
    ({"amount": "1.001"}, "amount", ""),
])
def test_a_bad_payment_is_refused_and_saves_nothing(client, trust, change, field, message):
    trust.receive("100.00")
    response = client.submit("/trust/payments/new", payment_form(trust, **change))
    assert response.status_code == 422
    assert error_of(html(response), field) and message in error_of(html(response), field)
    assert trust.count() == 1 and trust.balance() == D("100.00")


# ---- Trust journals -----------------------------------------------------------------------------


def test_a_trust_journal_moves_money_and_the_form_shows_both_balances(client, trust):
    trust.receive("300.00")
    fragment = html(client.submit("/trust/journals/new/balances", headers=HX, data=journal_form(trust)))
    assert text_of(fragment.select_one(".from-balance")) == "300.00"
    assert text_of(fragment.select_one(".to-balance")) == "0.00"
    response = client.submit("/trust/journals/new", journal_form(trust))
    assert response.status_code == 303
    assert (trust.balance(trust.lease), trust.balance(trust.estate)) == (D("200.00"), D("100.00"))
    assert "Trust journal J-000001 recorded." in text_of(html(client.get(response.headers["Location"])))


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"to_matter": "same"}, "to_matter", "two different matters"),
    ({"amount": "300.01"}, "amount", "300.00 is available"),
    ({"authority": ""}, "authority", "the authority"),
    ({"description": ""}, "description", "what the journal is for"),
    ({"from_matter": ""}, "from_matter", "Choose a matter"),
])
def test_a_bad_trust_journal_is_refused_and_saves_nothing(client, trust, change, field, message):
    trust.receive("300.00")
    if change.get("to_matter") == "same":
        change["to_matter"] = str(trust.lease.id)
    response = client.submit("/trust/journals/new", journal_form(trust, **change))
    assert response.status_code == 422
    assert message in error_of(html(response), field)
    assert trust.count() == 1 and trust.balance() == D("300.00")


# ---- Transactions and reversals -----------------------------------------------------------------


def test_a_reversal_links_both_ways_and_restores_the_balance(client, trust):
    receipt = trust.receive("80.00")
    page = html(client.get(f"/trust/transactions/{receipt.id}"))
    assert page.select_one(f"a[href='/journals/{receipt.journal_id}']")
    assert "+80.00" in text_of(page.select_one("table.trust-entries")) or "80.00" in text_of(
        page.select_one("table.trust-entries"))
    assert page.select_one("#reverse form #date")["value"] == date.today().isoformat()
    response = client.submit(f"/trust/transactions/{receipt.id}/reverse",
                             {"date": date.today().isoformat(), "reason": "Cheque dishonoured"})
    assert response.status_code == 303
    page = html(client.get(response.headers["Location"]))
    assert "Reversed by X-000001" in text_of(page.select_one(".reversed-by"))
    assert page.select_one("#reverse form") is None
    reversal = trust.s.scalar(select(TrustTransaction).where(TrustTransaction.reverses_id == receipt.id))
    page = html(client.get(f"/trust/transactions/{reversal.id}"))
    assert "Reverses R-000001" in text_of(page.select_one(".reverses"))
    assert "never reversed" in text_of(page.select_one("#reverse .notice"))
    assert trust.balance() == D("0.00")


@pytest.mark.parametrize(("data", "field", "message", "status"), [
    ({"reason": ""}, "reason", "Give the reason", 400),
    ({"reason": "Oops", "date": "2026-06-30"}, "date", "cannot be dated before", 422),
    ({"reason": "Oops", "date": ""}, "date", "Enter the reversal's date", 400),
])
def test_a_bad_reversal_is_refused_on_the_form(client, trust, data, field, message, status):
    receipt = trust.receive("80.00")
    response = client.submit(f"/trust/transactions/{receipt.id}/reverse",
                             {"date": date.today().isoformat()} | data)
    assert response.status_code == status
    assert message in error_of(html(response), field)
    trust.s.expire_all()
    assert trust.count() == 1 and receipt.status == TrustStatus.POSTED


def test_reversing_a_receipt_already_paid_out_is_refused_as_an_overdraw(client, trust):
    receipt = trust.receive("80.00")
    client.submit("/trust/payments/new", payment_form(trust, amount="50.00"))
    response = client.submit(f"/trust/transactions/{receipt.id}/reverse",
                             {"date": date.today().isoformat(), "reason": "Wrong matter"})
    assert response.status_code == 422
    assert "30.00 is available" in error_of(html(response), "date")
    assert trust.count() == 2


def test_a_reversal_cannot_be_reversed_nor_a_receipt_twice(client, trust):
    receipt = trust.receive("80.00")
    today = date.today().isoformat()
    client.submit(f"/trust/transactions/{receipt.id}/reverse", {"date": today, "reason": "Wrong"})
    again = client.submit(f"/trust/transactions/{receipt.id}/reverse", {"date": today, "reason": "Again"})
    assert again.status_code == 422
    assert "already been reversed" in text_of(html(again).select_one(".form-errors"))
    reversal = trust.s.scalar(select(TrustTransaction).where(TrustTransaction.reverses_id == receipt.id))
    response = client.submit(f"/trust/transactions/{reversal.id}/reverse", {"date": today, "reason": "Undo"})
    assert response.status_code == 422 and "never reversed" in text_of(html(response))
    assert trust.count() == 2


# ---- Trust accounts -----------------------------------------------------------------------------


def account_form(**change):
    return {"kind": "general", "code": "1-1110", "name": "Second Trust Account", "matter": "",
            "bank_name": "NAB", "bsb": "082000", "account_number": "987654"} | change


def test_an_admin_opens_a_general_account_and_a_controlled_money_account(client, trust):
    assert client.submit("/trust/accounts/new", account_form()).status_code == 303
    response = client.submit("/trust/accounts/new", account_form(
        kind="controlled", code="1-1120", name="Controlled - Estate", matter=str(trust.estate.id)))
    assert response.status_code == 303
    page = html(client.get("/trust/"))
    rows = {row["data-account"]: text_of(row) for row in page.select("table.trust-accounts tbody tr")}
    assert "NAB · BSB 082-000 · 987654" in rows["1-1110"] and "General trust" in rows["1-1110"]
    assert "Controlled money" in rows["1-1120"] and f"For {trust.estate.number} — Bo Smith" in rows["1-1120"]
    assert all("Agrees" in row for row in rows.values())


@pytest.mark.parametrize(("change", "field", "message", "status"), [
    ({"bsb": "12345"}, "bsb", "six digits", 422),
    ({"code": "1-1100"}, "code", "already used", 422),
    ({"name": ""}, "name", "Enter the account's name", 400),
    ({"kind": "controlled"}, "matter", "Choose a matter", 422),
    ({"kind": "offshore"}, "kind", "general trust or controlled", 422),
])
def test_a_bad_trust_account_is_refused_and_saves_nothing(client, trust, change, field, message, status):
    response = client.submit("/trust/accounts/new", account_form(**change))
    assert response.status_code == status
    assert message in error_of(html(response), field)
    assert trust.count(TrustAccount) == 1


def test_staff_may_not_open_or_close_trust_accounts(client, trust, auth):
    auth.logout()
    auth.login("staff@example.com")
    assert client.get("/trust/accounts/new").status_code == 403
    assert client.submit("/trust/accounts/new", account_form()).status_code == 403
    assert client.submit(f"/trust/accounts/{trust.account.id}/close").status_code == 403
    page = html(client.get("/trust/"))
    assert page.select_one("table.trust-accounts form") is None
    assert "Open a trust account" not in text_of(page)


def test_an_account_closes_only_when_it_holds_nothing(client, trust):
    client.submit("/trust/accounts/new", account_form())
    second = trust.s.scalar(select(TrustAccount).where(TrustAccount.bsb == "082-000"))
    record_receipt(trust.s, None, trust_account_id=second.id, matter_id=trust.lease.id, date=JULY,
                   amount=D("10.00"), payer="Acme", method="eft")
    trust.s.commit()
    response = client.submit(f"/trust/accounts/{second.id}/close", follow_redirects=True)
    assert "still holds 10.00 for 1 matter" in text_of(html(response).select_one(".flashes"))
    trust.s.expire_all()
    assert not second.closed
    receipt = trust.s.scalar(select(TrustTransaction))
    client.submit(f"/trust/transactions/{receipt.id}/reverse", {"date": date.today().isoformat(),
                                                                 "reason": "Wrong account"})
    response = client.submit(f"/trust/accounts/{second.id}/close", follow_redirects=True)
    assert "Second Trust Account closed." in text_of(html(response).select_one(".flashes"))
    trust.s.expire_all()
    assert second.closed
    options = html(client.get("/trust/receipts/new")).select("#trust_account option")
    assert [o["value"] for o in options] == [str(trust.account.id)]


# ---- Reopening a closed account ------------------------------------------------------------------


def closed_second(client, trust):
    client.submit("/trust/accounts/new", account_form())
    second = trust.s.scalar(select(TrustAccount).where(TrustAccount.bsb == "082-000"))
    client.submit(f"/trust/accounts/{second.id}/close")
    trust.s.expire_all()
    assert second.closed
    return second


def history_of(page):
    rows = page.select("table.trust-account-history tbody tr")
    return [[text_of(td) for td in tr.select("td")[1:]] for tr in rows]


def test_an_admin_reopens_a_closed_account_with_a_reason_shown_in_its_history(client, trust):
    second = closed_second(client, trust)
    index = html(client.get("/trust/"))
    row = index.select_one("tr[data-account='1-1110']")
    assert row.select_one(f"a[href='/trust/accounts/{second.id}#reopen']").get("aria-label") == (
        "Reopen 1-1110 Second Trust Account")
    page = html(client.get(f"/trust/accounts/{second.id}"))
    assert text_of(page.select_one("h1 .status")) == "closed"
    assert page.select_one("form.reopen-form label[for=reason]")
    response = client.submit(f"/trust/accounts/{second.id}/reopen",
                             {"reason": "Funds for the <b>Smith</b> estate arrive here"})
    assert response.status_code == 303 and response.headers["Location"] == f"/trust/accounts/{second.id}"
    page = html(client.get(response.headers["Location"]))
    assert "1-1110 Second Trust Account reopened." in text_of(page.select_one(".flashes"))
    assert text_of(page.select_one("h1 .status")) == "open" and page.select_one("form.reopen-form") is None
    assert history_of(page) == [
        ["created", "Ada Admin", "General trust account 1-1110 Second Trust Account opened"],
        ["closed", "Ada Admin", "General trust account 1-1110 Second Trust Account closed"],
        ["reopened", "Ada Admin", "General trust account 1-1110 Second Trust Account reopened: Funds for "
                                  "the <b>Smith</b> estate arrive here"]]
    assert page.select_one("table.trust-account-history b") is None  # escaped
    trust.s.expire_all()
    assert not second.closed
    options = html(client.get("/trust/receipts/new")).select("#trust_account option")
    assert str(second.id) in [o["value"] for o in options]


@pytest.mark.parametrize(("reason", "message", "status"), [
    ("", "Give the reason for reopening the account.", 400),
    ("x" * 301, "Keep it under 300 characters.", 400),
])
def test_a_reopen_without_a_good_reason_is_refused_and_saves_nothing(client, trust, reason, message, status):
    second = closed_second(client, trust)
    response = client.submit(f"/trust/accounts/{second.id}/reopen", {"reason": reason})
    assert response.status_code == status
    page = html(response)
    assert message in error_of(page, "reason")
    assert page.select_one("#reason")["value" if reason else "name"] == (reason or "reason")  # kept as typed
    trust.s.expire_all()
    assert second.closed and [row[0] for row in history_of(page)] == ["created", "closed"]


def test_reopening_an_open_account_is_refused_422(client, trust):
    client.submit("/trust/accounts/new", account_form())
    second = trust.s.scalar(select(TrustAccount).where(TrustAccount.bsb == "082-000"))
    response = client.submit(f"/trust/accounts/{second.id}/reopen", {"reason": "Again"})
    assert response.status_code == 422
    assert "is open: only a closed trust account can be reopened" in text_of(
        html(response).select_one(".form-errors"))
    assert client.submit("/trust/accounts/9999/reopen", {"reason": "x"}).status_code == 404
    assert client.get("/trust/accounts/9999").status_code == 404


def test_staff_see_a_closed_account_but_may_not_reopen_it(client, trust, auth):
    second = closed_second(client, trust)
    auth.logout()
    auth.login("staff@example.com")
    page = html(client.get(f"/trust/accounts/{second.id}"))
    assert page.select_one("form.reopen-form") is None
    assert "Only an admin (the principal) can reopen" in text_of(page.select_one(".reopen-admins-only"))
    response = client.submit(f"/trust/accounts/{second.id}/reopen", {"reason": "Staff want it"})
    assert response.status_code == 403
    trust.s.expire_all()
    assert second.closed


def test_a_reopen_without_csrf_changes_nothing(client, trust):
    second = closed_second(client, trust)
    response = client.post(f"/trust/accounts/{second.id}/reopen", data={"reason": "No token"})
    assert response.status_code == 400
    trust.s.expire_all()
    assert second.closed


# ---- The matter page's trust panel --------------------------------------------------------------


def test_the_matter_summary_shows_the_balance_per_trust_account_and_links(app, client, trust):
    trust.receive("75.00")
    from flask import render_template_string

    with app.test_request_context():
        from flask_login import login_user

        login_user(trust.books.admin)
        page = html(type("R", (), {"get_data": lambda self, as_text: render_template_string(
            '{% include "trust/_matter_summary.html" %}', matter=trust.lease)})())
    assert "1-1100 Trust Bank Account 75.00" in text_of(page.select_one("table.trust-balances"))
    links = [a["href"] for a in page.select(".actions a")]
    assert f"/trust/receipts/new?matter_id={trust.lease.id}" in links
    assert f"/trust/payments/new?matter_id={trust.lease.id}" in links
    with app.test_request_context():
        empty = render_template_string('{% include "trust/_matter_summary.html" %}', matter=trust.estate)
    assert "No trust money held" in empty


def test_controlled_money_takes_only_its_own_matter(client, trust):
    client.submit("/trust/accounts/new", account_form(
        kind="controlled", code="1-1120", name="Controlled Estate", matter=str(trust.estate.id)))
    controlled = trust.s.scalar(select(TrustAccount).where(TrustAccount.matter_id == trust.estate.id))
    response = client.submit("/trust/receipts/new", receipt_form(trust, trust_account=str(controlled.id)))
    assert response.status_code == 422
    assert "controlled money for one matter only" in error_of(html(response), "matter")
    assert trust.count() == 0
    response = client.submit("/trust/receipts/new", receipt_form(
        trust, trust_account=str(controlled.id), matter=str(trust.estate.id), party="Bo Smith"))
    assert response.status_code == 303
    page = html(client.get("/trust/"))
    rows = {row["data-account"]: row for row in page.select("table.trust-accounts tbody tr")}
    assert text_of(rows["1-1120"].select_one(".cash-book")) == "1,500.00"
    assert text_of(rows["1-1120"].select_one(".agreement")) == "Agrees"
    assert text_of(rows["1-1100"].select_one(".cash-book")) == "0.00"


def test_the_matter_page_shows_its_trust_money(client, trust):
    trust.receive("75.00")
    page = html(client.get(f"/matters/{trust.lease.id}"))
    panel = page.select_one("section.trust-summary")
    assert "1-1100 Trust Bank Account 75.00" in text_of(panel.select_one("table.trust-balances"))
    assert panel.select_one(f"a[href='/trust/payments/new?matter_id={trust.lease.id}']")


def test_the_journal_form_searches_each_matter_on_its_own(client, trust):
    page = html(client.get("/trust/journals/new"))
    for name, label in (("from_matter", "Find the matter it comes from"),
                        ("to_matter", "Find the matter it goes to")):
        search = page.select_one(f"#{name}-search")
        assert text_of(page.find("label", attrs={"for": f"{name}-search"})) == label
        assert search["hx-target"] == f"#{name}" and search["hx-params"] == f"q,{name}"
    kept = html(client.get(f"/trust/matters/options?q=estate&to_matter={trust.lease.id}", headers=HX))
    assert kept.select_one("option[selected]")["value"] == str(trust.lease.id)


def test_interest_and_transfers_are_reversed_on_their_own_page_not_here(client, trust, books):
    interest = post_trust(trust.s, None, kind=TrustKind.INTEREST, trust_account=trust.account, date=JULY,
                          amount=D("3.00"), entries=[(trust.lease, D("3.00"))], narration="Interest",
                          gl_lines=[LineInput(trust.account.account_id, D("3.00")),
                                    LineInput(books.account("4-3000").id, D("-3.00"))])
    trust.s.commit()
    page = html(client.get(f"/trust/transactions/{interest.id}"))
    notice = page.select_one("#reverse .notice")
    assert "reversed from its own page" in text_of(notice) and page.select_one("#reverse form") is None
    if "trust_transfers.show_transfer" in client.application.view_functions:
        assert notice.a["href"] == f"/trust/transfers/{interest.id}"
    response = client.submit(f"/trust/transactions/{interest.id}/reverse",
                             {"date": date.today().isoformat(), "reason": "Wrong"})
    assert response.status_code == 422
    assert "from its transfer page" in text_of(html(response).select_one(".form-errors"))
    assert trust.count() == 1


def test_the_latest_transactions_filter_by_account_and_kind_and_paging_keeps_them(client, trust, app):
    client.submit("/trust/accounts/new", account_form())
    second = trust.s.scalar(select(TrustAccount).where(TrustAccount.bsb == "082-000"))
    for n in range(app.config["PAGE_SIZE"] + 1):
        trust.receive(f"{n + 1}.00")
    record_receipt(trust.s, None, trust_account_id=second.id, matter_id=trust.lease.id, date=JULY,
                   amount=D("9.00"), payer="Acme", method="eft")
    trust.s.commit()
    client.submit("/trust/payments/new", payment_form(trust, amount="1.00"))
    fragment = html(client.get(f"/trust/?account={second.id}", headers=HX))
    assert [text_of(r.td) for r in fragment.select("tbody tr")] == ["R-000027"]
    fragment = html(client.get("/trust/?kind=payment", headers=HX))
    assert [text_of(r.td) for r in fragment.select("tbody tr")] == ["P-000001"]
    fragment = html(client.get(f"/trust/?kind=receipt&account={trust.account.id}", headers=HX))
    next_page = fragment.select_one(".pager a")["href"]
    assert "kind=receipt" in next_page and f"account={trust.account.id}" in next_page
    assert "No trust transactions of that kind" in text_of(html(client.get(
        f"/trust/?kind=interest&account={second.id}", headers=HX)))
    page = html(client.get("/trust/?kind=junk&account=abc"))
    assert not page.select("#filter-kind option[selected]")
    assert len(page.select("table.trust-transactions tbody tr")) == app.config["PAGE_SIZE"]


def test_a_receipt_into_controlled_money_starts_with_its_matter(client, trust):
    client.submit("/trust/accounts/new", account_form(
        kind="controlled", code="1-1120", name="Controlled Estate", matter=str(trust.estate.id)))
    controlled = trust.s.scalar(select(TrustAccount).where(TrustAccount.matter_id == trust.estate.id))
    page = html(client.get(f"/trust/receipts/new?trust_account={controlled.id}"))
    assert page.select_one("#trust_account option[selected]")["value"] == str(controlled.id)
    assert page.select_one("#matter option[selected]")["value"] == str(trust.estate.id)
    assert page.select_one("#party")["value"] == "Bo Smith"
