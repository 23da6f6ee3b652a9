"""The Integrations page over HTTP (BeautifulSoup), against the live sandbox: status for all,
Connect / callback / choose / disconnect for admins only; every bad answer a 4xx with a message
that changes nothing."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from sandbox import start_in_thread
from sandbox.seed import DEMO_ORG, NOCODE_ORG, TRIAL_ORG
from tests.integrations.conftest import consent_at_sandbox, sandbox_control, xero_config
from tests.sandbox.conftest import REDIRECT_URI, sandbox_config
from tests.support import html, text_of


@pytest.fixture
def live_sandbox(tmp_path):
    """A fresh seeded sandbox serving HTTP on a free port."""
    running = start_in_thread(sandbox_config(tmp_path))
    yield running
    running.stop()


@pytest.fixture
def xero_app(app, live_sandbox):
    app.config.update(xero_config(live_sandbox), XERO_REDIRECT_URI=REDIRECT_URI)
    return app


def _connection(db_session):
    from integrations.connection import current_connection

    db_session.expire_all()
    return current_connection(db_session)


def _start(client) -> str:
    response = client.submit("/integrations/xero/connect")
    assert response.status_code == 303
    return response.headers["Location"]


def _back(client, live, tenants=(DEMO_ORG,), action="allow"):
    """Connect, consent at the sandbox, and follow Xero's redirect back to the callback."""
    answer = consent_at_sandbox(live, _start(client), tenants=tenants, action=action)
    query = {k: v[0] for k, v in answer.items()}
    return client.get("/integrations/xero/callback", query_string=query), query


def test_one_organisation_connects_and_the_page_says_so(client, auth, xero_app, live_sandbox,
                                                        db_session):
    auth.login()
    response, _ = _back(client, live_sandbox)
    assert response.status_code == 303
    page = html(client.get("/integrations/"))
    status = page.find(attrs={"data-status": "connected"})
    assert "Demo Company (AU)" in text_of(status)
    assert "Ada Admin" in text_of(page.find(id="xero-status"))
    assert _connection(db_session).tenant_id == DEMO_ORG


def test_several_organisations_are_chosen_by_name(client, auth, xero_app, live_sandbox,
                                                  db_session):
    auth.login()
    response, _ = _back(client, live_sandbox, tenants=(DEMO_ORG, TRIAL_ORG, NOCODE_ORG))
    page = html(response)
    assert page.h1.get_text() == "Choose organisation"
    names = {text_of(radio.parent) for radio in page.select("input[name=tenant_id]")}
    assert names == {"Demo Company (AU)", "Trial Practice (AU)", "Nocode Legal Pty Ltd"}
    assert _connection(db_session) is None
    unknown = client.submit("/integrations/xero/choose", {"tenant_id": "not-a-tenant"})
    assert unknown.status_code == 400
    assert "Choose one of the organisations listed" in text_of(html(unknown))
    assert _connection(db_session) is None
    chosen = client.submit("/integrations/xero/choose", {"tenant_id": TRIAL_ORG})
    assert chosen.status_code == 303
    assert _connection(db_session).tenant_name == "Trial Practice (AU)"
    again = client.submit("/integrations/xero/choose", {"tenant_id": TRIAL_ORG})
    assert again.status_code == 400 and "no organisation waiting" in text_of(html(again))


def test_cancelling_at_xero_is_a_plain_message(client, auth, xero_app, live_sandbox, db_session):
    auth.login()
    response, query = _back(client, live_sandbox, action="deny")
    assert query.get("error") == "access_denied"
    assert response.status_code == 200
    assert "You cancelled at Xero" in text_of(html(response))
    assert _connection(db_session) is None


def test_a_tampered_state_is_refused_and_changes_nothing(client, auth, xero_app, live_sandbox,
                                                         db_session):
    auth.login()
    answer = consent_at_sandbox(live_sandbox, _start(client))
    response = client.get("/integrations/xero/callback",
                          query_string={"code": answer["code"][0], "state": "forged"})
    assert response.status_code == 400
    assert "state does not match" in text_of(html(response))
    assert _connection(db_session) is None


def test_a_replayed_code_is_refused_and_changes_nothing(client, auth, xero_app, live_sandbox,
                                                        db_session):
    auth.login()
    _, first = _back(client, live_sandbox)
    before = _connection(db_session).access_token
    # A new Connect (fresh state), answered with the code already used.
    state = parse_qs(urlsplit(_start(client)).query)["state"][0]
    replay = client.get("/integrations/xero/callback",
                        query_string={"code": first["code"], "state": state})
    assert replay.status_code == 400
    assert "Xero did not accept the sign-in" in text_of(html(replay))
    assert _connection(db_session).access_token == before


