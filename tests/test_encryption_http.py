"""A TFN typed into the client form through HTTP: stored as a token, never sent back to a browser
in clear or as a token (show page, edit form, htmx list, audit log)."""

from sqlalchemy import select, text

from accounting.parties.clients import Client
from tests.blueprints.test_clients import client_form
from tests.support import html, text_of


def raw_tfn(books) -> str:
    return books.session.execute(text("SELECT tfn FROM client")).scalar_one()


def test_a_tfn_saved_through_the_form_is_a_token_at_rest_and_never_shown(client, auth, books):
    auth.login()
    response = client.submit("/clients/new", client_form(tfn="123 456 782"))
    assert response.status_code == 303
    token = raw_tfn(books)
    assert "123456782" not in token and token.startswith("gAAAAA")
    acme = books.session.scalars(select(Client)).one()
    pages = {
        "show": client.get(f"/clients/{acme.id}"),
        "edit": client.get(f"/clients/{acme.id}/edit"),
        "list": client.get("/clients?q=acme", headers={"HX-Request": "true"}),
        "audit": client.get("/audit"),
    }
    for name, page in pages.items():
        assert page.status_code == 200, name
        body = page.get_data(as_text=True)
        assert "123456782" not in body and "123 456 782" not in body and token not in body, name
    assert text_of(html(pages["show"]).find("dd", class_="tfn")) == "••• ••782"


def test_a_refused_tfn_saves_nothing_and_keeps_what_was_typed(client, auth, books):
    auth.login()
    response = client.submit("/clients/new", client_form(tfn="123 456 789"))
    assert response.status_code == 422
    field = html(response).find("input", attrs={"name": "tfn"})
    assert field["value"] == "123 456 789"
    assert books.session.execute(text("SELECT count(*) FROM client")).scalar_one() == 0


def test_an_edit_keeping_the_tfn_leaves_its_token_untouched(client, auth, books):
    auth.login()
    client.submit("/clients/new", client_form(tfn="123 456 782"))
    token = raw_tfn(books)
    acme = books.session.scalars(select(Client)).one()
    response = client.submit(f"/clients/{acme.id}/edit", client_form(name="Acme Holdings", tfn=""))
    assert response.status_code == 303
    books.session.expire_all()
    assert raw_tfn(books) == token and acme.tfn == "123456782"


def test_a_tfn_no_configured_key_opens_is_an_error_page_telling_the_admin_what_to_check(client, auth, books):
    from cryptography.fernet import Fernet

    from accounting.encryption import new_key

    auth.login()
    client.submit("/clients/new", client_form(tfn="123 456 782"))
    foreign = Fernet(new_key()).encrypt(b"123456782").decode()  # written with a key this app lacks
    books.session.execute(text("UPDATE client SET tfn = :tfn"), {"tfn": foreign})
    books.session.commit()
    acme = books.session.scalars(select(Client)).one()
    response = client.get(f"/clients/{acme.id}")
    assert response.status_code == 500
    assert "ENCRYPTION_KEYS" in text_of(html(response).find("main"))
    assert "123456782" not in response.get_data(as_text=True)
