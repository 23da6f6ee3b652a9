"""Flask extensions, created unbound here and bound to the app in create_app(); and how every
database connection is set up (SQLite's pragmas and its write transactions)."""

from flask import has_request_context, request
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import event
from sqlalchemy.engine import Engine

from accounting.base import Base

db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate(render_as_batch=True, compare_type=True)
htmx = Htmx()

# How long (ms) a writer waits for another's transaction to end before SQLite says "locked".
SQLITE_BUSY_TIMEOUT_MS = 15000


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(Engine, "connect")
def _sqlite_connection_setup(dbapi_connection, _record):
    """Foreign keys on, WAL, a busy timeout, and transactions begun by SQLAlchemy, not the driver.

    SQLite ignores foreign keys unless asked; WAL lets the web and the huey consumer share a file.
    pysqlite starts its own transaction late (at the first write, after the reads that checked a
    balance), so two payments could both read $100 and both spend it: with isolation_level None the
    driver leaves BEGIN to us (see _sqlite_begin_immediate).
    """
    if not _is_sqlite(dbapi_connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(connection):
    """Every SQLite transaction takes the write lock at BEGIN (SQLAlchemy's pysqlite recipe).

    SQLite has no row locks: SELECT ... FOR UPDATE, which the trust rules rely on, means nothing
    there. BEGIN IMMEDIATE makes transactions serialise instead, so what a transaction read stays
    true until it commits; others wait (busy_timeout) rather than fail. Requests are short, so the
    lock is held for one request at most; a page that only reads (GET) begins deferred, so reading
    never makes a writer wait.
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN" if _only_reads() else "BEGIN IMMEDIATE")


def _only_reads() -> bool:
    """Within a GET (or HEAD) request, which by the app's rules does not write."""
    return has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")


def sqlite_pragma(connection, pragma: str) -> list[tuple]:
    """Run a SQLite PRAGMA outside any transaction, straight on the driver's connection, and return
    its rows. Inside a transaction `foreign_keys` is silently ignored and `synchronous` refused, and
    every transaction SQLAlchemy begins here starts with BEGIN (see _sqlite_begin_immediate), so
    whatever the SQLAlchemy connection holds is committed first."""
    if connection.in_transaction():
        connection.commit()
    return connection.connection.driver_connection.execute(pragma).fetchall()
