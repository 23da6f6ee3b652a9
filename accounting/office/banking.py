"""Banking: the office bank accounts, money in and out not linked to a bill, transfers between
bank accounts, and bank reconciliation.

Invariants this module protects:

- Every deposit, withdrawal and transfer posts one balanced journal through `journals.post()`;
  a correction is a reversal of that journal, never an edit, and is refused when locked.
- Deposits: Dr bank the total, Cr each line's account its amount, Cr GST collected the GST.
  Withdrawals: Cr bank the total, Dr each line's account its amount, Dr GST paid the GST.
  Transfers: Dr the receiving bank, Cr the paying bank.
- Only office bank accounts (is_bank, not the trust bank, not archived) take these postings.
- Statement lines are matched to book entries in groups (one to one, one to several, several to
  one) whose two sides add up to the same amount; a journal line is in at most one group (primary
  key). A reconciliation is saved only when the opening reconciled balance plus the matched
  statement lines equals the statement's closing balance; its book lines are then reconciled (one
  row per journal line). Only the latest reconciliation may be undone; it stays, marked undone.
- Matching, importing, deleting statement lines, saving and undoing lock the bank account's row
  first, so two people acting at once take turns.
- No GST is charged or claimed while the practice is not registered for GST (tax.check_gst_allowed).
"""

import csv
import enum
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    String,
    delete,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from accounting.audit import record
from accounting.base import Base, PostedTransactionMixin, utcnow
from accounting.errors import InvalidAccount, InvalidAmount, LedgerError, NotFound, TransactionLocked
from accounting.ledger.accounts import (  # noqa: F401 (re-exported)
    Account,
    AccountRole,
    account_for_role,
    is_office_bank,
    office_bank_accounts,
)
from accounting.ledger.journals import (
    Journal,
    JournalLine,
    JournalStatus,
    LineInput,
    post,
    register_journal_kind,
    reverse,
)
from accounting.ledger.practice import get_practice
from accounting.ledger.tax import TaxCode, check_gst_allowed, gst_on
from accounting.money import CENT, ZERO, Money, format_money, from_cents, parse_money
from accounting.parties.users import User
from accounting.sequences import next_number

# Each kind of journal this module posts numbers in its own series.
for _kind, _prefix in {"deposit": "DE-", "withdrawal": "WI-", "bank_transfer": "BA-"}.items():
    register_journal_kind(_kind, _prefix)

MAX_LINES = 100
MATCH_WINDOW_DAYS = 7


class BankTransactionKind(enum.StrEnum):
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"

    @property
    def label(self) -> str:
        return "Receive money" if self is BankTransactionKind.DEPOSIT else "Spend money"


NUMBER_PREFIXES = {BankTransactionKind.DEPOSIT: "DEP-", BankTransactionKind.WITHDRAWAL: "WDL-"}


class BankStatus(enum.StrEnum):
    POSTED = "posted"
    REVERSED = "reversed"


# ---- Models -------------------------------------------------------------------------------------


class BankTransaction(PostedTransactionMixin, Base):
    """A deposit (receive money) or withdrawal (spend money) not linked to a bill."""

    __tablename__ = "bank_transaction"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[BankTransactionKind] = mapped_column(
        Enum(BankTransactionKind, native_enum=False, length=12))
    bank_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    contact: Mapped[str] = mapped_column(String(150), default="")
    reference: Mapped[str] = mapped_column(String(100), default="")
    total: Mapped[Decimal] = mapped_column(Money)
    gst: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[BankStatus] = mapped_column(Enum(BankStatus, native_enum=False, length=10),
                                               default=BankStatus.POSTED)
    journal_id: Mapped[int] = mapped_column(ForeignKey("journal.id"), unique=True)
    reversal_journal_id: Mapped[int | None] = mapped_column(ForeignKey("journal.id"), unique=True)

    bank_account: Mapped[Account] = relationship()
    journal: Mapped[Journal] = relationship(foreign_keys=[journal_id])
    reversal_journal: Mapped[Journal | None] = relationship(foreign_keys=[reversal_journal_id])
    lines: Mapped[list["BankTransactionLine"]] = relationship(
        back_populates="transaction", order_by="BankTransactionLine.line_no",
        cascade="all, delete-orphan")

    @property
    def subtotal(self) -> Decimal:
        return self.total - self.gst

    def why_not_reversible(self) -> str | None:
        return _why_not_reversible(self)

    @property
    def shown_status(self) -> str:
        """Reversed also when its journal was reversed from the journal's own page."""
        return _shown_status(self)


def _shown_status(document) -> str:
    if document.journal.status == JournalStatus.REVERSED:
        return BankStatus.REVERSED.value
    return document.status.value


def _why_not_reversible(document) -> str | None:
    """Why a deposit, withdrawal or transfer cannot be reversed; None when it can."""
    if _shown_status(document) == BankStatus.REVERSED:
        return f"{document.number} has already been reversed."
    if document.is_locked():
        return f"Locked: {document.locked_reason}."
    return None


class BankTransactionLine(Base):
    __tablename__ = "bank_transaction_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("bank_transaction.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(300), default="")
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    amount: Mapped[Decimal] = mapped_column(Money)  # GST-exclusive
    tax: Mapped[TaxCode] = mapped_column(Enum(TaxCode, native_enum=False, length=10))
    gst: Mapped[Decimal] = mapped_column(Money)

    transaction: Mapped[BankTransaction] = relationship(back_populates="lines")
    account: Mapped[Account] = relationship()


