"""Shared pieces of the benchmarks: timing, fresh databases, a practice with its chart."""

import atexit
import re
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, or_, select
from sqlalchemy.orm import Session

import accounting.models  # noqa: F401  (every table in the metadata)
import integrations.models  # noqa: F401  (the pages read the Xero connection's table)
from accounting.base import Base
from accounting.ledger.accounts import CONTROL_ROLES, Account, install_default_chart
from accounting.ledger.practice import get_practice
from accounting.parties.users import Role, create_user
from extensions import sqlite_pragma

ADMIN_EMAIL = "bench@example.com"  # fresh_books's admin
ADMIN_PASSWORD = "x" * 12


@contextmanager
def stopwatch(results: dict, key: str):
    """Time the block (wall clock, perf_counter) into results[key] in seconds."""
    start = time.perf_counter()
    yield
    results[key] = time.perf_counter() - start


def sqlite_engine(name: str):
    """A SQLite file of its own, in a folder removed when the process ends (full-size books take
    hundreds of megabytes)."""
    folder = tempfile.mkdtemp(prefix="pl-bench-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return create_engine(f"sqlite:///{Path(folder) / f'{name}.sqlite3'}")


def fresh_books(engine):
    """Empty schema, the default chart and one admin; returns (session, admin)."""
    _fresh_schema(engine)
    session = Session(engine)
    get_practice(session)
    install_default_chart(session)
    admin = create_user(session, email=ADMIN_EMAIL, name="Bench", password=ADMIN_PASSWORD,
                        role=Role.ADMIN)
    session.commit()
    return session, admin


def _fresh_schema(engine) -> None:
    """Drop and create every table. On SQLite each DDL statement commits and syncs the file on its
    own, over a second for the schema on a busy disk: setup, so it skips the syncs, then puts the
    connection's setting back before anything is measured."""
    with engine.connect() as conn:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            [(synchronous,)] = sqlite_pragma(conn, "PRAGMA synchronous")
            sqlite_pragma(conn, "PRAGMA synchronous=OFF")
        Base.metadata.drop_all(conn)
        Base.metadata.create_all(conn)
        conn.commit()
        if sqlite:
            sqlite_pragma(conn, f"PRAGMA synchronous={int(synchronous)}")


def office_account_ids(session: Session) -> list[int]:
    """The chart's accounts a general journal may post to, in id order: not archived, not
    holding clients' trust money (only trust journal kinds may touch those) and not a control
    account (receivables, payables, GST: only their documents post there)."""
    return list(session.scalars(select(Account.id).where(
        Account.holds_trust.is_(False), Account.archived.is_(False),
        or_(Account.role.is_(None), Account.role.not_in(list(CONTROL_ROLES)))).order_by(Account.id)))


def print_table(title: str, rows: list[tuple[str, str]]) -> None:
    print(f"\n## {title}")
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


def signed_in_client(app):
    """A test client of `app` signed in as fresh_books's admin, through the login form."""
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login)
    response = client.post("/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD,
                                           "csrf_token": token.group(1)})
    assert response.status_code == 303, "the bench admin could not sign in"
    return client


def best_of_each(client, urls: dict[str, str], rounds: int) -> dict[str, float]:
    """The quickest of `rounds` requests of each URL, taken in turn (round after round), so that a
    busy moment on the machine slows every page alike, not one; after a warm-up of each."""
    for url in urls.values():
        client.get(url)  # templates compiled, caches filled
    best = dict.fromkeys(urls, float("inf"))
    for _ in range(rounds):
        for name, url in urls.items():
            started = time.perf_counter()
            response = client.get(url)
            best[name] = min(best[name], time.perf_counter() - started)
            assert response.status_code == 200, f"{url}: {response.status_code}"
    return best
