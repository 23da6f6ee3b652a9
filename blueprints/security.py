"""Security headers on every response, cookies that are Secure when the site is served over HTTPS,
and the sign-in throttle (per email and per client address, in Redis or the database).

Flask-Talisman (maintained, widely used) sets the headers; this module holds the policy. The policy
forbids inline script and inline style, which is why templates use data attributes handled by
static/js/app.js and htmx is told (by a meta tag in base.html) not to inject its indicator style.
"""

import os
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

from accounting.base import utcnow
from accounting.parties import users
from extensions import db

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
# Werkzeug refuses a bigger request body with 413 before any view reads it. A little above the
# statement files' own 5 MB limit, so a file just over it gets that limit's clearer message.
MAX_REQUEST_BYTES = 6 * 1024 * 1024


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


def _xero_sign_in_as_form_destination(response: Response) -> Response:
    """Let a form lead to Xero's sign-in page too: Connect posts here and is redirected there, and
    Chromium applies form-action to that redirect. Read per request, since the XERO_* settings
    may change after start-up (tests point them at a sandbox on a free port)."""
    sign_in = urlsplit(current_app.config.get("XERO_AUTHORIZE_URL") or "")
    policy = response.headers.get("Content-Security-Policy")
    if policy and sign_in.netloc:
        response.headers["Content-Security-Policy"] = policy.replace(
            "form-action 'self'", f"form-action 'self' {sign_in.scheme}://{sign_in.netloc}", 1)
    return response


def init_security(app: Flask) -> None:
    """Install the headers and per-request Secure cookies. HSTS only goes out over HTTPS.

    Behind TRUSTED_PROXY_COUNT proxies (0 by default) the X-Forwarded-* headers they set tell the
    scheme and the client's address; without trusted proxies those headers are a client's say-so.
    """
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    proxies = int(app.config.get("TRUSTED_PROXY_COUNT") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    always_https = app.config.get("PREFERRED_URL_SCHEME") == "https"
    if always_https:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    app.session_interface = PerRequestSecureCookies()
    _install_login_throttle(app)
    app.after_request(_strict_transport_security)
    # Registered before Talisman's own: Flask runs after_request functions last-registered first.
    app.after_request(_xero_sign_in_as_form_destination)
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


class DatabaseLoginThrottle:
    """Failed sign-ins counted in the database (the login_throttle table), shared by every process
    that uses it; the default when no Redis is configured."""

    def wait_seconds(self, email: str, address: str) -> int:
        return max(
            users.login_wait_seconds(db.session, email),
            users.login_wait_seconds(db.session, users.address_key(address),
                                     free_attempts=users.LoginThrottle.FREE_ATTEMPTS_PER_ADDRESS),
        )

    def record_failure(self, email: str, address: str) -> None:
        users.record_login_failure(db.session, email)
        users.record_login_failure(db.session, users.address_key(address))

    def clear(self, email: str) -> None:
        # Only the email's count: one right password must not wipe an address's record of guesses.
        users.clear_login_failures(db.session, email)


class RedisLoginThrottle:
    """The same rule with the counts in Redis (LOGIN_THROTTLE_REDIS_URL, else HUEY_REDIS_URL), so
    every web process behind the load balancer sees every failure without a database write.

    One hash per key: failures and the last failure's time; it expires a WINDOW after the last
    failure, which is the database throttle's "fresh start after WINDOW" rule.
    """

    PREFIX = "practice-ledger:login-throttle:"

    def __init__(self, url: str):
        import redis  # only where Redis is configured

        self.redis = redis.Redis.from_url(url)

    def _wait(self, key: str, free_attempts: int) -> int:
        failures, last = self.redis.hmget(self.PREFIX + key, "failures", "last")
        if failures is None or last is None:
            return 0
        last_failure_at = datetime.fromtimestamp(float(last), UTC)
        return users.wait_after_failures(int(failures), last_failure_at, free_attempts, utcnow())

    def wait_seconds(self, email: str, address: str) -> int:
        return max(
            self._wait(users.normalise_email(email), users.LoginThrottle.FREE_ATTEMPTS),
            self._wait(users.address_key(address), users.LoginThrottle.FREE_ATTEMPTS_PER_ADDRESS),
        )

    def record_failure(self, email: str, address: str) -> None:
        window = int(users.LoginThrottle.WINDOW.total_seconds())
        pipe = self.redis.pipeline()  # MULTI/EXEC: the count and its expiry move together
        for key in (users.normalise_email(email), users.address_key(address)):
            pipe.hincrby(self.PREFIX + key, "failures", 1)
            pipe.hset(self.PREFIX + key, "last", utcnow().timestamp())
            pipe.expire(self.PREFIX + key, window)
        pipe.execute()

    def clear(self, email: str) -> None:
        self.redis.delete(self.PREFIX + users.normalise_email(email))


def login_throttle() -> DatabaseLoginThrottle | RedisLoginThrottle:
    """The app's sign-in throttle: Redis when configured, the database otherwise."""
    return current_app.extensions["login_throttle"]


def _install_login_throttle(app: Flask) -> None:
    url = app.config.get("LOGIN_THROTTLE_REDIS_URL") or os.environ.get("HUEY_REDIS_URL")
    app.extensions["login_throttle"] = RedisLoginThrottle(url) if url else DatabaseLoginThrottle()
