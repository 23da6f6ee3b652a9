"""The chart of accounts.

Account types are Xero's own (BANK, CURRENT, REVENUE, ...) so that mapping to Xero is one to one.
Rules: codes are unique; an account with posted lines is never deleted, only archived; an archived
account takes no new postings. `role` names the accounts the books themselves need (accounts
receivable, GST collected, trust liability, ...), so code finds them without guessing by name.

The chart sits below the journals (journals post to accounts), so it names journal lines by string
only: `Account.postings` is a read-only relationship the "has postings / may delete" questions ask
through, and the journals module is imported for type checking alone.
"""

import enum
import re
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Enum, String, exists, false, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, with_parent

from accounting.audit import record
from accounting.base import Base
from accounting.errors import InvalidAccount, LedgerError
from accounting.lookup import fetch
from accounting.parties.users import User

if TYPE_CHECKING:
    from accounting.ledger.journals import JournalLine


class AccountClass(enum.StrEnum):
    """The five classes of the balance sheet and profit and loss; an account's type decides its
    class, and an account with postings never changes class."""

    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    REVENUE = "revenue"
    EXPENSE = "expense"


class AccountType(enum.StrEnum):
    """Xero's account types (Accounting API, AccountType enum), so an account maps to Xero one to
    one; each type belongs to one AccountClass."""

    BANK = "BANK"
    CURRENT = "CURRENT"
    FIXED = "FIXED"
    NONCURRENT = "NONCURRENT"
    PREPAYMENT = "PREPAYMENT"
    CURRLIAB = "CURRLIAB"
    TERMLIAB = "TERMLIAB"
    LIABILITY = "LIABILITY"
    EQUITY = "EQUITY"
    REVENUE = "REVENUE"
    OTHERINCOME = "OTHERINCOME"
    DIRECTCOSTS = "DIRECTCOSTS"
    EXPENSE = "EXPENSE"
    OVERHEADS = "OVERHEADS"
    DEPRECIATN = "DEPRECIATN"

    @property
    def label(self) -> str:
        return TYPE_LABELS[self]

    @property
    def account_class(self) -> AccountClass:
        return TYPE_CLASS[self]


TYPE_LABELS = {
    AccountType.BANK: "Bank",
    AccountType.CURRENT: "Current asset",
    AccountType.FIXED: "Fixed asset",
    AccountType.NONCURRENT: "Non-current asset",
    AccountType.PREPAYMENT: "Prepayment",
    AccountType.CURRLIAB: "Current liability",
    AccountType.TERMLIAB: "Term liability",
    AccountType.LIABILITY: "Liability",
    AccountType.EQUITY: "Equity",
    AccountType.REVENUE: "Revenue",
    AccountType.OTHERINCOME: "Other income",
    AccountType.DIRECTCOSTS: "Direct costs",
    AccountType.EXPENSE: "Expense",
    AccountType.OVERHEADS: "Overhead",
    AccountType.DEPRECIATN: "Depreciation",
}

_CLASS_OF = {
    AccountClass.ASSET: "BANK CURRENT FIXED NONCURRENT PREPAYMENT",
    AccountClass.LIABILITY: "CURRLIAB TERMLIAB LIABILITY",
    AccountClass.EQUITY: "EQUITY",
    AccountClass.REVENUE: "REVENUE OTHERINCOME",
    AccountClass.EXPENSE: "DIRECTCOSTS EXPENSE OVERHEADS DEPRECIATN",
}
TYPE_CLASS = {AccountType(t): c for c, types in _CLASS_OF.items() for t in types.split()}


class AccountRole(enum.StrEnum):
    """Accounts the books post to by themselves; at most one account holds each role."""

    OFFICE_BANK = "office_bank"
    TRUST_BANK = "trust_bank"
    ACCOUNTS_RECEIVABLE = "accounts_receivable"
    ACCOUNTS_PAYABLE = "accounts_payable"
    GST_COLLECTED = "gst_collected"
    GST_PAID = "gst_paid"
    PROFESSIONAL_FEES = "professional_fees"
    DISBURSEMENTS_RECOVERED = "disbursements_recovered"
    TRUST_LIABILITY = "trust_liability"
    TRUST_TRANSFERS = "trust_transfers"
    RETAINED_EARNINGS = "retained_earnings"
    BAD_DEBTS = "bad_debts"

    @property
    def label(self) -> str:
        """'Accounts receivable', 'GST collected', ..."""
        return ROLE_LABELS.get(self, self.value.replace("_", " ").capitalize())


