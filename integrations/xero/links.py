"""Links: our transaction <-> the Xero object it became. Linked means locked.

Each element Xero accepts becomes one link row (tenant, our kind and id, Xero's id and number).
The unique constraint on (tenant, kind, local id) makes "linked to exactly one Xero object" a
property of the database, not of the code. Linking also locks our side with a reason a person
understands ("In Xero as INV-0042"), through the lock every posted transaction already carries
(accounting.base.PostedTransactionMixin.locked_reason), which every correction already asks
(accounting/office/corrections.py): accounting never learns about Xero, it only keeps the reason.

Local kinds: "client" (a contact), "bill" (an ACCREC invoice), "bill_payment" (a Payment; the
local id is the bill event's id, the lock is on its journal).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from accounting.base import Base, utcnow


class XeroLink(Base):
    """One of our transactions (or a client) and the one Xero object it became."""

    __tablename__ = "xero_link"
    __table_args__ = (UniqueConstraint("tenant_id", "local_kind", "local_id",
                                       name="uq_xero_link_local"),
                      UniqueConstraint("tenant_id", "xero_id", name="uq_xero_link_xero_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(36))
    local_kind: Mapped[str] = mapped_column(String(30))
    local_id: Mapped[int] = mapped_column()
    xero_id: Mapped[str] = mapped_column(String(36))
    # Xero's number where it has one (INV-0042); blank for payments and contacts.
    xero_number: Mapped[str] = mapped_column(String(255), default="")
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def link_of(session: Session, tenant_id: str, local_kind: str, local_id: int) -> XeroLink | None:
    """The link of one of ours, or None when it is not (yet) in Xero."""
    return session.execute(select(XeroLink).where(
        XeroLink.tenant_id == tenant_id, XeroLink.local_kind == local_kind,
        XeroLink.local_id == local_id)).scalar_one_or_none()


def links_of(session: Session, tenant_id: str, local_kind: str,
             local_ids: list[int] | set[int]) -> dict[int, XeroLink]:
    """Links of many of ours at once, by local id."""
    if not local_ids:
        return {}
    rows = session.execute(select(XeroLink).where(
        XeroLink.tenant_id == tenant_id, XeroLink.local_kind == local_kind,
        XeroLink.local_id.in_(sorted(set(local_ids))))).scalars()
    return {row.local_id: row for row in rows}


def add_link(session: Session, tenant_id: str, local_kind: str, local_id: int, xero_id: str,
             xero_number: str = "", lock=None, reason: str = "") -> XeroLink:
    """Record that Xero accepted one of ours as `xero_id`; `lock` (a posted transaction) is then
    locked with `reason`."""
    link = XeroLink(tenant_id=tenant_id, local_kind=local_kind, local_id=local_id,
                    xero_id=xero_id, xero_number=xero_number or "")
    session.add(link)
    if lock is not None:
        lock.lock(reason)
    return link


def lock_reason(xero_number: str, what: str = "") -> str:
    """The words a locked transaction shows: "In Xero as INV-0042"."""
    return f"In Xero as {what}{xero_number}".strip()
