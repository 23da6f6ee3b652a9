"""Clients, related people and matters through HTTP: lists, search, forms, bad input, escaping."""

from datetime import date

import pytest
from sqlalchemy import func, select

from accounting.parties.clients import (
    Client,
    ClientDetails,
    Matter,
    MatterStatus,
    RelatedPerson,
    add_person,
    open_matter,
    save_client,
)
from tests.support import html, text_of

VALID_TFN = "123 456 782"
VALID_ABN = "51 824 753 556"
VALID_ACN = "004 085 616"
XSS = "<script>alert(1)</script>"


def client_form(**overrides):
    data = {"kind": "company", "name": "Acme Pty Ltd", "email": "office@acme.example",
            "phone": "02 9999 0000", "fax": "", "physical_street": "1 George St",
            "physical_city": "Sydney", "physical_state": "NSW", "physical_postcode": "2000",
            "physical_country": "Australia", "postal_street": "PO Box 1", "postal_city": "Sydney",
            "postal_state": "NSW", "postal_postcode": "2001", "postal_country": "Australia",
            "tfn": VALID_TFN, "abn": VALID_ABN, "acn": VALID_ACN}
    data.update(overrides)
    return data


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def make_client(books, name="Acme Pty Ltd", kind="company", **fields):
    client = save_client(books.session, books.admin, ClientDetails(kind=kind, name=name, **fields))
    books.session.commit()
    return client


def make_matter(books, client, description="Lease review", responsible=None):
    matter = open_matter(books.session, books.admin, client, description=description,
                         responsible_id=(responsible or books.staff).id, opened_on=date(2026, 7, 1))
    books.session.commit()
    return matter


def error_beside(page, name) -> str:
    """The error message shown inside the field wrapper of input `name`."""
    control = page.find(attrs={"name": name})
    assert control is not None, f"no field {name}"
    return text_of(control.find_parent(class_="field").find(class_="error"))


def client_names(page) -> list[str]:
    return [text_of(row.find_all("td")[1]) for row in page.select("#results tbody tr")]


# The list, search and pages


def test_clients_list_shows_each_client_with_a_link(client, auth, books):
    acme = make_client(books, "Acme Pty Ltd", abn=VALID_ABN)
    make_client(books, "Brown Family Trust", kind="trust")
    auth.login()
    page = html(client.get("/clients"))
    assert client_names(page) == ["Acme Pty Ltd", "Brown Family Trust"]
    link = page.find("a", string="Acme Pty Ltd")
    assert link["href"] == f"/clients/{acme.id}"
    assert "51 824 753 556" in text_of(page.find("tbody"))


def test_search_finds_by_name_without_javascript(client, auth, books):
    make_client(books, "Acme Pty Ltd")
    make_client(books, "Brown Family Trust", kind="trust")
    auth.login()
    response = client.get("/clients?q=brown")
    page = html(response)
    assert page.find("header") is not None  # a whole page for a plain GET form
    assert client_names(page) == ["Brown Family Trust"]
    assert page.find("input", attrs={"name": "q"})["value"] == "brown"


def test_htmx_search_returns_only_the_results_fragment(client, auth, books):
    make_client(books, "Acme Pty Ltd")
    make_client(books, "Brown Family Trust", kind="trust")
    auth.login()
    response = client.get("/clients?q=acme", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    page = html(response)
    assert page.find("header") is None and page.find("form") is None
    assert [text_of(r.find_all("td")[1]) for r in page.select("tbody tr")] == ["Acme Pty Ltd"]


def test_search_input_is_wired_for_active_search(client, auth, books):
    auth.login()
    box = html(client.get("/clients")).find("input", attrs={"name": "q"})
    assert box["hx-get"] == "/clients"
    assert "delay:300ms" in box["hx-trigger"]
    assert box["hx-target"] == "#results"
    assert box.find_parent("form")["method"] == "get"


def test_search_treats_percent_literally(client, auth, books):
    make_client(books, "Acme Pty Ltd")
    make_client(books, "100% Pure Pty Ltd")
    auth.login()
    assert client_names(html(client.get("/clients?q=%25"))) == ["100% Pure Pty Ltd"]


def test_clients_come_a_page_at_a_time(app, client, auth, books):
    app.config["PAGE_SIZE"] = 2
    for name in ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]:
        make_client(books, name, kind="individual")
    auth.login()
    first = html(client.get("/clients"))
    assert client_names(first) == ["Alpha", "Bravo"]
    assert "5 results · page 1 of 3" in text_of(first.find(class_="pager"))
    assert first.find("a", string="Next ›")["href"] == "/clients?page=2&q="
    third = html(client.get("/clients?page=3", headers={"HX-Request": "true"}))
    assert [text_of(r.find_all("td")[1]) for r in third.select("tbody tr")] == ["Echo"]
    assert third.find("a", string="Next ›") is None
    assert client_names(html(client.get("/clients?page=junk"))) == ["Alpha", "Bravo"]


