"""The matter page: details, unbilled work with links to record and bill it, the matter's bills,
and links to it from the matters list and the client's page."""

from decimal import Decimal

import pytest

from accounting.office.work_in_progress import record_entry
from tests.accounting.office.test_billing import JULY, Billing
from tests.support import html

D = Decimal


@pytest.fixture
def billing(books, auth):
    auth.login("staff@example.com")
    return Billing(books)


def test_the_matter_page_shows_work_in_progress_and_bills(client, billing, db_session):
    matter = billing.matter
    record_entry(db_session, billing.books.admin, matter_id=matter.id, kind="time", on=JULY,
                 person_id=billing.books.staff.id, description="Drafting <lease>", hours=D("1.5"),
                 rate=D("200"))
    db_session.commit()
    paid = billing.bill()
    billing.pay(paid, "10.00")
    draft = billing.bill(approve=False)
    page = html(client.get(f"/matters/{matter.id}"))
    assert page.select_one("h1").get_text(" ", strip=True) == f"{matter.number} open"
    assert page.select_one(".wip-total").text == "300.00"
    assert page.select_one(".owed-total").text == "100.00"
    wip = page.find(id="wip")
    assert "Drafting <lease>" in wip.select_one("tbody").text  # escaped, shown as typed
    assert "<lease>" not in str(wip).replace("&lt;lease&gt;", "")
    assert wip.find("a", string="Bill this work")["href"] == f"/billing/wip?matter={matter.id}"
    rows = page.select("#bills tbody tr")
    assert [r.select_one("td a").text for r in rows] == ["Draft bill", "INV-00001"]
    cells = [td.get_text(" ", strip=True) for td in rows[1].select("td")]
    assert cells[:5] == ["INV-00001", "01 Jul 2026", "part paid", "110.00", "100.00"]
    assert all("num" in td["class"] for td in rows[1].select("td")[3:5])
    assert rows[0].select_one("a")["href"] == f"/billing/{draft.id}"
    new = page.find("a", string="New bill for this matter")
    assert new["href"] == f"/billing/new?matter={matter.id}"
    form = html(client.get(new["href"]))
    chosen = form.find("select", attrs={"name": "matter"}).find("option", selected=True)
    assert chosen["value"] == str(matter.id)


def test_the_matter_is_linked_from_the_matters_list_and_the_client(client, billing):
    href = f"/matters/{billing.matter.id}"
    assert html(client.get("/matters")).select_one("#results tbody a")["href"] == href
    client_page = html(client.get(f"/clients/{billing.client.id}"))
    assert client_page.select_one(".matters-table tbody a")["href"] == href


def test_a_closed_matter_offers_no_billing_and_unknown_matters_are_404(client, billing, db_session):
    from accounting.parties.clients import MatterStatus

    billing.matter.status = MatterStatus.CLOSED
    db_session.commit()
    page = html(client.get(f"/matters/{billing.matter.id}"))
    assert page.find("a", string="New bill for this matter") is None
    assert "This matter is closed" in page.text and "Nothing unbilled." in page.find(id="wip").text
    assert client.get("/matters/999999").status_code == 404
    assert client.get("/matters/99999999999").status_code == 404


def test_the_matter_page_needs_sign_in(app, books):
    response = app.test_client().get("/matters/1")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
