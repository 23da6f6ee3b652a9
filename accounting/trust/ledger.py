"""Trust accounting: clients' money, kept per matter, never overdrawn, never rewritten.

Three records must always agree, per trust bank account:

- the matters' trust ledgers (TrustLedgerEntry rows, one signed amount per matter per transaction),
- the trust bank account's cash book (its journal lines in the general ledger),
- the liability the practice owes its clients (the trust account's liability account).

Every trust transaction is one TrustTransaction (the document a person sees, numbered without gaps
per kind) with its ledger entries and one journal posted through `accounting.ledger.journals.post` with a
trust kind (only trust kinds may touch accounts that hold trust money). Postings:

- receipt:            Dr trust bank; Cr trust liability.   Matter ledger +amount.
- payment:            Dr trust liability; Cr trust bank.   Matter ledger -amount.
- trust journal:      Dr trust liability; Cr trust liability (same account, both lines kept for
                      the audit trail).                      One matter -amount, the other +amount.
- reversal:           the journal's lines negated (kind trust_reversal); the entries negated.

Rules enforced here, in the same database transaction as the write:

- No matter's ledger goes below zero. The matters a transaction draws on are row-locked
  (SELECT ... FOR UPDATE, in id order so two people never deadlock) before their balances are
  read, so two payments out of one matter at once cannot both spend the same money.
- Nothing is dated on or before the trust account's last completed reconciliation
  (TrustAccount.reconciled_to), nor before the practice's lock date.
- Nothing is deleted or edited once posted: a correction is a reversal, dated when made, with a
  reason; a reversal is never reversed.
- A trust account closes only when it holds nothing; an admin may reopen it, giving a reason the
  account's history (the audit log, account_history) keeps beside the close.
"""

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    String,
    func,
    select,
    type_coerce,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from accounting.audit import AuditEvent, record
from accounting.base import Base, PostedTransactionMixin, utcnow
from accounting.errors import (
    InvalidAccount,
    InvalidAmount,
    InvalidReversal,
    LedgerError,
    NotFound,
    PeriodLocked,
    TransactionLocked,
)
from accounting.ledger.accounts import Account, AccountRole, AccountType, account_for_role
from accounting.ledger.journals import Journal, JournalLine, LineInput, post, register_journal_kind, reverse
from accounting.ledger.practice import get_practice
from accounting.money import ZERO, Money, format_money, from_cents
from accounting.parties.clients import Matter, MatterStatus
from accounting.parties.users import User
from accounting.sequences import next_number

MAX_TEXT = 200
MAX_DESCRIPTION = 300


class TrustKind(enum.StrEnum):
    """What a trust transaction is; each has its own journal kind and its own gap-free numbers."""

    RECEIPT = "receipt"
    PAYMENT = "payment"
    TRANSFER_TO_OFFICE = "transfer_to_office"
    JOURNAL = "journal"
    INTEREST = "interest"
    STATUTORY_DEPOSIT = "statutory_deposit"
    STATUTORY_WITHDRAWAL = "statutory_withdrawal"
    REVERSAL = "reversal"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def journal_kind(self) -> str:
        return f"trust_{self.value}"[:20]

    @property
    def number_prefix(self) -> str:
        return DOCUMENT_PREFIXES[self]


# Journal number prefixes (the general ledger's series) and document number prefixes (what a
# person quotes: receipt R-000012). Both series are gap-free: numbers are taken in the posting's
# own database transaction, so a refused posting gives its number back.
JOURNAL_PREFIXES = {
    TrustKind.RECEIPT: "TR-", TrustKind.PAYMENT: "TP-", TrustKind.TRANSFER_TO_OFFICE: "TO-",
    TrustKind.JOURNAL: "TJ-", TrustKind.INTEREST: "TI-", TrustKind.STATUTORY_DEPOSIT: "SD-",
    TrustKind.STATUTORY_WITHDRAWAL: "SW-", TrustKind.REVERSAL: "TV-",
}
DOCUMENT_PREFIXES = {
    TrustKind.RECEIPT: "R-", TrustKind.PAYMENT: "P-", TrustKind.TRANSFER_TO_OFFICE: "T-",
    TrustKind.JOURNAL: "J-", TrustKind.INTEREST: "I-", TrustKind.STATUTORY_DEPOSIT: "D-",
    TrustKind.STATUTORY_WITHDRAWAL: "W-", TrustKind.REVERSAL: "X-",
}
for _kind, _prefix in JOURNAL_PREFIXES.items():
    register_journal_kind(_kind.journal_kind, _prefix, trust=True)


