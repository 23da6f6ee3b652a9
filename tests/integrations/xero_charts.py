"""Xero charts built from the sandbox's seed (no HTTP), for the pure mapping and checks tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from integrations.suggest import XERO_CLASS_OF_TYPE
from integrations.xero.chart import XeroAccount, XeroChart, XeroOrganisation, XeroTaxRate
from sandbox.seed import AU_CHART, AU_TAX_RATES


def demo_chart(*, org_class: str = "DEMO", currency: str = "AUD", extra=(),
               period_lock: date | None = None) -> XeroChart:
    accounts = tuple(
        XeroAccount(account_id=f"id-{code}", code=code, name=name, type=type_,
                    account_class=XERO_CLASS_OF_TYPE.get(type_, ""), status="ACTIVE",
                    tax_type=tax, system_account=system or "")
        for code, name, type_, tax, system in AU_CHART) + tuple(extra)
    rates = tuple(XeroTaxRate(t, name, Decimal(rate), "ACTIVE") for t, name, rate, _ in AU_TAX_RATES)
    org = XeroOrganisation("Demo Company (AU)", currency, org_class, org_class == "DEMO",
                           period_lock_date=period_lock)
    return XeroChart(org, accounts, rates)


def without(chart: XeroChart, code: str) -> XeroChart:
    return replace(chart, accounts=tuple(a for a in chart.accounts if a.code != code))


def archived(chart: XeroChart, code: str) -> XeroChart:
    return replace(chart, accounts=tuple(replace(a, status="ARCHIVED") if a.code == code else a
                                         for a in chart.accounts))
