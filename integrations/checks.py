"""The checks at connect and before any push: can this Xero organisation take our books?

Each check is a named `Check` with a plain message and what to do. A failed check (`ok` False,
not a warning) stops the push; a warning is shown but stops nothing. The checks read only the
practice's settings, our chart, the mappings and a XeroChart, so they are pure apart from reading:
- accrual basis (our books always post on accrual; Xero's own basis may be anything);
- one currency (the organisation's base currency is the practice's);
- demo or trial organisation (a warning: it cannot be swapped for the live one without mapping again);
- lock dates (shown; the push will not send a transaction dated on or before them);
- trust accounts present in Xero (or offered for creation, codes and types shown first);
- codeless Xero accounts (unmappable: we identify accounts by code).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from accounting.ledger.accounts import Account, AccountRole
from accounting.ledger.practice import Basis, get_practice
from accounting.parties.users import User
from accounting.trust.ledger import TrustAccount
from integrations.mapping import account_mappings, map_account
from integrations.suggest import NO_CODE_REASON, suggestion_for
from integrations.xero.chart import NewAccount, XeroChart, create_account

if TYPE_CHECKING:
    from xero_python.accounting import AccountingApi


@dataclass(frozen=True)
class Check:
    """One check's outcome: a name, whether it passed, the message and what to do about it."""

    name: str
    ok: bool
    message: str
    what_to_do: str = ""
    warning: bool = False

    @property
    def blocks_push(self) -> bool:
        return not self.ok and not self.warning


def check_basis(session: Session) -> Check:
    practice = get_practice(session)
    if practice.basis is Basis.ACCRUAL:
        return Check("Accrual basis", True, "The practice's books are on the accrual basis.")
    return Check("Accrual basis", False,
                 "The practice reports on the cash basis; the push sends accrual books "
                 "(bills and supplier invoices when issued), which Xero would then report twice.",
                 "An admin sets the basis to Accrual in Admin > Practice settings.")


def check_currency(session: Session, chart: XeroChart) -> Check:
    ours, theirs = get_practice(session).base_currency, chart.organisation.base_currency
    if ours == theirs:
        return Check("One currency", True, f"Both keep their books in {ours}.")
    return Check("One currency", False,
                 f"{chart.organisation.name} keeps its books in {theirs}; the practice in {ours}.",
                 "Connect an organisation whose base currency is the practice's, or change the "
                 "practice's base currency before anything is posted.")


def check_demo_or_trial(chart: XeroChart) -> Check:
    org = chart.organisation
    if not org.is_demo_or_trial:
        return Check("Live organisation", True, f"{org.name} is a live organisation.")
    kind = "demo" if org.is_demo_company or org.org_class == "DEMO" else "trial"
    return Check("Live organisation", False,
                 f"{org.name} is a {kind} organisation: it cannot later be swapped for the live "
                 "one without mapping every account and tax code again.",
                 "Use it to try the app; connect the live organisation before real books go.",
                 warning=True)


def push_cutoff(chart: XeroChart) -> date | None:
    """The later of the two lock dates: the push sends nothing dated on or before it."""
    dates = [d for d in (chart.organisation.period_lock_date,
                         chart.organisation.end_of_year_lock_date) if d is not None]
    return max(dates) if dates else None


def check_lock_dates(chart: XeroChart) -> Check:
    org = chart.organisation
    if push_cutoff(chart) is None:
        return Check("Lock dates", True, f"{org.name} has no lock dates.")
    parts = [f"{label} {when:%d %b %Y}" for label, when in (
        ("period lock date", org.period_lock_date),
        ("end-of-year lock date", org.end_of_year_lock_date)) if when is not None]
    return Check("Lock dates", False,
                 f"{org.name} has a {' and an '.join(parts)}: Xero refuses anything dated on or "
                 f"before {push_cutoff(chart):%d %b %Y}, so the push will hold those back.",
                 "An adviser in Xero can move the lock dates (Settings > Advanced > Financial "
                 "settings) if older transactions must go.", warning=True)


def trust_accounts_of_ours(session: Session) -> list[Account]:
    """Trust bank, trust liability, statutory deposit, controlled money and transfers clearing."""
    return list(session.scalars(select(Account).where(
        Account.archived.is_(False),
        or_(Account.holds_trust.is_(True), Account.role == AccountRole.TRUST_TRANSFERS))
        .order_by(Account.code)))


def missing_trust_accounts(session: Session, tenant_id: str, chart: XeroChart) -> list[NewAccount]:
    """Our trust accounts with no mapping and no suggestion in Xero, as the accounts to create
    there: our code, name and type (and the bank account's BSB and number)."""
    mapped = account_mappings(session, tenant_id)
    taken = {a.code for a in chart.accounts}
    missing = []
    for ours in trust_accounts_of_ours(session):
        if ours.id in mapped or suggestion_for(ours, chart) is not None or ours.code in taken:
            continue
        trust = session.scalar(select(TrustAccount).where(TrustAccount.account_id == ours.id))
        number = f"{trust.bsb}{trust.account_number}" if trust and trust.bsb else ""
        missing.append(NewAccount(ours.code, ours.name, ours.type.value, number))
    return missing


def check_trust_accounts(session: Session, tenant_id: str, chart: XeroChart) -> Check:
    missing = missing_trust_accounts(session, tenant_id, chart)
    if not missing:
        return Check("Trust accounts", True, "Every trust account the practice uses is in Xero.")
    names = ", ".join(f"{n.code} {n.name} ({n.type})" for n in missing)
    return Check("Trust accounts", False, f"Not in Xero yet: {names}.",
                 "Create the missing trust accounts (an admin, from the mapping page), or map "
                 "them to existing Xero accounts.")


def check_codeless(chart: XeroChart) -> Check:
    codeless = chart.codeless_accounts
    if not codeless:
        return Check("Account codes", True, "Every Xero account has a code.")
    names = ", ".join(a.name for a in codeless)
    return Check("Account codes", False, f"Unmappable Xero accounts: {names}. {NO_CODE_REASON}",
                 "Give each a code in Xero, then refresh the Xero chart.", warning=True)


def run_checks(session: Session, tenant_id: str, chart: XeroChart) -> list[Check]:
    """Every check, in the order the page shows them."""
    return [check_basis(session), check_currency(session, chart), check_demo_or_trial(chart),
            check_lock_dates(chart), check_trust_accounts(session, tenant_id, chart),
            check_codeless(chart)]


NEEDS_BANK_NUMBER = ("{label}: Xero needs the trust account's BSB and account number to create a "
                     "bank account; enter them in Trust > Accounts, then try again.")


def create_missing_trust_accounts(session: Session, user: User | None, api: AccountingApi,
                                  tenant_id: str, chart: XeroChart) -> tuple[list[str], list[str]]:
    """Create each missing trust account in Xero (PUT /Accounts, one call each) and map ours to
    it. Returns the created accounts' labels and, for each one that could not be sent, why.
    Commits after each: once Xero has created it, our mapping must not be lost."""
    created, skipped = [], []
    for new in missing_trust_accounts(session, tenant_id, chart):
        if new.type == "BANK" and not new.bank_account_number:
            skipped.append(NEEDS_BANK_NUMBER.format(label=f"{new.code} {new.name}"))
            continue
        theirs = create_account(api, tenant_id, new)
        ours = session.scalar(select(Account).where(Account.code == new.code))
        map_account(session, user, tenant_id, ours.id, theirs.account_id,
                    XeroChart(chart.organisation, (*chart.accounts, theirs), chart.tax_rates))
        session.commit()
        created.append(theirs.label)
    return created, skipped
