"""The audit log: who posted, reversed or changed what, and when.

Rows are only ever added. Services call `record` in the same transaction as the change, so the log
and the books cannot disagree.

The ground floor uses no wing: the user is named by string for the relationship and imported only
for type checking, so parties/users.py can import this module at load time.
"""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from accounting.base import Base, utcnow
from accounting.lookup import page_of

if TYPE_CHECKING:
    from accounting.parties.users import User


class AuditEvent(Base):
    """One line of the audit log: who did what to which record, and when. Never changed or deleted
    once written."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(40))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)

    user: Mapped["User | None"] = relationship("User")


def record(
    session: Session,
    user: "User | None",
    action: str,
    entity_type: str,
    entity_id: int | None,
    summary: str,
) -> AuditEvent:
    """Add one line to the audit log, e.g. record(s, user, "posted", "journal", 7, "GJ-000007 ...")."""
    event = AuditEvent(
        user_id=user.id if user else None,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        summary=summary,
    )
    session.add(event)
    return event


def list_events(
    session: Session, *, action: str | None = None, entity_type: str | None = None,
    page: int = 1, per_page: int = 25,
) -> tuple[list[AuditEvent], int]:
    """One page of the log, newest first, optionally only one action or entity type; and the count."""
    statement = select(AuditEvent)
    if action:
        statement = statement.where(AuditEvent.action == action)
    if entity_type:
        statement = statement.where(AuditEvent.entity_type == entity_type)
    return page_of(session, statement.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()),
                   page, per_page)


def event_kinds(session: Session) -> tuple[list[str], list[str]]:
    """The actions and the entity types the log holds, for the filter lists."""
    actions = session.execute(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    types = session.execute(
        select(AuditEvent.entity_type).distinct().order_by(AuditEvent.entity_type)
    )
    return list(actions.scalars()), list(types.scalars())


def record_many(
    session: Session,
    user: "User | None",
    action: str,
    entity_type: str,
    events: list[tuple[int | None, str]],
) -> None:
    """Add one audit line per (entity id, summary) in a single INSERT (bulk posting)."""
    if events:
        at = utcnow()
        session.execute(insert(AuditEvent), [
            {"at": at, "user_id": user.id if user else None, "action": action,
             "entity_type": entity_type, "entity_id": entity_id, "summary": summary}
            for entity_id, summary in events
        ])