class BankTransfer(PostedTransactionMixin, Base):
    """Money moved from one office bank account to another."""

    __tablename__ = "bank_transfer"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    from_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    to_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    reference: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[BankStatus] = mapped_column(Enum(BankStatus, native_enum=False, length=10),
                                               default=BankStatus.POSTED)
    journal_id: Mapped[int] = mapped_column(ForeignKey("journal.id"), unique=True)
    reversal_journal_id: Mapped[int | None] = mapped_column(ForeignKey("journal.id"), unique=True)

    from_account: Mapped[Account] = relationship(foreign_keys=[from_account_id])
    to_account: Mapped[Account] = relationship(foreign_keys=[to_account_id])
    journal: Mapped[Journal] = relationship(foreign_keys=[journal_id])
    reversal_journal: Mapped[Journal | None] = relationship(foreign_keys=[reversal_journal_id])

    def why_not_reversible(self) -> str | None:
        return _why_not_reversible(self)

    @property
    def shown_status(self) -> str:
        """Reversed also when its journal was reversed from the journal's own page."""
        return _shown_status(self)


class BankMatch(Base):
    """A group of statement lines and book entries that explain each other: one statement line to
    one book entry, one to several (a deposit of three receipts) or several to one. The statement
    lines and the book entries of a group add up to the same amount."""

    __tablename__ = "bank_match"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    statement_lines: Mapped[list["StatementLine"]] = relationship(
        back_populates="match", order_by="(StatementLine.date, StatementLine.id)")
    book_lines: Mapped[list["MatchedBookLine"]] = relationship(
        back_populates="match", cascade="all, delete-orphan", order_by="MatchedBookLine.journal_line_id")

    @property
    def journal_lines(self) -> list[JournalLine]:
        return [b.journal_line for b in self.book_lines]


class MatchedBookLine(Base):
    """A book entry (journal line on the bank account) in a match; in at most one (primary key)."""

    __tablename__ = "bank_match_line"

    journal_line_id: Mapped[int] = mapped_column(ForeignKey("journal_line.id"), primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("bank_match.id"), index=True)

    match: Mapped[BankMatch] = relationship(back_populates="book_lines")
    journal_line: Mapped[JournalLine] = relationship()


class StatementLine(Base):
    """One line of an imported bank statement; `match` groups it with the book entries it shows."""

    __tablename__ = "bank_statement_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(300), default="")
    amount: Mapped[Decimal] = mapped_column(Money)  # money in is positive
    source: Mapped[str] = mapped_column(String(200), default="")  # the imported file's name
    fitid: Mapped[str] = mapped_column(String(255), default="")  # OFX's own transaction id, if any
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    match_id: Mapped[int | None] = mapped_column(ForeignKey("bank_match.id"), index=True)
    reconciliation_id: Mapped[int | None] = mapped_column(ForeignKey("bank_reconciliation.id"),
                                                          index=True)

    match: Mapped[BankMatch | None] = relationship(back_populates="statement_lines")

    @property
    def journal_lines(self) -> list[JournalLine]:
        """The book entries this line is matched with (several for a grouped deposit)."""
        return self.match.journal_lines if self.match else []


class Reconciliation(Base):
    """A saved bank reconciliation: the statement's closing date and balance it agreed with.

    An undone reconciliation stays in the history (undone_at set); its lines are open again."""

    __tablename__ = "bank_reconciliation"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    statement_date: Mapped[date] = mapped_column(Date)
    opening_balance: Mapped[Decimal] = mapped_column(Money)
    closing_balance: Mapped[Decimal] = mapped_column(Money)
    book_balance: Mapped[Decimal] = mapped_column(Money)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    undo_reason: Mapped[str] = mapped_column(String(300), default="")

    bank_account: Mapped[Account] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    undone_by: Mapped[User | None] = relationship(foreign_keys=[undone_by_id])
    statement_lines: Mapped[list[StatementLine]] = relationship(order_by="StatementLine.date")

    @property
    def status(self) -> str:
        return "undone" if self.undone_at else "reconciled"


class ReconciledLine(Base):
    """A book entry (journal line on a bank account) that a saved reconciliation cleared."""

    __tablename__ = "bank_reconciled_line"

    journal_line_id: Mapped[int] = mapped_column(ForeignKey("journal_line.id"), primary_key=True)
    reconciliation_id: Mapped[int] = mapped_column(ForeignKey("bank_reconciliation.id"), index=True)


# ---- Bank accounts and registers ---------------------------------------------------------------



def get_office_bank(session: Session, account_id, field: str | None = None) -> Account:
    """The office bank account `account_id`, or a refusal naming why it is not one."""
    try:
        account_id = int(account_id)
    except (TypeError, ValueError):
        raise InvalidAccount("Choose a bank account.", field) from None
    account = session.get(Account, account_id) if 0 < account_id < 2**31 else None
    if account is None:
        if field is None:
            raise NotFound("There is no such bank account.")
        raise InvalidAccount("Choose a bank account.", field)
    if not is_office_bank(account):
        raise InvalidAccount(f"{account.label} is not an office bank account.", field)
    if account.archived:
        raise InvalidAccount(f"{account.label} is archived; restore it or choose another.", field)
    return account


def book_balances(session: Session, account_ids: Sequence[int], on: date | None = None) -> dict:
    """Each account's balance from its journal lines (up to `on` when given)."""
    cents = func.coalesce(func.sum(type_coerce(JournalLine.amount, BigInteger)), 0)
    query = select(JournalLine.account_id, cents).where(
        JournalLine.account_id.in_(list(account_ids))).group_by(JournalLine.account_id)
    if on is not None:
        query = query.where(JournalLine.date <= on)
    found = {account_id: from_cents(total)
             for account_id, total in session.execute(query)}
    return {account_id: found.get(account_id, ZERO) for account_id in account_ids}


