"""Declarative base and shared column helpers for every table of the books."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, String
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The declarative base of every table of the books: one metadata, with constraint names that
    are the same on every database (NAMING_CONVENTION)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Now, timezone-aware in UTC (stored as such on PostgreSQL)."""
    return datetime.now(UTC)


def new_public_id() -> str:
    """A stable identity for a record that outlives database ids (used as Xero's reference)."""
    return str(uuid.uuid4())


class PostedTransactionMixin:
    """What every posted transaction carries, ready for the Xero push.

    - public_id: stable identity, never reused, safe to send outside as a reference.
    - status: posted, reversed (or the type's own statuses).
    - locked_reason: why it may not change (for example "Pushed to Xero as INV-0042"); None when
      it may. Pages show the reason; the services refuse with it.
    """

    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    locked_reason: Mapped[str | None] = mapped_column(String(300), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def is_locked(self) -> bool:
        return self.locked_reason is not None

    def lock(self, reason: str) -> None:
        """Lock against change, keeping the reason a person will be shown."""
        self.locked_reason = reason

    def unlock(self) -> None:
        self.locked_reason = None


def insert_if_missing(session: Session, model, key: dict, **defaults) -> None:
    """Make `model`'s row with primary key `key` (and `defaults`) unless it is there. Two
    transactions doing this at once both go on (the second waits for the first, then does nothing),
    where a plain INSERT would fail the second with a duplicate key. Lock the row after this."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)
    session.execute(insert.values(**key, **defaults).on_conflict_do_nothing(index_elements=list(key)))
