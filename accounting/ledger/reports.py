"""Reports computed from journal lines: the trial balance and the general ledger.

Balances are sums of signed cents grouped in SQL (one query per report), never running totals
kept elsewhere, so a report is always exactly what the ledger says.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounting.errors import LedgerError
from accounting.ledger.accounts import Account, AccountClass, AccountRole
from accounting.ledger.journals import Journal, JournalLine
from accounting.money import ZERO

# Profit-and-loss accounts restart each financial year; balance-sheet accounts carry forward.
PROFIT_AND_LOSS = (AccountClass.REVENUE, AccountClass.EXPENSE)


@dataclass(frozen=True)
class TrialBalanceRow:
    """One account's balance in a trial balance."""

    account: Account
    balance: Decimal  # positive: debit balance; negative: credit balance

    @property
    def debit(self) -> Decimal | None:
        return self.balance if self.balance > 0 else None

    @property
    def credit(self) -> Decimal | None:
        return -self.balance if self.balance < 0 else None


@dataclass(frozen=True)
class TrialBalance:
    """Every account with a balance as at one date; its debits equal its credits."""

    as_at: date
    rows: list[TrialBalanceRow]

    @property
    def total_debit(self) -> Decimal:
        return sum((r.debit or ZERO for r in self.rows), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((r.credit or ZERO for r in self.rows), ZERO)

    @property
    def balances(self) -> bool:
        return self.total_debit == self.total_credit


def account_balances(session: Session, as_at: date, since: date | None = None) -> dict[int, Decimal]:
    """Sum of lines per account id dated on or before `as_at` (and on or after `since`)."""
    statement = (
        select(JournalLine.account_id, func.sum(JournalLine.amount))
        .where(JournalLine.date <= as_at)
        .group_by(JournalLine.account_id)
    )
    if since is not None:
        statement = statement.where(JournalLine.date >= since)
    return {account_id: total or ZERO for account_id, total in session.execute(statement)}


def trial_balance(session: Session, as_at: date, fy_start: date | None = None) -> TrialBalance:
    """Every account with a balance as at `as_at`, in code order.

    With `fy_start`, revenue and expense accounts show only this financial year's movement and
    earlier years' profit is folded into the retained earnings line, as accountants expect. The
    totals balance either way.
    """
    balances = account_balances(session, as_at)
    if fy_start is not None:
        balances = _close_prior_years(session, balances, as_at, fy_start)
    accounts = session.execute(select(Account).order_by(Account.code)).scalars().all()
    rows = [TrialBalanceRow(a, balances[a.id]) for a in accounts if balances.get(a.id, ZERO) != ZERO]
    return TrialBalance(as_at=as_at, rows=rows)


def _close_prior_years(session, balances, as_at, fy_start) -> dict[int, Decimal]:
    this_year = account_balances(session, as_at, since=fy_start)
    accounts = {a.id: a for a in session.execute(select(Account)).scalars()}
    result = dict(balances)
    prior_profit = ZERO
    for account_id, total in balances.items():
        if accounts[account_id].account_class in PROFIT_AND_LOSS:
            current = this_year.get(account_id, ZERO)
            prior_profit += total - current
            result[account_id] = current
    retained = next((a for a in accounts.values() if a.role == AccountRole.RETAINED_EARNINGS),
                    None)
    if retained is not None and prior_profit != ZERO:
        result[retained.id] = result.get(retained.id, ZERO) + prior_profit
    return result


@dataclass(frozen=True)
class LedgerEntry:
    """One line in an account's general ledger, with the balance after it."""

    line: JournalLine
    journal: Journal
    running_balance: Decimal


@dataclass(frozen=True)
class AccountLedger:
    """One account's general ledger over a period: the balance before it, then each line."""

    account: Account
    opening_balance: Decimal
    entries: list[LedgerEntry]

    @property
    def closing_balance(self) -> Decimal:
        return self.entries[-1].running_balance if self.entries else self.opening_balance

    @property
    def total_debit(self) -> Decimal:
        return sum((e.line.amount for e in self.entries if e.line.amount > 0), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return -sum((e.line.amount for e in self.entries if e.line.amount < 0), ZERO)


def general_ledger(session: Session, start: date, end: date,
                   account_id: int | None = None) -> list[AccountLedger]:
    """Per account: the balance before `start`, then each line from `start` to `end`."""
    if start > end:
        raise LedgerError("The start date is after the end date.", "start")
    opening = account_balances(session, start - timedelta(days=1))
    statement = (
        select(JournalLine, Journal)
        .join(Journal, JournalLine.journal_id == Journal.id)
        .where(JournalLine.date >= start, JournalLine.date <= end)
        .order_by(JournalLine.account_id, JournalLine.date, Journal.id, JournalLine.line_no)
    )
    if account_id is not None:
        statement = statement.where(JournalLine.account_id == account_id)
    by_account: dict[int, list] = {}
    for line, journal in session.execute(statement):
        by_account.setdefault(line.account_id, []).append((line, journal))
    accounts = session.execute(select(Account).order_by(Account.code)).scalars().all()
    ledgers = []
    for account in accounts:
        if account_id is not None and account.id != account_id:
            continue
        rows = by_account.get(account.id, [])
        balance = opening.get(account.id, ZERO)
        if not rows and balance == ZERO:
            continue
        entries = []
        start_balance = balance
        for line, journal in rows:
            balance += line.amount
            entries.append(LedgerEntry(line, journal, balance))
        ledgers.append(AccountLedger(account, start_balance, entries))
    return ledgers
