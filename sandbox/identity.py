"""Xero Identity: authorize (login + consent), token, revocation, connections (FACTS §3).

Records kept in the store:
  grant       one consent (or custom connection) of a person to an app: scopes, auth event, revoked
  access      sha256(access token) -> grant, expiry
  refresh     refresh token -> grant, issue time, first use (rotation grace), expiry
  code        authorization code -> person, app, redirect, scopes, PKCE challenge, expiry, used
  connection  person + app + tenant, with Xero's connection fields
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, redirect, render_template, request, session, url_for

from sandbox.seed import ORGANISATIONS
from sandbox.state import Sandbox, current
from sandbox.xerojson import json_response, new_id, problem

bp = Blueprint("identity", __name__)

SCOPE_TEXT = {
    "openid": "Verify your identity",
    "profile": "See your name",
    "email": "See your email address",
    "offline_access": "Keep access to the data you allow, without you signing in again",
    "accounting.transactions": "View and manage your business transactions",
    "accounting.transactions.read": "View your business transactions",
    "accounting.settings": "View and manage your organisation settings",
    "accounting.settings.read": "View your organisation settings",
    "accounting.contacts": "View and manage your contacts",
    "accounting.contacts.read": "View your contacts",
    "accounting.reports.read": "View your reports",
    "accounting.journals.read": "View your general ledger",
    "accounting.invoices": "View and manage your invoices, credit notes and quotes",
    "accounting.payments": "View and manage your payments",
    "accounting.banktransactions": "View and manage your bank transactions and transfers",
    "accounting.manualjournals": "View and manage your manual journals",
    "accounting.reports.trialbalance.read": "View your trial balance",
    "practicemanager": "View and manage your Practice Manager data",
    "practicemanager.read": "View your Practice Manager data",
    "practicemanager.client": "View and manage your Practice Manager clients",
    "practicemanager.client.read": "View your Practice Manager clients",
    "practicemanager.job": "View and manage your Practice Manager jobs",
    "practicemanager.job.read": "View your Practice Manager jobs",
}

# RFC 7636 §4.1 (FACTS §3.1): 43-128 characters of A-Z a-z 0-9 - . _ ~
VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
NO_XPM_TEXT = "You don't have access to connect to Xero Practice Manager"


# ---------------------------------------------------------------- authorize: login and consent


def _app_or_error(sb: Sandbox, params: dict[str, str]) -> tuple[dict[str, Any] | None, str]:
    """The requesting app, or the error Xero shows on its own page (never redirected)."""
    app = sb.store.get("app", params.get("client_id", ""))
    if app is None or app.get("custom_org"):
        return None, "unauthorized_client: Unknown client or client not enabled"
    if not _redirect_allowed(sb, app, params.get("redirect_uri", "")):
        return None, "Invalid redirect_uri"
    requested = params.get("scope", "").split()
    if not requested or any(scope not in app["scopes"] for scope in requested):
        return None, "unauthorized_client: Invalid scope for client"
    return app, ""


def _redirect_allowed(sb: Sandbox, app: dict[str, Any], uri: str) -> bool:
    """Exact match, or (configurable) the same path on any loopback port, as in RFC 8252."""
    if uri in app["redirect_uris"]:
        return True
    if not sb.config["REDIRECT_ANY_LOOPBACK_PORT"]:
        return False
    asked = urlsplit(uri)
    for registered in map(urlsplit, app["redirect_uris"]):
        if (asked.scheme == "http" and asked.hostname in {"localhost", "127.0.0.1"}
                and asked.path == registered.path):
            return True
    return False


def _error_page(message: str) -> tuple[str, int]:
    return render_template("sandbox/identity_error.html", message=message), 400


def _redirect_back(params: dict[str, str], **values: str) -> Response:
    """Send the browser back to the app with code/error and the unchanged state."""
    if params.get("state") is not None:
        values["state"] = params["state"]
    sep = "&" if "?" in params["redirect_uri"] else "?"
    return redirect(params["redirect_uri"] + sep + urlencode(values), code=302)


def _lacks_challenge(app: dict[str, Any], params: dict[str, str]) -> bool:
    """A PKCE app has no secret, so an S256 challenge is its only proof (RFC 7636 §4.4.1)."""
    return _is_pkce_app(app) and (not params.get("code_challenge")
                                  or params.get("code_challenge_method") != "S256")


@bp.get("/identity/connect/authorize")
def authorize() -> Any:
    """Login page, then the consent page."""
    sb = current()
    params = request.args.to_dict()
    app, error = _app_or_error(sb, params)
    if app is None:
        return _error_page(error)
    if params.get("response_type") != "code":
        return _redirect_back(params, error="unsupported_response_type")
    if _lacks_challenge(app, params):
        return _redirect_back(params, error="invalid_request")
    person = sb.store.get("person", session.get("person", ""))
    if person is None:
        return render_template("sandbox/login.html", query=urlencode(params), error=None)
    return _consent_page(sb, app, person, params, error=None)


@bp.post("/identity/login")
def login() -> Any:
    """Check the seeded person's password and return to the authorize step."""
    sb = current()
    person = sb.store.get("person", request.form.get("email", "").strip().lower())
    query = request.form.get("query", "")
    if person is None or person["password"] != request.form.get("password"):
        message = "Your email or password is incorrect"
        return render_template("sandbox/login.html", query=query, error=message), 200
    session["person"] = person["email"]
    return redirect(url_for("identity.authorize") + "?" + query, code=303)


