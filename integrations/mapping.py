"""The mapping of our accounts and tax codes to one Xero organisation's, kept per tenant id.

AccountMapping and TaxMapping rows are keyed by the Xero tenant id, with no foreign key to the
connection: disconnecting keeps them for a reconnect to the same organisation, and connecting a
different organisation calls `forget_mappings` (the admin confirmed it first).

Every active account of our chart needs a mapping: any journal, bill or bank line can post to any
of them, and the push sends every line with its account's Xero code. A missing mapping holds back
only the transactions that touch that account (`held_back_by_missing_mapping`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from accounting.audit import record
from accounting.base import Base, utcnow
from accounting.ledger.accounts import Account, AccountRole, AccountType
from accounting.parties.users import User
from integrations.suggest import TaxUse, choices_for, is_compatible, suggestion_for
from integrations.xero.chart import XeroChart


class MappingError(ValueError):
    """A mapping the rules refuse (incompatible, archived or unknown account; unknown tax type);
    `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class AccountMapping(Base):
    """One of our accounts mapped to one Xero account of one organisation (tenant id), with the
    Xero code and name at the time, so a refresh can tell a changed code."""

    __tablename__ = "xero_account_mapping"
    __table_args__ = (UniqueConstraint("tenant_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(36), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    xero_account_id: Mapped[str] = mapped_column(String(36))
    xero_code: Mapped[str] = mapped_column(String(10))
    xero_name: Mapped[str] = mapped_column(String(150))
    mapped_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    mapped_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TaxMapping(Base):
    """One of our tax uses (TaxUse: a tax code on the income or expense side) mapped to a Xero
    TaxType of one organisation."""

    __tablename__ = "xero_tax_mapping"
    __table_args__ = (UniqueConstraint("tenant_id", "tax_use"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(36), index=True)
    tax_use: Mapped[str] = mapped_column(String(30))
    xero_tax_type: Mapped[str] = mapped_column(String(50))
    mapped_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    mapped_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def accounts_needing_mapping(session: Session) -> list[Account]:
    """Every active account of our chart, by code: any of them can be on a pushed line."""
    return list(session.scalars(select(Account).where(Account.archived.is_(False))
                                .order_by(Account.code)))


def account_mappings(session: Session, tenant_id: str) -> dict[int, AccountMapping]:
    rows = session.scalars(select(AccountMapping).where(AccountMapping.tenant_id == tenant_id))
    return {row.account_id: row for row in rows}


def tax_mappings(session: Session, tenant_id: str) -> dict[TaxUse, TaxMapping]:
    rows = session.scalars(select(TaxMapping).where(TaxMapping.tenant_id == tenant_id))
    return {TaxUse(row.tax_use): row for row in rows if row.tax_use in TaxUse._value2member_map_}


def map_account(session: Session, user: User | None, tenant_id: str, account_id: int,
                xero_account_id: str, chart: XeroChart) -> AccountMapping:
    """Map one of our accounts, refusing an unknown, archived or incompatible Xero account."""
    field = f"account-{account_id}"
    ours = session.get(Account, account_id)
    if ours is None or ours.archived:
        raise MappingError("That account is not one of ours (or it is archived).", field)
    theirs = chart.account(xero_account_id)
    if theirs is None:
        raise MappingError(f"{ours.code} {ours.name}: that Xero account is not in the chart; "
                           "refresh the Xero chart and choose again.", field)
    if not is_compatible(ours, theirs):
        why = "is archived in Xero" if theirs.archived else "has no code" if not theirs.code \
            else f"is a {theirs.type} account, which {ours.type.label} accounts cannot map to"
        raise MappingError(f"{ours.code} {ours.name}: {theirs.label} {why}.", field)
    row = account_mappings(session, tenant_id).get(account_id)
    if row is None:
        row = AccountMapping(tenant_id=tenant_id, account_id=account_id)
        session.add(row)
    row.xero_account_id, row.xero_code, row.xero_name = theirs.account_id, theirs.code, theirs.name
    row.mapped_by_id, row.mapped_at = (user.id if user else None), utcnow()
    record(session, user, "mapped", "account", ours.id, f"{ours.code} -> Xero {theirs.label}")
    return row


def map_tax(session: Session, user: User | None, tenant_id: str, use: TaxUse, tax_type: str,
            chart: XeroChart) -> TaxMapping:
    """Map one tax use to an active Xero tax type, refusing one Xero does not have."""
    rate = chart.tax_rate(tax_type)
    if rate is None or not rate.active:
        raise MappingError(f"{use.label}: Xero has no active tax rate {tax_type!r}.", f"tax-{use}")
    row = tax_mappings(session, tenant_id).get(use)
    if row is None:
        row = TaxMapping(tenant_id=tenant_id, tax_use=use.value)
        session.add(row)
    row.xero_tax_type = tax_type
    row.mapped_by_id, row.mapped_at = (user.id if user else None), utcnow()
    record(session, user, "mapped", "tax_use", None, f"{use.label} -> Xero {tax_type}")
    return row


def apply_suggestions(session: Session, user: User | None, tenant_id: str,
                      chart: XeroChart) -> int:
    """Map every unmapped account and tax use to its suggestion; returns how many it mapped."""
    mapped = account_mappings(session, tenant_id)
    count = 0
    for ours in accounts_needing_mapping(session):
        suggestion = suggestion_for(ours, chart)
        if ours.id not in mapped and suggestion is not None:
            map_account(session, user, tenant_id, ours.id, suggestion.account_id, chart)
            count += 1
    taxes = tax_mappings(session, tenant_id)
    for use in TaxUse:
        rate = chart.tax_rate(use.suggested_tax_type)
        if use not in taxes and rate is not None and rate.active:
            map_tax(session, user, tenant_id, use, use.suggested_tax_type, chart)
            count += 1
    return count


def forget_mappings(session: Session, keep_tenant_id: str) -> int:
    """Delete every mapping made for another organisation than `keep_tenant_id`; how many rows."""
    accounts = session.execute(delete(AccountMapping)
                               .where(AccountMapping.tenant_id != keep_tenant_id)).rowcount
    taxes = session.execute(delete(TaxMapping).where(TaxMapping.tenant_id != keep_tenant_id)).rowcount
    return accounts + taxes


@dataclass(frozen=True)
class StaleMapping:
    """A mapping a refresh found no longer valid: its Xero account went, was archived, or
    changed code (the push sends the code, so a changed code must be confirmed)."""

    account: Account
    mapping: AccountMapping
    problem: str


def stale_mappings(session: Session, tenant_id: str, chart: XeroChart) -> list[StaleMapping]:
    """Mappings that point at a deleted or archived Xero account, or one whose code changed."""
    found = []
    for account_id, row in account_mappings(session, tenant_id).items():
        theirs = chart.account(row.xero_account_id)
        if theirs is None:
            problem = f"Xero account {row.xero_code} {row.xero_name} was deleted in Xero."
        elif theirs.archived:
            problem = f"Xero account {theirs.label} is archived in Xero."
        elif theirs.code != row.xero_code:
            problem = f"Xero account {row.xero_name} changed code from {row.xero_code} to " \
                      f"{theirs.code or '(none)'}."
        else:
            continue
        found.append(StaleMapping(session.get(Account, account_id), row, problem))
    return found


def transactions_held_back(account: Account) -> str:
    """The kinds of transactions a missing mapping of this account holds back, in words."""
    if account.role in HELD_BACK_BY_ROLE:
        return HELD_BACK_BY_ROLE[account.role]
    if account.holds_trust:
        return "trust receipts, payments and transfers posted to it"
    if account.type is AccountType.BANK:
        return "bank transactions, transfers and payments through it"
    if account.type.account_class.value in ("revenue", "expense"):
        return "bills, supplier invoices, bank transactions and journals with lines on it"
    return "journals with lines on it"


HELD_BACK_BY_ROLE = {
    AccountRole.ACCOUNTS_RECEIVABLE: "every bill, credit note and client payment",
    AccountRole.ACCOUNTS_PAYABLE: "every supplier invoice, supplier credit and supplier payment",
    AccountRole.GST_COLLECTED: "every bill and credit note charging GST",
    AccountRole.GST_PAID: "every supplier invoice and bank transaction claiming GST",
    AccountRole.TRUST_BANK: "every trust receipt, trust payment and trust transfer",
    AccountRole.TRUST_LIABILITY: "every trust receipt, trust payment and trust transfer",
    AccountRole.TRUST_TRANSFERS: "every transfer from trust to office",
    AccountRole.PROFESSIONAL_FEES: "every bill with fees",
    AccountRole.DISBURSEMENTS_RECOVERED: "every bill with disbursements",
    AccountRole.OFFICE_BANK: "every bank transaction and payment through the office account",
}


@dataclass(frozen=True)
class MissingMapping:
    """One of our accounts with no mapping, and what that holds back."""

    account: Account
    holds_back: str

    @property
    def message(self) -> str:
        return (f"{self.account.code} {self.account.name} is not mapped to a Xero account: "
                f"{self.holds_back} will wait until it is.")


def missing_mappings(session: Session, tenant_id: str) -> list[MissingMapping]:
    mapped = account_mappings(session, tenant_id)
    return [MissingMapping(a, transactions_held_back(a)) for a in accounts_needing_mapping(session)
            if a.id not in mapped]


def missing_tax_uses(session: Session, tenant_id: str) -> list[TaxUse]:
    mapped = tax_mappings(session, tenant_id)
    return [use for use in TaxUse if use not in mapped]


def held_back_by_missing_mapping(session: Session, tenant_id: str,
                                 account_ids: set[int] | list[int]) -> list[str]:
    """For one transaction touching `account_ids`: a message per account with no mapping (empty
    when the transaction may go). The push holds back only the transactions this names."""
    mapped = account_mappings(session, tenant_id)
    messages = []
    for account_id in sorted(set(account_ids)):
        if account_id not in mapped:
            account = session.get(Account, account_id)
            label = f"{account.code} {account.name}" if account else f"account {account_id}"
            messages.append(f"{label} is not mapped to a Xero account.")
    return messages


@dataclass(frozen=True)
class Completeness:
    """The mapping at a glance: how many of ours are mapped, and what is missing."""

    accounts_mapped: int
    accounts_total: int
    taxes_mapped: int
    taxes_total: int
    missing: list[MissingMapping]
    missing_taxes: list[TaxUse]

    @property
    def complete(self) -> bool:
        return not self.missing and not self.missing_taxes


def completeness(session: Session, tenant_id: str) -> Completeness:
    needed = accounts_needing_mapping(session)
    missing = missing_mappings(session, tenant_id)
    missing_taxes = missing_tax_uses(session, tenant_id)
    return Completeness(len(needed) - len(missing), len(needed), len(TaxUse) - len(missing_taxes),
                        len(TaxUse), missing, missing_taxes)


__all__ = ["AccountMapping", "TaxMapping", "MappingError", "choices_for", "forget_mappings",
           "held_back_by_missing_mapping", "completeness", "apply_suggestions", "stale_mappings"]
