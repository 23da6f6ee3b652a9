"""Security headers on every response, and cookies that are Secure when the site is served over HTTPS.

Flask-Talisman (maintained, widely used) sets the headers; this module holds the policy. The policy
forbids inline script and inline style, which is why templates use data attributes handled by
static/js/app.js and htmx is told (by a meta tag in base.html) not to inject its indicator style.
"""

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],  # data: for the empty favicon in the layouts
    "connect-src": "'self'",  # htmx requests
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


HSTS_MAX_AGE = 365 * 24 * 3600


def _strict_transport_security(response: Response) -> Response:
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = f"max-age={HSTS_MAX_AGE}; includeSubDomains"
    return response


class PerRequestSecureCookies(SecureCookieSessionInterface):
    """The session cookie is Secure when this request came over HTTPS (or config says always).

    A fixed SESSION_COOKIE_SECURE would either leak the cookie over plain HTTP in production or
    lose every session on a plain-HTTP laptop; the request knows which case it is.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_security(app: Flask) -> None:
    """Install the headers and per-request Secure cookies. HSTS only goes out over HTTPS.

    Behind TRUSTED_PROXY_COUNT proxies (0 by default) the X-Forwarded-* headers they set tell the
    scheme and the client's address; without trusted proxies those headers are a client's say-so.
    """
    proxies = int(app.config.get("TRUSTED_PROXY_COUNT") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    always_https = app.config.get("PREFERRED_URL_SCHEME") == "https"
    if always_https:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    app.session_interface = PerRequestSecureCookies()
    app.after_request(_strict_transport_security)
    Talisman(
        app,
        # TLS ends at the proxy in front of the app; redirecting here would loop behind it.
        force_https=False,
        # Talisman would send HSTS whenever a client claims X-Forwarded-Proto: https; ours below
        # asks request.is_secure, which believes that header only from trusted proxies.
        strict_transport_security=False,
        session_cookie_secure=always_https,
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
    )
