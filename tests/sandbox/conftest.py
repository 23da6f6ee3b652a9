"""Fixtures for the sandbox's own tests: a fresh sandbox per test, a helper that connects a seeded
person through the real authorize/consent/token steps, and response validation against Xero's
official OpenAPI files.

Self-contained on purpose: nothing here depends on the app's fixtures in tests/conftest.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import Headers, ImmutableMultiDict
from werkzeug.test import TestResponse

from sandbox import RunningSandbox, create_app, start_in_thread
from sandbox.seed import DEMO_ORG, DEMO_PERSON, PRACTICE

REPO_ROOT = Path(__file__).resolve().parents[2]
OPENAPI_DIR = Path(os.environ.get("XERO_OPENAPI_DIR", REPO_ROOT.parent / "shared/xero/openapi"))
SPEC_FILES = {"accounting": "xero_accounting.yaml", "identity": "xero-identity.yaml",
              "xpm": "xero-practicemanager-v3-1.yaml"}
REDIRECT_URI = "http://localhost:5000/integrations/xero/callback"
ACCOUNTING_SCOPES = ("openid profile email offline_access accounting.transactions "
                     "accounting.settings accounting.contacts accounting.reports.read")
ALL_SCOPES = ACCOUNTING_SCOPES + " practicemanager"


def skip_or_fail(reason: str) -> None:
    """A missing external part skips on a laptop and fails in CI (TESTING.md)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


# ---------------------------------------------------------------- sandbox apps


_KEY: list[str] = []


def signing_key() -> str:
    """One RSA key for the whole session: generating one per sandbox is the slow part."""
    if not _KEY:
        from sandbox.jwt import Signer

        _KEY.append(Signer().pem().decode())
    return _KEY[0]


def sandbox_config(tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    """A config for a fresh, seeded sandbox in tmp_path."""
    return {"DB_PATH": str(tmp_path / "sandbox.sqlite3"), "RESET": True,
            "SIGNING_KEY_PEM": signing_key(), **overrides}


@pytest.fixture
def sandbox_app(tmp_path: Path) -> Iterator[Flask]:
    """A fresh seeded sandbox app (in-process)."""
    app = create_app(sandbox_config(tmp_path))
    yield app
    app.extensions["sandbox"].store.close()


@pytest.fixture
def live_sandbox(tmp_path: Path) -> Iterator[RunningSandbox]:
    """A fresh sandbox serving HTTP on 127.0.0.1 on a free port."""
    running = start_in_thread(sandbox_config(tmp_path))
    yield running
    running.stop()


# ---------------------------------------------------------------- OpenAPI validation


@dataclass
class SpecRequest:
    """openapi-core's Request protocol for a call made to the sandbox, as if to api.xero.com."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes | None = None
    host_url: str = "https://api.xero.com"
    content_type: str = "application/json"

    @property
    def parameters(self) -> Any:
        """Query, header, cookie and path parameters."""
        from openapi_core.datatypes import RequestParameters

        return RequestParameters(query=ImmutableMultiDict(self.query),
                                 header=Headers(self.headers), cookie=ImmutableMultiDict(),
                                 path={})


@dataclass
class SpecResponse:
    """openapi-core's Response protocol over a Werkzeug test response."""

    response: TestResponse

    @property
    def status_code(self) -> int:
        """HTTP status."""
        return self.response.status_code

    @property
    def content_type(self) -> str:
        """Media type without parameters."""
        return self.response.content_type.split(";")[0]

    @property
    def headers(self) -> Headers:
        """Response headers."""
        return self.response.headers

    @property
    def data(self) -> bytes:
        """Raw body."""
        return self.response.get_data()


@dataclass
class Specs:
    """The official OpenAPI files, loaded once; `check` validates one exchange."""

    accounting: Any
    identity: Any
    checked: set[tuple[str, str]] = field(default_factory=set)

    def check(self, method: str, url_path: str, query: dict[str, str], headers: dict[str, str],
              response: TestResponse) -> None:
        """Validate a 200/201/204/400 answer of an accounting or identity call."""
        if response.status_code not in (200, 201, 204, 400):
            return
        if url_path.startswith("/api.xro/2.0/"):
            spec, path = self.accounting, "/api.xro/2.0/" + _canonical(url_path[13:])
        elif url_path.lower().startswith("/connections"):
            spec, path = self.identity, "/Connections" + url_path[len("/connections"):]
        else:
            return
        from openapi_core.templating.responses.exceptions import ResponseNotFound

        request = SpecRequest(method.lower(), path, query, headers)
        try:
            spec.validate_response(request, SpecResponse(response))
        except ResponseNotFound:
            if response.status_code != 400:
                raise
            return  # the file documents no 400 for this operation (e.g. a bad `where` on a GET)
        self.checked.add((method.upper(), _template(path)))


def _canonical(rest: str) -> str:
    """Xero's spelling of a collection name (the sandbox, like Xero, ignores case)."""
    from sandbox.accounting import RESOURCES

    head, _, tail = rest.partition("/")
    known = {name.lower(): name for name in ("Organisation", "Currencies", "Reports")}
    known.update({key: resource.key for key, resource in RESOURCES.items()})
    return known.get(head.lower(), head) + ("/" + tail if tail else "")


def _template(path: str) -> str:
    """Replace GUIDs by {id} so coverage can be counted per operation."""
    import re

    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "{id}", path)


