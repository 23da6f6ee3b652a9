"""Helpers shared by the tests: real servers (PostgreSQL, Redis) and HTML parsing.

Servers that the machine lacks make their tests skip with a reason, except under CI=true, where a
missing part is a failure: CI must prove everything.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

IN_CI = os.environ.get("CI") == "true"


def skip_or_fail(reason: str):
    """Skip on a laptop that lacks a part; fail under CI, where everything must run."""
    if IN_CI:
        pytest.fail(f"CI must run this, but: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def html(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text_of(node) -> str:
    return " ".join(node.get_text(" ").split()) if node is not None else ""


def run_at_once(app, *actions, timeout=30):
    """Two (or more) people at once: run each `action(session)` in its own thread, with its own app
    context and database session, all released together; commit what an action did, or roll it back
    when the books refuse it (a LedgerError).

    Returns, in the order of `actions`, what each action returned or the LedgerError it raised. Any other
    exception (a deadlock, a broken barrier), or an action still running after `timeout` seconds, fails
    the test.
    """
    from accounting.errors import LedgerError
    from extensions import db

    db.session.commit()  # the test's own transaction would hold SQLite's write lock
    results, failures = [None] * len(actions), []
    barrier = threading.Barrier(len(actions), timeout=timeout)

    def attempt(i, action):
        with app.app_context():
            try:
                barrier.wait()
                results[i] = action(db.session)
                db.session.commit()
            except LedgerError as refusal:
                db.session.rollback()
                results[i] = refusal
            except BaseException as error:  # reported to the test below
                db.session.rollback()
                failures.append((i, error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(i, action)) for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if any(thread.is_alive() for thread in threads):
        pytest.fail(f"an action was still running after {timeout} seconds")
    if failures:
        i, error = failures[0]
        raise AssertionError(f"action {i} raised {error!r}") from error
    return results


def outcomes(results) -> list[str]:
    """`run_at_once`'s results as people saw them: "ok", or the message of the refusal."""
    return [getattr(result, "message", str(result)) if isinstance(result, Exception) else "ok"
            for result in results]


def new_session():
    """A database session of its own (outside the app's scoped one), for a second person's work."""
    from sqlalchemy.orm import Session

    from extensions import db

    db.session.commit()  # the test's own transaction would hold SQLite's write lock
    return Session(db.engine)


def second_person_waits(first, act):
    """Run `act(second_session)` in a thread while the session `first` holds its row locks; check that
    it waits, then commit `first` and return what the second person saw: what `act` returned, or the
    message of the LedgerError it raised. Closes both sessions."""
    from accounting.errors import LedgerError

    second, outcome = new_session(), {}

    def second_person():
        try:
            outcome["result"] = act(second)
            second.commit()
        except LedgerError as refusal:
            outcome["result"] = refusal.message
        finally:
            second.rollback()

    thread = threading.Thread(target=second_person)
    thread.start()
    thread.join(timeout=1)
    waited = thread.is_alive()
    first.commit()
    thread.join(timeout=10)
    first.close()
    second.close()
    assert waited, "the second person should wait for the first's row lock"
    return outcome["result"]


def _pg_bin() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _as_postgres(args, **kwargs):
    # initdb and pg_ctl refuse to run as root: run them as the postgres user there.
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


class PostgresServer:
    """A throwaway PostgreSQL cluster on a free local port, removed when stopped."""

    def __init__(self):
        bin_dir = _pg_bin()
        if bin_dir is None:
            skip_or_fail("PostgreSQL server binaries (initdb) are not installed")
        self.bin = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="pl-pg-"))
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self.data = self.dir / "data"
        _as_postgres([str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U",
                      "postgres", "--no-sync"])
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                      str(self.dir / "log"), "-w", "start"])

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self):
        try:
            _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class RedisServer:
    """A throwaway Redis on a free local port."""

    def __init__(self):
        binary = shutil.which("redis-server")
        if binary is None:
            skip_or_fail("redis-server is not installed")
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="pl-redis-"))
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        pytest.fail("redis-server did not start")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)