class TrustAccountKind(enum.StrEnum):
    """A general trust account pools many matters' money; a controlled money account holds one
    matter's money alone and is never drawn on for another."""

    GENERAL = "general"        # pooled: many matters' money in one bank account
    CONTROLLED = "controlled"  # controlled money: one client's money in its own account, never pooled

    @property
    def label(self) -> str:
        return "General trust" if self is TrustAccountKind.GENERAL else "Controlled money"


class PaymentMethod(enum.StrEnum):
    """How trust money was paid or received, printed on the receipt and the cash book."""

    EFT = "eft"
    CHEQUE = "cheque"
    BPAY = "bpay"
    CASH = "cash"
    CARD = "card"
    DIRECT_DEPOSIT = "direct_deposit"

    @property
    def label(self) -> str:
        return {"eft": "EFT", "bpay": "BPAY"}.get(self.value, self.value.replace("_", " ").capitalize())


class TrustStatus(enum.StrEnum):
    """A trust transaction stands as posted until it is reversed (by a transaction of its own,
    never by an edit)."""

    POSTED = "posted"
    REVERSED = "reversed"


class TrustAccount(Base):
    """A trust bank account: its bank account in the chart and the liability it is owed against."""

    __tablename__ = "trust_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), unique=True)
    liability_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    kind: Mapped[TrustAccountKind] = mapped_column(
        Enum(TrustAccountKind, native_enum=False, length=12), default=TrustAccountKind.GENERAL)
    # Controlled money belongs to exactly one matter.
    matter_id: Mapped[int | None] = mapped_column(ForeignKey("matter.id"), default=None)
    bank_name: Mapped[str] = mapped_column(String(100), default="")
    bsb: Mapped[str] = mapped_column(String(7), default="")
    account_number: Mapped[str] = mapped_column(String(20), default="")
    # The last day covered by a completed (signed-off) reconciliation: nothing may be dated on or
    # before it. Set by the reconciliation's sign-off.
    reconciled_to: Mapped[date | None] = mapped_column(Date, default=None)
    # NSW and Victoria: the asset account (holds_trust) for the part of this general trust account
    # lodged with the statutory authority. Matters' money there is still theirs.
    statutory_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), default=None)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)

    account: Mapped[Account] = relationship(foreign_keys=[account_id])
    liability_account: Mapped[Account] = relationship(foreign_keys=[liability_account_id])
    statutory_account: Mapped[Account | None] = relationship(foreign_keys=[statutory_account_id])
    matter: Mapped[Matter | None] = relationship()

    @property
    def name(self) -> str:
        return self.account.name

    @property
    def label(self) -> str:
        return self.account.label

    def check_date(self, when: date, field: str = "date") -> None:
        """Refuse a date in a reconciled period."""
        if self.reconciled_to is not None and when <= self.reconciled_to:
            raise PeriodLocked(
                f"{self.name} is reconciled to {self.reconciled_to:%d %b %Y}: date the transaction "
                "after that, or correct it by a reversal dated today.", field)