@bp.post("/identity/logout")
def logout() -> Any:
    """Forget the signed-in person (to try another seeded person)."""
    session.pop("person", None)
    target = request.form.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("inspect.home")  # only local paths: no open redirect
    return redirect(target, code=303)


def _tenants_for(person: dict[str, Any], scopes: list[str]) -> list[dict[str, str]]:
    """The tenants a person may connect for these scopes."""
    names = {org["OrganisationID"]: org["Name"] for org in ORGANISATIONS}
    tenants = []
    if any(scope.startswith("accounting.") for scope in scopes):
        tenants = [{"id": org, "name": names[org], "type": "ORGANISATION"}
                   for org in person["orgs"]]
    if _wants_xpm(scopes) and person.get("practice"):
        tenants.append({"id": person["practice"], "name": "Demo Practice",
                        "type": "PRACTICEMANAGER"})
    return tenants


def _wants_xpm(scopes: list[str]) -> bool:
    return any(scope.startswith("practicemanager") for scope in scopes)


def _consent_page(
    sb: Sandbox, app: dict[str, Any], person: dict[str, Any], params: dict[str, str],
    error: str | None,
) -> str:
    scopes = params["scope"].split()
    return render_template(
        "sandbox/consent.html",
        app=app, person=person, params=params,
        scopes=[(scope, SCOPE_TEXT.get(scope, scope)) for scope in scopes],
        tenants=_tenants_for(person, scopes),
        no_xpm=NO_XPM_TEXT if _wants_xpm(scopes) and not person.get("practice") else None,
        single=params.get("acr_values") == "bulk_connect:false",
        error=error,
    )


@bp.post("/identity/connect/authorize")
def consent() -> Any:
    """'Allow access' creates the connections and an authorization code; 'Cancel' denies."""
    sb = current()
    params = {key: value for key, value in request.form.items()
              if key not in {"tenant", "action"}}
    app, error = _app_or_error(sb, params)
    if app is None:
        return _error_page(error)
    person = sb.store.get("person", session.get("person", ""))
    if person is None:
        return render_template("sandbox/login.html", query=urlencode(params), error=None)
    if request.form.get("action") != "allow":
        return _redirect_back(params, error="access_denied")
    if _lacks_challenge(app, params):
        return _redirect_back(params, error="invalid_request")
    allowed = {t["id"]: t for t in _tenants_for(person, params["scope"].split())}
    chosen = [allowed[t] for t in request.form.getlist("tenant") if t in allowed]
    if not chosen and allowed:
        return _consent_page(sb, app, person, params, "Select at least one organisation")
    auth_event = new_id()
    with sb.store.transaction():
        for tenant in chosen:
            _connect(sb, person["email"], app["client_id"], tenant, auth_event)
        code = _new_code(sb, person["email"], app["client_id"], params, auth_event)
    return _redirect_back(params, code=code, scope=params["scope"])


def _connection_time(sb: Sandbox) -> str:
    """Connections use 7-digit fractions without a zone (FACTS §2.5)."""
    return sb.clock.now_dt().strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"


def _connect(sb: Sandbox, person: str, client_id: str, tenant: dict[str, str], event: str) -> None:
    """Create a connection, or refresh the existing one (updatedDateUtc changes, id stays)."""
    existing = find_connection(sb, person, client_id, tenant["id"])
    stamp = _connection_time(sb)
    body = existing or {
        "id": new_id(), "tenantId": tenant["id"], "tenantType": tenant["type"],
        "tenantName": tenant["name"], "createdDateUtc": stamp,
        "person": person, "client_id": client_id,
    }
    body.update({"authEventId": event, "updatedDateUtc": stamp})
    sb.store.put("connection", body["id"], body, org=tenant["id"])


