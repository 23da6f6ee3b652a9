"""Closing a matter and archiving a client in the UI: refused while trust money is held (the form
keeps what was typed and names the balance), warned when work is unbilled."""

from datetime import date
from decimal import Decimal

from accounting.office.work_in_progress import record_entry
from accounting.parties.clients import Client, Matter, MatterStatus
from tests.support import html, text_of

D = Decimal
JULY = date(2026, 7, 1)


def closing_form(trust, description="Lease, final"):
    return {"description": description, "responsible_id": str(trust.books.admin.id), "status": "closed"}


def test_closing_a_matter_holding_trust_money_is_refused_beside_the_status(client, auth, trust):
    trust.receive("120.00")
    trust.s.commit()
    auth.login()
    response = client.submit(f"/matters/{trust.lease.id}/edit", closing_form(trust))
    assert response.status_code == 422
    page = html(response)
    form = page.select_one("form.narrow-form")
    assert "120.00 in" in text_of(form) and "Transfer it to office" in text_of(form)
    assert page.find("textarea", attrs={"name": "description"}).text.strip() == "Lease, final"
    trust.s.expire_all()
    matter = trust.s.get(Matter, trust.lease.id)
    assert (matter.status, matter.description) == (MatterStatus.OPEN, "Lease")


def test_archiving_a_client_whose_matter_holds_trust_money_is_refused(client, auth, trust):
    trust.receive("9.99")
    trust.s.commit()
    auth.login()
    client_id = trust.lease.client_id
    response = client.submit(f"/clients/{client_id}/archive", {"archived": "1"})
    assert response.status_code == 422
    assert "9.99" in html(response).text and "cannot be archived" in html(response).text
    trust.s.expire_all()
    assert trust.s.get(Client, client_id).archived is False


def test_the_form_warns_of_unbilled_work_and_closing_flashes_the_warning(client, auth, trust):
    record_entry(trust.s, trust.books.admin, matter_id=trust.lease.id, kind="time", on=JULY,
                 person_id=trust.books.staff.id, description="Drafting", hours=D("1"), rate=D("200"))
    trust.s.commit()
    auth.login()
    form = html(client.get(f"/matters/{trust.lease.id}/edit"))
    assert "1 unbilled entry (200.00)" in text_of(form.select_one(".closing-warning"))
    response = client.submit(f"/matters/{trust.lease.id}/edit", closing_form(trust), follow_redirects=True)
    flashes = [text_of(p) for p in html(response).select(".flash-warning")]
    assert any("1 unbilled entry (200.00)" in text for text in flashes)
    trust.s.expire_all()
    assert trust.s.get(Matter, trust.lease.id).status is MatterStatus.CLOSED
