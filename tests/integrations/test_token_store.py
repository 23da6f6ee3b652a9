"""The token store against the live sandbox: the real authorise/consent/token flow, refresh
shortly before expiry, rotation saved before use, two refreshes at once (PostgreSQL and SQLite,
threads with their own sessions), a refused refresh and a revocation marking the connection lost."""

from __future__ import annotations

import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from sandbox.seed import DEMO_ORG
from tests.integrations.conftest import sandbox_control
from tests.sandbox.conftest import REDIRECT_URI


def test_the_authorise_url_carries_state_pkce_s256_and_the_granular_scopes(xero_settings):
    from integrations import oauth

    request = oauth.start_authorisation(xero_settings, REDIRECT_URI)
    query = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
    assert query["state"] == request.state and len(request.state) >= 32
    assert query["code_challenge_method"] == "S256" and query["code_challenge"]
    assert request.code_verifier not in request.url
    assert query["scope"] == oauth.SCOPES
    assert "accounting.transactions" not in query["scope"].split()
    assert {"offline_access", "accounting.settings"} <= set(query["scope"].split())


def test_connecting_stores_the_chosen_tenant_and_encrypted_tokens(connected, db_session):
    from sqlalchemy import text

    assert connected.tenant_id == DEMO_ORG and connected.tenant_name == "Demo Company (AU)"
    assert connected.connected_by.email == "admin@example.com"
    stored = db_session.execute(text("SELECT refresh_token FROM integration_connection")).scalar()
    assert stored.startswith("gAAAAA") and connected.refresh_token not in stored


def test_a_fresh_token_is_used_as_it_is_and_one_near_expiry_is_refreshed(connected, db_session,
                                                                          xero_settings):
    from accounting.base import utcnow
    from integrations import oauth

    old_access, old_refresh = connected.access_token, connected.refresh_token
    assert oauth.access_token_for(db_session, xero_settings) == (old_access, DEMO_ORG)
    four_minutes_before_expiry = connected.expires_at_utc() - timedelta(minutes=4)
    access, tenant = oauth.access_token_for(db_session, xero_settings,
                                            now=four_minutes_before_expiry)
    assert access != old_access and tenant == DEMO_ORG
    db_session.refresh(connected)
    assert connected.refresh_token != old_refresh and connected.access_token == access
    assert connected.expires_at_utc() > utcnow() + timedelta(minutes=25)


def test_two_refreshes_at_once_keep_the_connection(connected, app, xero_settings):
    """Each thread has its own session (as two web workers would); both force a refresh of the
    same stale token: one refreshes, the other waits for the lock and takes the new token."""
    from extensions import db
    from integrations import oauth
    from integrations.connection import current_connection

    stale = connected.access_token
    db.session.commit()  # that read began a transaction: on SQLite it holds the write lock
    results, errors = [], []
    start = threading.Barrier(2)

    def refresh():
        with app.app_context():
            try:
                start.wait()
                results.append(oauth.refresh_now(db.session, xero_settings,
                                                 stale_access_token=stale))
            except Exception as error:  # noqa: BLE001  (reported below)
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=refresh) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert results[0] == results[1] and results[0][0] != stale
    db.session.expire_all()
    connection = current_connection(db.session)
    assert not connection.is_lost
    # The refresh token saved is the live one: it refreshes again.
    assert oauth.refresh_now(db.session, xero_settings, stale_access_token=results[0][0])


def test_a_refused_refresh_marks_the_connection_lost_and_deletes_nothing(connected, db_session,
                                                                         xero_settings,
                                                                         live_sandbox):
    from integrations import oauth
    from integrations.connection import current_connection

    # Refresh tokens die 60 days after issue.
    sandbox_control(live_sandbox, "clock", advance_seconds=61 * 24 * 3600)
    with pytest.raises(oauth.ConnectionLost, match="invalid_grant"):
        oauth.refresh_now(db_session, xero_settings, stale_access_token=connected.access_token)
    connection = current_connection(db_session)
    assert connection.is_lost and "reconnect" in connection.lost_reason
    assert connection.lost_at is not None and connection.tenant_id == DEMO_ORG
    with pytest.raises(oauth.NotConnected, match="Xero is disconnected"):
        oauth.access_token_for(db_session, xero_settings)


def test_revoked_at_xero_the_api_call_marks_the_connection_lost(connected, db_session, app,
                                                               live_sandbox):
    from integrations.connection import current_connection
    from integrations.xero.client import ConnectionLost, accounting_api

    api, tenant = accounting_api(db_session, app.config)
    assert api.get_organisations(tenant).organisations[0].name == "Demo Company (AU)"
    sandbox_control(live_sandbox, "faults", queue=["revoke"])
    # The 401 is answered with a refresh, which Xero refuses: the grant is gone.
    with pytest.raises(ConnectionLost, match="reconnect"):
        api.get_organisations(tenant)
    assert current_connection(db_session).is_lost


def test_a_tenant_disconnected_at_xero_is_a_lost_connection(connected, db_session, app,
                                                            live_sandbox):
    from integrations.connection import current_connection
    from integrations.xero.client import ConnectionLost, accounting_api

    api, tenant = accounting_api(db_session, app.config)
    sandbox_control(live_sandbox, "faults", queue=["disconnect"])
    with pytest.raises(ConnectionLost, match="403"):
        api.get_organisations(tenant)
    assert "Demo Company (AU)" in current_connection(db_session).lost_reason


def test_an_expired_access_token_is_refreshed_once_and_the_call_retried(connected, db_session,
                                                                        app, live_sandbox):
    from integrations.xero.client import accounting_api

    api, tenant = accounting_api(db_session, app.config)
    old_access = connected.access_token
    # 31 minutes on at Xero: our store still thinks the token fresh, so Xero answers 401 first.
    sandbox_control(live_sandbox, "clock", advance_seconds=31 * 60)
    assert api.get_organisations(tenant).organisations[0].name == "Demo Company (AU)"
    db_session.refresh(connected)
    assert connected.access_token != old_access and not connected.is_lost


def test_not_connected_is_a_named_error(db_session, books, app):
    from integrations.xero.client import NotConnected, accounting_api

    with pytest.raises(NotConnected, match="not connected"):
        accounting_api(db_session, app.config)


def test_disconnect_revokes_at_xero_and_removes_the_row(connected, db_session, xero_settings):
    from integrations import oauth
    from integrations.connection import current_connection

    refresh_token = connected.refresh_token
    assert oauth.disconnect(db_session, xero_settings) == DEMO_ORG
    db_session.commit()
    assert current_connection(db_session) is None
    with pytest.raises(oauth.XeroAuthError, match="invalid_grant"):
        oauth._refresh_request(xero_settings, refresh_token)