class TrustTransaction(PostedTransactionMixin, Base):
    """One movement of trust money (receipt, payment, journal, transfer, interest, deposit or a
    reversal): a gap-free number per kind, its matters' signed ledger entries and one journal; written
    only by `post_trust`, so no matter's ledger goes below zero."""

    __tablename__ = "trust_transaction"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[TrustKind] = mapped_column(Enum(TrustKind, native_enum=False, length=24), index=True)
    trust_account_id: Mapped[int] = mapped_column(ForeignKey("trust_account.id"), index=True)
    date: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    # Payer of a receipt, payee of a payment.
    party: Mapped[str] = mapped_column(String(200), default="")
    method: Mapped[PaymentMethod | None] = mapped_column(
        Enum(PaymentMethod, native_enum=False, length=16), default=None)
    # The client's authority for money leaving the matter (payments, transfers, journals).
    authority: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(String(300), default="")
    reference: Mapped[str] = mapped_column(String(100), default="")
    journal_id: Mapped[int] = mapped_column(ForeignKey("journal.id"))
    # Transfer to office: the office bill it paid.
    bill_id: Mapped[int | None] = mapped_column(ForeignKey("bill.id"), default=None, index=True)
    status: Mapped[TrustStatus] = mapped_column(
        Enum(TrustStatus, native_enum=False, length=10), default=TrustStatus.POSTED)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("trust_transaction.id"), unique=True,
                                                    default=None)
    reason: Mapped[str] = mapped_column(String(300), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    trust_account: Mapped[TrustAccount] = relationship()
    journal: Mapped[Journal] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    entries: Mapped[list["TrustLedgerEntry"]] = relationship(
        back_populates="transaction", order_by="TrustLedgerEntry.id", cascade="all, delete-orphan")
    reverses: Mapped["TrustTransaction | None"] = relationship(
        remote_side=[id], foreign_keys=[reverses_id], back_populates="reversed_by")
    reversed_by: Mapped["TrustTransaction | None"] = relationship(
        foreign_keys=[reverses_id], back_populates="reverses", uselist=False)

    @property
    def title(self) -> str:
        return f"{self.kind.label} {self.number}"

    def why_not_reversible(self) -> str | None:
        if self.reverses_id is not None:
            return "This is itself a reversal; a reversal is never reversed."
        if self.status == TrustStatus.REVERSED:
            return f"{self.number} has already been reversed."
        if self.is_locked():
            return f"Locked: {self.locked_reason}. Unlink it in Integrations first."
        return None


class TrustLedgerEntry(Base):
    """One matter's share of a trust transaction: + money in for the matter, - money out."""

    __tablename__ = "trust_ledger_entry"
    __table_args__ = (Index("ix_trust_ledger_entry_account_matter_date",
                            "trust_account_id", "matter_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("trust_transaction.id"), index=True)
    trust_account_id: Mapped[int] = mapped_column(ForeignKey("trust_account.id"))
    matter_id: Mapped[int] = mapped_column(ForeignKey("matter.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)

    transaction: Mapped[TrustTransaction] = relationship(back_populates="entries")
    matter: Mapped[Matter] = relationship()


# ---- Trust accounts ------------------------------------------------------------------------------


def _valid_id(value) -> int | None:
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**31 else None


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


def get_trust_account(session: Session, trust_account_id, field: str | None = None, *,
                      for_update: bool = False) -> TrustAccount:
    """The trust account `trust_account_id`: NotFound for a URL, a field refusal for a form."""
    account_id = _valid_id(trust_account_id)
    account = session.get(TrustAccount, account_id, with_for_update=for_update) if account_id else None
    if account is None:
        if field is None:
            raise NotFound("There is no such trust account.")
        raise InvalidAccount("Choose a trust account.", field)
    return account


def create_trust_account(session: Session, user: User | None, *, code: str, name: str,
                         kind: TrustAccountKind | str = TrustAccountKind.GENERAL,
                         matter_id=None, bank_name: str = "", bsb: str = "",
                         account_number: str = "") -> TrustAccount:
    """Open another trust bank account: a bank account in the chart that holds trust money.

    A general account is owed against the chart's Trust Liability account. Controlled money is one
    client's, so it gets its own liability account, and its ledger has exactly that one matter.
    """
    from accounting.ledger.accounts import create_account

    try:
        kind = TrustAccountKind(kind)
    except ValueError:
        raise LedgerError("Choose general trust or controlled money.", "kind") from None
    matter = None
    if kind is TrustAccountKind.CONTROLLED:
        matter = _open_matter(session, matter_id, "matter")
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
            session, user, code=_free_code(session, code + "L"), type=AccountType.CURRLIAB,
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


def _free_code(session: Session, code: str) -> str:
    """`code` shortened to the chart's 10 characters and made unique with a counter."""
    candidate, n = code[:10], 1
    while session.scalar(select(Account.id).where(Account.code == candidate)) is not None:
        n += 1
        candidate = f"{code[:10 - len(str(n))]}{n}"
    return candidate


# ---- Balances ------------------------------------------------------------------------------------


def _cents_sum(column):
    """SUM of a Money column as integer cents (Money converts single values, not aggregates)."""
    return func.coalesce(func.sum(type_coerce(column, BigInteger)), 0)


def matter_balance(session: Session, trust_account: TrustAccount, matter_id: int,
                   on: date | None = None) -> Decimal:
    """A matter's trust ledger balance in one trust account (as at `on` when given)."""
    query = select(_cents_sum(TrustLedgerEntry.amount)).where(
        TrustLedgerEntry.trust_account_id == trust_account.id, TrustLedgerEntry.matter_id == matter_id)
    if on is not None:
        query = query.where(TrustLedgerEntry.date <= on)
    return from_cents(session.scalar(query))


def matter_balances(session: Session, trust_account: TrustAccount,
                    on: date | None = None) -> dict[int, Decimal]:
    """Every matter's balance in one trust account ({matter id: balance}; matters with entries only)."""
    query = (select(TrustLedgerEntry.matter_id, _cents_sum(TrustLedgerEntry.amount))
             .where(TrustLedgerEntry.trust_account_id == trust_account.id)
             .group_by(TrustLedgerEntry.matter_id))
    if on is not None:
        query = query.where(TrustLedgerEntry.date <= on)
    return {matter_id: from_cents(total) for matter_id, total in session.execute(query)}


def account_balance(session: Session, account_id: int, on: date | None = None) -> Decimal:
    """An account's balance (debits positive) from its journal lines (as at `on` when given)."""
    query = select(_cents_sum(JournalLine.amount)).where(JournalLine.account_id == account_id)
    if on is not None:
        query = query.where(JournalLine.date <= on)
    return from_cents(session.scalar(query))


@dataclass(frozen=True)
class TrustPosition:
    """The three records that must agree for one trust account (cash book net of statutory deposits)."""

    matters: Decimal
    cash_book: Decimal
    liability: Decimal

    @property
    def agrees(self) -> bool:
        return self.matters == self.cash_book == self.liability


def trust_position(session: Session, trust_account: TrustAccount, on: date | None = None) -> TrustPosition:
    """Sum of matter ledgers, the cash book (plus money lodged as statutory deposit) and the liability.

    A liability shared by several general trust accounts is apportioned by what each one's matters
    hold, so the check is exact per account when it has its own liability, and exact in total always.
    """
    matters = sum(matter_balances(session, trust_account, on).values(), ZERO)
    cash = account_balance(session, trust_account.account_id, on) + statutory_deposit_balance(
        session, trust_account, on)
    shared = session.scalars(select(TrustAccount).where(
        TrustAccount.liability_account_id == trust_account.liability_account_id)).all()
    liability = -account_balance(session, trust_account.liability_account_id, on)
    if len(shared) > 1:
        others = sum((sum(matter_balances(session, other, on).values(), ZERO)
                      for other in shared if other.id != trust_account.id), ZERO)
        liability -= others
    return TrustPosition(matters=matters, cash_book=cash, liability=liability)


def statutory_deposit_balance(session: Session, trust_account: TrustAccount,
                              on: date | None = None) -> Decimal:
    """Money of this trust account lodged with the statutory authority (still clients' money)."""
    if trust_account.statutory_account_id is None:
        return ZERO
    return account_balance(session, trust_account.statutory_account_id, on)


# ---- Posting -------------------------------------------------------------------------------------


def _open_matter(session: Session, matter_id, field: str) -> Matter:
    matter_id = _valid_id(matter_id)
    matter = session.get(Matter, matter_id) if matter_id else None
    if matter is None:
        raise LedgerError("Choose a matter.", field)
    if matter.status != MatterStatus.OPEN:
        raise LedgerError(f"Matter {matter.number} is closed: trust money cannot move for it. "
                          "Reopen the matter first.", field)
    return matter


def _amount(value, field: str = "amount") -> Decimal:
    if not isinstance(value, Decimal):
        from accounting.money import parse_money

        value = parse_money(value, field)
    if value <= ZERO:
        raise InvalidAmount("Enter an amount more than zero.", field)
    if value != value.quantize(Decimal("0.01")):
        raise InvalidAmount("Use at most two decimals.", field)
    return value


def clean_text(value: str, limit: int, field: str, what: str, *, required: bool = False) -> str:
    """`value` stripped; refused naming `field` when required and blank, or longer than `limit`."""
    value = (value or "").strip()
    if required and not value:
        raise LedgerError(f"Enter {what}.", field)
    if len(value) > limit:
        raise LedgerError(f"Keep {what} under {limit} characters.", field)
    return value


def lock_matters(session: Session, matter_ids) -> None:
    """Row-lock the matters a transaction draws on, in id order (no deadlock between two people)."""
    ids = sorted(set(matter_ids))
    if ids:
        session.execute(select(Matter.id).where(Matter.id.in_(ids)).order_by(Matter.id).with_for_update())


def _check_draws(session: Session, trust_account: TrustAccount, entries: list[tuple[Matter, Decimal]],
                 field: str) -> None:
    """Refuse when any matter would go below zero; call with the matters already locked."""
    drawn: dict[int, Decimal] = {}
    for matter, amount in entries:
        drawn[matter.id] = drawn.get(matter.id, ZERO) + amount
    for matter, _ in entries:
        change = drawn.pop(matter.id, None)
        if change is None or change >= ZERO:
            continue
        available = matter_balance(session, trust_account, matter.id)
        if available + change < ZERO:
            raise InvalidAmount(
                f"That would overdraw matter {matter.number}'s trust ledger: "
                f"{format_money(available)} is available in {trust_account.name}.", field)


def _lock_open_account(session: Session, trust_account: TrustAccount) -> None:
    """Lock the trust account's row (always after the matters) and refuse it once closed.

    Read under the lock, so a posting racing a close either lands first or sees the account closed.
    """
    closed = session.scalar(select(TrustAccount.closed).where(TrustAccount.id == trust_account.id)
                            .with_for_update())
    if closed:
        raise LedgerError(f"{trust_account.name} is closed.", "trust_account")


def _check_cash(session: Session, trust_account: TrustAccount, gl_lines, field: str) -> None:
    """Refuse money out of the trust bank beyond its cash book balance.

    Matter balances alone do not guard the bank: money lodged as a statutory deposit is still the
    matters' but is not in the bank. Call with the trust account's row locked (_lock_open_account)
    so two withdrawals at once read each other's result.
    """
    change = sum((line.amount for line in gl_lines if line.account_id == trust_account.account_id), ZERO)
    if change >= ZERO:
        return
    cash = account_balance(session, trust_account.account_id)
    if cash + change < ZERO:
        raise InvalidAmount(
            f"{trust_account.name} has {format_money(cash)} in the bank (the rest of the matters' money "
            "is lodged as a statutory deposit): withdraw from the deposit first.", field)


def post_trust(session: Session, user: User | None, *, kind: TrustKind, trust_account: TrustAccount,
               date: date, amount: Decimal, entries: list[tuple[Matter, Decimal]],
               gl_lines: list[LineInput], narration: str, party: str = "",
               method: PaymentMethod | None = None, authority: str = "", description: str = "",
               reference: str = "", bill_id: int | None = None, amount_field: str = "amount",
               number: str | None = None) -> TrustTransaction:
    """Check the trust rules and write one trust transaction, its ledger entries and its journal.

    The one way trust money moves. Callers validate their own fields first; this checks the
    date against the reconciled period and the lock date, and that no matter is overdrawn.
    """
    if trust_account.kind is TrustAccountKind.CONTROLLED:
        strangers = [m.number for m, _ in entries if m.id != trust_account.matter_id]
        if strangers:
            raise LedgerError(f"{trust_account.name} is controlled money for one matter only; "
                              f"{', '.join(strangers)} cannot use it.", "matter")
    trust_account.check_date(date)
    get_practice(session).check_open(date)
    lock_matters(session, (matter.id for matter, amount in entries if amount < ZERO))
    _lock_open_account(session, trust_account)
    _check_draws(session, trust_account, entries, amount_field)
    _check_cash(session, trust_account, gl_lines, amount_field)
    document_number = number or next_number(session, f"trust:{kind.value}", kind.number_prefix, 6)
    journal = post(session, user, date=date, kind=kind.journal_kind, reference=document_number,
                   narration=narration[:500], lines=gl_lines)
    transaction = TrustTransaction(
        number=document_number, kind=kind, trust_account_id=trust_account.id, date=date, amount=amount,
        party=party, method=method, authority=authority, description=description, reference=reference,
        journal_id=journal.id, bill_id=bill_id, recorded_by_id=user.id if user else None,
        entries=[TrustLedgerEntry(trust_account_id=trust_account.id, matter_id=matter.id, date=date,
                                  amount=change) for matter, change in entries])
    session.add(transaction)
    session.flush()
    record(session, user, "posted", "trust_transaction", transaction.id,
           f"{transaction.title} posted: {narration[:200]} ({format_money(amount)})")
    return transaction


def record_receipt(session: Session, user: User | None, *, trust_account_id, matter_id, date: date,
                   amount, payer: str, method: str, description: str = "",
                   reference: str = "") -> TrustTransaction:
    """Money received into trust for a matter: Dr trust bank, Cr trust liability."""
    trust_account = get_trust_account(session, trust_account_id, "trust_account")
    matter = _open_matter(session, matter_id, "matter")
    amount = _amount(amount)
    payer = clean_text(payer, MAX_TEXT, "party", "who the money is from", required=True)
    method = _method(method)
    description = clean_text(description, MAX_DESCRIPTION, "description", "the description")
    reference = clean_text(reference, 100, "reference", "the reference")
    label = f"Trust receipt from {payer} for {matter.number}"
    return post_trust(
        session, user, kind=TrustKind.RECEIPT, trust_account=trust_account, date=date, amount=amount,
        entries=[(matter, amount)], narration=label + (f": {description}" if description else ""),
        gl_lines=[LineInput(trust_account.account_id, amount, label),
                  LineInput(trust_account.liability_account_id, -amount, label)],
        party=payer, method=method, description=description, reference=reference)


def record_payment(session: Session, user: User | None, *, trust_account_id, matter_id, date: date,
                   amount, payee: str, method: str, authority: str, description: str = "",
                   reference: str = "") -> TrustTransaction:
    """Money paid out of trust from a matter, with the client's authority: Dr liability, Cr trust bank."""
    trust_account = get_trust_account(session, trust_account_id, "trust_account")
    matter = _open_matter(session, matter_id, "matter")
    amount = _amount(amount)
    payee = clean_text(payee, MAX_TEXT, "party", "who the money is paid to", required=True)
    method = _method(method)
    authority = clean_text(authority, MAX_TEXT, "authority", "the authority for the payment", required=True)
    description = clean_text(description, MAX_DESCRIPTION, "description", "what the payment is for",
                        required=True)
    reference = clean_text(reference, 100, "reference", "the reference")
    label = f"Trust payment to {payee} from {matter.number}"
    return post_trust(
        session, user, kind=TrustKind.PAYMENT, trust_account=trust_account, date=date, amount=amount,
        entries=[(matter, -amount)], narration=f"{label}: {description}",
        gl_lines=[LineInput(trust_account.liability_account_id, amount, label),
                  LineInput(trust_account.account_id, -amount, label)],
        party=payee, method=method, authority=authority, description=description, reference=reference)


def record_trust_journal(session: Session, user: User | None, *, trust_account_id, from_matter_id,
                         to_matter_id, date: date, amount, authority: str,
                         description: str) -> TrustTransaction:
    """Move trust money from one matter to another in the same trust account, with authority.

    The general ledger does not change in total (Dr and Cr the same liability account); the journal
    is still posted so the movement has a number in the audit trail.
    """
    trust_account = get_trust_account(session, trust_account_id, "trust_account")
    source = _open_matter(session, from_matter_id, "from_matter")
    target = _open_matter(session, to_matter_id, "to_matter")
    if source.id == target.id:
        raise LedgerError("Choose two different matters: a journal moves money from one matter to "
                          "another.", "to_matter")
    amount = _amount(amount)
    authority = clean_text(authority, MAX_TEXT, "authority", "the authority for the transfer", required=True)
    description = clean_text(description, MAX_DESCRIPTION, "description", "what the journal is for",
                        required=True)
    label = f"Trust journal {source.number} to {target.number}"
    liability = trust_account.liability_account_id
    return post_trust(
        session, user, kind=TrustKind.JOURNAL, trust_account=trust_account, date=date, amount=amount,
        entries=[(source, -amount), (target, amount)], narration=f"{label}: {description}",
        gl_lines=[LineInput(liability, amount, f"{label} (from {source.number})"),
                  LineInput(liability, -amount, f"{label} (to {target.number})")],
        authority=authority, description=description)


def _method(value) -> PaymentMethod:
    try:
        return PaymentMethod(value)
    except ValueError:
        raise LedgerError("Choose how the money moved (EFT, cheque, ...).", "method") from None


def reverse_trust_transaction(session: Session, user: User | None, transaction_id, *, date: date,
                              reason: str) -> TrustTransaction:
    """Correct a trust transaction by reversing it, dated `date`, with a reason.

    The reversal draws on the matters the original paid into, so reversing a receipt whose money has
    already been paid out is refused as an overdraw, like any other payment.
    """
    original = get_trust_transaction(session, transaction_id, for_update=True)
    reason = clean_text(reason, MAX_DESCRIPTION, "reason", "the reason for the reversal", required=True)
    problem = original.why_not_reversible()
    if problem:
        raise (TransactionLocked if original.is_locked() else InvalidReversal)(problem)
    if date < original.date:
        raise InvalidReversal(f"A reversal cannot be dated before {original.number} "
                              f"({original.date:%d %b %Y}).", "date")
    trust_account = original.trust_account
    trust_account.check_date(date)
    get_practice(session).check_open(date)
    entries = [(entry.matter, -entry.amount) for entry in original.entries]
    lock_matters(session, (m.id for m, change in entries if change < ZERO))
    _lock_open_account(session, trust_account)
    _check_draws(session, trust_account, entries, "date")
    _check_cash(session, trust_account, [LineInput(line.account_id, -line.amount)
                                         for line in original.journal.lines], "date")
    journal = reverse(session, user, original.journal, date=date, reason=reason,
                      kind=TrustKind.REVERSAL.journal_kind)
    reversal = TrustTransaction(
        number=next_number(session, "trust:reversal", TrustKind.REVERSAL.number_prefix, 6),
        kind=TrustKind.REVERSAL, trust_account_id=trust_account.id, date=date, amount=original.amount,
        party=original.party, authority=original.authority, reference=original.number,
        description=f"Reversal of {original.number}: {reason}"[:MAX_DESCRIPTION], reason=reason,
        journal_id=journal.id, bill_id=original.bill_id, reverses_id=original.id,
        recorded_by_id=user.id if user else None,
        entries=[TrustLedgerEntry(trust_account_id=trust_account.id, matter_id=matter.id, date=date,
                                  amount=change) for matter, change in entries])
    original.status = TrustStatus.REVERSED
    session.add(reversal)
    session.flush()
    record(session, user, "reversed", "trust_transaction", original.id,
           f"{original.title} reversed by {reversal.number}: {reason}")
    return reversal


# ---- Reading -------------------------------------------------------------------------------------


def get_trust_transaction(session: Session, transaction_id, *, for_update: bool = False) -> TrustTransaction:
    transaction_id = _valid_id(transaction_id)
    transaction = (session.get(TrustTransaction, transaction_id, with_for_update=for_update)
                   if transaction_id else None)
    if transaction is None:
        raise NotFound("There is no such trust transaction.")
    return transaction


def list_trust_transactions(session: Session, *, trust_account: TrustAccount | None = None,
                            kind: TrustKind | None = None, page: int = 1,
                            per_page: int = 25) -> tuple[list[TrustTransaction], int]:
    """One page of trust transactions, newest first, and how many in all."""
    query = select(TrustTransaction)
    if trust_account is not None:
        query = query.where(TrustTransaction.trust_account_id == trust_account.id)
    if kind is not None:
        query = query.where(TrustTransaction.kind == kind)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.options(selectinload(TrustTransaction.entries).selectinload(TrustLedgerEntry.matter))
        .order_by(TrustTransaction.date.desc(), TrustTransaction.id.desc())
        .limit(per_page).offset((max(1, min(page, 1_000_000)) - 1) * per_page)).all()
    return list(rows), total


# ---- The trust desk: closing accounts, a matter's balances ---------------------------------------


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


MAX_REASON = 300


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
        raise LedgerError(f"{trust_account.name} is controlled money for matter {matter.number}, which is "
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


def matter_trust_balances(session: Session, matter_id: int) -> list[tuple[TrustAccount, Decimal]]:
    """A matter's trust balance in each trust account it has used (or that is its controlled money)."""
    totals = dict(session.execute(
        select(TrustLedgerEntry.trust_account_id, _cents_sum(TrustLedgerEntry.amount))
        .where(TrustLedgerEntry.matter_id == matter_id).group_by(TrustLedgerEntry.trust_account_id)).all())
    accounts = session.scalars(
        select(TrustAccount).join(TrustAccount.account)
        .where((TrustAccount.id.in_(totals)) | (TrustAccount.matter_id == matter_id))
        .order_by(Account.code)).all()
    return [(account, from_cents(totals.get(account.id, 0))) for account in accounts]