# Creating and editing a client


def test_a_valid_client_is_created_and_shown_with_identifiers_formatted(client, auth, books):
    auth.login()
    response = client.submit("/clients/new", client_form())
    assert response.status_code == 303
    saved = books.session.execute(select(Client)).scalar_one()
    assert response.location == f"/clients/{saved.id}"
    assert (saved.tfn, saved.abn, saved.acn) == ("123456782", "51824753556", "004085616")
    page = html(client.get(response.location))
    assert "Client Acme Pty Ltd added." in text_of(page.find(class_="flashes"))
    assert text_of(page.find("dd", class_="tfn")) == "••• ••782"
    assert "123456782" not in page.decode() and "123 456 782" not in page.decode()
    assert text_of(page.find("dd", class_="abn")) == "51 824 753 556"
    assert text_of(page.find("dd", class_="acn")) == "004 085 616"
    assert [text_of(dd) for dd in page.select("dd.address")] == [
        "1 George St Sydney NSW 2000 Australia", "PO Box 1 Sydney NSW 2001 Australia"]


def test_every_client_field_has_a_label(client, auth, books):
    auth.login()
    page = html(client.get("/clients/new"))
    for control in page.select("form.client-form input:not([type=hidden]), form.client-form select"):
        assert page.find("label", attrs={"for": control["id"]}) is not None, control["name"]


@pytest.mark.parametrize("field, value, message", [
    ("tfn", "123 456 789", "TFN"),
    ("abn", "51 824 753 557", "ABN"),
    ("acn", "004 085 617", "ACN"),
    ("tfn", "12", "TFN"),
])
def test_a_bad_identifier_is_refused_beside_its_field(client, auth, books, field, value, message):
    auth.login()
    response = client.submit("/clients/new", client_form(**{field: value}))
    assert response.status_code == 422
    page = html(response)
    assert message in error_beside(page, field)
    assert page.find("input", attrs={"name": field})["value"] == value
    assert page.find("input", attrs={"name": "name"})["value"] == "Acme Pty Ltd"
    assert count(books.session, Client) == 0


def test_a_missing_name_is_refused(client, auth, books):
    auth.login()
    response = client.submit("/clients/new", client_form(name="   "))
    assert response.status_code == 422
    assert error_beside(html(response), "name") == "Enter the client's name."
    assert count(books.session, Client) == 0


def test_an_over_long_name_is_refused_with_the_limit(client, auth, books):
    auth.login()
    response = client.submit("/clients/new", client_form(name="x" * 201))
    assert response.status_code == 422
    assert error_beside(html(response), "name") == "Use at most 200 characters."
    assert count(books.session, Client) == 0


@pytest.mark.parametrize("field, limit", [("phone", 40), ("physical_postcode", 10),
                                          ("postal_street", 200), ("email", 254)])
def test_over_long_text_in_any_field_is_refused_beside_it(client, auth, books, field, limit):
    auth.login()
    value = "a" * (limit - 11) + "@example.com" if field == "email" else "9" * (limit + 1)
    response = client.submit("/clients/new", client_form(**{field: value}))
    assert response.status_code == 422
    assert error_beside(html(response), field) == f"Use at most {limit} characters."
    assert count(books.session, Client) == 0


