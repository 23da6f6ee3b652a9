"""Identity: authorize with login and consent, PKCE, token grants, rotation, revocation,
connections, and Xero's 401/403 answers."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from flask import Flask
from flask.testing import FlaskClient

from sandbox.identity import NO_XPM_TEXT
from sandbox.seed import DEMO_ORG, NO_XPM_PERSON, NOCODE_ORG, PRACTICE, TRIAL_ORG
from tests.sandbox.conftest import (
    ACCOUNTING_SCOPES,
    REDIRECT_URI,
    Connected,
    authorize_params,
    code_from,
    consent,
    exchange,
    pkce_pair,
)

ORG_PATH = "/api.xro/2.0/Organisation"


def _config(app: Flask) -> dict[str, Any]:
    return app.extensions["sandbox"].config


def _refresh(client: FlaskClient, app: Flask, refresh_token: str) -> Any:
    config = _config(app)
    return client.post("/connect/token", data={
        "grant_type": "refresh_token", "refresh_token": refresh_token,
        "client_id": config["CLIENT_ID"], "client_secret": config["CLIENT_SECRET"]})


def test_authorize_asks_an_unknown_browser_to_log_in(sandbox_app: Flask) -> None:
    page = sandbox_app.test_client().get("/identity/connect/authorize",
                                         query_string=authorize_params(sandbox_app))
    assert page.status_code == 200
    assert b"Log in to Xero" in page.data


def test_a_wrong_password_is_refused(sandbox_app: Flask) -> None:
    page = sandbox_app.test_client().post("/identity/login", data={
        "email": "demo@example.com", "password": "nope", "query": ""})
    assert b"Your email or password is incorrect" in page.data


def test_consent_page_shows_app_scopes_and_every_organisation(sandbox_app: Flask) -> None:
    client = sandbox_app.test_client()
    params = authorize_params(sandbox_app)
    client.post("/identity/login", data={"email": "demo@example.com", "password": "demo",
                                         "query": ""})
    page = client.get("/identity/connect/authorize", query_string=params).get_data(as_text=True)
    assert "Practice Ledger wants access" in page
    assert "accounting.transactions" in page and "Allow access" in page
    for name in ("Demo Company (AU)", "Trial Practice (AU)", "Nocode Legal Pty Ltd",
                 "Demo Practice"):
        assert name in page


def test_allow_returns_code_and_unchanged_state(sandbox_app: Flask) -> None:
    params = authorize_params(sandbox_app, state="s t/a+te")
    back = code_from(consent(sandbox_app.test_client(), params, "demo@example.com", [DEMO_ORG]))
    assert back["state"] == "s t/a+te"
    assert back["code"]


def test_cancel_redirects_with_access_denied(sandbox_app: Flask) -> None:
    client = sandbox_app.test_client()
    params = authorize_params(sandbox_app)
    client.post("/identity/login", data={"email": "demo@example.com", "password": "demo",
                                         "query": ""})
    back = code_from(client.post("/identity/connect/authorize", data={**params, "action": "deny"}))
    assert back == {"error": "access_denied", "state": params["state"]}


def test_an_unregistered_redirect_uri_is_refused_on_xeros_own_page(sandbox_app: Flask) -> None:
    params = authorize_params(sandbox_app, redirect_uri="https://evil.example/callback")
    page = sandbox_app.test_client().get("/identity/connect/authorize", query_string=params)
    assert page.status_code == 400
    assert b"Invalid redirect_uri" in page.data


def test_a_loopback_redirect_on_any_port_is_accepted_for_a_registered_path(
        sandbox_app: Flask) -> None:
    params = authorize_params(sandbox_app,
                              redirect_uri="http://127.0.0.1:61234/integrations/xero/callback")
    page = sandbox_app.test_client().get("/identity/connect/authorize", query_string=params)
    assert page.status_code == 200


def test_a_scope_the_app_may_not_request_is_refused(sandbox_app: Flask) -> None:
    params = authorize_params(sandbox_app, scope="openid paymentservices")
    page = sandbox_app.test_client().get("/identity/connect/authorize", query_string=params)
    assert b"Invalid scope for client" in page.data


def test_pkce_verifier_must_match_the_challenge(sandbox_app: Flask) -> None:
    client = sandbox_app.test_client()
    _, challenge = pkce_pair()
    params = authorize_params(sandbox_app, code_challenge=challenge, code_challenge_method="S256")
    back = code_from(consent(client, params, "demo@example.com", [DEMO_ORG]))
    answer = exchange(client, sandbox_app, back["code"], verifier="x" * 50)
    assert answer.status_code == 400
    assert answer.get_data(as_text=True) == '{"error":"invalid_grant"}'


def test_code_is_single_use_and_expires_after_five_minutes(sandbox_app: Flask) -> None:
    client = sandbox_app.test_client()
    params = authorize_params(sandbox_app)
    first = code_from(consent(client, params, "demo@example.com", [DEMO_ORG]))["code"]
    assert exchange(client, sandbox_app, first).status_code == 200
    assert exchange(client, sandbox_app, first).json == {"error": "invalid_grant"}
    second = code_from(consent(client, authorize_params(sandbox_app), "demo@example.com",
                               [DEMO_ORG]))["code"]
    client.post("/_sandbox/clock", json={"advance_seconds": 301})
    assert exchange(client, sandbox_app, second).json == {"error": "invalid_grant"}


def test_token_response_has_xero_lifetimes_and_token_kinds(connect: Callable[..., Connected]
                                                           ) -> None:
    token = connect().token
    assert token["expires_in"] == 1800
    assert token["token_type"] == "Bearer"
    assert {"access_token", "refresh_token", "id_token", "scope"} <= set(token)


def test_no_refresh_token_without_offline_access(connect: Callable[..., Connected]) -> None:
    token = connect(tenants=[DEMO_ORG], scopes="openid accounting.settings").token
    assert "refresh_token" not in token


def _b64json(part: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_id_token_verifies_with_the_published_jwks(sandbox_app: Flask,
                                                   connect: Callable[..., Connected]) -> None:
    token = connect().token["id_token"]
    client = sandbox_app.test_client()
    meta = client.get("/.well-known/openid-configuration").json
    assert meta["token_endpoint"].endswith("/connect/token")
    key = client.get("/.well-known/openid-configuration/jwks").json["keys"][0]
    n = int.from_bytes(base64.urlsafe_b64decode(key["n"] + "=" * (-len(key["n"]) % 4)), "big")
    public = rsa.RSAPublicNumbers(65537, n).public_key()
    header, payload, signature = token.split(".")
    public.verify(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)),
                  f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    assert _b64json(payload)["email"] == "demo@example.com"


def test_connections_list_the_chosen_tenants(connect: Callable[..., Connected]) -> None:
    demo = connect(tenants=[DEMO_ORG, TRIAL_ORG, NOCODE_ORG, PRACTICE])
    connections = demo.get("/connections").json
    assert {(c["tenantId"], c["tenantType"]) for c in connections} == {
        (DEMO_ORG, "ORGANISATION"), (TRIAL_ORG, "ORGANISATION"), (NOCODE_ORG, "ORGANISATION"),
        (PRACTICE, "PRACTICEMANAGER")}
    assert {"id", "tenantName", "createdDateUtc", "updatedDateUtc", "authEventId"} <= set(
        connections[0])


def test_connections_filter_by_auth_event(connect: Callable[..., Connected]) -> None:
    demo = connect(tenants=[DEMO_ORG])
    event = demo.get("/connections").json[0]["authEventId"]
    assert len(demo.get("/connections", query={"authEventId": event}).json) == 1
    other = "00000000-0000-0000-0000-000000000001"
    assert demo.get("/connections", query={"authEventId": other}).json == []


def test_deleting_a_connection_makes_the_tenant_forbidden(connect: Callable[..., Connected]
                                                          ) -> None:
    demo = connect(tenants=[DEMO_ORG])
    assert demo.get(ORG_PATH).status_code == 200
    connection_id = demo.get("/connections").json[0]["id"]
    assert demo.call("DELETE", f"/connections/{connection_id}").status_code == 204
    assert demo.call("DELETE", f"/connections/{connection_id}").status_code == 404
    refused = demo.get(ORG_PATH)
    assert refused.status_code == 403
    assert refused.json["Detail"] == "AuthenticationUnsuccessful"


def test_reconnecting_keeps_the_connection_id_and_moves_updated_date(
        connect: Callable[..., Connected], control: FlaskClient) -> None:
    first = connect(tenants=[DEMO_ORG]).get("/connections").json[0]
    control.post("/_sandbox/clock", json={"advance_seconds": 60})
    again = connect(tenants=[DEMO_ORG]).get("/connections").json[0]
    assert again["id"] == first["id"]
    assert again["createdDateUtc"] == first["createdDateUtc"]
    assert again["updatedDateUtc"] != first["updatedDateUtc"]


def test_expired_access_token_gets_xeros_token_expired_401(demo: Connected,
                                                           control: FlaskClient) -> None:
    control.post("/_sandbox/clock", json={"advance_seconds": 1800})
    answer = demo.get(ORG_PATH)
    assert answer.status_code == 401
    assert answer.json["Title"] == "Unauthorized"
    assert answer.json["Detail"].startswith("TokenExpired: token expired at ")
    assert answer.json["Instance"] == answer.headers["Xero-Correlation-Id"]


def test_unknown_token_gets_401_authentication_unsuccessful(demo: Connected) -> None:
    demo.token = {**demo.token, "access_token": "not-a-token"}
    answer = demo.get(ORG_PATH)
    assert answer.status_code == 401
    assert answer.json["Detail"] == "AuthenticationUnsuccessful"


def test_missing_or_foreign_tenant_header_is_403(demo: Connected) -> None:
    assert demo.get(ORG_PATH, tenant="").status_code == 403
    assert demo.get(ORG_PATH, tenant=TRIAL_ORG).status_code == 403  # not connected


def test_missing_scope_is_401_with_insufficient_scope(connect: Callable[..., Connected]) -> None:
    limited = connect(tenants=[DEMO_ORG], scopes="offline_access accounting.contacts")
    answer = limited.get(ORG_PATH)
    assert answer.status_code == 401
    assert answer.json["Detail"] == "AuthorizationUnsuccessful"
    assert answer.headers["WWW-Authenticate"] == "insufficient_scope"
    assert limited.get("/api.xro/2.0/Contacts").status_code == 200


def test_refresh_rotates_and_old_token_has_a_30_minute_grace(
        sandbox_app: Flask, demo: Connected, control: FlaskClient) -> None:
    client = sandbox_app.test_client()
    old = demo.token["refresh_token"]
    fresh = _refresh(client, sandbox_app, old)
    assert fresh.status_code == 200
    assert fresh.json["refresh_token"] != old
    assert _refresh(client, sandbox_app, old).status_code == 200  # lost answer: retry allowed
    control.post("/_sandbox/clock", json={"advance_seconds": 1801})
    assert _refresh(client, sandbox_app, old).json == {"error": "invalid_grant"}
    assert _refresh(client, sandbox_app, fresh.json["refresh_token"]).status_code == 200


def test_refresh_token_dies_after_60_days(sandbox_app: Flask, demo: Connected,
                                          control: FlaskClient) -> None:
    control.post("/_sandbox/clock", json={"advance_seconds": 60 * 86400 + 1})
    answer = _refresh(sandbox_app.test_client(), sandbox_app, demo.token["refresh_token"])
    assert answer.status_code == 400
    assert answer.get_data(as_text=True) == '{"error":"invalid_grant"}'


def test_refreshed_access_token_works_after_the_old_one_expired(
        sandbox_app: Flask, demo: Connected, control: FlaskClient) -> None:
    control.post("/_sandbox/clock", json={"advance_seconds": 1790})
    fresh = _refresh(sandbox_app.test_client(), sandbox_app, demo.token["refresh_token"]).json
    control.post("/_sandbox/clock", json={"advance_seconds": 20})
    assert demo.get(ORG_PATH).status_code == 401
    demo.token = fresh
    assert demo.get(ORG_PATH).status_code == 200


def test_revocation_kills_tokens_and_removes_all_connections(
        sandbox_app: Flask, connect: Callable[..., Connected]) -> None:
    demo = connect(tenants=[DEMO_ORG, TRIAL_ORG])
    config = _config(sandbox_app)
    client = sandbox_app.test_client()
    answer = client.post("/connect/revocation", data={
        "token": demo.token["refresh_token"], "client_id": config["CLIENT_ID"],
        "client_secret": config["CLIENT_SECRET"]})
    assert answer.status_code == 200
    assert demo.get(ORG_PATH).status_code == 401
    assert _refresh(client, sandbox_app, demo.token["refresh_token"]).json == {
        "error": "invalid_grant"}
    assert sandbox_app.extensions["sandbox"].store.all("connection") == []


def test_wrong_client_secret_is_invalid_client(sandbox_app: Flask, demo: Connected) -> None:
    config = _config(sandbox_app)
    basic = base64.b64encode(f"{config['CLIENT_ID']}:wrong".encode()).decode()
    answer = sandbox_app.test_client().post(
        "/connect/token", headers={"Authorization": f"Basic {basic}"},
        data={"grant_type": "refresh_token", "refresh_token": demo.token["refresh_token"]})
    assert answer.json == {"error": "invalid_client"}


def test_basic_auth_is_accepted_on_the_token_endpoint(sandbox_app: Flask, demo: Connected
                                                      ) -> None:
    config = _config(sandbox_app)
    basic = base64.b64encode(f"{config['CLIENT_ID']}:{config['CLIENT_SECRET']}".encode()).decode()
    answer = sandbox_app.test_client().post(
        "/connect/token", headers={"Authorization": f"Basic {basic}"},
        data={"grant_type": "refresh_token", "refresh_token": demo.token["refresh_token"]})
    assert answer.status_code == 200


def test_custom_connection_is_bound_to_the_demo_company(sandbox_app: Flask, specs: Any) -> None:
    config = _config(sandbox_app)
    client = sandbox_app.test_client()
    answer = client.post("/connect/token", data={
        "grant_type": "client_credentials", "client_id": config["CUSTOM_CLIENT_ID"],
        "client_secret": config["CUSTOM_CLIENT_SECRET"]})
    assert answer.status_code == 200
    assert "refresh_token" not in answer.json
    machine = Connected(client=client, token=answer.json, tenant=DEMO_ORG, specs=specs)
    assert [c["tenantId"] for c in machine.get("/connections").json] == [DEMO_ORG]
    assert machine.get(ORG_PATH).json["Organisations"][0]["Name"] == "Demo Company (AU)"


def test_custom_connection_needs_no_tenant_header(sandbox_app: Flask) -> None:
    config = _config(sandbox_app)
    client = sandbox_app.test_client()
    token = client.post("/connect/token", data={
        "grant_type": "client_credentials", "client_id": config["CUSTOM_CLIENT_ID"],
        "client_secret": config["CUSTOM_CLIENT_SECRET"]}).json
    bearer = {"Authorization": f"Bearer {token['access_token']}", "Accept": "application/json"}
    answer = client.get(ORG_PATH, headers=bearer)
    assert answer.status_code == 200
    assert answer.json["Organisations"][0]["OrganisationID"] == DEMO_ORG
    assert client.get(ORG_PATH, headers={**bearer, "xero-tenant-id": TRIAL_ORG}).status_code == 403


def test_an_ordinary_app_still_needs_the_tenant_header(demo: Connected) -> None:
    assert demo.client.get(ORG_PATH, headers={
        "Authorization": f"Bearer {demo.token['access_token']}"}).status_code == 403


def _pkce_app_code(sandbox_app: Flask, client: FlaskClient, challenge: str | None) -> Any:
    extra = {"code_challenge": challenge, "code_challenge_method": "S256"} if challenge else {}
    params = {**authorize_params(sandbox_app, ACCOUNTING_SCOPES, **extra),
              "client_id": _config(sandbox_app)["PKCE_CLIENT_ID"]}
    return code_from(consent(client, params, "demo@example.com", [DEMO_ORG]))


def test_a_pkce_app_exchanges_and_refreshes_without_a_secret(sandbox_app: Flask) -> None:
    client, pkce_id = sandbox_app.test_client(), _config(sandbox_app)["PKCE_CLIENT_ID"]
    verifier, challenge = pkce_pair()
    code = _pkce_app_code(sandbox_app, client, challenge)["code"]
    token = client.post("/connect/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
        "client_id": pkce_id, "code_verifier": verifier})
    assert token.status_code == 200, token.get_data(as_text=True)
    refreshed = client.post("/connect/token", data={
        "grant_type": "refresh_token", "client_id": pkce_id,
        "refresh_token": token.json["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.get_data(as_text=True)
    assert refreshed.json["refresh_token"] != token.json["refresh_token"]
    with_secret = client.post("/connect/token", data={
        "grant_type": "refresh_token", "client_id": pkce_id, "client_secret": "guess",
        "refresh_token": refreshed.json["refresh_token"]})
    assert with_secret.json == {"error": "invalid_client"}
    revoked = client.post("/connect/revocation", data={
        "client_id": pkce_id, "token": refreshed.json["refresh_token"]})
    assert revoked.status_code == 200
    assert client.get("/connections", headers={
        "Authorization": f"Bearer {refreshed.json['access_token']}"}).status_code == 401


def test_a_pkce_app_must_send_an_s256_challenge(sandbox_app: Flask) -> None:
    back = _pkce_app_code(sandbox_app, sandbox_app.test_client(), None)
    assert back["error"] == "invalid_request"


def test_a_web_app_needs_its_secret_even_with_pkce(sandbox_app: Flask) -> None:
    client = sandbox_app.test_client()
    verifier, challenge = pkce_pair()
    params = authorize_params(sandbox_app, code_challenge=challenge, code_challenge_method="S256")
    code = code_from(consent(client, params, "demo@example.com", [DEMO_ORG]))["code"]
    answer = client.post("/connect/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
        "client_id": _config(sandbox_app)["CLIENT_ID"], "code_verifier": verifier})
    assert answer.json == {"error": "invalid_client"}
    assert exchange(client, sandbox_app, code, verifier).status_code == 200


def test_the_ordinary_app_may_not_use_client_credentials(sandbox_app: Flask) -> None:
    config = _config(sandbox_app)
    answer = sandbox_app.test_client().post("/connect/token", data={
        "grant_type": "client_credentials", "client_id": config["CLIENT_ID"],
        "client_secret": config["CLIENT_SECRET"]})
    assert answer.json == {"error": "unauthorized_client"}


def test_person_without_practice_manager_is_told_and_gets_no_practice(
        sandbox_app: Flask, connect: Callable[..., Connected]) -> None:
    client = sandbox_app.test_client()
    client.post("/identity/login", data={"email": NO_XPM_PERSON, "password": "demo",
                                         "query": ""})
    page = client.get("/identity/connect/authorize",
                      query_string=authorize_params(sandbox_app)).get_data(as_text=True)
    assert NO_XPM_TEXT.replace("'", "&#39;") in page
    person = connect(person=NO_XPM_PERSON, tenants=[DEMO_ORG, PRACTICE])
    assert [c["tenantType"] for c in person.get("/connections").json] == ["ORGANISATION"]
    assert person.get("/practicemanager/3.1/client.api/list", tenant=PRACTICE).status_code == 403


def test_single_organisation_consent_with_bulk_connect_false(sandbox_app: Flask) -> None:
    client = sandbox_app.test_client()
    client.post("/identity/login", data={"email": "demo@example.com", "password": "demo",
                                         "query": ""})
    params = authorize_params(sandbox_app, scopes=ACCOUNTING_SCOPES,
                              acr_values="bulk_connect:false")
    page = client.get("/identity/connect/authorize", query_string=params).get_data(as_text=True)
    assert 'type="radio"' in page


def test_redirect_uri_must_match_at_the_token_step(sandbox_app: Flask) -> None:
    client = sandbox_app.test_client()
    back = code_from(consent(client, authorize_params(sandbox_app), "demo@example.com",
                             [DEMO_ORG]))
    answer = exchange(client, sandbox_app, back["code"], redirect_uri=REDIRECT_URI + "x")
    assert answer.json == {"error": "invalid_grant"}