def _new_code(
    sb: Sandbox, person: str, client_id: str, params: dict[str, str], event: str
) -> str:
    code = secrets.token_urlsafe(32)
    sb.store.put("code", code, {
        "person": person, "client_id": client_id, "redirect_uri": params["redirect_uri"],
        "scopes": params["scope"].split(), "auth_event": event, "nonce": params.get("nonce"),
        "challenge": params.get("code_challenge"),
        "method": params.get("code_challenge_method", "plain"),
        "expires_at": sb.clock.now() + sb.config["AUTH_CODE_SECONDS"], "used": False,
    })
    return code


# ---------------------------------------------------------------- token endpoint


def _oauth_error(error: str, status: int = 400) -> Response:
    # xero-python matches this exact body text to raise OAuth2InvalidGrantError (FACTS §3.2).
    return _no_store(json_response({"error": error}, status))


def _no_store(response: Response) -> Response:
    """Token answers must never be cached (RFC 6749 §5.1)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _client_auth() -> tuple[str, str | None]:
    """client_id and secret from Basic auth or form fields (Xero accepts both)."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode()
            client_id, _, secret = decoded.partition(":")
            return client_id, secret
        except (ValueError, UnicodeDecodeError):
            return "", None
    return request.form.get("client_id", ""), request.form.get("client_secret")


@bp.post("/connect/token")
def token() -> Response:
    """authorization_code, refresh_token and client_credentials grants."""
    sb = current()
    client_id, secret = _client_auth()
    app = sb.store.get("app", client_id)
    if app is None or (secret is not None and secret != app["client_secret"]):
        return _oauth_error("invalid_client")
    grant_type = request.form.get("grant_type")
    handlers = {
        "authorization_code": _grant_code,
        "refresh_token": _grant_refresh,
        "client_credentials": _grant_client_credentials,
    }
    if grant_type not in handlers:
        return _oauth_error("unsupported_grant_type")
    with sb.store.transaction():
        return handlers[grant_type](sb, app, secret)


def _pkce_ok(code: dict[str, Any], verifier: str | None) -> bool:
    if not code["challenge"]:
        return True
    if not verifier or code["method"] != "S256" or not VERIFIER.fullmatch(verifier):
        return False
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == code["challenge"]


def _is_pkce_app(app: dict[str, Any]) -> bool:
    """A PKCE app is a public client: Xero gives it a client_id and no secret (FACTS §3.1)."""
    return app.get("client_secret") is None


def _client_proven(app: dict[str, Any], secret: str | None) -> bool:
    """A web app proves itself with its secret (token() has checked it when sent); a PKCE app
    has none to send."""
    return _is_pkce_app(app) or secret is not None


def _grant_code(sb: Sandbox, app: dict[str, Any], secret: str | None) -> Response:
    code_value = request.form.get("code", "")
    code = sb.store.get("code", code_value)
    if code is None or code["used"] or code["client_id"] != app["client_id"]:
        return _oauth_error("invalid_grant")
    if not _client_proven(app, secret):
        return _oauth_error("invalid_client")
    if code["expires_at"] < sb.clock.now():
        return _oauth_error("invalid_grant")
    if request.form.get("redirect_uri") != code["redirect_uri"]:
        return _oauth_error("invalid_grant")
    if not _pkce_ok(code, request.form.get("code_verifier")):
        return _oauth_error("invalid_grant")
    sb.store.put("code", code_value, {**code, "used": True})
    grant = {
        "id": new_id(), "person": code["person"], "client_id": app["client_id"],
        "scopes": code["scopes"], "auth_event": code["auth_event"], "nonce": code["nonce"],
        "revoked": False, "auth_time": int(sb.clock.now()),
    }
    sb.store.put("grant", grant["id"], grant)
    return _no_store(json_response(_issue(sb, grant, with_id_token=True)))


