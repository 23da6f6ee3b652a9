"""Fixtures for the app: `app`, `db_session`, `client`, `auth`, and builders for data.

Every test that uses `app` runs twice: on SQLite and on PostgreSQL (a throwaway cluster this
session starts). The schema is created once per backend; after each test every table is emptied.
"""

import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from accounting.base import Base
from tests.support import PostgresServer, html, skip_or_fail

BACKENDS = ["sqlite", "postgresql"]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying to reach the internet.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright, one browser for the session.

    One place only: two sync Playwright instances in one thread refuse to run.
    """
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def postgres_server():
    server = PostgresServer()
    server.create_database("app")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory):
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def schema_ready():
    """Backends whose schema this session has created already."""
    return set()


@pytest.fixture(params=BACKENDS)
def database_url(request, schema_ready, sqlite_url):
    """The database of one backend, with the schema created and every table empty."""
    import accounting.models  # noqa: F401  (every table in the metadata)
    import integrations.models  # noqa: F401  (the Xero connection and mapping tables)

    backend = request.param
    if backend == "sqlite":
        url = sqlite_url
    else:
        url = request.getfixturevalue("postgres_server").url("app")
    engine = create_engine(url)
    if backend not in schema_ready:
        Base.metadata.drop_all(engine)
        Base.metadata.create_all(engine)
        schema_ready.add(backend)
    yield url
    _empty_tables(engine)
    engine.dispose()


def _empty_tables(engine):
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))


class FormClient(FlaskClient):
    """A test client whose `submit` adds the CSRF token the page gave it, like a browser."""

    csrf_token: str | None = None

    def submit(self, url, data=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.fetch_csrf_token())
        return self.post(url, data=data, **kwargs)

    def fetch_csrf_token(self) -> str:
        if self.csrf_token is None:
            page = html(self.get("/login"))
            field = page.find("input", attrs={"name": "csrf_token"})
            self.csrf_token = field["value"]
        return self.csrf_token


@pytest.fixture
def app(database_url):
    from app import create_app
    from extensions import db

    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SERVER_NAME": None,
    })
    app.test_client_class = FormClient
    with app.app_context():
        yield app
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def db_session(app):
    from extensions import db

    return db.session


@pytest.fixture
def client(app) -> FormClient:
    return app.test_client()


@pytest.fixture
def books(db_session):
    """The practice with its default chart, an admin and a staff user."""
    from accounting.ledger.accounts import install_default_chart
    from accounting.ledger.practice import get_practice
    from accounting.parties.users import Role, create_user

    get_practice(db_session)
    install_default_chart(db_session)
    admin = create_user(db_session, email="admin@example.com", name="Ada Admin",
                        password=PASSWORD, role=Role.ADMIN)
    staff = create_user(db_session, email="staff@example.com", name="Stu Staff",
                        password=PASSWORD, role=Role.STAFF)
    db_session.commit()
    return Books(db_session, admin, staff)


class Books:
    """Builders over the test practice: `books.account("1-1000")`, `books.journal(...)`."""

    def __init__(self, session, admin, staff):
        self.session, self.admin, self.staff = session, admin, staff

    def account(self, code: str):
        from sqlalchemy import select

        from accounting.ledger.accounts import Account

        return self.session.execute(select(Account).where(Account.code == code)).scalar_one()

    def journal(self, lines: dict[str, str], on: date = date(2026, 7, 15),
                narration: str = "Test journal"):
        """Post a journal from {account code: signed amount} and commit it."""
        from accounting.ledger.journals import LineInput, post

        journal = post(self.session, self.admin, date=on, narration=narration, lines=[
            LineInput(self.account(code).id, Decimal(amount)) for code, amount in lines.items()
        ])
        self.session.commit()
        return journal


@pytest.fixture
def auth(client, books):
    """Sign the test client in: `auth.login()` (admin) or `auth.login("staff@example.com")`."""

    class Auth:
        def login(self, email="admin@example.com", password=PASSWORD):
            response = client.submit("/login", {"email": email, "password": password})
            assert response.status_code == 303, response.get_data(as_text=True)[:500]
            return response

        def logout(self):
            return client.submit("/logout")

    return Auth()


@pytest.fixture
def trust(books):
    """The general trust account and two matters of two clients: tests/trust_support.py's `Trust`."""
    from tests.trust_support import Trust

    return Trust(books)
