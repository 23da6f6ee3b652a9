"""The trust ledger: clients' money, kept per matter, never overdrawn, never rewritten. This module
holds its records and what they add up to; money moves only through `accounting.trust.posting`.

Three records must always agree, per trust bank account:

- the matters' trust ledgers (TrustLedgerEntry rows, one signed amount per matter per transaction),
- the trust bank account's cash book (its journal lines in the general ledger),
- the liability the practice owes its clients (the trust account's liability account).

Every trust transaction is one TrustTransaction (the document a person sees, numbered without gaps
per kind) with its ledger entries and one journal of a trust kind (only trust kinds may touch
accounts that hold trust money). `trust_position` reads the three records side by side.
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

from accounting.base import Base, PostedTransactionMixin, utcnow
from accounting.errors import (
    AlreadyUndone,
    InvalidAccount,
    InvalidReversal,
    LedgerError,
    MatterClosed,
    NotFound,
    PeriodLocked,
    TransactionLocked,
)
from accounting.ledger.accounts import Account
from accounting.ledger.journals import Journal, JournalLine, register_journal_kind
from accounting.lookup import fetch, page_of, valid_id
from accounting.money import ZERO, Money, from_cents
from accounting.parties.clients import Matter, MatterStatus
from accounting.parties.users import User

MAX_TEXT = 200         # a party, an authority
MAX_DESCRIPTION = 300  # a description, a reason


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
    """A trust bank account: its bank account in the chart and the liability it is owed against.
    Nothing may be dated on or before `reconciled_to`; a closed account takes no transactions."""

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
    party: Mapped[str] = mapped_column(String(MAX_TEXT), default="")
    method: Mapped[PaymentMethod | None] = mapped_column(
        Enum(PaymentMethod, native_enum=False, length=16), default=None)
    # The client's authority for money leaving the matter (payments, transfers, journals).
    authority: Mapped[str] = mapped_column(String(MAX_TEXT), default="")
    description: Mapped[str] = mapped_column(String(MAX_DESCRIPTION), default="")
    reference: Mapped[str] = mapped_column(String(100), default="")
    journal_id: Mapped[int] = mapped_column(ForeignKey("journal.id"))
    # Transfer to office: the office bill it paid.
    bill_id: Mapped[int | None] = mapped_column(ForeignKey("bill.id"), default=None, index=True)
    status: Mapped[TrustStatus] = mapped_column(
        Enum(TrustStatus, native_enum=False, length=10), default=TrustStatus.POSTED)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("trust_transaction.id"), unique=True,
                                                    default=None)
    reason: Mapped[str] = mapped_column(String(MAX_DESCRIPTION), default="")
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

    def reversal_refusal(self) -> LedgerError | None:
        """Why this cannot be reversed, as the named error to raise; None when it can be."""
        if self.reverses_id is not None:
            return InvalidReversal("This is itself a reversal; a reversal is never reversed.")
        if self.status == TrustStatus.REVERSED:
            return AlreadyUndone(f"{self.number} has already been reversed.")
        if self.is_locked():
            return TransactionLocked(f"Locked: {self.locked_reason}. Unlink it in Integrations first.")
        return None

    def why_not_reversible(self) -> str | None:
        refusal = self.reversal_refusal()
        return refusal.message if refusal else None


class TrustLedgerEntry(Base):
    """One matter's share of a trust transaction: + money in for the matter, - money out. A matter's
    entries in one trust account never sum below zero."""

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


# ---- Reading -------------------------------------------------------------------------------------


def get_trust_account(session: Session, trust_account_id, field: str | None = None, *,
                      for_update: bool = False) -> TrustAccount:
    """The trust account `trust_account_id`: NotFound for a URL, a field refusal for a form."""
    try:
        return fetch(session, TrustAccount, trust_account_id, missing="There is no such trust account.",
                     for_update=for_update)
    except NotFound:
        if field is None:
            raise
        raise InvalidAccount("Choose a trust account.", field) from None


def matter_for_trust(session: Session, matter_id, field: str) -> Matter:
    """The matter chosen for trust money (refused beside `field`): it must exist and be open."""
    number = valid_id(matter_id)
    matter = session.get(Matter, number) if number else None
    if matter is None:
        raise LedgerError("Choose a matter.", field)
    if matter.status != MatterStatus.OPEN:
        raise MatterClosed(f"Matter {matter.number} is closed: trust money cannot move for it. "
                           "Reopen the matter first.", field)
    return matter


def get_trust_transaction(session: Session, transaction_id, *, for_update: bool = False) -> TrustTransaction:
    """The trust transaction `transaction_id`, or NotFound (locked and read afresh with `for_update`)."""
    return fetch(session, TrustTransaction, transaction_id, missing="There is no such trust transaction.",
                 for_update=for_update)


def list_trust_transactions(session: Session, *, trust_account: TrustAccount | None = None,
                            kind: TrustKind | None = None, page: int = 1,
                            per_page: int = 25) -> tuple[list[TrustTransaction], int]:
    """One page of trust transactions, newest first, and how many in all."""
    query = select(TrustTransaction)
    if trust_account is not None:
        query = query.where(TrustTransaction.trust_account_id == trust_account.id)
    if kind is not None:
        query = query.where(TrustTransaction.kind == kind)
    return page_of(session, query.options(
        selectinload(TrustTransaction.entries).selectinload(TrustLedgerEntry.matter))
        .order_by(TrustTransaction.date.desc(), TrustTransaction.id.desc()), page, per_page)


# ---- Balances ------------------------------------------------------------------------------------


def cents_sum(column):
    """SUM of a Money column as integer cents (Money converts single values, not aggregates)."""
    return func.coalesce(func.sum(type_coerce(column, BigInteger)), 0)


def matter_balance(session: Session, trust_account: TrustAccount, matter_id: int,
                   on: date | None = None) -> Decimal:
    """A matter's trust ledger balance in one trust account (as at `on` when given)."""
    query = select(cents_sum(TrustLedgerEntry.amount)).where(
        TrustLedgerEntry.trust_account_id == trust_account.id, TrustLedgerEntry.matter_id == matter_id)
    if on is not None:
        query = query.where(TrustLedgerEntry.date <= on)
    return from_cents(session.scalar(query))


