"""Interest the bank pays on a trust account, and where it goes (the practice's trust settings, or
the person recording it, choose). Postings, through `post_trust`:

- to the matters (I-):          Dr trust bank; Cr trust liability per matter (ledgers +share); the
                                shares add up to the interest exactly.
- to the practice:              I-: Dr trust bank; Cr interest income, then at once
                                T-: Dr office bank; Cr trust bank. Matter ledgers untouched,
                                the trust bank nets to zero and both statement lines match.
- to the statutory body:        I-: Dr trust bank; Cr payable to the statutory body, then
                                P-: Dr payable to the statutory body; Cr trust bank.

A payout is linked to its interest (TrustTransferLink.interest_id), and reversing the interest
(`transfers.reverse_trust_transfer`) reverses its payout with it. Controlled money's interest is
its client's: it always goes to the matter.
"""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounting.errors import InvalidAccount, InvalidAmount, LedgerError, MatterClosed
from accounting.ledger.accounts import Account, AccountType, create_account
from accounting.ledger.journals import LineInput
from accounting.lookup import clean_text, valid_id
from accounting.money import ZERO, format_money
from accounting.parties.clients import Matter, MatterStatus
from accounting.parties.users import User
from accounting.trust.accounts import code_after
from accounting.trust.ledger import (
    MAX_DESCRIPTION,
    MAX_TEXT,
    TrustAccount,
    TrustAccountKind,
    TrustKind,
    TrustTransaction,
    get_trust_account,
)
from accounting.trust.posting import entered_date, positive_amount, post_trust
from accounting.trust.settings import InterestDestination, get_trust_settings
from accounting.trust.transfers import TrustTransferLink, office_bank, payout_of, practice_name

INTEREST_INCOME_CODE = "4-3000"


@dataclass(frozen=True)
class InterestShare:
    """One matter's share of interest, as typed, and the form field to blame when refused."""

    matter_id: int
    amount: object
    field: str = "amount"


def interest_income_accounts(session: Session) -> list[Account]:
    """Income accounts interest kept by the practice may be credited to (Interest Income first)."""
    accounts = session.scalars(select(Account).where(
        Account.type.in_([AccountType.OTHERINCOME, AccountType.REVENUE]), Account.archived.is_(False),
        Account.holds_trust.is_(False)).order_by(Account.code)).all()
    return sorted(accounts, key=lambda a: (a.code != INTEREST_INCOME_CODE, a.code))


def _income_account(session: Session, account_id) -> Account:
    accounts = {a.id: a for a in interest_income_accounts(session)}
    if account_id in (None, ""):
        if not accounts:
            raise InvalidAccount("The chart has no income account for interest.", "income_account")
        return next(iter(accounts.values()))
    try:
        return accounts[int(account_id)]
    except (KeyError, TypeError, ValueError):
        raise InvalidAccount("Choose an income account.", "income_account") from None


def statutory_payable_account(session: Session, user: User | None) -> Account:
    """The liability for interest owed to the statutory body (created the first time)."""
    name = f"Payable to {get_trust_settings(session).authority}"[:150]
    existing = session.scalar(select(Account).where(Account.name == name,
                                                    Account.type == AccountType.CURRLIAB))
    if existing is not None:
        return existing
    return create_account(session, user, code=code_after(session, "2-2190"), name=name,
                          type=AccountType.CURRLIAB,
                          description="Trust interest owed to the statutory body, passed on at once.")


