"""What the mapping and checks pages show, read from the stored chart copy and the mappings.

Reads only (no writes, no Xero calls), so a page renders from one call here. `Overview` is the
Integrations page's checks section and completeness at a glance; `account_rows` and `tax_rows`
are the two mapping forms, each row with its choices, the suggestion and any stale flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounting.ledger.accounts import Account
from accounting.ledger.practice import get_practice
from integrations.chart_store import ChartCopy, chart_copy, chart_of
from integrations.checks import Check, missing_trust_accounts, run_checks
from integrations.connection import Connection
from integrations.mapping import (
    AccountMapping,
    Completeness,
    StaleMapping,
    TaxMapping,
    account_mappings,
    accounts_needing_mapping,
    completeness,
    stale_mappings,
    tax_mappings,
    transactions_held_back,
)
from integrations.suggest import TaxUse, choices_for, compare_rate, suggestion_for, tax_choices
from integrations.xero.chart import NewAccount, XeroAccount, XeroChart, XeroTaxRate


@dataclass(frozen=True)
class Overview:
    """The Integrations page's Xero section for a live connection."""

    copy: ChartCopy | None
    chart: XeroChart | None
    checks: list[Check]
    missing_trust: list[NewAccount]
    completeness: Completeness
    stale: list[StaleMapping]

    @property
    def reading(self) -> bool:
        return self.copy is None or self.copy.is_reading


def overview(session: Session, connection: Connection | None) -> Overview | None:
    if connection is None or connection.is_lost:
        return None
    copy = chart_copy(session, connection.tenant_id)
    chart = chart_of(copy)
    tenant = connection.tenant_id
    if chart is None:
        return Overview(copy, None, [], [], completeness(session, tenant), [])
    return Overview(copy, chart, run_checks(session, tenant, chart),
                    missing_trust_accounts(session, tenant, chart), completeness(session, tenant),
                    stale_mappings(session, tenant, chart))


@dataclass(frozen=True)
class AccountRow:
    """One of our accounts on the "Map accounts" form."""

    account: Account
    mapping: AccountMapping | None
    choices: list[XeroAccount]
    suggestion: XeroAccount | None
    stale: str
    holds_back: str

    @property
    def selected(self) -> str:
        """The mapped Xero account if it is still offered, else the suggestion, else none."""
        offered = {c.account_id for c in self.choices}
        if self.mapping is not None and self.mapping.xero_account_id in offered:
            return self.mapping.xero_account_id
        return self.suggestion.account_id if self.suggestion else ""


def account_rows(session: Session, tenant_id: str, chart: XeroChart) -> list[AccountRow]:
    mapped = account_mappings(session, tenant_id)
    stale = {s.account.id: s.problem for s in stale_mappings(session, tenant_id, chart)}
    return [AccountRow(ours, mapped.get(ours.id), choices_for(ours, chart),
                       suggestion_for(ours, chart), stale.get(ours.id, ""),
                       transactions_held_back(ours))
            for ours in accounts_needing_mapping(session)]


@dataclass(frozen=True)
class TaxRow:
    """One of our tax uses on the "Map tax codes" form, with Xero's rate beside ours."""

    use: TaxUse
    mapping: TaxMapping | None
    selected: str
    our_rate: Decimal
    xero_rate: XeroTaxRate | None
    warning: str


def tax_rows(session: Session, tenant_id: str, chart: XeroChart) -> list[TaxRow]:
    gst_rate = get_practice(session).gst_rate
    mapped = tax_mappings(session, tenant_id)
    offered = tax_choices(chart)
    rows = []
    for use in TaxUse:
        row = mapped.get(use)
        selected = row.xero_tax_type if row else use.suggested_tax_type
        selected = selected if selected in offered else ""
        comparison = compare_rate(use, selected, chart, gst_rate)
        rows.append(TaxRow(use, row, selected, comparison.ours, chart.tax_rate(selected),
                           comparison.warning if selected else "Choose Xero's tax rate."))
    return rows


def account_ids(session: Session) -> set[int]:
    return set(session.scalars(select(Account.id).where(Account.archived.is_(False))))