@dataclass
class RegisterRow:
    line: JournalLine
    balance: Decimal
    reconciled: bool


def register(session: Session, account: Account, *, start: date | None = None, end: date | None = None,
             page: int = 1, per_page: int = 50) -> tuple[list[RegisterRow], int, Decimal]:
    """One page of the account's journal lines, oldest first, with the running balance.

    Returns the rows, how many lines in all, and the opening balance before `start`.
    """
    where = [JournalLine.account_id == account.id]
    if start:
        where.append(JournalLine.date >= start)
    if end:
        where.append(JournalLine.date <= end)
    total = session.scalar(select(func.count()).select_from(JournalLine).where(*where)) or 0
    opening = ZERO
    if start:
        opening = book_balances(session, [account.id], start - timedelta(days=1))[account.id]
    offset = (max(page, 1) - 1) * per_page
    if offset:  # everything on the pages before this one, in the same order
        before = select(JournalLine.amount).where(*where).order_by(
            JournalLine.date, JournalLine.id).limit(offset).subquery()
        opening += from_cents(session.scalar(
            select(func.coalesce(func.sum(type_coerce(before.c.amount, BigInteger)), 0))))
    lines = session.scalars(select(JournalLine).where(*where).order_by(JournalLine.date, JournalLine.id)
                            .limit(per_page).offset(offset)).all()
    reconciled = _reconciled_ids(session, [line.id for line in lines])
    rows, balance = [], opening
    for line in lines:
        balance += line.amount
        rows.append(RegisterRow(line, balance, line.id in reconciled))
    return rows, total, opening


def _reconciled_ids(session: Session, line_ids: Sequence[int]) -> set[int]:
    if not line_ids:
        return set()
    return set(session.scalars(select(ReconciledLine.journal_line_id).where(
        ReconciledLine.journal_line_id.in_(list(line_ids)))))


# ---- Deposits and withdrawals ------------------------------------------------------------------


@dataclass(frozen=True)
class MoneyLine:
    """One line as entered: a GST-exclusive amount to an account, with its tax code."""

    account_id: int
    amount: Decimal
    tax: TaxCode = TaxCode.GST_FREE
    description: str = ""


