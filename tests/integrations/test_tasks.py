"""Huey tasks run for real: locally on the embedded queue, and through Redis-backed consumers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import tasks
from tests.support import RedisServer

ROOT = Path(__file__).resolve().parents[2]


def test_ledger_check_runs_on_the_embedded_queue(books, app, monkeypatch):
    monkeypatch.setattr(tasks, "_flask_app", app)
    books.journal({"1-1000": "250.00", "3-1000": "-250.00"})
    assert tasks.check_ledger.call_local() == []


@pytest.fixture(scope="module")
def redis_server():
    server = RedisServer()
    yield server
    server.stop()


def test_two_redis_backed_consumers_run_the_ledger_check(books, database_url, redis_server,
                                                         tmp_path):
    """Separate processes, as in production: a consumer with two workers and an enqueuer."""
    books.journal({"1-1000": "80.00", "3-1000": "-80.00"})
    env = {**os.environ, "HUEY_REDIS_URL": redis_server.url, "DATABASE_URL": database_url,
           "SECRET_KEY": "test-secret-" + "x" * 32, "PYTHONPATH": str(ROOT)}
    consumer = subprocess.Popen(
        [sys.executable, "-m", "huey.bin.huey_consumer", "tasks.huey", "-w", "2", "-k", "thread",
         "--logfile", str(tmp_path / "huey.log")],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        enqueue = subprocess.run(
            [sys.executable, "-c",
             "import tasks; print(tasks.check_ledger()(blocking=True, timeout=150))"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=200,
        )
    finally:
        consumer.terminate()
        consumer.wait(timeout=30)
    assert enqueue.returncode == 0, enqueue.stderr
    assert enqueue.stdout.strip() == "[]"


def test_the_daily_task_keeps_the_xero_connection_alive_past_60_days(connected, app, db_session,
                                                                     live_sandbox, monkeypatch):
    """With the sandbox's clock moved on (refresh tokens die 60 days after issue there), the task
    renews a month-old refresh token, so 90 days in the connection still works."""
    from datetime import timedelta

    from integrations import oauth
    from integrations.connection import current_connection
    from tests.integrations.conftest import sandbox_control

    monkeypatch.setattr(tasks, "_flask_app", app)
    issued = connected.refresh_token_issued_at
    in_45_days = connected.expires_at_utc() + timedelta(days=45)
    # The task runs in its own session, as in the consumer: this one must not hold SQLite's write lock.
    db_session.commit()
    assert tasks.run_keep_xero_alive() is False  # young: left alone
    sandbox_control(live_sandbox, "clock", advance_seconds=45 * 24 * 3600)
    assert tasks.run_keep_xero_alive(now=in_45_days) is True
    sandbox_control(live_sandbox, "clock", advance_seconds=45 * 24 * 3600)
    db_session.expire_all()
    connection = current_connection(db_session)
    assert connection.refresh_token_issued_at != issued and not connection.is_lost
    settings = oauth.XeroSettings.from_config(app.config)
    assert oauth.refresh_now(db_session, settings, stale_access_token=connection.access_token)