@pytest.fixture(scope="session")
def specs() -> Specs:
    """Xero's OpenAPI files (XERO_OPENAPI_DIR, default ../shared/xero/openapi)."""
    missing = [name for name in SPEC_FILES.values() if not (OPENAPI_DIR / name).is_file()]
    if missing:
        skip_or_fail(f"Xero OpenAPI files missing in {OPENAPI_DIR}: {', '.join(missing)} "
                     "(set XERO_OPENAPI_DIR)")
    from openapi_core import Config, OpenAPI

    # Xero's files have small defects (e.g. boolean defaults written as 'false'), so the spec
    # itself is not validated; responses are still validated against its schemas.
    config = Config(spec_validator_cls=None)
    # Connections' timestamps are "2019-12-07T18:46:19.5165400" (no zone) in Xero's recorded
    # answers and in this very file's example, though its schema says RFC 3339 date-time; accept
    # that one documented shape as well.
    identity_config = Config(spec_validator_cls=None,
                             extra_format_validators={"date-time": _xero_date_time})
    return Specs(
        accounting=OpenAPI.from_file_path(str(OPENAPI_DIR / SPEC_FILES["accounting"]),
                                          config=config),
        identity=OpenAPI.from_file_path(str(OPENAPI_DIR / SPEC_FILES["identity"]),
                                        config=identity_config),
    )


def _xero_date_time(value: Any) -> bool:
    import re

    return isinstance(value, str) and re.fullmatch(
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})?", value) is not None


@pytest.fixture(scope="session")
def xpm_spec() -> dict[str, Any]:
    """The XPM v3.1 file as plain YAML (its JSON schemas can't validate XML bodies directly)."""
    path = OPENAPI_DIR / SPEC_FILES["xpm"]
    if not path.is_file():
        skip_or_fail(f"Xero OpenAPI file missing: {path} (set XERO_OPENAPI_DIR)")
    import yaml

    return yaml.safe_load(path.read_text())


# ---------------------------------------------------------------- connecting like an app