def _clean_text(value: str, limit: int, field: str, what: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise LedgerError(f"Keep the {what} under {limit} characters.", field)
    return value


def record_bank_transaction(session: Session, user: User | None, *, kind: BankTransactionKind,
                            bank_account_id, date: date, contact: str = "", reference: str = "",
                            lines: Sequence[MoneyLine]) -> BankTransaction:
    """Record money received (deposit) or spent (withdrawal) and post its journal."""
    kind = BankTransactionKind(kind)
    bank = get_office_bank(session, bank_account_id, "bank_account")
    contact = _clean_text(contact, 150, "contact", "payer or payee")
    reference = _clean_text(reference, 100, "reference", "reference")
    if not lines:
        raise LedgerError("Enter at least one line.", "lines")
    if len(lines) > MAX_LINES:
        raise LedgerError(f"At most {MAX_LINES} lines.", "lines")
    practice = get_practice(session)
    rate = practice.gst_rate
    sign = Decimal(-1) if kind is BankTransactionKind.DEPOSIT else Decimal(1)
    gst_total, subtotal, journal_lines, rows = ZERO, ZERO, [], []
    for i, line in enumerate(lines):
        if line.amount <= ZERO:
            raise InvalidAmount(f"Line {i + 1}: enter an amount above zero.", f"lines-{i}-amount")
        if line.account_id == bank.id:
            raise InvalidAccount(f"Line {i + 1}: choose an account other than the bank account itself.",
                                 f"lines-{i}-account")
        check_gst_allowed(practice, line.tax is TaxCode.GST, f"lines-{i}-tax")
        gst = gst_on(line.amount, rate) if line.tax is TaxCode.GST else ZERO
        gst_total, subtotal = gst_total + gst, subtotal + line.amount
        journal_lines.append(LineInput(line.account_id, sign * line.amount, line.description))
        rows.append(BankTransactionLine(line_no=i + 1, description=line.description.strip(),
                                        account_id=line.account_id, amount=line.amount,
                                        tax=line.tax, gst=gst))
    total = subtotal + gst_total
    if gst_total:
        role = AccountRole.GST_COLLECTED if kind is BankTransactionKind.DEPOSIT else AccountRole.GST_PAID
        journal_lines.append(LineInput(account_for_role(session, role).id, sign * gst_total, "GST"))
    journal_lines.insert(0, LineInput(bank.id, -sign * total, reference))
    number = next_number(session, f"bank:{kind.value}", NUMBER_PREFIXES[kind], width=5)
    what = "Received from" if kind is BankTransactionKind.DEPOSIT else "Paid to"
    narration = f"{what} {contact}" if contact else kind.label
    try:
        journal = post(session, user, date=date, narration=narration, lines=journal_lines,
                       kind=kind.value, reference=number)
    except LedgerError as error:
        if error.field and error.field.startswith("lines-"):
            # post() numbers lines from the bank line (0); the form's lines start one later.
            index = int(error.field.split("-")[1]) - 1
            if index >= 0:
                error.field = f"lines-{index}-" + ("account" if error.field.endswith("account")
                                                   else "amount")
            else:
                error.field = "bank_account"
        raise
    transaction = BankTransaction(number=number, kind=kind, bank_account_id=bank.id, date=date,
                                  contact=contact, reference=reference, total=total, gst=gst_total,
                                  journal_id=journal.id, lines=rows)
    session.add(transaction)
    session.flush()
    record(session, user, "recorded", "bank_transaction", transaction.id,
           f"{number} {kind.value} of {format_money(total)} in {bank.label}")
    return transaction


def get_bank_transaction(session: Session, transaction_id: int, *,
                         for_update: bool = False) -> BankTransaction:
    """The deposit or withdrawal `transaction_id`, or NotFound."""
    transaction = (session.get(BankTransaction, transaction_id, with_for_update=for_update)
                   if 0 < transaction_id < 2**31 else None)
    if transaction is None:
        raise NotFound(f"There is no bank transaction number {transaction_id}.")
    return transaction


def reverse_bank_transaction(session: Session, user: User | None, transaction, *,
                             date: date, reason: str) -> Journal:
    """Correct a deposit, withdrawal or transfer by reversing its journal; refused when locked."""
    if transaction.is_locked():
        raise TransactionLocked(f"{transaction.number} is locked: {transaction.locked_reason}. "
                                "Unlink it in Integrations first, then reverse it.")
    problem = transaction.why_not_reversible()
    if problem:
        raise LedgerError(problem)
    reversal = reverse(session, user, transaction.journal, date=date, reason=reason)
    transaction.status = BankStatus.REVERSED
    transaction.reversal_journal_id = reversal.id
    session.flush()
    record(session, user, "reversed", transaction.__tablename__, transaction.id,
           f"{transaction.number} reversed by {reversal.number}: {reason.strip()}")
    return reversal


def get_transfer(session: Session, transfer_id: int, *, for_update: bool = False) -> BankTransfer:
    """The transfer `transfer_id`, or NotFound."""
    found = (session.get(BankTransfer, transfer_id, with_for_update=for_update)
             if 0 < transfer_id < 2**31 else None)
    if found is None:
        raise NotFound(f"There is no transfer number {transfer_id}.")
    return found


def list_bank_documents(session: Session, limit: int = 20) -> list:
    """The latest deposits, withdrawals and transfers, newest first."""
    transactions = session.scalars(select(BankTransaction).order_by(
        BankTransaction.date.desc(), BankTransaction.id.desc()).limit(limit)).all()
    transfers = session.scalars(select(BankTransfer).order_by(
        BankTransfer.date.desc(), BankTransfer.id.desc()).limit(limit)).all()
    return sorted([*transactions, *transfers], key=lambda d: (d.date, d.created_at),
                  reverse=True)[:limit]


# ---- Transfers ---------------------------------------------------------------------------------


def transfer(session: Session, user: User | None, *, from_account_id, to_account_id, date: date,
             amount: Decimal, reference: str = "") -> BankTransfer:
    """Move money between two office bank accounts: Dr the receiving bank, Cr the paying one."""
    source = get_office_bank(session, from_account_id, "from_account")
    target = get_office_bank(session, to_account_id, "to_account")
    if source.id == target.id:
        raise InvalidAccount("Choose two different bank accounts: money cannot move from an "
                             "account to itself.", "to_account")
    if amount <= ZERO:
        raise InvalidAmount("Enter an amount above zero.", "amount")
    reference = _clean_text(reference, 100, "reference", "reference")
    get_practice(session).check_open(date)
    number = next_number(session, "bank:transfer", "TRF-", width=5)
    journal = post(session, user, date=date, kind="bank_transfer", reference=number,
                   narration=f"Transfer from {source.label} to {target.label}",
                   lines=[LineInput(target.id, amount, reference), LineInput(source.id, -amount, reference)])
    moved = BankTransfer(number=number, from_account_id=source.id, to_account_id=target.id, date=date,
                         amount=amount, reference=reference, journal_id=journal.id)
    session.add(moved)
    session.flush()
    record(session, user, "recorded", "bank_transfer", moved.id,
           f"{number}: {format_money(amount)} from {source.label} to {target.label}")
    return moved


# ---- Statement import --------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedLine:
    date: date
    description: str
    amount: Decimal
    fitid: str = ""  # the bank's own id of the transaction (OFX FITID); empty for CSV


HEADER_NAMES = {
    "date": {"date", "transaction date", "posted date", "posting date", "value date", "txn date",
             "trans date"},
    "description": {"description", "narrative", "details", "memo", "transaction details",
                    "transaction description", "payee", "particulars"},
    "amount": {"amount", "value", "transaction amount", "amount (aud)"},
    "debit": {"debit", "debits", "withdrawal", "withdrawals", "money out", "debit amount", "paid out"},
    "credit": {"credit", "credits", "deposit", "deposits", "money in", "credit amount", "paid in"},
    "ignored": {"balance", "running balance", "reference", "ref", "type", "transaction type",
                "cheque number"},
}
_COLUMN_OF = {name: column for column, names in HEADER_NAMES.items() for name in names}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %b %Y", "%d %B %Y", "%d/%m/%y", "%Y/%m/%d",
                "%d.%m.%Y")
MAX_FILE_BYTES = 5_000_000


def _parse_date(text: str, row: int) -> date:
    text = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise LedgerError(f"Row {row}: “{text}” is not a date (use e.g. 2026-07-31 or 31/07/2026).",
                      "statement")


def _parse_amount(text: str, row: int) -> Decimal:
    cleaned = text.strip().replace("$", "").replace(" ", "")
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    if negative:
        cleaned = cleaned[1:-1]
    try:
        amount = parse_money(cleaned)
    except LedgerError:
        raise LedgerError(f"Row {row}: “{text.strip()}” is not an amount.", "statement") from None
    return -amount if negative else amount


