"""The practice's connection to Xero: one row per kind (Xero accounting, Xero Practice Manager).

One connection serves every member of staff: the tokens belong to the practice, not to a person.
Tokens are `EncryptedText` (the same keys as TFNs, accounting/encryption.py). A connection is
never deleted when it stops working: it is marked LOST with the reason and when, so the pages can
say so and nothing waiting on it is dropped; only an admin's Disconnect removes the row.
"""

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from accounting.base import Base, utcnow
from accounting.encryption import EncryptedText
from accounting.parties.users import User


class ConnectionKind(enum.Enum):
    """What the connection reaches: Xero's Accounting API or Xero Practice Manager."""

    XERO = "xero"
    XPM = "xpm"


class ConnectionStatus(enum.Enum):
    """CONNECTED while the tokens work; LOST once Xero refused them (the reason says how)."""

    CONNECTED = "connected"
    LOST = "lost"


class Connection(Base):
    """One organisation (tenant) the practice is connected to, with the tokens that reach it."""

    __tablename__ = "integration_connection"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: one organisation per practice for each kind.
    kind: Mapped[ConnectionKind] = mapped_column(
        Enum(ConnectionKind, native_enum=False, length=10), unique=True)
    tenant_id: Mapped[str] = mapped_column(String(36))
    tenant_name: Mapped[str] = mapped_column(String(200))
    # The id of the connection itself in Xero's /connections (DELETE /connections/{id}).
    xero_connection_id: Mapped[str] = mapped_column(String(36), default="")
    status: Mapped[ConnectionStatus] = mapped_column(
        Enum(ConnectionStatus, native_enum=False, length=10), default=ConnectionStatus.CONNECTED)
    lost_reason: Mapped[str] = mapped_column(String(500), default="")
    lost_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    access_token: Mapped[str] = mapped_column(EncryptedText(), default="")
    refresh_token: Mapped[str] = mapped_column(EncryptedText(), default="")
    access_token_expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # When the refresh token now held was issued: Xero's refresh tokens die 60 days after issue.
    refresh_token_issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                              default=utcnow)
    scopes: Mapped[str] = mapped_column(Text, default="")
    connected_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    connected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    connected_by: Mapped[User | None] = relationship()

    @property
    def is_lost(self) -> bool:
        """Whether Xero refused this connection's tokens (it needs an admin to reconnect)."""
        return self.status is ConnectionStatus.LOST

    def expires_at_utc(self) -> datetime:
        """The access token's expiry, timezone-aware (SQLite hands back naive datetimes)."""
        return as_utc(self.access_token_expires_at)

    def mark_lost(self, reason: str) -> None:
        """Xero refused the connection: keep the row (and everything waiting on it), say why."""
        self.status = ConnectionStatus.LOST
        self.lost_reason = reason[:500]
        self.lost_at = utcnow()


def as_utc(moment: datetime) -> datetime:
    """A stored datetime as timezone-aware UTC (SQLite drops the zone; the value is UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def current_connection(session: Session, kind: ConnectionKind = ConnectionKind.XERO
                       ) -> Connection | None:
    """The practice's connection of this kind, connected or lost; None when there is none."""
    return session.execute(select(Connection).where(Connection.kind == kind)).scalar_one_or_none()


def lost_connection_notice(session: Session) -> tuple[str, str] | None:
    """(tenant name, reason) when the Xero connection is lost, else None: one cheap query, for the
    notification bar on every page."""
    row = session.execute(
        select(Connection.tenant_name, Connection.lost_reason)
        .where(Connection.kind == ConnectionKind.XERO, Connection.status == ConnectionStatus.LOST)
    ).first()
    return (row[0], row[1]) if row else None