def _grant_refresh(sb: Sandbox, app: dict[str, Any], secret: str | None) -> Response:
    # A PKCE app refreshes with its client_id alone (Xero's PKCE page; FACTS §3.1 "no secret").
    if not _client_proven(app, secret):
        return _oauth_error("invalid_client")
    value = request.form.get("refresh_token", "")
    record = sb.store.get("refresh", value)
    now = sb.clock.now()
    if record is None or record["client_id"] != app["client_id"]:
        return _oauth_error("invalid_grant")
    grant = sb.store.get("grant", record["grant"])
    if grant is None or grant["revoked"] or record["expires_at"] < now:
        return _oauth_error("invalid_grant")
    first_used = record.get("first_used_at")
    if first_used is not None and now > first_used + sb.config["REFRESH_GRACE_SECONDS"]:
        return _oauth_error("invalid_grant")
    if first_used is None:
        sb.store.put("refresh", value, {**record, "first_used_at": now})
    return _no_store(json_response(_issue(sb, grant, with_id_token=True)))


def _grant_client_credentials(sb: Sandbox, app: dict[str, Any], secret: str | None) -> Response:
    if secret is None:
        return _oauth_error("invalid_client")
    if not app.get("custom_org"):
        return _oauth_error("unauthorized_client")
    requested = request.form.get("scope", "").split() or app["scopes"]
    if any(scope not in app["scopes"] for scope in requested):
        return _oauth_error("invalid_scope")
    person = f"custom:{app['client_id']}"
    org = next(o for o in ORGANISATIONS if o["OrganisationID"] == app["custom_org"])
    tenant = {"id": org["OrganisationID"], "name": org["Name"], "type": "ORGANISATION"}
    event = new_id()
    if find_connection(sb, person, app["client_id"], tenant["id"]) is None:
        _connect(sb, person, app["client_id"], tenant, event)
    grant = {"id": new_id(), "person": person, "client_id": app["client_id"],
             "scopes": requested, "auth_event": event, "nonce": None, "revoked": False,
             "auth_time": int(sb.clock.now())}
    sb.store.put("grant", grant["id"], grant)
    return _no_store(json_response(_issue(sb, grant, with_id_token=False)))


def _issuer() -> str:
    return request.host_url.rstrip("/")


def _user_id(person: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, person))


def _issue(sb: Sandbox, grant: dict[str, Any], with_id_token: bool) -> dict[str, Any]:
    """A new access token (and refresh/id tokens when the scopes ask for them)."""
    now = sb.clock.now()
    lifetime = sb.config["ACCESS_TOKEN_SECONDS"]
    claims = {
        "nbf": int(now), "exp": int(now + lifetime), "iss": _issuer(),
        "aud": f"{_issuer()}/resources", "client_id": grant["client_id"],
        "sub": _user_id(grant["person"]).replace("-", ""), "auth_time": grant["auth_time"],
        "xero_userid": _user_id(grant["person"]), "global_session_id": grant["id"],
        "jti": secrets.token_hex(16), "authentication_event_id": grant["auth_event"],
        "scope": grant["scopes"],
    }
    access = sb.signer.sign(claims)
    sb.store.put("access", _digest(access), {"grant": grant["id"], "expires_at": now + lifetime})
    body: dict[str, Any] = {"access_token": access, "expires_in": lifetime,
                            "token_type": "Bearer", "scope": " ".join(grant["scopes"])}
    if "offline_access" in grant["scopes"]:
        body["refresh_token"] = _new_refresh(sb, grant, now)
    if with_id_token and "openid" in grant["scopes"]:
        body["id_token"] = _id_token(sb, grant, now)
    return body


def _new_refresh(sb: Sandbox, grant: dict[str, Any], now: float) -> str:
    value = secrets.token_urlsafe(32)
    sb.store.put("refresh", value, {
        "grant": grant["id"], "client_id": grant["client_id"], "issued_at": now,
        "expires_at": now + sb.config["REFRESH_TOKEN_SECONDS"], "first_used_at": None,
    })
    return value


def _id_token(sb: Sandbox, grant: dict[str, Any], now: float) -> str:
    person = sb.store.get("person", grant["person"]) or {"name": "", "email": grant["person"]}
    given, _, family = person["name"].partition(" ")
    claims = {
        "nbf": int(now), "exp": int(now + 300), "iat": int(now), "iss": _issuer(),
        "aud": grant["client_id"], "sub": _user_id(grant["person"]).replace("-", ""),
        "auth_time": grant["auth_time"], "xero_userid": _user_id(grant["person"]),
        "global_session_id": grant["id"], "preferred_username": person["email"],
        "email": person["email"], "given_name": given, "family_name": family,
        "name": person["name"],
    }
    if grant.get("nonce"):
        claims["nonce"] = grant["nonce"]
    return sb.signer.sign(claims)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ---------------------------------------------------------------- revocation


