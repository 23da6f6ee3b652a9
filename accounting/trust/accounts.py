"""Trust bank accounts: opening one, finding them, closing one and reopening it, and its history.

A trust account is a bank account in the chart that holds trust money, owed against a liability:
the chart's Trust Liability for a general (pooled) account, a liability of its own for controlled
money, which is one matter's alone. It closes only when it holds nothing (cash book, statutory
deposit and every matter at zero); an admin may reopen it, giving a reason the account's history
(the audit log, `account_history`) keeps beside the close. Its records always stay.
"""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from accounting.audit import AuditEvent, record
from accounting.errors import LedgerError, MatterClosed, NotFound
from accounting.ledger.accounts import Account, AccountRole, AccountType, account_for_role, create_account
from accounting.lookup import clean_text
from accounting.money import ZERO, format_money
from accounting.parties.clients import MatterStatus
from accounting.parties.users import User
from accounting.trust.ledger import (
    MAX_DESCRIPTION,
    TrustAccount,
    TrustAccountKind,
    account_balance,
    get_trust_account,
    matter_balances,
    matter_for_trust,
    statutory_deposit_balance,
)

MAX_REASON = MAX_DESCRIPTION


def trust_accounts(session: Session, *, include_closed: bool = False) -> list[TrustAccount]:
    """The practice's trust accounts in code order; the chart's trust bank becomes the first one."""
    ensure_default_trust_account(session)
    query = select(TrustAccount).join(TrustAccount.account).order_by(Account.code)
    if not include_closed:
        query = query.where(TrustAccount.closed.is_(False))
    return list(session.scalars(query))


def ensure_default_trust_account(session: Session) -> TrustAccount | None:
    """Make the chart's trust bank account (role TRUST_BANK) a general trust account, once."""
    bank = session.scalar(select(Account).where(Account.role == AccountRole.TRUST_BANK))
    liability = session.scalar(select(Account).where(Account.role == AccountRole.TRUST_LIABILITY))
    if bank is None or liability is None:
        return None
    existing = session.scalar(select(TrustAccount).where(TrustAccount.account_id == bank.id))
    if existing is not None:
        return existing
    account = TrustAccount(account_id=bank.id, liability_account_id=liability.id,
                           kind=TrustAccountKind.GENERAL)
    session.add(account)
    session.flush()
    return account


def create_trust_account(session: Session, user: User | None, *, code: str, name: str,
                         kind: TrustAccountKind | str = TrustAccountKind.GENERAL,
                         matter_id=None, bank_name: str = "", bsb: str = "",
                         account_number: str = "") -> TrustAccount:
    """Open another trust bank account: a bank account in the chart that holds trust money.

    A general account is owed against the chart's Trust Liability account. Controlled money is one
    client's, so it gets its own liability account, and its ledger has exactly that one matter.
    """
    try:
        kind = TrustAccountKind(kind)
    except ValueError:
        raise LedgerError("Choose general trust or controlled money.", "kind") from None
    matter = None
    if kind is TrustAccountKind.CONTROLLED:
        matter = matter_for_trust(session, matter_id, "matter")
    bsb = "".join(ch for ch in bsb if ch.isdigit())
    if bsb and len(bsb) != 6:
        raise LedgerError("A BSB has six digits, e.g. 062-000.", "bsb")
    if len(account_number.strip()) > 20:
        raise LedgerError("Keep the account number under 20 characters.", "account_number")
    if len(bank_name.strip()) > 100:
        raise LedgerError("Keep the bank's name under 100 characters.", "bank_name")
    bank = create_account(session, user, code=code, name=name, type=AccountType.BANK, is_bank=True,
                          description="Clients' money held in trust.")
    bank.holds_trust = True
    if matter is None:
        liability = account_for_role(session, AccountRole.TRUST_LIABILITY)
    else:
        liability = create_account(
            session, user, code=code_like(session, code + "L"), type=AccountType.CURRLIAB,
            name=f"Controlled money {matter.number}"[:150],
            description=f"Owed to {matter.client.name} for controlled money of {matter.number}.")
        liability.holds_trust = True
    trust = TrustAccount(account_id=bank.id, liability_account_id=liability.id, kind=kind,
                         matter_id=matter.id if matter else None, bank_name=bank_name.strip(),
                         bsb=f"{bsb[:3]}-{bsb[3:]}" if bsb else "", account_number=account_number.strip())
    session.add(trust)
    session.flush()
    record(session, user, "created", "trust_account", trust.id, f"{kind.label} account {bank.label} opened")
    return trust