@dataclass
class Connected:
    """A connected app: its token, and a client that sends the bearer + tenant headers."""

    client: FlaskClient
    token: dict[str, Any]
    tenant: str
    specs: Specs | None = None

    def headers(self, tenant: str | None = None, **extra: str) -> dict[str, str]:
        """Authorization, xero-tenant-id and Accept headers (plus extras)."""
        return {"Authorization": f"Bearer {self.token['access_token']}",
                "xero-tenant-id": self.tenant if tenant is None else tenant,
                "Accept": "application/json", **extra}

    def call(self, method: str, path: str, body: Any = None, query: dict[str, str] | None = None,
             tenant: str | None = None, **headers: str) -> TestResponse:
        """Call the API and validate the answer against the official file when one is loaded."""
        sent = self.headers(tenant, **headers)
        raw = None if body is None else json.dumps(body)
        response = self.client.open(path, method=method, data=raw, query_string=query or {},
                                    headers=sent, content_type="application/json")
        if self.specs is not None:
            self.specs.check(method, path, query or {}, sent, response)
        return response

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        """GET."""
        return self.call("GET", path, **kwargs)

    def put(self, path: str, body: Any, **kwargs: Any) -> TestResponse:
        """PUT with a JSON body."""
        return self.call("PUT", path, body, **kwargs)

    def post(self, path: str, body: Any, **kwargs: Any) -> TestResponse:
        """POST with a JSON body."""
        return self.call("POST", path, body, **kwargs)


def pkce_pair() -> tuple[str, str]:
    """A PKCE verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_params(app: Flask, scopes: str = ALL_SCOPES, **extra: str) -> dict[str, str]:
    """Query parameters of an authorize request from the seeded app."""
    config = app.extensions["sandbox"].config
    return {"response_type": "code", "client_id": config["CLIENT_ID"],
            "redirect_uri": REDIRECT_URI, "scope": scopes, "state": secrets.token_hex(8),
            **extra}


def consent(client: FlaskClient, params: dict[str, str], person: str, tenants: list[str],
            password: str = "demo") -> TestResponse:
    """Log in as `person` and press 'Allow access' for `tenants`; returns the redirect."""
    client.post("/identity/login", data={"email": person, "password": password,
                                         "query": urlencode(params)})
    return client.post("/identity/connect/authorize",
                       data={**params, "tenant": tenants, "action": "allow"})


def exchange(client: FlaskClient, app: Flask, code: str, verifier: str | None = None,
             redirect_uri: str = REDIRECT_URI) -> TestResponse:
    """The token request for an authorization code (client secret in form fields)."""
    config = app.extensions["sandbox"].config
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "client_id": config["CLIENT_ID"], "client_secret": config["CLIENT_SECRET"]}
    if verifier:
        data["code_verifier"] = verifier
    return client.post("/connect/token", data=data)


def code_from(response: TestResponse) -> dict[str, str]:
    """code/state/error from the redirect back to the app."""
    assert response.status_code == 302, response.get_data(as_text=True)
    return {key: values[0] for key, values in parse_qs(urlsplit(response.location).query).items()}


@pytest.fixture
def connect(sandbox_app: Flask, specs: Specs) -> Callable[..., Connected]:
    """connect(person=..., tenants=[...], scopes=...) -> Connected, through the real flow."""

    def do(person: str = DEMO_PERSON, tenants: list[str] | None = None,
           scopes: str = ALL_SCOPES) -> Connected:
        tenants = tenants or [DEMO_ORG, PRACTICE]
        client = sandbox_app.test_client()
        verifier, challenge = pkce_pair()
        params = authorize_params(sandbox_app, scopes, code_challenge=challenge,
                                  code_challenge_method="S256")
        back = code_from(consent(client, params, person, tenants))
        token = exchange(client, sandbox_app, back["code"], verifier)
        assert token.status_code == 200, token.get_data(as_text=True)
        return Connected(client=sandbox_app.test_client(), token=token.json, tenant=tenants[0],
                         specs=specs)

    return do


@pytest.fixture
def demo(connect: Callable[..., Connected]) -> Connected:
    """The demo person connected to Demo Company (AU) and the practice, all scopes."""
    return connect()


@pytest.fixture
def control(sandbox_app: Flask) -> FlaskClient:
    """A client for the /_sandbox control endpoints."""
    return sandbox_app.test_client()
