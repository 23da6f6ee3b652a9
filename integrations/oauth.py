"""OAuth 2.0 with Xero's identity service (authlib), and the token store in the database.

The flow: `start_authorisation` gives the authorise URL with a random `state` and a PKCE S256
challenge (the page keeps state and verifier in the Flask session); `exchange_code` swaps the code
for tokens with the client secret AND the verifier; `read_connections` lists the organisations the
consent reached; `save_connection` stores the chosen one.

Refreshing (`access_token_for`, `refresh_now`): the access token lives 30 minutes and is refreshed
REFRESH_MARGIN before it expires. Xero rotates the refresh token on every use, so two consumers
(web workers, huey) refreshing at once would each spend the same refresh token and the loser could
be left holding a dead one. So a refresh runs in its own short transaction, on its own connection,
that first locks the connection row (`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite an
`UPDATE ... SET id = id` as the transaction's first statement takes the database's write lock, and
busy_timeout (extensions.py) makes the second writer wait for it), re-reads the row, refreshes only if
nobody else did meanwhile, and commits the rotated token before anything uses it.

A refused refresh, a revocation, a disconnected tenant or a 403 for the tenant marks the
connection LOST with the reason (`mark_lost`); nothing else is deleted.

Scopes: `openid profile email offline_access` and Xero's granular accounting scopes only:
`accounting.settings` (Organisation, Accounts, TaxRates: the checks and the mapping),
`accounting.contacts` (the clients and suppliers the push sends), `accounting.invoices` (bills,
credit notes, supplier invoices), `accounting.payments`, `accounting.banktransactions` (receipts,
payments, transfers), `accounting.manualjournals` (journals), `accounting.journals.read` (to read
back what Xero posted) and `accounting.reports.trialbalance.read` (to compare balances). Why
granular: apps created on or after 2 March 2026 get granular scopes only, and the broad ones
(`accounting.transactions`, `accounting.reports.read`) stop on 13 September 2027 (FACTS.md 3.7);
moving a connection from broad to granular would need every practice to consent again.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from accounting.base import utcnow
from accounting.parties.users import User
from integrations.connection import (
    Connection,
    ConnectionKind,
    ConnectionStatus,
    as_utc,
    current_connection,
)

SCOPES = (
    "openid profile email offline_access accounting.settings accounting.contacts "
    "accounting.invoices accounting.payments accounting.banktransactions "
    "accounting.manualjournals accounting.journals.read accounting.reports.trialbalance.read"
)
REFRESH_MARGIN = timedelta(minutes=5)
HTTP_TIMEOUT = 20  # seconds; Xero answers in well under a second when it is up


class XeroAuthError(Exception):
    """Xero's identity service refused a request; the message is fit to show an admin."""


class NotConnected(XeroAuthError):
    """There is no Xero connection, or it is lost: an admin needs to (re)connect."""


class ConnectionLost(NotConnected):
    """Xero refused the connection's tokens just now; the connection was marked lost."""


@dataclass(frozen=True)
class XeroSettings:
    """Where Xero is and who we are to it (app.py's XERO_* settings)."""

    authorize_url: str
    token_url: str
    revoke_url: str
    connections_url: str
    api_url: str
    client_id: str
    client_secret: str

    @classmethod
    def from_config(cls, config: Mapping) -> XeroSettings:
        """The settings from a Flask config (or any mapping with the XERO_* keys)."""
        return cls(config["XERO_AUTHORIZE_URL"], config["XERO_TOKEN_URL"],
                   config["XERO_REVOKE_URL"], config["XERO_CONNECTIONS_URL"],
                   config["XERO_API_URL"], config["XERO_CLIENT_ID"], config["XERO_CLIENT_SECRET"])


@dataclass(frozen=True)
class AuthorisationRequest:
    """Where to send the admin, and what to keep (in the Flask session) for the way back."""

    url: str
    state: str
    code_verifier: str


@dataclass(frozen=True)
class Tenant:
    """One organisation the consent reached (an entry of Xero's /connections)."""

    connection_id: str
    tenant_id: str
    tenant_name: str
    tenant_type: str


def _oauth_session(settings: XeroSettings, redirect_uri: str | None = None) -> OAuth2Session:
    return OAuth2Session(settings.client_id, settings.client_secret, scope=SCOPES,
                         redirect_uri=redirect_uri, code_challenge_method="S256",
                         token_endpoint_auth_method="client_secret_basic")


def start_authorisation(settings: XeroSettings, redirect_uri: str) -> AuthorisationRequest:
    """The authorise URL with a fresh state and PKCE S256 challenge."""
    verifier = secrets.token_urlsafe(64)
    state = secrets.token_urlsafe(32)
    with _oauth_session(settings, redirect_uri) as oauth:
        url, _ = oauth.create_authorization_url(settings.authorize_url, state=state,
                                                code_verifier=verifier)
    return AuthorisationRequest(url, state, verifier)


