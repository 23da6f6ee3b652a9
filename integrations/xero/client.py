"""An `AccountingApi` (xero-python) for the practice's Xero connection.

The SDK is only the HTTP layer here: the tokens come from our token store (integrations/oauth.py),
which refreshes under the row lock. The SDK's own refresh is never used (it would spend the
rotated refresh token outside the lock): the token getter hands it an access token our store just
checked, and a 401 is answered by `ConnectedApiClient` with one refresh through the store and one
retry. A second 401, or a 403 for the tenant, marks the connection lost with the reason.

Base URLs come from the configuration (app.py's XERO_DEFAULTS: real Xero unless FLASK_XERO_* point
elsewhere, e.g. at the sandbox). xero-python's `Configuration()` is a singleton that returns a copy
of the first one ever made, ignoring its arguments, so the token holder is set after creating it.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session
from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient, Configuration
from xero_python.api_client.oauth2 import OAuth2Token
from xero_python.exceptions import ApiException

from integrations import oauth
from integrations.connection import ConnectionKind, current_connection
from integrations.oauth import ConnectionLost, NotConnected, XeroSettings

__all__ = ["ConnectionLost", "NotConnected", "accounting_api", "ConnectedApiClient"]

FORBIDDEN_REASON = ("Xero refused access to {name} (403): the organisation was disconnected from "
                    "the app at Xero, or the app lost its access.")
UNAUTHORISED_REASON = ("Xero refused the connection's token even after renewing it (401): the "
                       "connection was revoked at Xero.")


class ConnectedApiClient(ApiClient):
    """An ApiClient whose tokens are the token store's, retrying once after a 401."""

    def __init__(self, session: Session, settings: XeroSettings):
        configuration = Configuration()
        configuration.oauth2_token = OAuth2Token(client_id=settings.client_id,
                                                 client_secret=settings.client_secret)
        super().__init__(configuration, pool_threads=1,
                         oauth2_token_getter=self._current_token,
                         oauth2_token_saver=self._refuse_sdk_refresh)
        self.session, self.settings = session, settings
        self._last_access_token = ""

    def _current_token(self) -> dict:
        access_token, _tenant = oauth.access_token_for(self.session, self.settings)
        self._last_access_token = access_token
        connection = current_connection(self.session)
        return {"access_token": access_token, "token_type": "Bearer", "refresh_token": None,
                "expires_in": 1800, "scope": connection.scopes.split(),
                "expires_at": connection.expires_at_utc().timestamp()}

    @staticmethod
    def _refuse_sdk_refresh(_token: dict) -> None:
        raise RuntimeError("the SDK must not refresh tokens: integrations/oauth.py does")

    def call_api(self, *args, **kwargs):
        """One call; after a 401, one refresh through the token store and one retry."""
        try:
            return super().call_api(*args, **kwargs)
        except ApiException as error:
            if error.status == 403:
                self._lose(FORBIDDEN_REASON.format(name=self._tenant_name()))
            if error.status != 401:
                raise
        oauth.refresh_now(self.session, self.settings, stale_access_token=self._last_access_token)
        try:
            return super().call_api(*args, **kwargs)
        except ApiException as error:
            if error.status == 401:
                self._lose(UNAUTHORISED_REASON)
            if error.status == 403:
                self._lose(FORBIDDEN_REASON.format(name=self._tenant_name()))
            raise

    def _tenant_name(self) -> str:
        connection = current_connection(self.session)
        return connection.tenant_name if connection else "the organisation"

    def _lose(self, reason: str) -> None:
        oauth.mark_lost(self.session, reason)
        raise ConnectionLost(reason)


def accounting_api(session: Session, config: Mapping | None = None
                   ) -> tuple[AccountingApi, str]:
    """(AccountingApi, tenant id) for the practice's Xero connection. Raises NotConnected when
    there is none or it is lost, ConnectionLost when Xero refuses it during a call. `config` is a
    Flask config (the current app's when omitted)."""
    if config is None:
        from flask import current_app

        config = current_app.config
    connection = current_connection(session, ConnectionKind.XERO)
    if connection is None or connection.is_lost:
        oauth.access_token_for(session, XeroSettings.from_config(config))  # raises the named error
    settings = XeroSettings.from_config(config)
    api = AccountingApi(ConnectedApiClient(session, settings), base_url=settings.api_url)
    return api, connection.tenant_id
