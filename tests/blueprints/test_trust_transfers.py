"""Trust transfer pages: the batch of matters' bills, paying one bill (with its htmx bill list),
reversals, interest, statutory deposits, controlled money and the admin-only settings; every refusal
is a 4xx with its message beside the field and nothing saved."""

from datetime import date
from decimal import Decimal

import pytest

from accounting.ledger.journals import JournalLine
from accounting.office.billing import get_bill
from accounting.office.bills import BillEvent
from accounting.trust.interest import record_interest
from accounting.trust.ledger import TrustTransaction, statutory_deposit_balance
from accounting.trust.posting import record_receipt
from accounting.trust.settings import get_trust_settings
from tests.support import html, text_of
from tests.trust_support import Trust

D = Decimal
HX = {"HX-Request": "true"}
JULY = date(2026, 7, 1)


@pytest.fixture
def trust(books, auth):
    auth.login("staff@example.com")
    return Trust(books, commit_receipts=True)


def saved(trust):
    trust.s.rollback()
    return (trust.count(TrustTransaction), trust.count(BillEvent), trust.count(JournalLine))


def batch_data(trust, page, **changes):
    """What the batch form posts as the page offered it, with `changes` ({field name: value})."""
    form = page.find("form", action="/trust/transfers/batch")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    data.pop("csrf_token", None)
    data.update({"date": "2026-07-02", "authority": "Costs agreement cl. 9",
                 "office_bank_account": str(trust.books.account("1-1000").id)})
    data.update(changes)
    return data


def test_the_index_offers_every_matter_with_trust_money_and_bills_owing(client, trust):
    trust.receive("1500.00")
    trust.receive("300.00", matter=trust.estate)
    first, second = trust.bill(), trust.bill("500.00")
    third = trust.bill("500.00", matter=trust.estate)
    trust.bill(approve=False)
    page = html(client.get("/trust/transfers/"))
    rows = page.select("table.trust-batch tbody tr")
    assert [text_of(r.find("a")) for r in rows] == [first.number, second.number, third.number]
    amounts = [r.find("input", attrs={"name": lambda n: n and n.endswith("-amount")})["value"] for r in rows]
    assert amounts == ["1100.00", "400.00", "300.00"]
    assert all(page.find("label", attrs={"for": r.find("input", class_="num")["id"]}) for r in rows)
    assert rows[0].select_one(".status").text == "awaiting payment"
    assert "num" in rows[0].select("td")[2]["class"]


def test_a_batch_pays_every_row_and_shows_what_it_paid(client, trust):
    trust.receive("1500.00")
    trust.receive("300.00", matter=trust.estate)
    first, second = trust.bill(), trust.bill("500.00", matter=trust.estate)
    page = html(client.get("/trust/transfers/"))
    response = client.submit("/trust/transfers/batch", batch_data(trust, page))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    page = html(client.get(response.headers["Location"]))
    assert "2 transfers to office recorded" in page.text and first.number in page.text
    trust.s.rollback()
    assert get_bill(trust.s, first.id).display_status == "paid"
    assert get_bill(trust.s, second.id).owed == D("250.00")
    assert trust.balance() == D("400.00")


@pytest.mark.parametrize(("row", "value", "message"), [
    (1, "300.01", "would overdraw"),
    (0, "1100.01", "more than is owed"),
    (0, "abc", ""),
])
def test_a_batch_with_one_bad_row_saves_nothing_and_marks_that_row(client, trust, row, value, message):
    trust.receive("1500.00")
    trust.receive("300.00", matter=trust.estate)
    bills = [trust.bill(), trust.bill("500.00", matter=trust.estate)]
    before = saved(trust)
    page = html(client.get("/trust/transfers/"))
    data = batch_data(trust, page, **{f"rows-{row}-amount": value})
    response = client.submit("/trust/transfers/batch", data)
    assert response.status_code == 422
    page = html(response)
    error = page.find(id=f"rows-{row}-amount-error")
    assert error is not None and message in error.text and bills[row].number in error.text
    assert page.find(id=f"rows-{row}-amount")["value"] == value  # keeps what was typed
    assert saved(trust) == before


def test_a_batch_without_authority_is_refused(client, trust):
    trust.receive("1500.00")
    trust.bill()
    before = saved(trust)
    page = html(client.get("/trust/transfers/"))
    response = client.submit("/trust/transfers/batch", batch_data(trust, page, authority=""))
    assert response.status_code == 400
    assert "authority" in text_of(html(response).find(id="authority-error"))
    assert saved(trust) == before