def test_a_bad_email_and_an_unknown_kind_are_refused(client, auth, books):
    auth.login()
    response = client.submit("/clients/new", client_form(email="not-an-email"))
    assert response.status_code == 422
    assert "name@example.com" in error_beside(html(response), "email")
    response = client.submit("/clients/new", client_form(kind="alien"))
    assert response.status_code == 422
    assert error_beside(html(response), "kind")
    assert count(books.session, Client) == 0


def test_an_acn_on_an_individual_is_refused(client, auth, books):
    auth.login()
    response = client.submit("/clients/new", client_form(kind="individual"))
    assert response.status_code == 422
    assert "Only companies" in error_beside(html(response), "acn")


def test_a_post_without_csrf_token_saves_nothing(client, auth, books):
    auth.login()
    response = client.post("/clients/new", data=client_form())
    assert response.status_code == 400
    assert count(books.session, Client) == 0


def test_script_in_names_is_shown_escaped(client, auth, books):
    acme = make_client(books, XSS)
    add_person(books.session, books.admin, acme, name=XSS, role="director")
    make_matter(books, acme, description=XSS)
    auth.login()
    for url in ["/clients", f"/clients/{acme.id}", "/matters", "/clients?q=script"]:
        body = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in body, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, url


def test_editing_a_client_keeps_its_code_and_changes_its_details(client, auth, books):
    acme = make_client(books, "Acme Pty Ltd", abn=VALID_ABN)
    auth.login()
    form = html(client.get(f"/clients/{acme.id}/edit"))
    assert form.find("input", attrs={"name": "name"})["value"] == "Acme Pty Ltd"
    assert form.find("select", attrs={"name": "kind"}).find("option", selected=True)["value"] == "company"
    response = client.submit(f"/clients/{acme.id}/edit", client_form(name="Acme Holdings Pty Ltd",
                                                                     tfn=""))
    assert response.status_code == 303
    books.session.expire_all()
    saved = books.session.get(Client, acme.id)
    assert (saved.name, saved.code, saved.tfn) == ("Acme Holdings Pty Ltd", acme.code, "")


def test_the_edit_form_never_shows_the_tfn_and_a_blank_keeps_it(client, auth, books):
    acme = make_client(books, "Acme Pty Ltd", tfn="123456782")
    auth.login()
    page = html(client.get(f"/clients/{acme.id}/edit"))
    assert "123456782" not in page.decode()
    assert page.find("input", attrs={"name": "tfn"}).get("value", "") == ""
    assert "••• ••782" in text_of(page.find("input", attrs={"name": "tfn"}).find_parent(class_="field"))

    def saved_tfn():
        books.session.expire_all()
        return books.session.get(Client, acme.id).tfn

    client.submit(f"/clients/{acme.id}/edit", client_form(tfn=""))
    assert saved_tfn() == "123456782"
    client.submit(f"/clients/{acme.id}/edit", client_form(tfn="876 543 210"))
    assert saved_tfn() == "876543210"
    client.submit(f"/clients/{acme.id}/edit", client_form(tfn="", remove_tfn="y"))
    assert saved_tfn() == ""


def test_an_unknown_matter_is_404(client, auth, books):
    auth.login()
    assert client.get("/matters/999/edit").status_code == 404
    assert client.get("/clients/999/matters/new").status_code == 404


def test_a_refused_edit_changes_nothing(client, auth, books):
    acme = make_client(books, "Acme Pty Ltd")
    auth.login()
    response = client.submit(f"/clients/{acme.id}/edit", client_form(name="New name", abn="123"))
    assert response.status_code == 422
    assert "ABN" in error_beside(html(response), "abn")
    books.session.expire_all()
    assert books.session.get(Client, acme.id).name == "Acme Pty Ltd"


def test_an_unknown_client_is_404(client, auth, books):
    auth.login()
    assert client.get("/clients/999").status_code == 404