def parse_csv_statement(data: bytes) -> list[ParsedLine]:
    """Statement lines from CSV: date, description and amount (or debit and credit) columns."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LedgerError("That file is not a CSV text file.", "statement") from None
    if "\x00" in text or not text.strip():
        raise LedgerError("That file is not a CSV statement: it is empty or not text.", "statement")
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    header = [cell.strip().lower() for cell in rows[0]]
    unknown = [rows[0][i].strip() for i, name in enumerate(header) if name not in _COLUMN_OF]
    if unknown:
        raise LedgerError(
            f"Unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. A statement "
            "CSV has a header row with date, description and amount (or debit and credit).",
            "statement")
    columns = {_COLUMN_OF[name]: i for i, name in enumerate(header)}
    if "date" not in columns or not ("amount" in columns or {"debit", "credit"} <= columns.keys()):
        raise LedgerError("A statement CSV needs date and amount columns (or date, debit and "
                          "credit).", "statement")
    lines = []
    for number, row in enumerate(rows[1:], start=2):
        cell = (lambda name, row=row: row[columns[name]].strip()  # noqa: E731
                if name in columns and columns[name] < len(row) else "")
        when = _parse_date(cell("date"), number)
        if "amount" in columns:
            amount = _parse_amount(cell("amount"), number)
        else:
            debit = _parse_amount(cell("debit"), number) if cell("debit") else ZERO
            credit = _parse_amount(cell("credit"), number) if cell("credit") else ZERO
            amount = credit - abs(debit)
        if amount == ZERO:
            raise LedgerError(f"Row {number}: the amount is zero.", "statement")
        lines.append(ParsedLine(when, cell("description")[:300], amount))
    if not lines:
        raise LedgerError("The statement has a header row but no lines.", "statement")
    return lines


def parse_ofx_statement(data: bytes) -> list[ParsedLine]:
    """Statement lines from an OFX (or QFX) file, read by ofxparse."""
    import ofxparse

    if b"<OFX" not in data[:5000].upper():
        raise LedgerError("That file is not an OFX statement.", "statement")
    try:
        with warnings.catch_warnings():  # ofxparse calls BeautifulSoup's deprecated findAll
            warnings.simplefilter("ignore", DeprecationWarning)
            ofx = ofxparse.OfxParser.parse(io.BytesIO(data))
        transactions = [t for account in ofx.accounts for t in account.statement.transactions]
    except Exception:  # ofxparse raises many kinds of errors on a broken file
        raise LedgerError("That OFX file could not be read: it is damaged or not a bank "
                          "statement.", "statement") from None
    lines = []
    for t in transactions:
        amount = Decimal(t.amount).quantize(CENT)
        if amount == ZERO:
            continue
        description = " ".join(part for part in (t.payee or "", t.memo or "") if part).strip()
        lines.append(ParsedLine(t.date.date(), description[:300], amount, (t.id or "").strip()[:255]))
    if not lines:
        raise LedgerError("The OFX statement has no transactions.", "statement")
    return lines


def parse_statement(filename: str, data: bytes) -> list[ParsedLine]:
    """A statement file's lines: OFX/QFX by extension or content, else CSV."""
    if not data:
        raise LedgerError("Choose a statement file (CSV or OFX).", "statement")
    if len(data) > MAX_FILE_BYTES:
        raise LedgerError("That file is too large for a statement (5 MB at most).", "statement")
    name = (filename or "").lower()
    if name.endswith((".ofx", ".qfx")) or data.lstrip()[:20].upper().startswith((b"OFXHEADER", b"<OFX")):
        return parse_ofx_statement(data)
    if not name.endswith((".csv", ".txt")) and name:
        raise LedgerError("That file is not a CSV or OFX statement.", "statement")
    return parse_csv_statement(data)


@dataclass
class ImportResult:
    lines: list[StatementLine]
    skipped: list[ParsedLine]  # lines already imported from an earlier, overlapping statement


def _import_key(line) -> tuple:
    """What makes two statement lines the same transaction: the bank's FITID when the file has one,
    else the date, amount and description."""
    return ("fitid", line.fitid) if line.fitid else (line.date, line.amount, line.description)


def import_statement(session: Session, user: User | None, bank_account_id, filename: str,
                     data: bytes) -> ImportResult:
    """Store a statement's lines for one bank account, skipping lines already imported; a file
    whose every line is already imported is refused.

    A line is already imported when the account has a stored line with the same OFX FITID, or (when
    the file has none, as CSV) the same date, amount and description; identical lines within one
    statement (two equal card payments on a day) are kept as many times as the file has them
    beyond what is stored.
    """
    bank = get_office_bank(session, bank_account_id, "bank_account")
    parsed = parse_statement(filename, data)
    _lock_bank(session, bank)  # two imports of the same file at once: the second sees the first
    fitids = [p.fitid for p in parsed if p.fitid]
    same_days = StatementLine.date.between(min(p.date for p in parsed), max(p.date for p in parsed))
    stored_query = select(StatementLine).where(
        StatementLine.bank_account_id == bank.id,
        or_(same_days, StatementLine.fitid.in_(fitids)) if fitids else same_days)
    stored: dict[tuple, int] = {}
    for line in session.scalars(stored_query):
        stored[_import_key(line)] = stored.get(_import_key(line), 0) + 1
    lines, skipped = [], []
    for p in parsed:
        key = _import_key(p)
        if stored.get(key, 0) > 0:
            stored[key] -= 1
            skipped.append(p)
            continue
        lines.append(StatementLine(bank_account_id=bank.id, date=p.date, description=p.description,
                                   amount=p.amount, fitid=p.fitid, source=(filename or "")[:200]))
    if not lines:
        raise LedgerError(f"Every line of {filename or 'that file'} ({len(skipped)}) is already "
                          f"imported for {bank.label}: nothing was imported.", "statement")
    session.add_all(lines)
    session.flush()
    record(session, user, "imported", "bank_statement", bank.id,
           f"{len(lines)} statement lines for {bank.label} from {filename}"
           + (f" ({len(skipped)} already imported, skipped)" if skipped else ""))
    return ImportResult(lines, skipped)


