"""The huey instance and its tasks. Each task is a thin call into accounting/ or integrations/.

SqliteHuey (a file in instance/) by default, so the demo needs no server; Redis when
HUEY_REDIS_URL is set, for several consumers at scale. Tasks take ids, not objects, run inside an
app context, and let exceptions reach huey so its retries work.
"""

import os
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


def flask_app():
    """The Flask app tasks run in, created once per consumer process."""
    global _flask_app
    if _flask_app is None:
        from app import create_app

        _flask_app = create_app()
    return _flask_app


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
