"""Trust reports: the client trust ledger per matter, the trust cash book and the trust trial balance.

They read the records accounting/trust/ledger.py keeps and never write. The invariant they show:
for each trust account, the sum of the matters' ledgers equals the cash book (the trust bank
account's balance in the general ledger, plus money lodged as statutory deposit) and equals the
Trust Liability balance. A trust transaction's effect on the cash book is the sum of its journal's
lines on the trust bank account: a receipt is money in, a payment or transfer to office money out,
a trust journal between matters does not touch the bank, and a reversal lands on the side it undoes.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from accounting.errors import LedgerError
from accounting.ledger.journals import JournalLine
from accounting.lookup import fetch
from accounting.money import ZERO, from_cents
from accounting.parties.clients import Matter
from accounting.trust.ledger import (
    TrustAccount,
    TrustLedgerEntry,
    TrustPosition,
    TrustTransaction,
    account_balance,
    cents_sum,
    matter_balance,
    matter_balances,
    trust_position,
)


def check_period(start: date, end: date, field: str = "from") -> None:
    """Refuse a period that ends before it starts."""
    if end < start:
        raise LedgerError(f"The period ends ({end:%d %b %Y}) before it starts ({start:%d %b %Y}).", field)


# ---- Client trust ledger per matter --------------------------------------------------------------


@dataclass(frozen=True)
class LedgerRow:
    entry: TrustLedgerEntry
    transaction: TrustTransaction
    balance: Decimal

    @property
    def deposit(self) -> Decimal | None:
        return self.entry.amount if self.entry.amount > ZERO else None

    @property
    def withdrawal(self) -> Decimal | None:
        return -self.entry.amount if self.entry.amount < ZERO else None


@dataclass
class MatterLedger:
    trust_account: TrustAccount
    matter: Matter
    start: date
    end: date
    opening: Decimal
    rows: list[LedgerRow] = field(default_factory=list)

    @property
    def closing(self) -> Decimal:
        return self.rows[-1].balance if self.rows else self.opening

    @property
    def total_deposits(self) -> Decimal:
        return sum((r.deposit or ZERO for r in self.rows), ZERO)

    @property
    def total_withdrawals(self) -> Decimal:
        return sum((r.withdrawal or ZERO for r in self.rows), ZERO)


def get_matter(session: Session, matter_id) -> Matter:
    """The matter of a URL, or NotFound."""
    return fetch(session, Matter, matter_id, missing="There is no such matter.")


def _ledger_entries(session: Session, trust_account: TrustAccount, start: date, end: date,
                    *conditions) -> list[TrustLedgerEntry]:
    """The account's ledger entries dated in the period (and meeting `conditions`), with their
    transactions, in ledger order."""
    return list(session.scalars(
        select(TrustLedgerEntry)
        .where(TrustLedgerEntry.trust_account_id == trust_account.id,
               TrustLedgerEntry.date.between(start, end), *conditions)
        .options(selectinload(TrustLedgerEntry.transaction))
        .order_by(TrustLedgerEntry.date, TrustLedgerEntry.transaction_id, TrustLedgerEntry.id)))


def matter_ledger(session: Session, trust_account: TrustAccount, matter: Matter, start: date,
                  end: date) -> MatterLedger:
    """A matter's trust ledger between two dates: opening balance, each entry with its running
    balance (withdrawals and deposits apart), closing balance."""
    check_period(start, end)
    opening = matter_balance(session, trust_account, matter.id, start - timedelta(days=1))
    entries = _ledger_entries(session, trust_account, start, end,
                              TrustLedgerEntry.matter_id == matter.id)
    ledger, balance = MatterLedger(trust_account, matter, start, end, opening), opening
    for entry in entries:
        balance += entry.amount
        ledger.rows.append(LedgerRow(entry, entry.transaction, balance))
    return ledger


# ---- The statutory trust ledger: every matter's ledger in one trust account -----------------------


@dataclass
class TrustLedgerBook:
    """Every client ledger of one trust account for a period, as the trust records must be kept and
    produced for inspection: each matter with money in the account at the start or movement in the
    period, and the totals (the closing total is the sum of the client ledgers)."""

    trust_account: TrustAccount
    start: date
    end: date
    ledgers: list[MatterLedger] = field(default_factory=list)

    @property
    def opening(self) -> Decimal:
        return sum((ledger.opening for ledger in self.ledgers), ZERO)

    @property
    def total_deposits(self) -> Decimal:
        return sum((ledger.total_deposits for ledger in self.ledgers), ZERO)

    @property
    def total_withdrawals(self) -> Decimal:
        return sum((ledger.total_withdrawals for ledger in self.ledgers), ZERO)

    @property
    def closing(self) -> Decimal:
        return sum((ledger.closing for ledger in self.ledgers), ZERO)


def trust_ledger(session: Session, trust_account: TrustAccount, start: date, end: date) -> TrustLedgerBook:
    """The trust account's statutory ledger between two dates: each matter's opening balance, entries
    with running balances and closing balance, in matter-number order (three queries in all)."""
    check_period(start, end)
    openings = matter_balances(session, trust_account, start - timedelta(days=1))
    entries = _ledger_entries(session, trust_account, start, end)
    shown = {matter_id for matter_id, balance in openings.items() if balance != ZERO}
    shown |= {entry.matter_id for entry in entries}
    matters = session.scalars(select(Matter).where(Matter.id.in_(shown))
                              .options(selectinload(Matter.client)).order_by(Matter.number)).all()
    ledgers = {m.id: MatterLedger(trust_account, m, start, end, openings.get(m.id, ZERO)) for m in matters}
    for entry in entries:
        ledger = ledgers[entry.matter_id]
        ledger.rows.append(LedgerRow(entry, entry.transaction, ledger.closing + entry.amount))
    return TrustLedgerBook(trust_account, start, end, list(ledgers.values()))


def account_ledger(session: Session, trust_account: TrustAccount) -> list[tuple[TrustTransaction, Decimal,
                                                                                 Decimal]]:
    """A trust account's ledger, oldest first: (transaction, change to its matters, running balance)."""
    rows = session.execute(
        select(TrustTransaction, TrustLedgerEntry.amount)
        .join(TrustLedgerEntry, TrustLedgerEntry.transaction_id == TrustTransaction.id)
        .where(TrustTransaction.trust_account_id == trust_account.id)
        .order_by(TrustTransaction.date, TrustTransaction.id, TrustLedgerEntry.id)).all()
    ledger, running = [], ZERO
    for transaction, change in rows:
        running += change
        ledger.append((transaction, change, running))
    return ledger