def delete_statement_line(session: Session, user: User | None, bank: Account, statement_line_id,
                          reason: str) -> StatementLine:
    """Delete an imported statement line that is neither matched nor reconciled (a duplicate
    import, say), with the reason in the audit log."""
    reason = _clean_text(reason, 300, "reason", "reason")
    if not reason:
        raise LedgerError("Give the reason for deleting the line.", "reason")
    _lock_bank(session, bank)
    line = _statement_line(session, bank, statement_line_id, reconciled_ok=True)
    if line.reconciliation_id is not None:
        raise LedgerError(f"That statement line is in the reconciliation to "
                          f"{line_reconciliation(session, line).statement_date:%d %b %Y}: it cannot "
                          "be deleted (an admin may undo that reconciliation first).", "statement_line")
    if line.match_id is not None:
        raise LedgerError("That statement line is matched to the books: unmatch it first.",
                          "statement_line")
    record(session, user, "deleted", "bank_statement_line", line.id,
           f"Statement line {line.date:%d %b %Y} {line.description} {format_money(line.amount)} "
           f"of {bank.label} (from {line.source or 'an import'}) deleted: {reason}")
    session.delete(line)
    session.flush()
    return line


def line_reconciliation(session: Session, line: StatementLine) -> Reconciliation | None:
    return session.get(Reconciliation, line.reconciliation_id) if line.reconciliation_id else None


# ---- Reconciliation ----------------------------------------------------------------------------


def _lock_bank(session: Session, bank: Account) -> None:
    """Matching, importing, deleting, saving and undoing on one bank account take turns: each
    locks the account's row first, then checks, so two people cannot both use the same line."""
    session.execute(select(Account.id).where(Account.id == bank.id).with_for_update())


def last_reconciliation(session: Session, bank: Account) -> Reconciliation | None:
    """The bank account's most recent reconciliation that is not undone."""
    return session.scalars(select(Reconciliation).where(Reconciliation.bank_account_id == bank.id,
                                                        Reconciliation.undone_at.is_(None))
                           .order_by(Reconciliation.id.desc()).limit(1)).first()


def opening_reconciled_balance(session: Session, bank: Account) -> Decimal:
    """The closing balance of the last saved reconciliation (zero before the first)."""
    last = last_reconciliation(session, bank)
    return last.closing_balance if last else ZERO


def open_statement_lines(session: Session, bank: Account) -> list[StatementLine]:
    """Statement lines not yet in a saved reconciliation (matched or not), by date."""
    return list(session.scalars(select(StatementLine).where(
        StatementLine.bank_account_id == bank.id, StatementLine.reconciliation_id.is_(None))
        .options(selectinload(StatementLine.match).selectinload(BankMatch.book_lines)
                 .selectinload(MatchedBookLine.journal_line).selectinload(JournalLine.journal))
        .order_by(StatementLine.date, StatementLine.id)))


def unreconciled_book_lines(session: Session, bank: Account, on: date | None = None) -> list[JournalLine]:
    """The bank account's journal lines that no saved reconciliation has cleared."""
    query = (select(JournalLine).outerjoin(ReconciledLine,
                                           ReconciledLine.journal_line_id == JournalLine.id)
             .where(JournalLine.account_id == bank.id, ReconciledLine.journal_line_id.is_(None))
             .options(selectinload(JournalLine.journal))
             .order_by(JournalLine.date, JournalLine.id))
    if on is not None:
        query = query.where(JournalLine.date <= on)
    return list(session.scalars(query))


def suggest_matches(statement: Sequence[StatementLine],
                    book: Sequence[JournalLine]) -> dict[int, JournalLine]:
    """For each unmatched statement line, an unmatched book line of the same amount, nearest in date
    (within a week); each book line is suggested once. Suggestions are one to one."""
    taken = {j.id for s in statement for j in s.journal_lines}
    suggestions = {}
    for line in statement:
        if line.match_id:
            continue
        candidates = [b for b in book if b.id not in taken and b.amount == line.amount
                      and abs((b.date - line.date).days) <= MATCH_WINDOW_DAYS]
        if candidates:
            best = min(candidates, key=lambda b: (abs((b.date - line.date).days), b.id))
            suggestions[line.id] = best
            taken.add(best.id)
    return suggestions


def _ids(values, field: str, empty: str) -> list[int]:
    """Ids from a form: one value or several; junk or none is refused with `empty`."""
    if values is None or isinstance(values, (int, str)):
        values = [values]
    ids = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise LedgerError(empty, field) from None
        if not 0 < number < 2**31:
            raise LedgerError(empty, field)
        if number not in ids:
            ids.append(number)
    if not ids:
        raise LedgerError(empty, field)
    if len(ids) > MAX_LINES:
        raise LedgerError(f"Match at most {MAX_LINES} lines at once.", field)
    return ids


def _statement_line(session: Session, bank: Account, line_id, *,
                    reconciled_ok: bool = False) -> StatementLine:
    [line_id] = _ids(line_id, "statement_line", "Choose a statement line.")
    line = session.get(StatementLine, line_id)
    if line is None or line.bank_account_id != bank.id:
        raise LedgerError("That statement line is not on this account's statement.", "statement_line")
    if line.reconciliation_id is not None and not reconciled_ok:
        raise LedgerError("That statement line is already reconciled.", "statement_line")
    return line


def _book_line(session: Session, bank: Account, line_id: int) -> JournalLine:
    book = session.get(JournalLine, line_id)
    if book is None or book.account_id != bank.id:
        raise LedgerError("That book entry is not on this bank account.", "journal_line")
    return book


