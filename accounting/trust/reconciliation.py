"""The monthly three-way trust reconciliation: bank statement, cash book and client ledgers agree.

For a trust account and a month end:

    statement balance at the month end
  + unpresented deposits      (cash book money in up to the month end, not on a statement by then)
  - unpresented withdrawals   (cash book money out up to the month end, not on a statement by then)
  = adjusted bank balance     == cash book balance (the trust bank account in the general ledger)
                              == sum of the client ledgers (less money lodged as statutory deposit)

A statement (imported CSV/OFX or typed in) is kept only when its closing balance follows from its
opening balance and lines. Its lines are matched one to one with trust transactions of the same
amount. When the three figures agree an admin (the principal, who answers for the trust account)
signs the month off; staff prepare the reconciliation but cannot sign it: the reconciliation is saved with
its figures and unpresented items, and TrustAccount.reconciled_to moves to the month end, so nothing
can be dated in that period any more (accounting/trust/ledger.py refuses it). Months are signed off in
order, each once: the trust account's row is locked while signing, so two people signing the same
month at once save it once.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    String,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from accounting.audit import record
from accounting.base import Base, utcnow
from accounting.dates import parse_date
from accounting.errors import DocumentLocked, LedgerError, NotFound
from accounting.lookup import clean_text, fetch, valid_id
from accounting.money import ZERO, Money, format_money, parse_money
from accounting.office.statement_files import parse_csv_statement, parse_statement
from accounting.parties.users import User
from accounting.trust.ledger import (
    TrustAccount,
    TrustTransaction,
    get_trust_account,
    matter_balances,
    statutory_deposit_balance,
)
from accounting.trust.reports import CashItem, cash_book_balance, cash_book_items

MAX_LINES = 5000


class TrustStatement(Base):
    """A bank statement of a trust account: its period, opening and closing balances and lines.
    Kept only when the closing balance follows from the opening balance and the lines."""

    __tablename__ = "trust_statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    trust_account_id: Mapped[int] = mapped_column(ForeignKey("trust_account.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    opening_balance: Mapped[Decimal] = mapped_column(Money)
    closing_balance: Mapped[Decimal] = mapped_column(Money)
    source: Mapped[str] = mapped_column(String(200), default="")  # the file's name, or "Entered by hand"
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    trust_account: Mapped[TrustAccount] = relationship()
    created_by: Mapped[User | None] = relationship()
    lines: Mapped[list["TrustStatementLine"]] = relationship(
        back_populates="statement", order_by="(TrustStatementLine.date, TrustStatementLine.id)",
        cascade="all, delete-orphan")

    def balance_on(self, day: date) -> Decimal:
        """The bank's balance at the end of `day` by this statement."""
        return self.opening_balance + sum((li.amount for li in self.lines if li.date <= day), ZERO)