def test_archiving_hides_a_client_from_the_list_and_restoring_brings_it_back(client, auth, books):
    acme = make_client(books, "Acme Pty Ltd")
    auth.login()
    assert client.submit(f"/clients/{acme.id}/archive", {"archived": "1"}).status_code == 303
    assert client_names(html(client.get("/clients"))) == []
    page = html(client.get(f"/clients/{acme.id}"))
    assert "archived" in text_of(page.find(class_="notice"))
    assert page.find("a", string="Open a matter") is None
    assert [n.split()[0] for n in client_names(html(client.get("/clients?show=archived")))] == ["Acme"]
    client.submit(f"/clients/{acme.id}/archive", {"archived": "0"})
    assert client_names(html(client.get("/clients"))) == ["Acme Pty Ltd"]
    assert client_names(html(client.get("/clients?show=archived"))) == []


# Related people


def test_a_person_is_added_with_a_role_and_removed(client, auth, books):
    acme = make_client(books)
    auth.login()
    response = client.submit(f"/clients/{acme.id}/people",
                             {"name": "Jane Director", "role": "director", "email": "", "phone": ""})
    assert response.status_code == 303
    rows = html(client.get(f"/clients/{acme.id}")).select(".people-table tbody tr")
    assert [text_of(td) for td in rows[0].find_all("td")[:2]] == ["Jane Director", "Director"]
    person = books.session.execute(select(RelatedPerson)).scalar_one()
    response = client.submit(f"/clients/{acme.id}/people/{person.id}/remove")
    assert response.status_code == 303
    assert count(books.session, RelatedPerson) == 0
    assert html(client.get(f"/clients/{acme.id}")).select(".people-table") == []


def test_a_person_without_a_name_is_refused_beside_the_field(client, auth, books):
    acme = make_client(books)
    auth.login()
    response = client.submit(f"/clients/{acme.id}/people", {"name": "", "role": "trustee"})
    assert response.status_code == 422
    page = html(response)
    assert error_beside(page, "name") == "Enter the person's name."
    assert page.find("select", attrs={"name": "role"}).find("option", selected=True)["value"] == "trustee"
    assert count(books.session, RelatedPerson) == 0


def test_a_person_of_another_client_cannot_be_removed_through_this_one(client, auth, books):
    acme = make_client(books)
    other = make_client(books, "Other Pty Ltd")
    person = add_person(books.session, books.admin, other, name="Sam", role="member")
    books.session.commit()
    auth.login()
    assert client.submit(f"/clients/{acme.id}/people/{person.id}/remove").status_code == 404
    assert count(books.session, RelatedPerson) == 1


# Matters


def test_a_matter_is_opened_for_a_client(client, auth, books):
    acme = make_client(books)
    auth.login()
    form = html(client.get(f"/clients/{acme.id}/matters/new"))
    choices = [o.get_text() for o in form.find("select", attrs={"name": "responsible_id"}).find_all("option")]
    assert choices == ["Ada Admin", "Stu Staff"]
    assert form.find("input", attrs={"name": "opened_on"})["value"] == date.today().isoformat()
    response = client.submit(f"/clients/{acme.id}/matters/new", {
        "description": "Purchase of 2 Smith St", "responsible_id": str(books.staff.id),
        "opened_on": "2026-07-01"})
    assert response.status_code == 303
    matter = books.session.execute(select(Matter)).scalar_one()
    assert response.headers["Location"] == f"/matters/{matter.id}"  # the new matter opens
    assert (matter.client_id, matter.responsible_id, matter.opened_on, matter.status) == (
        acme.id, books.staff.id, date(2026, 7, 1), MatterStatus.OPEN)
    row = html(client.get(f"/clients/{acme.id}")).select_one(".matters-table tbody tr")
    assert matter.number in text_of(row) and "Stu Staff" in text_of(row) and "open" in text_of(row)


@pytest.mark.parametrize("opened_on, message", [
    ("2026-02-30", "Enter a real date, such as 2026-07-01."),
    ("yesterday", "Enter a real date, such as 2026-07-01."),
    ("", "Enter the date the matter opened."),
])
def test_a_bad_opening_date_is_refused(client, auth, books, opened_on, message):
    acme = make_client(books)
    auth.login()
    response = client.submit(f"/clients/{acme.id}/matters/new", {
        "description": "Lease", "responsible_id": str(books.staff.id), "opened_on": opened_on})
    assert response.status_code == 422
    page = html(response)
    assert error_beside(page, "opened_on") == message
    assert text_of(page.find("textarea", attrs={"name": "description"})) == "Lease"
    assert count(books.session, Matter) == 0