def matter_balances(session: Session, trust_account: TrustAccount,
                    on: date | None = None) -> dict[int, Decimal]:
    """Every matter's balance in one trust account ({matter id: balance}; matters with entries only)."""
    query = (select(TrustLedgerEntry.matter_id, cents_sum(TrustLedgerEntry.amount))
             .where(TrustLedgerEntry.trust_account_id == trust_account.id)
             .group_by(TrustLedgerEntry.matter_id))
    if on is not None:
        query = query.where(TrustLedgerEntry.date <= on)
    return {matter_id: from_cents(total) for matter_id, total in session.execute(query)}


def matter_trust_balances(session: Session, matter_id: int) -> list[tuple[TrustAccount, Decimal]]:
    """A matter's trust balance in each trust account it has used (or that is its controlled money)."""
    totals = dict(session.execute(
        select(TrustLedgerEntry.trust_account_id, cents_sum(TrustLedgerEntry.amount))
        .where(TrustLedgerEntry.matter_id == matter_id).group_by(TrustLedgerEntry.trust_account_id)).all())
    accounts = session.scalars(
        select(TrustAccount).join(TrustAccount.account)
        .where((TrustAccount.id.in_(totals)) | (TrustAccount.matter_id == matter_id))
        .order_by(Account.code)).all()
    return [(account, from_cents(totals.get(account.id, 0))) for account in accounts]


def lowest_balance_from(session: Session, trust_account: TrustAccount, matter_id: int,
                        start: date) -> tuple[date, Decimal]:
    """The lowest end-of-day balance of a matter's trust ledger on `start` or any later day, and the
    first day it is that low (`start` itself when nothing comes after).

    One query: a running total over the matter's daily sums (a window), whose minimum is taken
    from the last day with entries on or before `start` (the balance on `start`) onwards.
    """
    scope = (TrustLedgerEntry.trust_account_id == trust_account.id,
             TrustLedgerEntry.matter_id == matter_id)
    daily = (select(TrustLedgerEntry.date.label("day"),
                    func.sum(type_coerce(TrustLedgerEntry.amount, BigInteger)).label("cents"))
             .where(*scope).group_by(TrustLedgerEntry.date).subquery())
    running = select(daily.c.day, func.sum(daily.c.cents).over(order_by=daily.c.day).label("balance")
                     ).subquery()
    last_day_before = select(func.max(TrustLedgerEntry.date)).where(
        *scope, TrustLedgerEntry.date <= start).scalar_subquery()
    lowest = session.execute(
        select(running.c.day, running.c.balance, last_day_before)
        .where(running.c.day >= func.coalesce(last_day_before, start))
        .order_by(running.c.balance, running.c.day).limit(1)).first()
    if lowest is None:
        return start, ZERO
    day, cents, had_money_before = lowest
    if had_money_before is None and cents > 0:
        return start, ZERO  # nothing on or before `start`: the ledger is empty that day
    return max(day, start), from_cents(cents)


def overdrawn_days(session: Session, trust_account: TrustAccount) -> list[tuple[int, date, Decimal]]:
    """Each matter whose ledger ended some day below zero: (matter id, its lowest day, that balance).

    One query over the whole account: daily sums, a running total per matter (a window), and the
    first lowest negative day per matter.
    """
    daily = (select(TrustLedgerEntry.matter_id, TrustLedgerEntry.date.label("day"),
                    func.sum(type_coerce(TrustLedgerEntry.amount, BigInteger)).label("cents"))
             .where(TrustLedgerEntry.trust_account_id == trust_account.id)
             .group_by(TrustLedgerEntry.matter_id, TrustLedgerEntry.date).subquery())
    running = select(daily.c.matter_id, daily.c.day, func.sum(daily.c.cents).over(
        partition_by=daily.c.matter_id, order_by=daily.c.day).label("balance")).subquery()
    ranked = select(running, func.row_number().over(
        partition_by=running.c.matter_id, order_by=(running.c.balance, running.c.day)).label("rank")
    ).where(running.c.balance < 0).subquery()
    rows = session.execute(select(ranked.c.matter_id, ranked.c.day, ranked.c.balance)
                           .where(ranked.c.rank == 1).order_by(ranked.c.matter_id)).all()
    return [(matter_id, day, from_cents(cents)) for matter_id, day, cents in rows]


def account_balance(session: Session, account_id: int, on: date | None = None) -> Decimal:
    """An account's balance (debits positive) from its journal lines (as at `on` when given)."""
    query = select(cents_sum(JournalLine.amount)).where(JournalLine.account_id == account_id)
    if on is not None:
        query = query.where(JournalLine.date <= on)
    return from_cents(session.scalar(query))


def statutory_deposit_balance(session: Session, trust_account: TrustAccount,
                              on: date | None = None) -> Decimal:
    """Money of this trust account lodged with the statutory authority (still clients' money)."""
    if trust_account.statutory_account_id is None:
        return ZERO
    return account_balance(session, trust_account.statutory_account_id, on)


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