# ---- Trust cash book -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CashItem:
    """A trust transaction's effect on the trust bank account: + money in, - money out."""

    transaction: TrustTransaction
    amount: Decimal

    @property
    def date(self) -> date:
        return self.transaction.date


def cash_book_items(session: Session, trust_account: TrustAccount, start: date | None = None,
                    end: date | None = None) -> list[CashItem]:
    """Every trust transaction that moved money in or out of the trust bank account, in date order."""
    bank_lines = (select(JournalLine.journal_id, cents_sum(JournalLine.amount).label("cents"))
                  .where(JournalLine.account_id == trust_account.account_id)
                  .group_by(JournalLine.journal_id).subquery())
    query = (select(TrustTransaction, bank_lines.c.cents)
             .join(bank_lines, bank_lines.c.journal_id == TrustTransaction.journal_id)
             .where(TrustTransaction.trust_account_id == trust_account.id, bank_lines.c.cents != 0)
             .options(selectinload(TrustTransaction.entries).selectinload(TrustLedgerEntry.matter))
             .order_by(TrustTransaction.date, TrustTransaction.id))
    if start is not None:
        query = query.where(TrustTransaction.date >= start)
    if end is not None:
        query = query.where(TrustTransaction.date <= end)
    return [CashItem(transaction, from_cents(cents)) for transaction, cents in session.execute(query)]


@dataclass
class CashBook:
    trust_account: TrustAccount
    start: date
    end: date
    opening: Decimal
    receipts: list[CashItem]
    payments: list[CashItem]

    @property
    def total_receipts(self) -> Decimal:
        return sum((i.amount for i in self.receipts), ZERO)

    @property
    def total_payments(self) -> Decimal:
        return -sum((i.amount for i in self.payments), ZERO)

    @property
    def closing(self) -> Decimal:
        return self.opening + self.total_receipts - self.total_payments


def cash_book(session: Session, trust_account: TrustAccount, start: date, end: date) -> CashBook:
    """The trust cash book for a period: the receipts journal (money in) and the payments journal
    (money out), each with its total, between the opening and closing cash book balances."""
    check_period(start, end)
    items = cash_book_items(session, trust_account, start, end)
    opening = account_balance(session, trust_account.account_id, start - timedelta(days=1))
    return CashBook(trust_account, start, end, opening,
                    receipts=[i for i in items if i.amount > ZERO],
                    payments=[i for i in items if i.amount < ZERO])


def cash_book_balance(session: Session, trust_account: TrustAccount, on: date | None = None) -> Decimal:
    """The trust bank account's balance in the general ledger (as at `on`)."""
    return account_balance(session, trust_account.account_id, on)


# ---- Trust trial balance -------------------------------------------------------------------------


@dataclass(frozen=True)
class MatterBalance:
    matter: Matter
    balance: Decimal


@dataclass
class TrustTrialBalance:
    trust_account: TrustAccount
    as_at: date
    rows: list[MatterBalance]
    position: TrustPosition
    cash_book: Decimal
    statutory_deposit: Decimal

    @property
    def total(self) -> Decimal:
        return sum((r.balance for r in self.rows), ZERO)

    @property
    def agrees(self) -> bool:
        return self.position.agrees


def trust_trial_balance(session: Session, trust_account: TrustAccount, as_at: date) -> TrustTrialBalance:
    """Every matter with money in the trust account as at a date, their total, and beside it the
    cash book (plus statutory deposit) and the liability, which must all agree."""
    balances = {mid: b for mid, b in matter_balances(session, trust_account, as_at).items() if b != ZERO}
    matters = session.scalars(select(Matter).where(Matter.id.in_(balances))
                              .options(selectinload(Matter.client))).all() if balances else []
    rows = sorted((MatterBalance(m, balances[m.id]) for m in matters),
                  key=lambda r: (r.matter.client.name.lower(), r.matter.number))
    position = trust_position(session, trust_account, as_at)
    cash = cash_book_balance(session, trust_account, as_at)
    return TrustTrialBalance(trust_account, as_at, rows, position, cash, position.cash_book - cash)


def matters_with_entries(session: Session, trust_account: TrustAccount) -> list[Matter]:
    """The matters that have ever had trust money in this account (for the reports' index)."""
    ids = select(TrustLedgerEntry.matter_id).where(
        TrustLedgerEntry.trust_account_id == trust_account.id).distinct()
    return list(session.scalars(select(Matter).where(Matter.id.in_(ids))
                                .options(selectinload(Matter.client)).order_by(Matter.number)))
