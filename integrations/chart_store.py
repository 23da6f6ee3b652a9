"""The stored copy of one Xero organisation's chart (organisation facts, accounts, tax rates),
so that pages never call Xero inline: a huey task reads Xero and writes the copy; the pages read
only the copy.

One `ChartCopy` row per tenant id. Its `status` says where the background work is:
- READING: a read was asked for (after Connect, or by "Refresh Xero chart") and not done yet;
  the page shows "Reading Xero's chart..." and polls;
- READY: `chart_json` holds the chart as read at `read_at`;
- FAILED: the last read failed; `problem` says why (the previous copy, if any, is kept).
"Create in Xero" (the missing trust accounts) has its own pair, `trust_status` and
`trust_result`, so its outcome can be shown when the task is done.

The JSON keeps rates as decimal strings and dates as ISO dates: nothing is ever a float.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import DateTime, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from accounting.base import Base, utcnow
from accounting.parties.users import User
from integrations.checks import create_missing_trust_accounts
from integrations.xero.chart import XeroAccount, XeroChart, XeroOrganisation, XeroTaxRate, read_chart


class CopyStatus(enum.StrEnum):
    """Where the stored copy of a chart stands (see the module docstring)."""

    READING = "reading"
    READY = "ready"
    FAILED = "failed"


class TrustCreation(enum.StrEnum):
    """Where "Create in Xero" stands: nothing asked, creating, or done (the result says what)."""

    NONE = ""
    CREATING = "creating"
    DONE = "done"


class ChartCopy(Base):
    """Xero's chart for one tenant as last read, and the state of the background work on it."""

    __tablename__ = "xero_chart_copy"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=CopyStatus.READING.value)
    chart_json: Mapped[str] = mapped_column(Text, default="")
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    problem: Mapped[str] = mapped_column(String(500), default="")
    trust_status: Mapped[str] = mapped_column(String(10), default=TrustCreation.NONE.value)
    trust_result: Mapped[str] = mapped_column(Text, default="")

    @property
    def is_reading(self) -> bool:
        return self.status == CopyStatus.READING

    @property
    def is_creating_trust_accounts(self) -> bool:
        return self.trust_status == TrustCreation.CREATING

    @property
    def trust_messages(self) -> list[str]:
        return json.loads(self.trust_result) if self.trust_result else []

    @property
    def organisation_name(self) -> str:
        chart = chart_of(self)
        return chart.organisation.name if chart else ""


def chart_to_json(chart: XeroChart) -> str:
    return json.dumps(asdict(chart), default=str)


def chart_from_json(text: str) -> XeroChart:
    data = json.loads(text)
    org = data["organisation"]
    for key in ("period_lock_date", "end_of_year_lock_date"):
        org[key] = date.fromisoformat(org[key]) if org[key] else None
    return XeroChart(
        organisation=XeroOrganisation(**org),
        accounts=tuple(XeroAccount(**a) for a in data["accounts"]),
        tax_rates=tuple(XeroTaxRate(**{**t, "effective_rate": Decimal(t["effective_rate"])})
                        for t in data["tax_rates"]))


def chart_copy(session: Session, tenant_id: str) -> ChartCopy | None:
    return session.scalar(select(ChartCopy).where(ChartCopy.tenant_id == tenant_id))


def chart_of(copy: ChartCopy | None) -> XeroChart | None:
    """The chart held in a copy, or None when it was never read."""
    return chart_from_json(copy.chart_json) if copy is not None and copy.chart_json else None


def stored_chart(session: Session, tenant_id: str) -> XeroChart | None:
    return chart_of(chart_copy(session, tenant_id))


def ask_for_read(session: Session, tenant_id: str) -> ChartCopy:
    """Mark the copy as being read (the caller commits, then kicks the task)."""
    copy = chart_copy(session, tenant_id)
    if copy is None:
        copy = ChartCopy(tenant_id=tenant_id)
        session.add(copy)
    copy.status, copy.problem, copy.requested_at = CopyStatus.READING.value, "", utcnow()
    session.flush()
    return copy


def store_chart(session: Session, tenant_id: str, chart: XeroChart) -> ChartCopy:
    copy = chart_copy(session, tenant_id) or ChartCopy(tenant_id=tenant_id)
    session.add(copy)
    copy.chart_json, copy.read_at = chart_to_json(chart), utcnow()
    copy.status, copy.problem = CopyStatus.READY.value, ""
    session.flush()
    return copy


def read_and_store_chart(session: Session, config: Mapping | None = None) -> XeroChart:
    """The huey task's work: read the connected organisation's chart (three Accounting API calls)
    and store it. A failure marks the copy FAILED with the reason, then propagates for huey."""
    from integrations.xero.client import accounting_api  # noqa: PLC0415 - only where Xero is called

    api, tenant_id = accounting_api(session, config)
    try:
        chart = read_chart(api, tenant_id)
    except Exception as error:
        session.rollback()
        mark_failed(session, tenant_id, f"Reading Xero's chart failed: {error}")
        session.commit()
        raise
    store_chart(session, tenant_id, chart)
    session.commit()
    return chart


def mark_failed(session: Session, tenant_id: str, problem: str) -> None:
    copy = chart_copy(session, tenant_id) or ChartCopy(tenant_id=tenant_id)
    session.add(copy)
    copy.status, copy.problem = CopyStatus.FAILED.value, problem[:500]


def ask_for_trust_accounts(session: Session, tenant_id: str) -> ChartCopy:
    """Mark "Create in Xero" as under way (the caller commits, then kicks the task)."""
    copy = chart_copy(session, tenant_id)
    copy.trust_status, copy.trust_result = TrustCreation.CREATING.value, ""
    session.flush()
    return copy


def create_trust_accounts_and_store(session: Session, user: User | None,
                                    config: Mapping | None = None) -> list[str]:
    """The huey task's work for "Create in Xero": create the missing trust accounts (one call
    each), map ours to them, then re-read the chart so the copy shows them. Returns the messages
    the page shows (what was created, what could not be and why)."""
    from integrations.xero.client import accounting_api  # noqa: PLC0415 - only where Xero is called

    api, tenant_id = accounting_api(session, config)
    chart = stored_chart(session, tenant_id)
    if chart is None:
        chart = read_chart(api, tenant_id)
    created, skipped = create_missing_trust_accounts(session, user, api, tenant_id, chart)
    if created:
        store_chart(session, tenant_id, read_chart(api, tenant_id))
    messages = [f"Created in Xero and mapped: {label}." for label in created] + skipped
    if not messages:
        messages = ["Nothing to create: every trust account is in Xero."]
    copy = chart_copy(session, tenant_id)
    copy.trust_status, copy.trust_result = TrustCreation.DONE.value, json.dumps(messages)
    session.commit()
    return messages