def exchange_code(settings: XeroSettings, code: str, code_verifier: str, redirect_uri: str) -> dict:
    """Swap the authorisation code for tokens (client secret and PKCE verifier both sent)."""
    with _oauth_session(settings, redirect_uri) as oauth:
        try:
            return dict(oauth.fetch_token(settings.token_url, grant_type="authorization_code",
                                          code=code, code_verifier=code_verifier,
                                          timeout=HTTP_TIMEOUT))
        except (AuthlibBaseError, requests.RequestException) as error:
            raise XeroAuthError(f"Xero did not accept the sign-in ({_describe(error)}). "
                                "Start again with Connect.") from None


def read_connections(settings: XeroSettings, access_token: str) -> list[Tenant]:
    """The organisations this access token reaches (Xero's /connections)."""
    response = requests.get(settings.connections_url, timeout=HTTP_TIMEOUT,
                            headers={"Authorization": f"Bearer {access_token}",
                                     "Accept": "application/json"})
    if response.status_code != 200:
        raise XeroAuthError(f"Xero did not list the organisations (HTTP {response.status_code}).")
    return [Tenant(entry["id"], entry["tenantId"], entry.get("tenantName") or "",
                   entry.get("tenantType", "ORGANISATION")) for entry in response.json()]


def save_connection(session: Session, token: dict, tenant: Tenant, user: User,
                    kind: ConnectionKind = ConnectionKind.XERO) -> Connection:
    """Store the chosen organisation and its tokens (replacing a previous connection of the kind,
    which is what reconnecting after a loss does). The caller commits."""
    connection = current_connection(session, kind) or Connection(kind=kind)
    connection.tenant_id, connection.tenant_name = tenant.tenant_id, tenant.tenant_name
    connection.xero_connection_id = tenant.connection_id
    connection.status, connection.lost_reason, connection.lost_at = (
        ConnectionStatus.CONNECTED, "", None)
    _store_tokens(connection, token)
    connection.connected_by, connection.connected_at = user, utcnow()
    session.add(connection)
    return connection


def _store_tokens(connection: Connection, token: dict) -> None:
    now = utcnow()
    connection.access_token = token["access_token"]
    connection.refresh_token = token["refresh_token"]
    connection.access_token_expires_at = now + timedelta(seconds=int(token.get("expires_in", 1800)))
    connection.refresh_token_issued_at = now
    connection.scopes = token.get("scope") or connection.scopes or SCOPES


# ---------------------------------------------------------------- the token store


def access_token_for(session: Session, settings: XeroSettings,
                     kind: ConnectionKind = ConnectionKind.XERO,
                     now: datetime | None = None) -> tuple[str, str]:
    """(access token, tenant id) for the connection, refreshed first when it expires within
    REFRESH_MARGIN. Raises NotConnected (none, or lost) or ConnectionLost (refused just now)."""
    connection = _usable(current_connection(session, kind))
    if as_utc(connection.access_token_expires_at) - REFRESH_MARGIN > (now or utcnow()):
        return connection.access_token, connection.tenant_id
    return refresh_now(session, settings, kind, now=now)


def refresh_now(session: Session, settings: XeroSettings,
                kind: ConnectionKind = ConnectionKind.XERO, *, stale_access_token: str = "",
                older_than: timedelta | None = None, now: datetime | None = None
                ) -> tuple[str, str]:
    """Refresh under the row lock and commit the rotated tokens before returning them.

    Skips the refresh when someone else did it while we waited for the lock: when the access
    token is no longer `stale_access_token` (a 401 retry), or, without it, when the token is still
    fresh by REFRESH_MARGIN (or, with `older_than`, the refresh token is younger than that)."""
    now = now or utcnow()
    lost_reason = ""
    with _own_transaction(session) as own:
        connection = _usable(_locked(own, kind))
        if not _needs_refresh(connection, stale_access_token, older_than, now):
            return connection.access_token, connection.tenant_id
        try:
            _store_tokens(connection, _refresh_request(settings, connection.refresh_token))
        except XeroAuthError as refused:
            lost_reason = str(refused)
            connection.mark_lost(lost_reason)
        result = connection.access_token, connection.tenant_id
    if lost_reason:
        raise ConnectionLost(lost_reason)
    return result