def test_a_matter_needs_a_description_and_an_active_responsible_user(client, auth, books):
    acme = make_client(books)
    books.staff.active = False
    books.session.commit()
    auth.login()
    response = client.submit(f"/clients/{acme.id}/matters/new", {
        "description": "", "responsible_id": str(books.staff.id), "opened_on": "2026-07-01"})
    assert response.status_code == 422
    page = html(response)
    assert error_beside(page, "description") == "Describe the matter."
    assert error_beside(page, "responsible_id")  # an inactive user is not offered
    response = client.submit(f"/clients/{acme.id}/matters/new", {
        "description": "x" * 301, "responsible_id": str(books.admin.id), "opened_on": "2026-07-01"})
    assert error_beside(html(response), "description") == "Use at most 300 characters."
    assert count(books.session, Matter) == 0


def test_a_matter_is_edited_and_closed_then_reopened(client, auth, books):
    acme = make_client(books)
    matter = make_matter(books, acme)
    auth.login()
    form = html(client.get(f"/matters/{matter.id}/edit"))
    assert form.find("select", attrs={"name": "status"}).find("option", selected=True)["value"] == "open"
    response = client.submit(f"/matters/{matter.id}/edit", {
        "description": "Lease review and renewal", "responsible_id": str(books.admin.id),
        "status": "closed"})
    assert response.status_code == 303
    books.session.expire_all()
    saved = books.session.get(Matter, matter.id)
    assert (saved.description, saved.responsible_id, saved.status, saved.closed_on) == (
        "Lease review and renewal", books.admin.id, MatterStatus.CLOSED, date.today())
    client.submit(f"/matters/{matter.id}/edit", {
        "description": "Lease review and renewal", "responsible_id": str(books.admin.id),
        "status": "open"})
    books.session.expire_all()
    assert (saved.status, saved.closed_on) == (MatterStatus.OPEN, None)


def test_a_bad_matter_status_is_refused(client, auth, books):
    matter = make_matter(books, make_client(books))
    auth.login()
    response = client.submit(f"/matters/{matter.id}/edit", {
        "description": "Lease", "responsible_id": str(books.staff.id), "status": "paused"})
    assert response.status_code == 422
    assert error_beside(html(response), "status")
    books.session.expire_all()
    assert books.session.get(Matter, matter.id).status == MatterStatus.OPEN


def test_matters_list_filters_by_status_and_searches(client, auth, books):
    acme = make_client(books, "Acme Pty Ltd")
    brown = make_client(books, "Brown Family Trust", kind="trust")
    lease = make_matter(books, acme, "Lease review")
    will = make_matter(books, brown, "Will and estate plan")
    will.status = MatterStatus.CLOSED
    books.session.commit()
    auth.login()

    def numbers(url, **headers):
        page = html(client.get(url, headers=headers))
        return [text_of(r.find("td")) for r in page.select("tbody tr")]

    assert numbers("/matters") == [will.number, lease.number]
    assert numbers("/matters?status=open") == [lease.number]
    assert numbers("/matters?status=closed") == [will.number]
    assert numbers("/matters?q=brown") == [will.number]
    assert numbers("/matters?q=lease&status=closed") == []
    fragment = client.get("/matters?q=lease", headers={"HX-Request": "true"})
    assert html(fragment).find("header") is None
    assert numbers("/matters?q=lease", **{"HX-Request": "true"}) == [lease.number]
    row = html(client.get("/matters")).select("tbody tr")[1]
    assert [text_of(td) for td in row.find_all("td")[1:4]] == ["Acme Pty Ltd", "Lease review",
                                                               "Stu Staff"]
    assert "open" in text_of(row.find(class_="status"))


def test_matters_pages_keep_the_filter(app, client, auth, books):
    app.config["PAGE_SIZE"] = 1
    acme = make_client(books)
    for description in ["One", "Two", "Three"]:
        make_matter(books, acme, description)
    auth.login()
    page = html(client.get("/matters?status=open&q="))
    assert page.find("a", string="Next ›")["href"] == "/matters?page=2&q=&status=open"