def test_one_bill_is_paid_from_its_matters_trust_money(client, trust):
    trust.receive("2000.00")
    bill = trust.bill()
    page = html(client.get(f"/trust/transfers/new?bill={bill.id}"))
    assert page.find(id="matter").find("option", selected=True)["value"] == str(trust.lease.id)
    assert page.find(id="amount")["value"] == "1100.00"
    response = client.submit("/trust/transfers/new", {
        "trust_account": str(trust.account.id), "matter": str(trust.lease.id), "bill": str(bill.id),
        "amount": "600.00", "date": "2026-07-02", "authority": "Signed 2 Jul",
        "office_bank_account": str(trust.books.account("1-1000").id), "description": ""})
    assert response.status_code == 303
    page = html(client.get(response.headers["Location"]))
    assert "T-000001" in page.find("h1").text
    assert page.select_one("#bill-paid .bill-status").text.strip() == "part paid"
    assert page.select_one("#bill-paid .owed").text.strip() == "500.00"


def test_the_bill_list_follows_the_matter_as_an_htmx_fragment(client, trust):
    trust.receive("100.00")
    trust.receive("100.00", matter=trust.estate)
    trust.bill()
    estate_bill = trust.bill("50.00", matter=trust.estate)
    response = client.get(f"/trust/transfers/new?trust_account={trust.account.id}&matter={trust.estate.id}",
                          headers=HX)
    fragment = html(response)
    assert fragment.find("h1") is None
    assert [o["value"] for o in fragment.find(id="bill").find_all("option")] == ["", str(estate_bill.id)]
    assert fragment.find(id="amount")["value"] == "55.00"


@pytest.mark.parametrize(("case", "field", "message"), [
    ("other_matter", "bill", "not a bill of that matter"),
    ("too_much", "amount", "more than is owed"),
    ("zero", "amount", "more than zero"),
    ("no_bill", "bill", "Choose a bill"),
])
def test_a_bad_single_transfer_is_refused_beside_its_field(client, trust, case, field, message):
    trust.receive("2000.00")
    bill = trust.bill()
    data = {"trust_account": str(trust.account.id), "matter": str(trust.lease.id), "bill": str(bill.id),
            "amount": "100.00", "date": "2026-07-02", "authority": "Signed",
            "office_bank_account": str(trust.books.account("1-1000").id)}
    data |= {"other_matter": {"matter": str(trust.estate.id)}, "too_much": {"amount": "1100.01"},
             "zero": {"amount": "0"}, "no_bill": {"bill": ""}}[case]
    before = saved(trust)
    response = client.submit("/trust/transfers/new", data)
    assert response.status_code == 422
    assert message in text_of(html(response).find(id=f"{field}-error"))
    assert saved(trust) == before


def test_a_transfer_is_reversed_with_its_bill_payment(client, trust):
    trust.receive("2000.00")
    bill = trust.bill()
    [transfer] = trust.transfer((bill, "600.00"))
    trust.s.commit()
    response = client.submit(f"/trust/transfers/{transfer.id}/reverse", {"date": "", "reason": ""})
    assert response.status_code == 400
    response = client.submit(f"/trust/transfers/{transfer.id}/reverse",
                             {"date": "2026-07-03", "reason": "Wrong bill"})
    assert response.status_code == 303
    page = html(client.get(response.headers["Location"]))
    assert "reversed" in page.find("h1").text and "X-000001" in page.text
    assert page.select_one("#bill-paid .owed").text.strip() == "1,100.00"
    response = client.submit(f"/trust/transfers/{transfer.id}/reverse",
                             {"date": "2026-07-03", "reason": "Again"})
    assert response.status_code == 422 and "already been reversed" in response.get_data(as_text=True)


def test_interest_to_matters_from_the_page_and_shares_that_do_not_add_up(client, trust):
    trust.receive("1000.00")
    trust.receive("500.00", matter=trust.estate)
    data = {"trust_account": str(trust.account.id), "date": "2026-07-31", "amount": "3.00",
            "destination": "matters", "reference": "INT JUL", f"share-{trust.lease.id}": "2.00",
            f"share-{trust.estate.id}": "0.50",
            "income_account": str(trust.books.account("4-3000").id),
            "office_bank_account": str(trust.books.account("1-1000").id)}
    before = saved(trust)
    response = client.submit("/trust/transfers/interest", data)
    assert response.status_code == 422
    assert "add up to" in text_of(html(response).find(id=f"share-{trust.lease.id}-error"))
    assert html(response).find(id=f"share-{trust.estate.id}")["value"] == "0.50"
    assert saved(trust) == before
    response = client.submit("/trust/transfers/interest", data | {f"share-{trust.estate.id}": "1.00"})
    assert response.status_code == 303
    assert "I-000001" in html(client.get(response.headers["Location"])).text
    assert trust.balance(trust.estate) == D("501.00")


def test_interest_to_the_practice_lists_its_payout(client, trust):
    record_interest(trust.s, None, trust_account_id=trust.account.id, date=JULY, amount="4.50",
                    destination="practice")
    trust.s.commit()
    page = html(client.get("/trust/transfers/interest"))
    row = page.select("section.panel table tbody tr")[-1]
    assert "I-000001" in row.text and "T-000001" in row.text and "4.50" in row.text