def code_like(session: Session, code: str) -> str:
    """`code` shortened to the chart's 10 characters and made unique with a counter."""
    candidate, n = code[:10], 1
    while session.scalar(select(Account.id).where(Account.code == candidate)) is not None:
        n += 1
        candidate = f"{code[:10 - len(str(n))]}{n}"
    return candidate


def code_after(session: Session, code: str) -> str:
    """`code`, or the next free code after it in the chart (1-1190, 1-1191, ...)."""
    prefix, number = code.rsplit("-", 1)
    candidate, n = code, int(number)
    while session.scalar(select(Account.id).where(Account.code == candidate)) is not None:
        n += 1
        candidate = f"{prefix}-{n}"
    return candidate


# ---- Closing and reopening -----------------------------------------------------------------------


def close_trust_account(session: Session, user: User | None, trust_account_id) -> TrustAccount:
    """Close a trust account once it holds nothing: cash book, statutory deposit and every matter at zero.

    A closed account takes no more transactions (post_trust refuses it); its records stay for audit.
    """
    trust_account = get_trust_account(session, trust_account_id, for_update=True)
    if trust_account.closed:
        raise LedgerError(f"{trust_account.name} is already closed.")
    held = account_balance(session, trust_account.account_id) + statutory_deposit_balance(
        session, trust_account)
    owing = [m for m, total in matter_balances(session, trust_account).items() if total != ZERO]
    if held != ZERO or owing:
        raise LedgerError(
            f"{trust_account.name} still holds {format_money(held)} for {len(owing)} matter"
            f"{'' if len(owing) == 1 else 's'}: pay out or move every matter's money before closing it.")
    trust_account.closed = True
    session.flush()
    record(session, user, "closed", "trust_account", trust_account.id,
           f"{trust_account.kind.label} account {trust_account.label} closed")
    return trust_account


def reopen_trust_account(session: Session, user: User | None, trust_account_id, reason: str) -> TrustAccount:
    """Reopen a closed trust account (admins only), with a reason kept in the account's history.

    Nothing in the books stops it: a closed account held nothing, and its records were kept. But an
    auditor must see why a closed trust account took money again, so the reason is required and the
    audit log keeps it beside the close (account_history). The row is locked first, so two people
    reopening at once reopen it once. Controlled money is one matter's: its matter must be open.
    """
    if user is not None and not user.is_admin:
        raise LedgerError("Only an admin (the principal) can reopen a trust account.")
    reason = clean_text(reason, MAX_REASON, "reason", "the reason for reopening it", required=True)
    trust_account = get_trust_account(session, trust_account_id, for_update=True)
    session.refresh(trust_account)
    if not trust_account.closed:
        raise LedgerError(f"{trust_account.name} is open: only a closed trust account can be reopened.")
    matter = trust_account.matter
    if matter is not None and matter.status != MatterStatus.OPEN:
        raise MatterClosed(f"{trust_account.name} is controlled money for matter {matter.number}, which is "
                           "closed: reopen the matter first.")
    if trust_account.account.archived:
        raise LedgerError(f"{trust_account.account.label} is archived in the chart of accounts: restore it "
                          "there first.")
    trust_account.closed = False
    session.flush()
    record(session, user, "reopened", "trust_account", trust_account.id,
           f"{trust_account.kind.label} account {trust_account.label} reopened: {reason}")
    return trust_account


def account_history(session: Session, trust_account: TrustAccount) -> list[AuditEvent]:
    """What happened to the trust account itself, oldest first: opened, closed, reopened (with why)."""
    return list(session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "trust_account",
                                 AuditEvent.entity_id == trust_account.id)
        .options(selectinload(AuditEvent.user)).order_by(AuditEvent.at, AuditEvent.id)))


# ---- Controlled money ----------------------------------------------------------------------------


def controlled_accounts(session: Session) -> list[tuple[TrustAccount, Decimal]]:
    """Controlled money accounts with what each holds (its cash book balance)."""
    return [(account, account_balance(session, account.account_id))
            for account in trust_accounts(session, include_closed=True)
            if account.kind is TrustAccountKind.CONTROLLED]


def get_controlled_account(session: Session, trust_account_id) -> TrustAccount:
    """The controlled money account `trust_account_id`, or NotFound (a general account is not one)."""
    account = get_trust_account(session, trust_account_id)
    if account.kind is not TrustAccountKind.CONTROLLED:
        raise NotFound("There is no such controlled money account.")
    return account