class TrustStatementLine(Base):
    """One line of a trust bank statement (+ money in), matched to at most one trust transaction."""

    __tablename__ = "trust_statement_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("trust_statement.id"), index=True)
    trust_account_id: Mapped[int] = mapped_column(ForeignKey("trust_account.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(300), default="")
    amount: Mapped[Decimal] = mapped_column(Money)
    # A trust transaction appears on the bank statement once: unique.
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("trust_transaction.id"), unique=True,
                                                       default=None)

    statement: Mapped[TrustStatement] = relationship(back_populates="lines")
    transaction: Mapped[TrustTransaction | None] = relationship()


class TrustReconciliation(Base):
    """A completed, signed-off three-way reconciliation of one trust account at one month end: one per
    month end, signed in order by an admin, only when bank, cash book and client ledgers agree."""

    __tablename__ = "trust_reconciliation"
    __table_args__ = (UniqueConstraint("trust_account_id", "month_end",
                                       name="uq_trust_reconciliation_account_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trust_account_id: Mapped[int] = mapped_column(ForeignKey("trust_account.id"), index=True)
    month_end: Mapped[date] = mapped_column(Date)
    statement_id: Mapped[int] = mapped_column(ForeignKey("trust_statement.id"))
    statement_balance: Mapped[Decimal] = mapped_column(Money)
    unpresented_deposits: Mapped[Decimal] = mapped_column(Money)
    unpresented_withdrawals: Mapped[Decimal] = mapped_column(Money)
    adjusted_bank_balance: Mapped[Decimal] = mapped_column(Money)
    cash_book_balance: Mapped[Decimal] = mapped_column(Money)
    statutory_deposit: Mapped[Decimal] = mapped_column(Money)
    client_ledgers: Mapped[Decimal] = mapped_column(Money)
    comment: Mapped[str] = mapped_column(String(300), default="")
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    signed_off_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    trust_account: Mapped[TrustAccount] = relationship()
    statement: Mapped[TrustStatement] = relationship()
    signed_off_by: Mapped[User | None] = relationship()
    unpresented: Mapped[list["TrustUnpresentedItem"]] = relationship(
        back_populates="reconciliation", order_by="(TrustUnpresentedItem.date, TrustUnpresentedItem.id)",
        cascade="all, delete-orphan")

    @property
    def deposits(self) -> list["TrustUnpresentedItem"]:
        return [i for i in self.unpresented if i.amount > ZERO]

    @property
    def withdrawals(self) -> list["TrustUnpresentedItem"]:
        return [i for i in self.unpresented if i.amount < ZERO]


class TrustUnpresentedItem(Base):
    """A cash book item not yet on the bank statement at a signed-off month end, kept as it stood
    then (it never changes with later matching)."""

    __tablename__ = "trust_unpresented_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    reconciliation_id: Mapped[int] = mapped_column(ForeignKey("trust_reconciliation.id"), index=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("trust_transaction.id"))
    date: Mapped[date] = mapped_column(Date)
    number: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(300), default="")
    amount: Mapped[Decimal] = mapped_column(Money)  # + a deposit, - a withdrawal

    reconciliation: Mapped[TrustReconciliation] = relationship(back_populates="unpresented")
    transaction: Mapped[TrustTransaction] = relationship()


# ---- Statements ----------------------------------------------------------------------------------


def _balance(value, field: str, what: str) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if not (value or "").strip():
        raise LedgerError(f"Enter the statement's {what}.", field)
    return parse_money(value, field)


def _renumber(message: str) -> str:
    """parse_csv_statement counts the header as row 1; typed lines have none."""
    if message.startswith("Row "):
        number, rest = message[4:].split(":", 1)
        if number.isdigit():
            return f"Line {int(number) - 1}:{rest}"
    return message


def save_statement(session: Session, user: User | None, *, trust_account_id, opening, closing,
                   filename: str = "", data: bytes = b"", typed: str = "", start: date | None = None,
                   end: date | None = None) -> TrustStatement:
    """Keep a bank statement of a trust account, from a CSV/OFX file or lines typed in.

    Refused, saving nothing, when its closing balance does not follow from the opening balance and
    its lines (the message gives the difference).
    """
    trust_account = get_trust_account(session, trust_account_id, "trust_account")
    opening = _balance(opening, "opening_balance", "opening balance")
    closing = _balance(closing, "closing_balance", "closing balance")
    if data:
        lines = parse_statement(filename, data)
        source = (filename or "statement")[:200]
    elif (typed or "").strip():
        try:
            lines = parse_csv_statement(("date,description,amount\n" + typed.strip()).encode())
        except LedgerError as error:
            raise LedgerError(_renumber(error.message), "lines") from None
        source = "Entered by hand"
    else:
        raise LedgerError("Choose a statement file (CSV or OFX), or type the statement's lines.",
                          "statement")
    if len(lines) > MAX_LINES:
        raise LedgerError(f"A statement has at most {MAX_LINES} lines.", "statement")
    total = sum((li.amount for li in lines), ZERO)
    if opening + total != closing:
        raise LedgerError(
            f"The closing balance does not follow from the lines: {format_money(opening)} opening "
            f"{'+' if total >= ZERO else '-'} {format_money(abs(total))} of lines = "
            f"{format_money(opening + total)}, but the closing balance is {format_money(closing)} "
            f"(a difference of {format_money(closing - opening - total)}).", "closing_balance")
    start = start or min(li.date for li in lines)
    end = end or max(li.date for li in lines)
    if end < start or any(not start <= li.date <= end for li in lines):
        raise LedgerError(f"Every line must fall within the statement's period "
                          f"({start:%d %b %Y} to {end:%d %b %Y}).", "end_date")
    _check_continuity(session, trust_account, start, opening)
    statement = TrustStatement(
        trust_account_id=trust_account.id, start_date=start, end_date=end, opening_balance=opening,
        closing_balance=closing, source=source, created_by_id=user.id if user else None,
        lines=[TrustStatementLine(trust_account_id=trust_account.id, date=li.date,
                                  description=li.description[:300], amount=li.amount) for li in lines])
    session.add(statement)
    session.flush()
    record(session, user, "imported", "trust_statement", statement.id,
           f"Statement of {trust_account.name} {start:%d %b %Y} to {end:%d %b %Y} "
           f"({len(lines)} lines, closing {format_money(closing)}) kept from {source}")
    return statement


def _check_continuity(session: Session, trust_account: TrustAccount, start: date, opening: Decimal) -> None:
    """A statement that follows on from a kept one opens at that one's closing balance."""
    before = session.scalar(
        select(TrustStatement).where(TrustStatement.trust_account_id == trust_account.id,
                                     TrustStatement.end_date == start - timedelta(days=1))
        .order_by(TrustStatement.created_at.desc(), TrustStatement.id.desc()).limit(1))
    if before is not None and before.closing_balance != opening:
        raise LedgerError(
            f"The statement to {before.end_date:%d %b %Y} closed at {format_money(before.closing_balance)}, "
            f"so this one, from {start:%d %b %Y}, opens at that balance, not {format_money(opening)}.",
            "opening_balance")


def statements(session: Session, trust_account: TrustAccount) -> list[TrustStatement]:
    """The trust account's statements, latest period first."""
    return list(session.scalars(select(TrustStatement)
                                .where(TrustStatement.trust_account_id == trust_account.id)
                                .order_by(TrustStatement.end_date.desc(), TrustStatement.id.desc())))


# ---- Matching ------------------------------------------------------------------------------------


def _lock(session: Session, trust_account: TrustAccount) -> None:
    """Lock the trust account's row (matching and signing off wait for each other), read afresh."""
    session.get(TrustAccount, trust_account.id, with_for_update=True)
    session.refresh(trust_account)


def _statement_line(session: Session, trust_account: TrustAccount, line_id) -> TrustStatementLine:
    """The trust account's statement line `line_id`, locked, or NotFound (another account's too)."""
    missing = "There is no such statement line."
    line = fetch(session, TrustStatementLine, line_id, missing=missing, for_update=True)
    if line.trust_account_id != trust_account.id:
        raise NotFound(missing)
    return line


def _check_open(trust_account: TrustAccount, line: TrustStatementLine) -> None:
    if trust_account.reconciled_to is not None and line.date <= trust_account.reconciled_to:
        raise DocumentLocked(f"The line of {line.date:%d %b %Y} is in a reconciled period (to "
                             f"{trust_account.reconciled_to:%d %b %Y}): it cannot change.", "transaction")


def unmatched_items(session: Session, trust_account: TrustAccount) -> list[CashItem]:
    """Cash book items not yet matched to a statement line."""
    matched = set(session.scalars(select(TrustStatementLine.transaction_id).where(
        TrustStatementLine.trust_account_id == trust_account.id,
        TrustStatementLine.transaction_id.is_not(None))))
    return [i for i in cash_book_items(session, trust_account) if i.transaction.id not in matched]


def suggestions(line: TrustStatementLine, items: list[CashItem]) -> list[CashItem]:
    """Cash book items a statement line could be: the same amount, the same date first."""
    same = [i for i in items if i.amount == line.amount]
    return sorted(same, key=lambda i: (abs((i.date - line.date).days), i.transaction.id))


def match_line(session: Session, user: User | None, trust_account: TrustAccount, line_id,
               transaction_id) -> TrustStatementLine:
    """Match a statement line to the trust transaction it shows (same account, same amount)."""
    _lock(session, trust_account)
    line = _statement_line(session, trust_account, line_id)
    _check_open(trust_account, line)
    if line.transaction_id is not None:
        raise LedgerError("That line is already matched: unmatch it first.", "transaction")
    items = {i.transaction.id: i for i in unmatched_items(session, trust_account)}
    item = items.get(valid_id(transaction_id))
    if item is None:
        raise LedgerError("Choose an unmatched cash book item of this trust account.", "transaction")
    if item.amount != line.amount:
        raise LedgerError(f"{item.transaction.number} is {format_money(item.amount)} in the cash book but "
                          f"the statement line is {format_money(line.amount)}.", "transaction")
    line.transaction_id = item.transaction.id
    session.flush()
    record(session, user, "matched", "trust_statement_line", line.id,
           f"Statement line of {line.date:%d %b %Y} ({format_money(line.amount)}) matched to "
           f"{item.transaction.number}")
    return line


def unmatch_line(session: Session, user: User | None, trust_account: TrustAccount,
                 line_id) -> TrustStatementLine:
    """Undo a match, unless the line is in a reconciled period."""
    _lock(session, trust_account)
    line = _statement_line(session, trust_account, line_id)
    _check_open(trust_account, line)
    if line.transaction_id is None:
        raise LedgerError("That line is not matched.", "transaction")
    number = line.transaction.number
    line.transaction_id = None
    session.flush()
    record(session, user, "unmatched", "trust_statement_line", line.id,
           f"Statement line of {line.date:%d %b %Y} no longer matched to {number}")
    return line


def match_suggested(session: Session, user: User | None, trust_account: TrustAccount) -> int:
    """Match every open line to the one unmatched item of the same amount and date; how many."""
    _lock(session, trust_account)
    items = unmatched_items(session, trust_account)
    done = 0
    for line in open_lines(session, trust_account):
        exact = [i for i in items if i.amount == line.amount and i.date == line.date]
        if len(exact) >= 1:
            match_line(session, user, trust_account, line.id, exact[0].transaction.id)
            items.remove(exact[0])
            done += 1
    return done


def open_lines(session: Session, trust_account: TrustAccount) -> list[TrustStatementLine]:
    """Statement lines not matched to a trust transaction."""
    return list(session.scalars(select(TrustStatementLine).where(
        TrustStatementLine.trust_account_id == trust_account.id,
        TrustStatementLine.transaction_id.is_(None))
        .order_by(TrustStatementLine.date, TrustStatementLine.id)))


def matched_lines(session: Session, trust_account: TrustAccount) -> list[TrustStatementLine]:
    return list(session.scalars(select(TrustStatementLine).where(
        TrustStatementLine.trust_account_id == trust_account.id,
        TrustStatementLine.transaction_id.is_not(None))
        .options(selectinload(TrustStatementLine.transaction))
        .order_by(TrustStatementLine.date, TrustStatementLine.id)))


# ---- The reconciliation --------------------------------------------------------------------------


def month_end_of(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def next_month_end(day: date) -> date:
    return month_end_of(day + timedelta(days=1))


def parse_month(value, field: str = "month") -> date:
    """A month from a form (YYYY-MM, or any date in it) as its last day."""
    text = (value or "").strip() if not isinstance(value, date) else value.isoformat()
    try:
        day = parse_date(text + "-01" if len(text) == 7 else text, field)
    except LedgerError:
        raise LedgerError(f"“{text[:30]}” is not a month: choose one, e.g. 2026-07.", field) from None
    return month_end_of(day)


@dataclass
class ThreeWay:
    """The month end's figures before sign-off."""

    trust_account: TrustAccount
    month_end: date
    statement: TrustStatement | None
    statement_balance: Decimal | None
    unpresented: list[CashItem]
    cash_book: Decimal
    statutory_deposit: Decimal
    client_ledgers: Decimal
    unexplained: list[TrustStatementLine]  # statement lines to the month end in no cash book item

    @property
    def deposits(self) -> list[CashItem]:
        return [i for i in self.unpresented if i.amount > ZERO]

    @property
    def withdrawals(self) -> list[CashItem]:
        return [i for i in self.unpresented if i.amount < ZERO]

    @property
    def unpresented_deposits(self) -> Decimal:
        return sum((i.amount for i in self.deposits), ZERO)

    @property
    def unpresented_withdrawals(self) -> Decimal:
        return -sum((i.amount for i in self.withdrawals), ZERO)

    @property
    def adjusted_bank_balance(self) -> Decimal | None:
        if self.statement_balance is None:
            return None
        return self.statement_balance + self.unpresented_deposits - self.unpresented_withdrawals

    @property
    def ledgers_in_bank(self) -> Decimal:
        """The client ledgers less what is lodged as statutory deposit (which is not in the bank)."""
        return self.client_ledgers - self.statutory_deposit

    @property
    def bank_difference(self) -> Decimal | None:
        adjusted = self.adjusted_bank_balance
        return None if adjusted is None else adjusted - self.cash_book

    @property
    def ledger_difference(self) -> Decimal:
        return self.ledgers_in_bank - self.cash_book

    @property
    def agrees(self) -> bool:
        return self.bank_difference == ZERO and self.ledger_difference == ZERO


def statement_for(session: Session, trust_account: TrustAccount, month_end: date) -> TrustStatement | None:
    """The latest kept statement whose period covers the month end."""
    return session.scalar(
        select(TrustStatement).where(TrustStatement.trust_account_id == trust_account.id,
                                     TrustStatement.start_date <= month_end,
                                     TrustStatement.end_date >= month_end)
        .options(selectinload(TrustStatement.lines))
        .order_by(TrustStatement.created_at.desc(), TrustStatement.id.desc()).limit(1))


def three_way(session: Session, trust_account: TrustAccount, month_end: date) -> ThreeWay:
    """Statement balance + unpresented deposits - unpresented withdrawals, the cash book and the
    client ledgers at a month end."""
    statement = statement_for(session, trust_account, month_end)
    presented = set(session.scalars(select(TrustStatementLine.transaction_id).where(
        TrustStatementLine.trust_account_id == trust_account.id,
        TrustStatementLine.transaction_id.is_not(None), TrustStatementLine.date <= month_end)))
    unpresented = [i for i in cash_book_items(session, trust_account, end=month_end)
                   if i.transaction.id not in presented]
    unexplained = list(session.scalars(select(TrustStatementLine).where(
        TrustStatementLine.trust_account_id == trust_account.id,
        TrustStatementLine.transaction_id.is_(None), TrustStatementLine.date <= month_end)
        .order_by(TrustStatementLine.date, TrustStatementLine.id)))
    return ThreeWay(
        trust_account, month_end, statement,
        statement.balance_on(month_end) if statement else None, unpresented,
        cash_book=cash_book_balance(session, trust_account, month_end),
        statutory_deposit=statutory_deposit_balance(session, trust_account, month_end),
        client_ledgers=sum(matter_balances(session, trust_account, month_end).values(), ZERO),
        unexplained=unexplained)


def why_not_month(trust_account: TrustAccount, month_end: date, today: date) -> str | None:
    """Why this month cannot be signed off now (in order, each once, once it has ended)."""
    last = trust_account.reconciled_to
    if last is not None and month_end <= last:
        return (f"{trust_account.name} is already reconciled to {last:%d %b %Y}: "
                f"the next month to reconcile is {next_month_end(last):%B %Y}.")
    if last is not None and month_end != next_month_end(last):
        return (f"Months are reconciled in order: reconcile {next_month_end(last):%B %Y} "
                f"before {month_end:%B %Y}.")
    if month_end >= today:
        return (f"{month_end:%B %Y} has not ended yet: it can be signed off from "
                f"{month_end + timedelta(1):%d %b %Y}.")
    return None


SIGN_OFF_IS_FOR_ADMINS = ("Only an admin (the principal) can sign off a trust reconciliation: "
                          "ask one to check these figures and sign the month off.")


def may_sign_off(user: User | None) -> bool:
    """Whether `user` may sign off a reconciliation: admins only (None is the system, e.g. imports)."""
    return user is None or user.is_admin


def sign_off(session: Session, user: User | None, trust_account_id, month, *, comment: str = "",
             today: date | None = None) -> TrustReconciliation:
    """Complete and sign off a month's three-way reconciliation, only when all three agree.

    The trust account's row is locked first, so two people signing the same month at once save it
    once; the second is told it is already reconciled. Only an admin signs (may_sign_off).
    """
    if not may_sign_off(user):
        raise LedgerError(SIGN_OFF_IS_FOR_ADMINS, "month")
    trust_account = get_trust_account(session, trust_account_id, "trust_account", for_update=True)
    session.refresh(trust_account)
    month_end = parse_month(month)
    comment = clean_text(comment, 300, "comment", "the comment")
    problem = why_not_month(trust_account, month_end, today or date.today())
    if problem:
        raise LedgerError(problem, "month")
    figures = three_way(session, trust_account, month_end)
    if figures.statement is None:
        raise LedgerError(f"Import or enter the bank statement covering {month_end:%d %b %Y} first.",
                          "month")
    if not figures.agrees:
        raise LedgerError(
            f"The three do not agree at {month_end:%d %b %Y}: adjusted bank balance less cash book "
            f"{format_money(figures.bank_difference)}, client ledgers less cash book "
            f"{format_money(figures.ledger_difference)}. Match the statement lines or correct the "
            "cash book first.", "month")
    reconciliation = TrustReconciliation(
        trust_account_id=trust_account.id, month_end=month_end, statement_id=figures.statement.id,
        statement_balance=figures.statement_balance, unpresented_deposits=figures.unpresented_deposits,
        unpresented_withdrawals=figures.unpresented_withdrawals,
        adjusted_bank_balance=figures.adjusted_bank_balance, cash_book_balance=figures.cash_book,
        statutory_deposit=figures.statutory_deposit, client_ledgers=figures.client_ledgers,
        comment=comment, signed_off_by_id=user.id if user else None,
        unpresented=[TrustUnpresentedItem(
            transaction_id=i.transaction.id, date=i.date, number=i.transaction.number,
            description=(i.transaction.description or i.transaction.party or i.transaction.kind.label)[:300],
            amount=i.amount) for i in figures.unpresented])
    session.add(reconciliation)
    trust_account.reconciled_to = month_end
    session.flush()
    record(session, user, "signed off", "trust_reconciliation", reconciliation.id,
           f"{trust_account.name} reconciled to {month_end:%d %b %Y}: bank, cash book and client "
           f"ledgers agree at {format_money(figures.cash_book)}" + (f" ({comment})" if comment else ""))
    return reconciliation


def reconciliations(session: Session, trust_account: TrustAccount) -> list[TrustReconciliation]:
    """Completed reconciliations, latest month first."""
    return list(session.scalars(select(TrustReconciliation)
                                .where(TrustReconciliation.trust_account_id == trust_account.id)
                                .order_by(TrustReconciliation.month_end.desc())))


def get_reconciliation(session: Session, reconciliation_id) -> TrustReconciliation:
    """The signed-off reconciliation `reconciliation_id`, or NotFound."""
    return fetch(session, TrustReconciliation, reconciliation_id,
                 missing="There is no such trust reconciliation.")
