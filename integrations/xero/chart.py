"""Xero's side of the mapping: the organisation, its chart of accounts and its tax rates.

`read_chart` reads all three through xero-python's AccountingApi in exactly three Accounting API
calls (GET /Organisation, GET /Accounts, GET /TaxRates); with the one GET /connections the
connection makes to learn the tenant, Connect -> a complete suggested mapping takes four Xero API
calls (the token exchange is an Identity call, not counted). Everything comes back as plain frozen
dataclasses, so mapping and checks are pure functions testable without Xero: rates are Decimal,
lock dates are dates.

`create_account` is the one write: PUT /Accounts, for "Create the missing trust accounts".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xero_python.accounting import AccountingApi

ACTIVE = "ACTIVE"
ARCHIVED = "ARCHIVED"


class OrgClass(enum.StrEnum):
    """Xero's Organisation Class values that matter here (others pass through as strings)."""

    DEMO = "DEMO"
    TRIAL = "TRIAL"


@dataclass(frozen=True)
class XeroOrganisation:
    """The parts of /Organisation the checks read."""

    name: str
    base_currency: str
    org_class: str
    is_demo_company: bool
    period_lock_date: date | None = None
    end_of_year_lock_date: date | None = None

    @property
    def is_demo_or_trial(self) -> bool:
        return self.is_demo_company or self.org_class in (OrgClass.DEMO, OrgClass.TRIAL)


@dataclass(frozen=True)
class XeroAccount:
    """One account of Xero's chart. `code` is "" when the account has none (we cannot map it)."""

    account_id: str
    code: str
    name: str
    type: str
    account_class: str
    status: str
    tax_type: str = ""
    system_account: str = ""
    bank_account_number: str = ""

    @property
    def archived(self) -> bool:
        return self.status != ACTIVE

    @property
    def label(self) -> str:
        """'090 Business Bank Account', or the name alone when there is no code."""
        return f"{self.code} {self.name}" if self.code else self.name


@dataclass(frozen=True)
class XeroTaxRate:
    """One of Xero's tax rates: TaxType, name, effective rate in percent."""

    tax_type: str
    name: str
    effective_rate: Decimal
    status: str

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


@dataclass(frozen=True)
class XeroChart:
    """One organisation's chart as read at one moment."""

    organisation: XeroOrganisation
    accounts: tuple[XeroAccount, ...]
    tax_rates: tuple[XeroTaxRate, ...]

    def account(self, account_id: str) -> XeroAccount | None:
        return next((a for a in self.accounts if a.account_id == account_id), None)

    def tax_rate(self, tax_type: str) -> XeroTaxRate | None:
        return next((t for t in self.tax_rates if t.tax_type == tax_type), None)

    @property
    def codeless_accounts(self) -> tuple[XeroAccount, ...]:
        return tuple(a for a in self.accounts if not a.code and not a.archived)


def _text(value: Any) -> str:
    """SDK enums (CurrencyCode, AccountType) and plain strings alike, as text; None as ""."""
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def _day(value: Any) -> date | None:
    """The SDK gives lock dates as date or datetime (ms-format); we keep the date."""
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def organisation_from_sdk(org: Any) -> XeroOrganisation:
    return XeroOrganisation(
        name=org.name or "", base_currency=_text(org.base_currency),
        org_class=_text(getattr(org, "_class", None)),
        is_demo_company=bool(org.is_demo_company),
        period_lock_date=_day(org.period_lock_date),
        end_of_year_lock_date=_day(org.end_of_year_lock_date))


def account_from_sdk(account: Any) -> XeroAccount:
    return XeroAccount(
        account_id=str(account.account_id), code=(account.code or "").strip(),
        name=account.name or "", type=_text(account.type),
        account_class=_text(getattr(account, "_class", None)), status=_text(account.status),
        tax_type=_text(account.tax_type), system_account=_text(account.system_account),
        bank_account_number=account.bank_account_number or "")


def tax_rate_from_sdk(rate: Any) -> XeroTaxRate:
    # The SDK parses EffectiveRate as a float; str() first keeps 10.0 as Decimal("10.0").
    effective = Decimal(str(rate.effective_rate)) if rate.effective_rate is not None else Decimal(0)
    return XeroTaxRate(tax_type=_text(rate.tax_type), name=rate.name or "",
                       effective_rate=effective, status=_text(rate.status))


def read_chart(api: AccountingApi, tenant_id: str) -> XeroChart:
    """The organisation, accounts and tax rates: three Accounting API calls, no more."""
    org = api.get_organisations(tenant_id).organisations[0]
    accounts = api.get_accounts(tenant_id).accounts or []
    rates = api.get_tax_rates(tenant_id).tax_rates or []
    return XeroChart(organisation=organisation_from_sdk(org),
                     accounts=tuple(account_from_sdk(a) for a in accounts),
                     tax_rates=tuple(tax_rate_from_sdk(r) for r in rates))


@dataclass(frozen=True)
class NewAccount:
    """An account to create in Xero: code, name, type and, for a bank account, its number."""

    code: str
    name: str
    type: str
    bank_account_number: str = ""


def create_account(api: AccountingApi, tenant_id: str, new: NewAccount) -> XeroAccount:
    """PUT /Accounts: one account (Xero creates one per call)."""
    from xero_python.accounting import Account, AccountType  # noqa: PLC0415 - only when writing

    fields: dict[str, Any] = {"code": new.code, "name": new.name, "type": AccountType(new.type)}
    if new.type == "BANK":
        fields["bank_account_number"] = new.bank_account_number  # Xero: BSB + number
    created = api.create_account(tenant_id, Account(**fields)).accounts[0]
    return account_from_sdk(created)
