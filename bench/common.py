"""Shared pieces of the benchmarks: timing, fresh databases, a practice with its chart."""

import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

import accounting.models  # noqa: F401  (every table in the metadata)
from accounting.base import Base
from accounting.ledger.accounts import install_default_chart
from accounting.ledger.practice import get_practice
from accounting.parties.users import Role, create_user


@contextmanager
def stopwatch(results: dict, key: str):
    """Time the block (wall clock, perf_counter) into results[key] in seconds."""
    start = time.perf_counter()
    yield
    results[key] = time.perf_counter() - start


def sqlite_engine(name: str):
    path = Path(tempfile.mkdtemp(prefix="pl-bench-")) / f"{name}.sqlite3"
    return create_engine(f"sqlite:///{path}")


def fresh_books(engine):
    """Empty schema, the default chart and one admin; returns (session, admin)."""
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    session = Session(engine)
    get_practice(session)
    install_default_chart(session)
    admin = create_user(session, email="bench@example.com", name="Bench", password="x" * 12,
                        role=Role.ADMIN)
    session.commit()
    return session, admin


def print_table(title: str, rows: list[tuple[str, str]]) -> None:
    print(f"\n## {title}")
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