def test_statutory_deposits_from_their_page_with_a_running_balance(client, trust):
    trust.receive("1000.00")
    data = {"trust_account": str(trust.account.id), "movement": "deposit", "date": "2026-07-02",
            "amount": "1000.01", "reference": "LS"}
    before = saved(trust)
    response = client.submit("/trust/transfers/statutory", data)
    assert response.status_code == 422 and "holds" in text_of(html(response).find(id="amount-error"))
    assert saved(trust) == before
    assert client.submit("/trust/transfers/statutory", data | {"amount": "600.00"}).status_code == 303
    assert client.submit("/trust/transfers/statutory",
                         data | {"movement": "withdrawal", "amount": "100.00"}).status_code == 303
    page = html(client.get("/trust/transfers/statutory"))
    rows = page.select("#statutory-ledger tbody tr")
    assert [r.select("td")[-1].text for r in rows] == ["600.00", "500.00"]
    trust.s.rollback()
    assert statutory_deposit_balance(trust.s, trust.account) == D("500.00")


def test_statutory_deposits_are_not_offered_outside_nsw_and_victoria(client, trust):
    get_trust_settings(trust.s).jurisdiction = "QLD"
    trust.s.commit()
    page = html(client.get("/trust/transfers/statutory"))
    assert "does not require" in page.text and page.find("form", action="/trust/transfers/statutory") is None
    assert client.submit("/trust/transfers/statutory", {"amount": "1"}).status_code == 404


def test_controlled_money_accounts_and_their_ledger(client, trust):
    controlled = trust.controlled()
    record_receipt(trust.s, None, trust_account_id=controlled.id, matter_id=trust.estate.id, date=JULY,
                   amount=D("250.00"), payer="Bo", method="eft")
    trust.s.commit()
    page = html(client.get("/trust/transfers/controlled"))
    assert trust.estate.number in page.text and "250.00" in page.select_one("tbody td.num").text
    page = html(client.get(f"/trust/transfers/controlled/{controlled.id}"))
    assert "R-000001" in page.text and page.select("tbody td.num")[-1].text == "250.00"
    receipt = page.find("a", string="Receipt")
    if receipt is not None:  # the trust desk's receipt form, with this account and matter chosen
        assert receipt["href"] == (f"/trust/receipts/new?trust_account={controlled.id}"
                                   f"&matter_id={trust.estate.id}") or str(controlled.id) in receipt["href"]
        form = html(client.get(receipt["href"]))
        assert form.find(id="trust_account").find("option", selected=True)["value"] == str(controlled.id)
    assert client.get(f"/trust/transfers/controlled/{trust.account.id}").status_code == 404


def test_trust_settings_are_for_admins_and_refuse_bad_values(client, trust, auth):
    assert client.get("/trust/transfers/settings").status_code == 403
    auth.logout()
    auth.login()
    assert client.get("/trust/transfers/settings").status_code == 200
    bad = {"jurisdiction": "XX", "interest_destination": "matters", "statutory_authority": ""}
    response = client.submit("/trust/transfers/settings", bad)
    assert response.status_code == 400 and html(response).find(id="jurisdiction-error")
    good = {"jurisdiction": "VIC", "interest_destination": "practice", "statutory_authority": ""}
    response = client.submit("/trust/transfers/settings", good)
    assert response.status_code == 303
    trust.s.rollback()
    assert get_trust_settings(trust.s).authority == "Victorian Legal Services Board"


def test_every_page_needs_sign_in(client, trust, auth):
    auth.logout()
    for url in ("/trust/transfers/", "/trust/transfers/new", "/trust/transfers/interest",
                "/trust/transfers/statutory", "/trust/transfers/controlled"):
        assert client.get(url).status_code in (302, 303, 401), url


def test_share_by_balance_fills_the_shares_and_posts_nothing(client, trust):
    trust.receive("1000.00")
    trust.receive("500.00", matter=trust.estate)
    before = saved(trust)
    response = client.submit("/trust/transfers/interest", {
        "trust_account": str(trust.account.id), "date": "2026-07-31", "amount": "3.01",
        "destination": "matters", "action": "share"})
    assert response.status_code == 200
    page = html(response)
    assert page.find(id=f"share-{trust.lease.id}")["value"] == "2.01"
    assert page.find(id=f"share-{trust.estate.id}")["value"] == "1.00"
    assert saved(trust) == before
    response = client.submit("/trust/transfers/interest", {
        "trust_account": str(trust.account.id), "date": "2026-07-31", "amount": "x", "action": "share"})
    assert response.status_code == 400 and html(response).find(id="amount-error")
