"""Statutory deposits (NSW and Victoria): part of a general trust account's money lodged with the
statutory authority, and taken back. Postings, through `post_trust`:

- statutory deposit (D-):     Dr statutory deposit (an asset that holds trust); Cr trust bank.
- statutory withdrawal (W-):  Dr trust bank; Cr statutory deposit.

The matters' ledgers do not change: the money is still theirs, so the trust cash book counts the
deposit with the bank. Never more is lodged than the bank holds, nor taken back (or reversed)
than the deposit holds; the trust account's row is locked first, so two movements at once cannot
both spend the same money.
"""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounting.errors import LedgerError, WouldOverdraw
from accounting.ledger.accounts import Account, AccountType, create_account
from accounting.ledger.journals import JournalLine, LineInput
from accounting.lookup import clean_text
from accounting.money import ZERO, format_money
from accounting.parties.users import User
from accounting.trust.accounts import code_after
from accounting.trust.ledger import (
    MAX_DESCRIPTION,
    MAX_TEXT,
    TrustAccount,
    TrustAccountKind,
    TrustKind,
    TrustStatus,
    TrustTransaction,
    account_balance,
    get_trust_account,
    statutory_deposit_balance,
)
from accounting.trust.posting import entered_date, positive_amount, post_trust
from accounting.trust.settings import get_trust_settings, statutory_deposits_required


def statutory_account(session: Session, user: User | None, trust_account: TrustAccount) -> Account:
    """The statutory deposit asset of a general trust account (holds trust), created the first time."""
    if trust_account.statutory_account_id is not None:
        return trust_account.statutory_account
    authority = get_trust_settings(session).authority
    account = create_account(session, user, code=code_after(session, "1-1190"),
                             name=f"Statutory Deposit — {authority}"[:150], type=AccountType.CURRENT,
                             description=f"Part of {trust_account.name} lodged with {authority}."[:500])
    account.holds_trust = True
    trust_account.statutory_account_id, trust_account.statutory_account = account.id, account
    session.flush()
    return account


def _statutory_trust_account(session: Session, trust_account_id) -> TrustAccount:
    if not statutory_deposits_required(session):
        raise LedgerError(f"{get_trust_settings(session).jurisdiction.label} does not require statutory "
                          "deposits.")
    # Locked: two deposits or withdrawals at once must not both spend the same cash.
    trust_account = get_trust_account(session, trust_account_id, "trust_account", for_update=True)
    if trust_account.kind is not TrustAccountKind.GENERAL:
        raise LedgerError("Only a general trust account lodges statutory deposits.", "trust_account")
    return trust_account


def lodge_statutory_deposit(session: Session, user: User | None, *, trust_account_id, date, amount,
                            reference: str = "", description: str = "") -> TrustTransaction:
    """Lodge part of a general trust account with the statutory authority: Dr deposit, Cr trust bank.

    Matters' ledgers do not change (the money is still theirs); never more than the cash book holds.
    """
    trust_account = _statutory_trust_account(session, trust_account_id)
    date, amount = entered_date(date), positive_amount(amount, "amount")
    reference = clean_text(reference, 100, "reference", "the reference")
    description = clean_text(description, MAX_DESCRIPTION, "description", "the description")
    cash = account_balance(session, trust_account.account_id)
    if amount > cash:
        raise WouldOverdraw(f"{trust_account.name} holds {format_money(cash)}: a deposit cannot be more "
                            "than that.", "amount")
    deposit = statutory_account(session, user, trust_account)
    authority = get_trust_settings(session).authority
    label = f"Statutory deposit with {authority}"[:200]
    return post_trust(session, user, kind=TrustKind.STATUTORY_DEPOSIT, trust_account=trust_account, date=date,
                      amount=amount, entries=[], narration=label, party=authority[:MAX_TEXT],
                      description=description or label, reference=reference,
                      gl_lines=[LineInput(deposit.id, amount, label),
                                LineInput(trust_account.account_id, -amount, label)])


def withdraw_statutory_deposit(session: Session, user: User | None, *, trust_account_id, date, amount,
                               reference: str = "", description: str = "") -> TrustTransaction:
    """Take money back from the statutory deposit: Dr trust bank, Cr deposit; never more than lodged."""
    trust_account = _statutory_trust_account(session, trust_account_id)
    date, amount = entered_date(date), positive_amount(amount, "amount")
    reference = clean_text(reference, 100, "reference", "the reference")
    description = clean_text(description, MAX_DESCRIPTION, "description", "the description")
    held = statutory_deposit_balance(session, trust_account)
    if amount > held:
        raise WouldOverdraw(f"The statutory deposit holds {format_money(held)}: withdraw no more than that.",
                            "amount")
    authority = get_trust_settings(session).authority
    label = f"Statutory deposit withdrawn from {authority}"[:200]
    return post_trust(session, user, kind=TrustKind.STATUTORY_WITHDRAWAL, trust_account=trust_account,
                      date=date, amount=amount, entries=[], narration=label, party=authority[:MAX_TEXT],
                      description=description or label, reference=reference,
                      gl_lines=[LineInput(trust_account.account_id, amount, label),
                                LineInput(trust_account.statutory_account_id, -amount, label)])


def check_statutory_reversal(session: Session, original: TrustTransaction) -> None:
    """Reversing a deposit takes money back from the deposit, a withdrawal from the trust bank:
    never more than is there (the trust account's row locked first, as for a deposit)."""
    trust_account = get_trust_account(session, original.trust_account_id, for_update=True)
    if original.kind is TrustKind.STATUTORY_DEPOSIT:
        held = statutory_deposit_balance(session, trust_account)
        if original.amount > held and original.status is TrustStatus.POSTED:
            raise WouldOverdraw(f"The statutory deposit holds {format_money(held)}: reversing "
                                f"{original.number} ({format_money(original.amount)}) would overdraw it.")
    else:
        cash = account_balance(session, trust_account.account_id)
        if original.amount > cash and original.status is TrustStatus.POSTED:
            raise WouldOverdraw(f"{trust_account.name} holds {format_money(cash)}: reversing "
                                f"{original.number} ({format_money(original.amount)}) would overdraw it.")


def statutory_ledger(session: Session, trust_account: TrustAccount) -> list[tuple[TrustTransaction, Decimal,
                                                                                   Decimal]]:
    """Deposits, withdrawals (and their reversals), oldest first: (transaction, change, running balance)."""
    if trust_account.statutory_account_id is None:
        return []
    rows = session.execute(
        select(TrustTransaction, JournalLine.amount)
        .join(JournalLine, JournalLine.journal_id == TrustTransaction.journal_id)
        .where(JournalLine.account_id == trust_account.statutory_account_id,
               TrustTransaction.trust_account_id == trust_account.id)
        .order_by(TrustTransaction.date, TrustTransaction.id)).all()
    ledger, running = [], ZERO
    for transaction, change in rows:
        running += change
        ledger.append((transaction, change, running))
    return ledger