def match(session: Session, user: User | None, bank: Account, statement_line_ids,
          journal_line_ids) -> BankMatch:
    """Match statement lines to book entries of the same bank account that add up to the same
    amount: one to one, one statement line to several book entries (one deposit of three receipts),
    or several statement lines to one book entry. Each id argument is one id or a list of them."""
    statement_ids = _ids(statement_line_ids, "statement_line", "Choose a statement line.")
    book_ids = _ids(journal_line_ids, "journal_line", "Choose a book entry to match.")
    _lock_bank(session, bank)
    statement = [_statement_line(session, bank, i) for i in statement_ids]
    book = [_book_line(session, bank, i) for i in book_ids]
    for line in statement:
        session.refresh(line)  # what another person matched while we waited for the lock
        if line.match_id is not None:
            raise LedgerError("That statement line is already matched; unmatch it first.", "statement_line")
    taken = set(session.scalars(select(MatchedBookLine.journal_line_id).where(
        MatchedBookLine.journal_line_id.in_(book_ids)))) | _reconciled_ids(session, book_ids)
    if taken:
        raise LedgerError("That book entry is already matched to another statement line.", "journal_line")
    on_statement = sum((s.amount for s in statement), ZERO)
    in_books = sum((b.amount for b in book), ZERO)
    if on_statement != in_books:
        raise LedgerError(_difference_message(statement, book, on_statement, in_books), "journal_line")
    group = BankMatch(bank_account_id=bank.id, created_by_id=user.id if user else None,
                      book_lines=[MatchedBookLine(journal_line_id=b.id) for b in book])
    session.add(group)
    session.flush()
    for line in statement:
        line.match_id = group.id
    session.flush()
    session.expire(group, ["statement_lines"])
    record(session, user, "matched", "bank_statement_line", statement[0].id,
           f"{bank.label}: statement {', '.join(_describe(s) for s in statement)} matched to "
           f"{_describe_book(book)}")
    return group


def _describe(line: StatementLine) -> str:
    return f"{line.date:%d %b %Y} {line.description} {format_money(line.amount)}".replace("  ", " ")


def _describe_book(book: Sequence[JournalLine]) -> str:
    return ", ".join(f"{b.journal.reference or b.journal.number} {format_money(b.amount)}" for b in book)


def _difference_message(statement, book, on_statement: Decimal, in_books: Decimal) -> str:
    if len(statement) == len(book) == 1:
        return (f"The amounts differ: the statement shows {format_money(on_statement)}, "
                f"the book entry {format_money(in_books)}.")
    what = "statement line shows" if len(statement) == 1 else "statement lines add up to"
    books = "book entry chosen is" if len(book) == 1 else f"{len(book)} book entries chosen add up to"
    return (f"They do not add up: the {books} {format_money(in_books)}, the {what} "
            f"{format_money(on_statement)} "
            f"(difference {format_money(abs(on_statement - in_books))}). Choose entries that add "
            "up exactly.")


def unmatch(session: Session, user: User | None, bank: Account, statement_line_id) -> StatementLine:
    """Undo a match not yet in a saved reconciliation: the whole group (every statement line and
    book entry matched together) is open again."""
    _lock_bank(session, bank)
    line = _statement_line(session, bank, statement_line_id)
    session.refresh(line)
    if line.match is None:
        raise LedgerError("That statement line is not matched.", "statement_line")
    group = line.match
    statement, book = list(group.statement_lines), group.journal_lines
    for each in statement:
        each.match = None
    session.delete(group)
    session.flush()
    record(session, user, "unmatched", "bank_statement_line", line.id,
           f"{bank.label}: statement {', '.join(_describe(s) for s in statement)} unmatched from "
           f"{_describe_book(book)}")
    return line


@dataclass
class ReconciliationState:
    """What the reconciliation page and the save rule need."""

    opening: Decimal
    matched_total: Decimal
    statement: list[StatementLine]
    book: list[JournalLine]
    suggestions: dict[int, JournalLine]

    @property
    def matched(self) -> list[StatementLine]:
        return [s for s in self.statement if s.match_id]

    @property
    def unmatched(self) -> list[StatementLine]:
        return [s for s in self.statement if not s.match_id]

    @property
    def unmatched_book(self) -> list[JournalLine]:
        taken = {j.id for s in self.statement for j in s.journal_lines}
        return [b for b in self.book if b.id not in taken]

    @property
    def reconciled_balance(self) -> Decimal:
        return self.opening + self.matched_total


def reconciliation_state(session: Session, bank: Account) -> ReconciliationState:
    statement = open_statement_lines(session, bank)
    book = unreconciled_book_lines(session, bank)
    matched_total = sum((s.amount for s in statement if s.match_id), ZERO)
    return ReconciliationState(opening_reconciled_balance(session, bank), matched_total, statement,
                               book, suggest_matches(statement, book))