def test_a_callback_with_no_connect_started_is_refused(client, auth, xero_app, db_session):
    auth.login()
    response = client.get("/integrations/xero/callback", query_string={"code": "x", "state": "y"})
    assert response.status_code == 400 and "Nothing changed" in text_of(html(response))


def test_switching_organisation_warns_first_then_says_the_mappings_were_cleared(
        client, auth, xero_app, live_sandbox, db_session):
    auth.login()
    _back(client, live_sandbox)
    # Xero keeps the first consent's connection, so both organisations come back to choose from.
    _back(client, live_sandbox, tenants=(TRIAL_ORG,))
    page = html(client.submit("/integrations/xero/choose", {"tenant_id": TRIAL_ORG}))
    assert "The mappings made for Demo Company (AU) no longer apply" in text_of(page)
    assert _connection(db_session).tenant_id == DEMO_ORG
    confirmed = client.submit("/integrations/xero/choose",
                              {"tenant_id": TRIAL_ORG, "confirm_switch": "yes"},
                              follow_redirects=True)
    assert "The mappings made for Demo Company (AU) were cleared" in text_of(html(confirmed))
    assert _connection(db_session).tenant_id == TRIAL_ORG


def test_disconnect_revokes_and_removes_the_connection(client, auth, xero_app, live_sandbox,
                                                       db_session):
    auth.login()
    _back(client, live_sandbox)
    page = html(client.submit("/integrations/xero/disconnect", follow_redirects=True))
    assert "Disconnected from Demo Company (AU)" in text_of(page)
    assert page.find(attrs={"data-status": "not-connected"}) is not None
    assert _connection(db_session) is None
    nothing = client.submit("/integrations/xero/disconnect")
    assert nothing.status_code == 409 and "nothing to disconnect" in text_of(html(nothing))


def test_staff_see_the_status_but_get_403_on_every_action(client, auth, xero_app, live_sandbox,
                                                          db_session):
    auth.login()
    _back(client, live_sandbox)
    auth.logout()
    auth.login("staff@example.com")
    page = html(client.get("/integrations/"))
    assert "Demo Company (AU)" in text_of(page.find(attrs={"data-status": "connected"}))
    assert page.find("button", string="Disconnect") is None
    for url in ("/integrations/xero/connect", "/integrations/xero/choose",
                "/integrations/xero/disconnect"):
        assert client.submit(url, {"tenant_id": DEMO_ORG}).status_code == 403
    assert client.get("/integrations/xero/callback?code=x&state=y").status_code == 403
    assert _connection(db_session).tenant_id == DEMO_ORG


def test_a_post_without_the_csrf_token_is_refused(client, auth, xero_app, db_session):
    auth.login()
    response = client.post("/integrations/xero/connect")
    assert response.status_code == 400 and "expired" in text_of(html(response))


def test_the_bar_shows_on_every_page_once_lost_with_reconnect_for_admins_only(
        client, auth, xero_app, live_sandbox, db_session, app):
    from integrations.xero.client import ConnectionLost, accounting_api

    auth.login()
    _back(client, live_sandbox)
    assert html(client.get("/")).find(id="xero-bar") is None
    api, tenant = accounting_api(db_session, app.config)
    sandbox_control(live_sandbox, "faults", queue=["disconnect"])
    with pytest.raises(ConnectionLost):
        api.get_organisations(tenant)
    for url in ("/", "/clients/", "/integrations/"):
        bar = html(client.get(url, follow_redirects=True)).find(id="xero-bar")
        assert bar is not None and "Xero is disconnected" in text_of(bar), url
        assert bar.find("button", string="Reconnect") is not None
    auth.logout()
    auth.login("staff@example.com")
    bar = html(client.get("/")).find(id="xero-bar")
    assert "ask an admin to reconnect" in text_of(bar).lower()
    assert bar.find("button") is None


def test_unset_xero_settings_point_at_real_xero(monkeypatch):
    import os

    from app import create_app

    for name in list(os.environ):
        if name.startswith("FLASK_XERO_"):
            monkeypatch.delenv(name)
    config = create_app({"TESTING": True, "SECRET_KEY": "x",
                         "SQLALCHEMY_DATABASE_URI": "sqlite://"}).config
    assert config["XERO_AUTHORIZE_URL"] == "https://login.xero.com/identity/connect/authorize"
    assert config["XERO_TOKEN_URL"] == "https://identity.xero.com/connect/token"
    assert config["XERO_REVOKE_URL"] == "https://identity.xero.com/connect/revocation"
    assert config["XERO_CONNECTIONS_URL"] == "https://api.xero.com/connections"
    assert config["XERO_API_URL"] == "https://api.xero.com/api.xro/2.0"