@bp.post("/connect/revocation")
def revocation() -> Response:
    """Revoke the refresh token's grants and remove all the user's connections for the app."""
    sb = current()
    client_id, secret = _client_auth()
    app = sb.store.get("app", client_id)
    if app is None or secret != app["client_secret"]:
        return _oauth_error("invalid_client")
    record = sb.store.get("refresh", request.form.get("token", ""))
    if record is not None and record["client_id"] == client_id:
        grant = sb.store.get("grant", record["grant"])
        if grant is not None:
            with sb.store.transaction():
                revoke_person_app(sb, grant["person"], client_id)
    return Response("", 200)


def revoke_person_app(sb: Sandbox, person: str, client_id: str) -> None:
    """Every grant of this person to this app dies, and every connection goes."""
    for grant in sb.store.all("grant"):
        if grant["person"] == person and grant["client_id"] == client_id:
            sb.store.put("grant", grant["id"], {**grant, "revoked": True})
    for connection in sb.store.all("connection"):
        if connection["person"] == person and connection["client_id"] == client_id:
            sb.store.delete("connection", connection["id"])


# ---------------------------------------------------------------- bearer tokens and connections


def authenticate(sb: Sandbox) -> dict[str, Any] | Response:
    """The grant behind the request's bearer token, or Xero's 401 answer."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return problem(401, "AuthenticationUnsuccessful")
    record = sb.store.get("access", _digest(header[7:].strip()))
    if record is None:
        return problem(401, "AuthenticationUnsuccessful")
    grant = sb.store.get("grant", record["grant"])
    if grant is None or grant["revoked"]:
        return problem(401, "AuthenticationUnsuccessful")
    if record["expires_at"] <= sb.clock.now():
        when = datetime.fromtimestamp(record["expires_at"], UTC).strftime("%m/%d/%Y %H:%M:%S")
        return problem(401, f"TokenExpired: token expired at {when}")
    return grant


def find_connection(
    sb: Sandbox, person: str, client_id: str, tenant_id: str
) -> dict[str, Any] | None:
    """This person's connection of this app to this tenant, if any."""
    for connection in sb.store.all("connection", org=tenant_id):
        if connection["person"] == person and connection["client_id"] == client_id:
            return connection
    return None


def _public(connection: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "authEventId", "tenantId", "tenantType", "tenantName",
            "createdDateUtc", "updatedDateUtc")
    return {key: connection[key] for key in keys}


def _person_connections(sb: Sandbox, grant: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in sb.store.all("connection")
            if c["person"] == grant["person"] and c["client_id"] == grant["client_id"]]


@bp.get("/connections")
@bp.get("/Connections")
def connections() -> Response:
    """The tenants this user has connected to this app (optionally one auth event's)."""
    sb = current()
    grant = authenticate(sb)
    if isinstance(grant, Response):
        return grant
    event = request.args.get("authEventId")
    items = [_public(c) for c in _person_connections(sb, grant)
             if event is None or c["authEventId"] == event]
    return json_response(items)


@bp.delete("/connections/<connection_id>")
@bp.delete("/Connections/<connection_id>")
def disconnect(connection_id: str) -> Response:
    """Remove one connection: 204, or 404 when it is not this user's."""
    sb = current()
    grant = authenticate(sb)
    if isinstance(grant, Response):
        return grant
    for connection in _person_connections(sb, grant):
        if connection["id"] == connection_id:
            sb.store.delete("connection", connection_id)
            return Response(status=204)
    return Response(status=404)


# ---------------------------------------------------------------- OpenID discovery


@bp.get("/.well-known/openid-configuration")
def openid_configuration() -> Response:
    """Discovery document shaped like identity.xero.com's, pointing at this sandbox."""
    base = _issuer()
    return json_response({
        "issuer": base,
        "authorization_endpoint": f"{base}/identity/connect/authorize",
        "token_endpoint": f"{base}/connect/token",
        "revocation_endpoint": f"{base}/connect/revocation",
        "jwks_uri": f"{base}/.well-known/openid-configuration/jwks",
        "scopes_supported": sorted(SCOPE_TEXT),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "code_challenge_methods_supported": ["S256"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "subject_types_supported": ["public"],
        # "none": the PKCE app, a public client, has no secret to send.
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post",
                                                  "none"],
    })


@bp.get("/.well-known/openid-configuration/jwks")
def jwks() -> Response:
    """The public key that signs access and id tokens."""
    return json_response(current().signer.jwks())