@contextlib.contextmanager
def _own_transaction(session: Session) -> Iterator[Session]:
    """A short transaction of the token store's own, on its own connection, committed on leaving.

    The caller's open transaction is committed first. On SQLite it would otherwise hold the
    database's one write lock (extensions.py begins every write transaction IMMEDIATE), and ours,
    in the same thread, would wait on it until busy_timeout; on either database the caller then
    reads the rotated tokens rather than its own snapshot. Callers reach Xero between their units
    of work (a page or a task never holds a transaction across a call to Xero), so there is
    nothing half-done to commit. Afterwards the caller's session forgets what it had loaded, so it
    never keeps, or later writes back, the old tokens."""
    session.commit()  # a no-op when it holds no transaction
    with Session(bind=session.get_bind(), expire_on_commit=False) as own, own.begin():
        yield own
    session.expire_all()


def _needs_refresh(connection: Connection, stale_access_token: str,
                   older_than: timedelta | None, now: datetime) -> bool:
    if stale_access_token:
        return connection.access_token == stale_access_token
    if older_than is not None:
        return as_utc(connection.refresh_token_issued_at) <= now - older_than
    return as_utc(connection.access_token_expires_at) - REFRESH_MARGIN <= now


def _locked(own: Session, kind: ConnectionKind) -> Connection | None:
    """The connection row, locked until `own` commits (see the module docstring)."""
    query = select(Connection).where(Connection.kind == kind)
    if own.get_bind().dialect.name == "sqlite":
        # First statement of the transaction: takes SQLite's write lock (or waits for it).
        own.execute(update(Connection).where(Connection.kind == kind).values(id=Connection.id))
        return own.execute(query.execution_options(populate_existing=True)).scalar_one_or_none()
    return own.execute(query.with_for_update()).scalar_one_or_none()


def _usable(connection: Connection | None) -> Connection:
    if connection is None:
        raise NotConnected("The practice is not connected to Xero. An admin can connect it on "
                           "the Integrations page.")
    if connection.is_lost:
        raise NotConnected(f"Xero is disconnected: {connection.lost_reason}")
    return connection


def renew(settings: XeroSettings, refresh_token: str) -> dict:
    """New tokens for a refresh token no connection row holds yet (the "Choose organisation"
    step); a connection's own refresh goes through `refresh_now`, under the lock."""
    return _refresh_request(settings, refresh_token)


def _refresh_request(settings: XeroSettings, refresh_token: str) -> dict:
    with _oauth_session(settings) as oauth:
        try:
            return dict(oauth.refresh_token(settings.token_url, refresh_token=refresh_token,
                                            timeout=HTTP_TIMEOUT))
        except AuthlibBaseError as error:
            raise XeroAuthError(f"Xero refused to renew the connection ({_describe(error)}); "
                                "an admin needs to reconnect.") from None


def mark_lost(session: Session, reason: str, kind: ConnectionKind = ConnectionKind.XERO) -> None:
    """Mark the connection lost with `reason`, committed on its own (whatever the caller does next,
    the loss must show). Deletes nothing."""
    with _own_transaction(session) as own:
        connection = _locked(own, kind)
        if connection is not None and not connection.is_lost:
            connection.mark_lost(reason)


# ---------------------------------------------------------------- leaving


def revoke(settings: XeroSettings, refresh_token: str) -> None:
    """Revoke the refresh token at Xero (which also removes the app's connections there)."""
    with _oauth_session(settings) as oauth:
        response = oauth.revoke_token(settings.revoke_url, token=refresh_token,
                                      token_type_hint="refresh_token", timeout=HTTP_TIMEOUT)
    if response.status_code not in (200, 204):
        raise XeroAuthError(f"Xero did not revoke the connection (HTTP {response.status_code}).")


def disconnect_tenant(settings: XeroSettings, access_token: str, xero_connection_id: str) -> None:
    """Remove one tenant's connection at Xero (DELETE /connections/{id})."""
    response = requests.delete(f"{settings.connections_url}/{xero_connection_id}",
                               headers={"Authorization": f"Bearer {access_token}"},
                               timeout=HTTP_TIMEOUT)
    if response.status_code not in (200, 204, 404):
        raise XeroAuthError(f"Xero did not remove the organisation (HTTP {response.status_code}).")


def disconnect(session: Session, settings: XeroSettings,
               kind: ConnectionKind = ConnectionKind.XERO) -> str | None:
    """Revoke at Xero and remove the connection row; returns the tenant id it served (so the
    mappings, keyed by tenant id, stay for a reconnect). A lost connection is removed even when
    Xero no longer knows its tokens. The caller commits."""
    connection = current_connection(session, kind)
    if connection is None:
        return None
    if not connection.is_lost:
        # The row goes either way: a token Xero will not revoke is one it no longer honours.
        with contextlib.suppress(XeroAuthError, requests.RequestException):
            revoke(settings, connection.refresh_token)
    tenant_id = connection.tenant_id
    session.delete(connection)
    return tenant_id


def _describe(error: Exception) -> str:
    code = getattr(error, "error", None)
    return str(code) if code else type(error).__name__