def save_reconciliation(session: Session, user: User | None, bank: Account, *, statement_date: date,
                        closing_balance: Decimal) -> Reconciliation:
    """Save a reconciliation of the matched lines dated up to `statement_date`, only if it balances:
    opening reconciled balance + matched statement lines == the statement's closing balance.

    A match is reconciled whole: a group with a statement line after the date waits for the next."""
    # Two people saving at once wait for each other; the second then sees the lines reconciled.
    _lock_bank(session, bank)
    last = last_reconciliation(session, bank)
    if last and statement_date < last.statement_date:
        raise LedgerError(f"The last reconciliation closed on {last.statement_date:%d %b %Y}; "
                          "choose that date or later.", "statement_date")
    opening = last.closing_balance if last else ZERO
    groups: dict[int, list[StatementLine]] = {}
    for line in open_statement_lines(session, bank):
        if line.match_id:
            groups.setdefault(line.match_id, []).append(line)
    included = [g for g in groups.values() if all(s.date <= statement_date for s in g)]
    matched = [s for g in included for s in g]
    if not matched:
        raise LedgerError("Match at least one statement line dated on or before the closing date.",
                          "statement_date")
    reconciled = opening + sum((s.amount for s in matched), ZERO)
    if reconciled != closing_balance:
        raise LedgerError(
            f"It does not balance: opening {format_money(opening)} + matched lines "
            f"{format_money(reconciled - opening)} = {format_money(reconciled)}, but the statement "
            f"closes at {format_money(closing_balance)} (difference "
            f"{format_money(abs(closing_balance - reconciled))}).", "closing_balance")
    book_balance = book_balances(session, [bank.id], statement_date)[bank.id]
    done = Reconciliation(bank_account_id=bank.id, statement_date=statement_date, opening_balance=opening,
                          closing_balance=closing_balance, book_balance=book_balance,
                          created_by_id=user.id if user else None)
    session.add(done)
    session.flush()
    for line in matched:
        line.reconciliation_id = done.id
    for book_id in sorted({b.journal_line_id for g in included for b in g[0].match.book_lines}):
        session.add(ReconciledLine(journal_line_id=book_id, reconciliation_id=done.id))
    session.flush()
    record(session, user, "reconciled", "bank_account", bank.id,
           f"{bank.label} reconciled to {statement_date:%d %b %Y} at {format_money(closing_balance)} "
           f"({len(matched)} lines)")
    return done


def why_not_undoable(session: Session, reconciliation: Reconciliation) -> str | None:
    """Why this reconciliation cannot be undone (only the latest of its account can); None if it can."""
    if reconciliation.undone_at is not None:
        return f"This reconciliation was already undone on {reconciliation.undone_at:%d %b %Y}."
    last = last_reconciliation(session, reconciliation.bank_account)
    if last is not None and last.id != reconciliation.id:
        return (f"Only the most recent reconciliation of {reconciliation.bank_account.label} can be "
                f"undone: the one to {last.statement_date:%d %b %Y}. Undo that one first.")
    return None


def undo_reconciliation(session: Session, user: User | None, reconciliation: Reconciliation, *,
                        reason: str) -> Reconciliation:
    """Undo the most recent reconciliation of a bank account (admins only, with a reason): its book
    entries and statement lines are unreconciled again, their matches kept, and it stays in the
    history marked undone."""
    if user is not None and not user.is_admin:
        raise LedgerError("Only an admin can undo a reconciliation.")
    reason = _clean_text(reason, 300, "reason", "reason")
    if not reason:
        raise LedgerError("Give the reason for undoing the reconciliation.", "reason")
    bank = reconciliation.bank_account
    _lock_bank(session, bank)
    session.refresh(reconciliation)  # another admin may have undone it while we waited
    problem = why_not_undoable(session, reconciliation)
    if problem:
        raise LedgerError(problem)
    reopened = list(session.scalars(select(StatementLine).where(
        StatementLine.reconciliation_id == reconciliation.id)))
    for line in reopened:
        line.reconciliation_id = None
    session.execute(delete(ReconciledLine).where(ReconciledLine.reconciliation_id == reconciliation.id))
    reconciliation.undone_at = utcnow()
    reconciliation.undone_by_id = user.id if user else None
    reconciliation.undo_reason = reason
    session.flush()
    session.expire(reconciliation, ["statement_lines"])
    record(session, user, "undone", "bank_reconciliation", reconciliation.id,
           f"Reconciliation of {bank.label} to {reconciliation.statement_date:%d %b %Y} at "
           f"{format_money(reconciliation.closing_balance)} undone ({len(reopened)} statement lines "
           f"open again): {reason}")
    return reconciliation


@dataclass
class ReconciliationReport:
    reconciliation: Reconciliation
    unpresented: list[JournalLine]

    @property
    def unpresented_total(self) -> Decimal:
        return sum((line.amount for line in self.unpresented), ZERO)

    @property
    def difference(self) -> Decimal:
        """Book balance - (statement balance + unpresented items): zero when all is explained."""
        r = self.reconciliation
        return r.book_balance - (r.closing_balance + self.unpresented_total)


def get_reconciliation(session: Session, reconciliation_id: int) -> Reconciliation:
    found = (session.get(Reconciliation, reconciliation_id)
             if 0 < reconciliation_id < 2**31 else None)
    if found is None:
        raise NotFound(f"There is no reconciliation number {reconciliation_id}.")
    return found


def reconciliation_report(session: Session, reconciliation: Reconciliation) -> ReconciliationReport:
    """Statement balance, the book entries not yet on a statement by its date, and the book balance.

    Unpresented items: the bank's book lines up to the statement date that no reconciliation up to
    and including this one has cleared (an undone one clears nothing).
    """
    cleared = select(ReconciledLine.journal_line_id).where(
        ReconciledLine.reconciliation_id <= reconciliation.id)
    unpresented = list(session.scalars(select(JournalLine).where(
        JournalLine.account_id == reconciliation.bank_account_id,
        JournalLine.date <= reconciliation.statement_date,
        JournalLine.id.not_in(cleared)).order_by(JournalLine.date, JournalLine.id)))
    return ReconciliationReport(reconciliation, unpresented)


def reconciliation_history(session: Session, bank: Account) -> list[Reconciliation]:
    """Every reconciliation of the account, newest first, undone ones included."""
    return list(session.scalars(select(Reconciliation).where(Reconciliation.bank_account_id == bank.id)
                                .order_by(Reconciliation.id.desc())))