def record_interest(session: Session, user: User | None, *, trust_account_id, date, amount,
                    destination: str | None = None, shares: list[InterestShare] | None = None,
                    income_account_id=None, office_bank_account_id=None, reference: str = "",
                    description: str = "") -> list[TrustTransaction]:
    """Interest the bank paid into a trust account, and where it goes.

    To matters: one I- transaction (Dr trust bank, Cr liability per matter; the shares must add up
    to the interest). To the practice or the statutory body: an I- transaction crediting interest
    income or the payable to the body, and at once the payout out of trust (T- to the office bank, or
    P- to the body), so the trust bank nets to zero and no matter's ledger changes.
    """
    trust_account = get_trust_account(session, trust_account_id, "trust_account")
    date = entered_date(date)
    amount = positive_amount(amount, "amount")
    settings = get_trust_settings(session)
    try:
        destination = InterestDestination(destination or settings.interest_destination)
    except ValueError:
        raise LedgerError("Choose where the interest goes.", "destination") from None
    if trust_account.kind is TrustAccountKind.CONTROLLED and destination is not InterestDestination.MATTERS:
        raise LedgerError("Interest on controlled money belongs to its client: it goes to the matter.",
                          "destination")
    reference = clean_text(reference, 100, "reference", "the bank's reference")
    description = clean_text(description, MAX_DESCRIPTION, "description", "the description")
    bank_line = LineInput(trust_account.account_id, amount, f"Interest on {trust_account.name}")
    common = dict(trust_account=trust_account, date=date, amount=amount, reference=reference,
                  party=trust_account.bank_name or "Bank")
    if destination is InterestDestination.MATTERS:
        entries = _interest_shares(session, shares or [], amount)
        label = f"Interest on {trust_account.name} to {len(entries)} matter(s)"
        return [post_trust(
            session, user, kind=TrustKind.INTEREST, entries=entries, narration=label,
            description=description or label,
            gl_lines=[bank_line, *(LineInput(trust_account.liability_account_id, -share,
                                             f"Interest to {matter.number}") for matter, share in entries)],
            **common)]
    if destination is InterestDestination.PRACTICE:
        income = _income_account(session, income_account_id)
        office = office_bank(session, office_bank_account_id)
        label = f"Interest on {trust_account.name} to the practice"
        interest = post_trust(session, user, kind=TrustKind.INTEREST, entries=[], narration=label,
                              description=description or label,
                              gl_lines=[bank_line, LineInput(income.id, -amount, label)], **common)
        payout = post_trust(
            session, user, kind=TrustKind.TRANSFER_TO_OFFICE, trust_account=trust_account, date=date,
            amount=amount, entries=[], narration=f"{label} ({interest.number}) to {office.name}",
            gl_lines=[LineInput(office.id, amount, label),
                      LineInput(trust_account.account_id, -amount, label)],
            party=practice_name(session), description=f"Interest {interest.number} to the practice",
            reference=interest.number)
    else:
        payable = statutory_payable_account(session, user)
        label = f"Interest on {trust_account.name} to {settings.authority}"[:200]
        interest = post_trust(session, user, kind=TrustKind.INTEREST, entries=[], narration=label,
                              description=description or label,
                              gl_lines=[bank_line, LineInput(payable.id, -amount, label)], **common)
        payout = post_trust(
            session, user, kind=TrustKind.PAYMENT, trust_account=trust_account, date=date, amount=amount,
            entries=[], narration=f"{label} ({interest.number}) paid", party=settings.authority[:MAX_TEXT],
            gl_lines=[LineInput(payable.id, amount, label),
                      LineInput(trust_account.account_id, -amount, label)],
            authority="Statutory interest", description=f"Interest {interest.number} paid to the body",
            reference=interest.number)
    session.add(TrustTransferLink(transaction_id=payout.id, interest_id=interest.id))
    session.flush()
    return [interest, payout]


def _interest_shares(session: Session, shares: list[InterestShare], amount: Decimal) -> list:
    entries, seen = [], set()
    for share in shares:
        if share.amount is None or str(share.amount).strip() in ("", "0", "0.00"):
            continue
        value = positive_amount(share.amount, share.field)
        matter_id = valid_id(share.matter_id)
        matter = session.get(Matter, matter_id) if matter_id else None
        if matter is None:
            raise LedgerError("Choose a matter.", share.field)
        if matter.status != MatterStatus.OPEN:
            raise MatterClosed(f"Matter {matter.number} is closed: it cannot take interest.", share.field)
        if matter.id in seen:
            raise LedgerError(f"Matter {matter.number} is listed twice.", share.field)
        seen.add(matter.id)
        entries.append((matter, value))
    if not entries:
        raise LedgerError("Share the interest among at least one matter.",
                          shares[0].field if shares else "amount")
    total = sum((value for _, value in entries), ZERO)
    if total != amount:
        raise InvalidAmount(f"The matters' shares add up to {format_money(total)}, not the interest of "
                            f"{format_money(amount)}.", shares[0].field)
    return entries


def proportional_shares(balances: dict[int, Decimal], amount: Decimal) -> dict[int, Decimal]:
    """`amount` shared by the matters in proportion to their balances, to the cent, adding up exactly
    (largest remainder: the cents left over go to the biggest remainders, then the lowest ids)."""
    held = {mid: value for mid, value in balances.items() if value > ZERO}
    total = sum(held.values(), ZERO)
    if total == ZERO or amount <= ZERO:
        return {}
    cents = int(amount * 100)
    exact = {mid: cents * value / total for mid, value in held.items()}
    shares = {mid: int(value) for mid, value in exact.items()}
    left = cents - sum(shares.values())
    for mid in sorted(exact, key=lambda m: (-(exact[m] - shares[m]), m))[:left]:
        shares[mid] += 1
    return {mid: Decimal(c) / 100 for mid, c in shares.items() if c}


def interest_history(session: Session, trust_account: TrustAccount) -> list[tuple[TrustTransaction,
                                                                                   TrustTransaction | None]]:
    """Interest received into a trust account, newest first, with each one's payout (if any)."""
    rows = session.scalars(select(TrustTransaction).where(
        TrustTransaction.trust_account_id == trust_account.id, TrustTransaction.kind == TrustKind.INTEREST)
        .order_by(TrustTransaction.date.desc(), TrustTransaction.id.desc()).limit(50)).all()
    result = []
    for interest in rows:
        link = payout_of(session, interest.id)
        result.append((interest, link.transaction if link else None))
    return result