ROLE_LABELS = {
    AccountRole.GST_COLLECTED: "GST collected",
    AccountRole.GST_PAID: "GST paid",
}

# Control accounts (as in Xero): only their documents post to them, never a general journal or a
# bank transaction, so the aged reports and the GST summary can never disagree with the ledger
# because of a hand-made entry. Each names the document to use instead.
CONTROL_ROLES: dict[AccountRole, str] = {
    AccountRole.ACCOUNTS_RECEIVABLE: "record a bill, a credit note or a payment received instead",
    AccountRole.ACCOUNTS_PAYABLE: "record a supplier invoice, a supplier credit note or a supplier "
                                  "payment instead",
    AccountRole.GST_COLLECTED: "GST comes from the tax codes on bills, credit notes, supplier "
                               "invoices and bank transactions",
    AccountRole.GST_PAID: "GST comes from the tax codes on bills, credit notes, supplier invoices "
                          "and bank transactions",
}


CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,9}$")
MAX_NAME = 150
MAX_DESCRIPTION = 500


class Account(Base):
    """One account of the chart: a unique code, a Xero type and at most one role. An account that
    was posted to is never deleted, only archived; an archived one takes no new postings."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    type: Mapped[AccountType] = mapped_column(Enum(AccountType, native_enum=False, length=12))
    is_bank: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(String(500), default="")
    role: Mapped[AccountRole | None] = mapped_column(
        Enum(AccountRole, native_enum=False, length=30), unique=True, default=None
    )
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # Clients' money (trust bank, trust liability, statutory deposits, controlled money): only trust
    # transactions may post here, so the trust ledgers and the general ledger can never disagree.
    holds_trust: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    # Only ever asked whether it is empty (`has_postings`); loading it would read every line of the
    # account, so it refuses to load.
    postings: Mapped[list["JournalLine"]] = relationship("JournalLine", viewonly=True, lazy="raise")

    @property
    def account_class(self) -> AccountClass:
        return self.type.account_class

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"

    def has_postings(self, session: Session) -> bool:
        """Whether any journal line was ever posted to this account (reversed ones included)."""
        return session.execute(select(exists().where(with_parent(self, Account.postings)))).scalar_one()

    def delete_blocker(self, session: Session) -> str | None:
        """Why this account cannot be deleted, or None when it can."""
        if self.role is not None:
            return f"It cannot be deleted: the books post to it as the {self.role.label.lower()} account."
        if self.has_postings(session):
            return "It has posted lines, so it cannot be deleted: archive it instead."
        return None

    def can_delete(self, session: Session) -> bool:
        return self.delete_blocker(session) is None

    def archive_blocker(self) -> str | None:
        """Why this account cannot be archived, or None when it can."""
        if self.role is not None:
            return f"It cannot be archived: the books post to it as the {self.role.label.lower()} account."
        return None

    def can_archive(self) -> bool:
        return not self.archived and self.archive_blocker() is None

    @property
    def is_control(self) -> bool:
        """Whether only documents may post here (accounts receivable, accounts payable, GST)."""
        return self.role in CONTROL_ROLES

    def control_refusal(self, line_label: str) -> str | None:
        """Why a hand-made entry may not post here ('Line 2: 1-2000 Accounts Receivable is a
        control account: record a bill, ...'), or None when it may."""
        if not self.is_control:
            return None
        return f"{line_label}{self.label} is a control account: {CONTROL_ROLES[self.role]}."


# A sensible chart for an Australian law or accounting practice:
# (code, name, type, role, description)
DEFAULT_CHART: list[tuple[str, str, AccountType, AccountRole | None, str]] = [
    ("1-1000", "Office Cheque Account", AccountType.BANK, AccountRole.OFFICE_BANK,
     "The practice's own operating bank account."),
    ("1-1100", "Trust Bank Account", AccountType.BANK, AccountRole.TRUST_BANK,
     "Clients' money held in trust. Never the practice's money."),
    ("1-1200", "Petty Cash", AccountType.CURRENT, None, ""),
    ("1-2000", "Accounts Receivable", AccountType.CURRENT, AccountRole.ACCOUNTS_RECEIVABLE,
     "What clients owe on posted bills."),
    ("1-2100", "Unbilled Disbursements", AccountType.CURRENT, None,
     "Disbursements paid for clients, not yet billed."),
    ("1-3000", "Office Equipment", AccountType.FIXED, None, ""),
    ("1-3100", "Accumulated Depreciation", AccountType.FIXED, None, ""),
    ("2-1000", "Accounts Payable", AccountType.CURRLIAB, AccountRole.ACCOUNTS_PAYABLE,
     "What the practice owes suppliers."),
    ("2-1100", "GST Collected", AccountType.CURRLIAB, AccountRole.GST_COLLECTED,
     "GST on the practice's sales."),
    ("2-1200", "GST Paid", AccountType.CURRLIAB, AccountRole.GST_PAID,
     "GST on the practice's purchases, claimed back."),
    ("2-1300", "PAYG Withholding Payable", AccountType.CURRLIAB, None, ""),
    ("2-1400", "Superannuation Payable", AccountType.CURRLIAB, None, ""),
    ("2-2000", "Trust Liability", AccountType.CURRLIAB, AccountRole.TRUST_LIABILITY,
     "Money held in trust for clients: always equal to the trust bank balance."),
    ("2-2100", "Trust Transfers Clearing", AccountType.CURRLIAB, AccountRole.TRUST_TRANSFERS,
     "Money moving from trust to office; nets to zero when both sides are recorded."),
    ("3-1000", "Owner's Capital", AccountType.EQUITY, None, ""),
    ("3-2000", "Owner's Drawings", AccountType.EQUITY, None, ""),
    ("3-9000", "Retained Earnings", AccountType.EQUITY, AccountRole.RETAINED_EARNINGS, ""),
    ("4-1000", "Professional Fees", AccountType.REVENUE, AccountRole.PROFESSIONAL_FEES, ""),
    ("4-2000", "Disbursements Recovered", AccountType.REVENUE,
     AccountRole.DISBURSEMENTS_RECOVERED, ""),
    ("4-3000", "Interest Income", AccountType.OTHERINCOME, None, ""),
    ("5-1000", "Court and Filing Fees", AccountType.DIRECTCOSTS, None, ""),
    ("5-1100", "Search and Registry Fees", AccountType.DIRECTCOSTS, None, ""),
    ("6-1000", "Salaries and Wages", AccountType.EXPENSE, None, ""),
    ("6-1100", "Superannuation", AccountType.EXPENSE, None, ""),
    ("6-2000", "Rent", AccountType.OVERHEADS, None, ""),
    ("6-2100", "Professional Indemnity Insurance", AccountType.OVERHEADS, None, ""),
    ("6-2200", "Practising Certificates", AccountType.OVERHEADS, None, ""),
    ("6-2300", "Subscriptions and Software", AccountType.OVERHEADS, None, ""),
    ("6-2400", "Office Supplies", AccountType.OVERHEADS, None, ""),
    ("6-2500", "Telephone and Internet", AccountType.OVERHEADS, None, ""),
    ("6-2600", "Bank Fees", AccountType.OVERHEADS, None, ""),
    ("6-2700", "Bad Debts", AccountType.EXPENSE, AccountRole.BAD_DEBTS, ""),
    ("6-2800", "Depreciation", AccountType.DEPRECIATN, None, ""),
]


TRUST_ROLES = {AccountRole.TRUST_BANK, AccountRole.TRUST_LIABILITY}


def install_default_chart(session: Session) -> int:
    """Add the default chart's accounts that are missing (by code). Returns how many were added.

    One whose role another account holds already (the office bank renumbered 1-1010) is not
    added: a role belongs to one account, and the books already have it."""
    existing = set(session.execute(select(Account.code)).scalars())
    roles_held = set(session.execute(select(Account.role).where(Account.role.is_not(None))).scalars())
    added = 0
    for code, name, type_, role, description in DEFAULT_CHART:
        if code in existing or (role is not None and role in roles_held):
            continue
        session.add(
            Account(code=code, name=name, type=type_, role=role, description=description,
                    is_bank=type_ == AccountType.BANK, holds_trust=role in TRUST_ROLES)
        )
        added += 1
    session.flush()
    return added


def account_for_role(session: Session, role: AccountRole) -> Account:
    """The account that holds `role`; refuses clearly when the chart lacks it."""
    account = session.execute(select(Account).where(Account.role == role)).scalar_one_or_none()
    if account is None:
        raise InvalidAccount(
            f"The chart of accounts has no account marked as {role.value.replace('_', ' ')}: "
            "an admin must set one in Chart of accounts."
        )
    return account


def office_bank_accounts(session: Session) -> list[Account]:
    """The practice's own bank accounts in code order: bank, not holding trust money, not archived."""
    return list(session.scalars(
        select(Account).where(Account.is_bank.is_(True), Account.archived.is_(False),
                              Account.holds_trust.is_(False))
        .order_by(Account.code)))


def is_office_bank(account: Account) -> bool:
    return account.is_bank and not account.holds_trust


def get_account(session: Session, account_id: int) -> Account:
    """The account with this id, or NotFound."""
    return fetch(session, Account, account_id, missing="There is no such account in the chart.")


def list_accounts(session: Session) -> list[Account]:
    """The whole chart, archived accounts included, in code order."""
    return list(session.execute(select(Account).order_by(Account.code)).scalars())


def missing_default_accounts(session: Session) -> int:
    """How many accounts of the default chart (by code) the chart lacks."""
    existing = set(session.execute(select(Account.code)).scalars())
    return sum(1 for code, *_ in DEFAULT_CHART if code not in existing)


def _check_account_fields(
    session: Session, code: str, name: str, description: str, account_id: int | None
) -> None:
    if not CODE_PATTERN.match(code):
        raise LedgerError(
            "Use up to 10 letters, digits, dots or dashes for the code, e.g. 6-2450.", "code"
        )
    if not name.strip():
        raise LedgerError("Give the account a name.", "name")
    if len(name.strip()) > MAX_NAME:
        raise LedgerError(f"Use at most {MAX_NAME} characters for the name.", "name")
    if len(description.strip()) > MAX_DESCRIPTION:
        raise LedgerError(f"Use at most {MAX_DESCRIPTION} characters for the description.",
                          "description")
    clash = session.execute(select(Account).where(Account.code == code)).scalar_one_or_none()
    if clash is not None and clash.id != account_id:
        raise LedgerError(f"Code {code} is already used by “{clash.name}”.", "code")


def create_account(
    session: Session, user: User, *, code: str, name: str, type: AccountType,
    is_bank: bool = False, description: str = "",
) -> Account:
    """Add an account to the chart."""
    code = code.strip()
    _check_account_fields(session, code, name, description, None)
    account = Account(code=code, name=name.strip(), type=_account_type(type),
                      is_bank=is_bank or type == AccountType.BANK, description=description.strip())
    session.add(account)
    session.flush()
    record(session, user, "created", "account", account.id, f"Account {account.label} created")
    return account


def update_account(
    session: Session, user: User, account: Account, *, code: str, name: str,
    type: AccountType, is_bank: bool, description: str,
) -> None:
    """Change an account. Its class cannot change once it has postings (reports would shift)."""
    code = code.strip()
    _check_account_fields(session, code, name, description, account.id)
    new_type = _account_type(type)
    if new_type.account_class != account.account_class and account.role is not None:
        raise InvalidAccount(
            f"The books post to this account as the {account.role.label.lower()} account, so its "
            f"type must stay in the {account.account_class.value} class.",
            "type",
        )
    if new_type.account_class != account.account_class and account.has_postings(session):
        raise InvalidAccount(
            f"This account has postings, so its type must stay in the {account.account_class.value} "
            "class (reports would shift otherwise).",
            "type",
        )
    before = _snapshot(account)
    account.code, account.name, account.type = code, name.strip(), new_type
    account.is_bank = is_bank or new_type == AccountType.BANK
    account.description = description.strip()
    session.flush()
    after = _snapshot(account)
    changes = [f"{key} {before[key]} → {after[key]}" for key in before if before[key] != after[key]]
    if changes:
        record(session, user, "changed", "account", account.id,
               f"Account {account.label}: " + "; ".join(changes))


def _account_type(value) -> AccountType:
    try:
        return AccountType(value)
    except ValueError:
        raise LedgerError("Choose one of the listed account types.", "type") from None


def _snapshot(account: Account) -> dict[str, str]:
    return {"code": account.code, "name": f"“{account.name}”", "type": account.type.label,
            "bank": "yes" if account.is_bank else "no",
            "description": f"“{account.description}”"}


def set_archived(session: Session, user: User, account: Account, archived: bool) -> None:
    """Archive (no new postings) or restore an account. Accounts the books rely on stay active."""
    if archived and account.role is not None:
        raise InvalidAccount(
            f"{account.label} is the practice's {account.role.label.lower()} account; "
            "it cannot be archived."
        )
    account.archived = archived
    session.flush()
    action = "archived" if archived else "restored"
    record(session, user, action, "account", account.id, f"Account {account.label} {action}")


def delete_account(session: Session, user: User, account: Account) -> None:
    """Delete an account that has never been posted to."""
    if account.has_postings(session):
        raise InvalidAccount(
            f"{account.label} has posted lines, so it cannot be deleted. Archive it instead."
        )
    if account.role is not None:
        raise InvalidAccount(f"{account.label} is needed by the books and cannot be deleted.")
    record(session, user, "deleted", "account", account.id, f"Account {account.label} deleted")
    session.delete(account)
    session.flush()
