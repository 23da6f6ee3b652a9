"""The application factory: configuration, extensions, blueprints and CLI commands."""

import os
import secrets
from pathlib import Path

from flask import Flask

from accounting import encryption
from commands import register_commands
from extensions import csrf, db, htmx, login_manager, migrate

# Real Xero by default; the demo and the tests point these at the sandbox.
XERO_DEFAULTS = {
    "XERO_AUTHORIZE_URL": "https://login.xero.com/identity/connect/authorize",
    "XERO_TOKEN_URL": "https://identity.xero.com/connect/token",
    "XERO_REVOKE_URL": "https://identity.xero.com/connect/revocation",
    "XERO_CONNECTIONS_URL": "https://api.xero.com/connections",
    "XERO_API_URL": "https://api.xero.com/api.xro/2.0",
    "XERO_PRACTICE_MANAGER_URL": "https://api.xero.com/practicemanager/3.1",
    "XERO_CLIENT_ID": "",
    "XERO_CLIENT_SECRET": "",
}


def create_app(config: dict | None = None) -> Flask:
    """Build the app. Config layers: defaults, instance/config.py, environment, then `config`."""
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _configure(app, config or {})
    _init_extensions(app)
    _register_blueprints(app)
    _register_commands(app)
    _wire_integrations(app)
    return app


def _configure(app: Flask, overrides: dict) -> None:
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=os.environ.get(
            "DATABASE_URL", f"sqlite:///{Path(app.instance_path) / 'practice-ledger.sqlite3'}"
        ),
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        DEMO=os.environ.get("PRACTICE_LEDGER_DEMO") == "1",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        PAGE_SIZE=25,
        ENCRYPTION_KEYS=os.environ.get("ENCRYPTION_KEYS", ""),
        **XERO_DEFAULTS,
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()
    app.config.update(overrides)
    _check_secret_key(app)
    # Secrets at rest (TFNs): one set of keys per process, newest first; see accounting/encryption.py.
    encryption.configure(encryption.keys_for(app.config["ENCRYPTION_KEYS"], app.config["SECRET_KEY"]))


MIN_SECRET_KEY_LENGTH = 32


def _check_secret_key(app: Flask) -> None:
    """Refuse to start without a long SECRET_KEY: it signs every session and CSRF token.

    Only the demo makes its own key. TESTING alone is no licence to run keyless (a stray
    FLASK_TESTING=1 in production must not give every server a key nobody chose); tests pass a key,
    which may be short because nothing it signs leaves the test.
    """
    key = app.config["SECRET_KEY"]
    if not key:
        if not app.config["DEMO"]:
            raise RuntimeError(
                "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
                "value (python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        app.config["SECRET_KEY"] = _demo_secret_key(app)
    elif len(key) < MIN_SECRET_KEY_LENGTH and not (app.config["DEMO"] or app.config.get("TESTING")):
        raise RuntimeError(
            f"SECRET_KEY is too short ({len(key)} characters): use at least "
            f"{MIN_SECRET_KEY_LENGTH} random characters "
            "(python -c 'import secrets; print(secrets.token_hex(32))')."
        )


def _demo_secret_key(app: Flask) -> str:
    """A random key kept in instance/ so demo sessions survive a restart; never used in production.

    The file is created readable by its owner alone (0600), and tightened if an older one was not.
    """
    path = Path(app.instance_path) / "demo-secret-key"
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as key_file:
            key_file.write(secrets.token_hex(32))
    os.chmod(path, 0o600)
    return path.read_text().strip()


def _init_extensions(app: Flask) -> None:
    import accounting.models  # noqa: F401  (every table registered before create_all/migrate)
    import integrations.models  # noqa: F401  (the Xero connection and mapping tables)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path) / "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    from blueprints.security import init_security

    init_security(app)

    @login_manager.user_loader
    def load_user(session_id: str):
        from accounting.parties.users import user_for_session

        return user_for_session(db.session, session_id)


def _register_blueprints(app: Flask) -> None:
    from blueprints import (
        admin,
        audit,
        auth,
        banking,
        billing,
        clients,
        errors,
        home,
        integrations,
        journals,
        pages,
        reports,
        suppliers,
        trust,
        trust_reports,
        trust_transfers,
        xero_mapping,
    )

    for module in (auth, home, admin, clients, billing, suppliers, banking, trust, trust_reports,
                   trust_transfers, journals, reports, audit, integrations, xero_mapping):
        app.register_blueprint(module.bp)
    errors.register(app)
    auth.require_login_everywhere(app)
    app.jinja_env.filters.update(pages.TEMPLATE_FILTERS)


def _wire_integrations(app: Flask) -> None:
    import integrations

    integrations.wire(app)


def _register_commands(app: Flask) -> None:
    register_commands(app)
