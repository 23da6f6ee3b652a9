"""Security headers on every response; Secure cookies and HSTS only over HTTPS; templates the
Content-Security-Policy can live with (no inline script, no on* handlers, no inline style)."""

import re
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.support import html

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in header.split(";") if part.strip())


@pytest.mark.parametrize("path", ["/login", "/", "/static/css/app.css", "/no-such-page"])
def test_every_response_carries_the_security_headers(client, books, path):
    response = client.get(path)
    policy = _policy(response)
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_over_plain_http_no_hsts_and_the_session_cookie_is_not_secure(client, books):
    response = client.get("/login")
    assert "Strict-Transport-Security" not in response.headers
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" not in cookie


def test_over_https_hsts_is_sent_and_the_session_cookie_is_secure(client, books):
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Secure" in response.headers["Set-Cookie"]


def test_behind_a_trusted_proxy_the_forwarded_scheme_counts(books):
    from app import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "TRUSTED_PROXY_COUNT": 1,
                      "SQLALCHEMY_DATABASE_URI": books.session.get_bind().url})
    response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers
    assert "Secure" in response.headers["Set-Cookie"]


def test_without_a_trusted_proxy_a_forwarded_scheme_is_ignored(client, books):
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in response.headers["Set-Cookie"]


def test_the_layout_tells_htmx_not_to_inject_its_indicator_style(client, auth):
    auth.login()
    page = html(client.get("/"))
    meta = page.find("meta", attrs={"name": "htmx-config"})
    assert meta is not None and '"includeIndicatorStyles": false' in meta["content"]
    assert page.find("script", src=re.compile(r"/static/js/app\.js$")) is not None


def test_the_signed_in_dashboard_is_served_with_the_policy(client, auth):
    auth.login("admin@example.com", PASSWORD)
    assert "script-src 'self'" in client.get("/").headers["Content-Security-Policy"]


def test_forms_may_lead_only_here_and_to_the_configured_xero_sign_in(app, client, auth):
    """Connect posts here and is redirected to Xero's sign-in page: form-action must allow that
    redirect (Chromium checks it) and nothing else, read from the settings at each request."""
    auth.login("admin@example.com", PASSWORD)
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "form-action 'self' https://login.xero.com;" in policy + ";"
    app.config["XERO_AUTHORIZE_URL"] = "http://127.0.0.1:5999/identity/connect/authorize"
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "form-action 'self' http://127.0.0.1:5999;" in policy + ";"


# What a CSP without 'unsafe-inline' refuses: a <script> with a body, on* handler attributes,
# htmx's hx-on and trigger filters such as change[...] (both evaluate code), and style attributes.
FORBIDDEN_MARKUP = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on* handler attribute"),
    (re.compile(r"\bhx-on", re.I), "hx-on attribute"),
    (re.compile(r"\bhx-trigger\s*=\s*\"[^\"]*\[", re.I), "hx-trigger filter"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style", re.I), "inline <style>"),
]


def _template_files():
    return sorted(TEMPLATES.rglob("*.html"))


def test_templates_exist_to_scan():
    assert len(_template_files()) > 20


@pytest.mark.parametrize("pattern, what", FORBIDDEN_MARKUP, ids=[w for _, w in FORBIDDEN_MARKUP])
def test_no_template_holds_markup_the_policy_forbids(pattern, what):
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in _template_files()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == [], f"{what} found (CSP would block it): {offenders}"
