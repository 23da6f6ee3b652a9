"""The huey instance and its tasks. Each task is a thin call into accounting/ or integrations/.

SqliteHuey (a file in instance/) by default, so the demo needs no server; Redis when
HUEY_REDIS_URL is set, for several consumers at scale. Tasks take ids, not objects, run inside an
app context, and let exceptions reach huey so its retries work.
"""

import os
import threading
from pathlib import Path

from huey import RedisHuey, SqliteHuey, crontab

INSTANCE = Path(__file__).resolve().parent / "instance"


def make_huey():
    """The queue this process uses, chosen by the environment."""
    redis_url = os.environ.get("HUEY_REDIS_URL")
    if redis_url:
        return RedisHuey("practice-ledger", url=redis_url)
    INSTANCE.mkdir(exist_ok=True)
    return SqliteHuey("practice-ledger", filename=os.environ.get(
        "HUEY_SQLITE_PATH", str(INSTANCE / "huey.sqlite3")))


huey = make_huey()
_flask_app = None
_flask_app_lock = threading.Lock()


def flask_app():
    """The Flask app tasks run in, created once per consumer process, by one thread: two worker
    threads importing the app's modules at once can meet a partly imported module."""
    global _flask_app
    with _flask_app_lock:
        if _flask_app is None:
            from app import create_app

            _flask_app = create_app()
    return _flask_app


@huey.on_startup()
def _app_before_any_task():
    """Each worker makes sure the app (and so every module a task imports) is loaded before it
    takes a task; the first does the work, the others wait for it."""
    flask_app()


def run_ledger_check() -> list[str]:
    """Check the ledger's invariants and record the outcome; returns the problems found."""
    from accounting.integrity import check_ledger
    from extensions import db

    with flask_app().app_context():
        problems = check_ledger(db.session)
        db.session.commit()
        return problems


@huey.task()
@huey.lock_task("check-ledger")
def check_ledger():
    """Prove the ledger still balances, on demand; the result is kept for whoever asked."""
    return run_ledger_check()


@huey.periodic_task(crontab(hour="2", minute="15"))
def check_ledger_nightly():
    """Every night, queue the ledger check (periodic tasks keep no result, so it delegates)."""
    check_ledger()


# Xero's refresh tokens die 60 days after issue; renewing any older than this keeps the connection
# alive while the app runs, with a month to spare for a consumer that was down.
KEEP_XERO_ALIVE_AFTER_DAYS = 30


def run_keep_xero_alive(now=None) -> bool:
    """Refresh the Xero connection's tokens when its refresh token is older than
    KEEP_XERO_ALIVE_AFTER_DAYS; True when it refreshed. A lost or missing connection is left for
    an admin (the bar says so)."""
    from datetime import timedelta

    from extensions import db
    from integrations import oauth
    from integrations.connection import current_connection

    with flask_app().app_context():
        connection = current_connection(db.session)
        if connection is None or connection.is_lost:
            return False
        before = connection.refresh_token
        settings = oauth.XeroSettings.from_config(flask_app().config)
        try:
            oauth.refresh_now(db.session, settings, now=now,
                              older_than=timedelta(days=KEEP_XERO_ALIVE_AFTER_DAYS))
        except oauth.NotConnected:
            return False  # marked lost with the reason; nothing to retry
        return current_connection(db.session).refresh_token != before


@huey.periodic_task(crontab(hour="3", minute="40"))
def keep_xero_alive_daily():
    """Every night, renew the Xero refresh token once it is a month old."""
    run_keep_xero_alive()


def run_xero_drain() -> dict:
    """Push what waits in the Xero outbox; returns what the drain did (calls, sent, failed)."""
    from dataclasses import asdict

    from extensions import db
    from integrations.xero.drain import drain_connected

    with flask_app().app_context():
        return asdict(drain_connected(db.session, flask_app().config))


@huey.task()
@huey.lock_task("xero-drain")
def drain_xero():
    """Drain the Xero outbox now (enqueued after a commit that wrote a row waiting for Xero); one
    drain at a time, so no element is sent twice by two consumers."""
    return run_xero_drain()


@huey.periodic_task(crontab(minute="*"))
def drain_xero_backstop():
    """Every minute, drain what a lost kick or a stopped drain left waiting."""
    drain_xero()


def run_read_xero_chart() -> None:
    """Read the connected organisation's chart into its stored copy (three Xero calls)."""
    from extensions import db
    from integrations.chart_store import read_and_store_chart

    with flask_app().app_context():
        read_and_store_chart(db.session, flask_app().config)


@huey.task()
def read_xero_chart():
    """After Connect, and on "Refresh Xero chart": the pages show the copy when it is there."""
    run_read_xero_chart()


def run_create_xero_trust_accounts(user_id: int | None) -> list[str]:
    """Create the missing trust accounts in Xero and map ours to them; the messages shown."""
    from accounting.parties.users import User
    from extensions import db
    from integrations.chart_store import create_trust_accounts_and_store

    with flask_app().app_context():
        user = db.session.get(User, user_id) if user_id else None
        return create_trust_accounts_and_store(db.session, user, flask_app().config)


@huey.task()
def create_xero_trust_accounts(user_id: int | None):
    """"Create in Xero" on the Integrations page."""
    return run_create_xero_trust_accounts(user_id)


def _register_page_tasks() -> None:
    from integrations import background

    background.register("read_xero_chart", read_xero_chart)
    background.register("create_xero_trust_accounts", create_xero_trust_accounts)
    background.register("drain_xero", drain_xero)


_register_page_tasks()
