"""Banking: the office bank accounts, money in and out not linked to a bill (receive and spend
money), and transfers between bank accounts.

Invariants this module protects:

- Every deposit, withdrawal and transfer posts one balanced journal through `journals.post()`;
  a correction is a reversal of that journal, never an edit, and is refused when locked.
- Deposits: Dr bank the total, Cr each line's account its amount, Cr GST collected the GST.
  Withdrawals: Cr bank the total, Dr each line's account its amount, Dr GST paid the GST.
  Transfers: Dr the receiving bank, Cr the paying bank.
- Only office bank accounts (is_bank, not the trust bank, not archived) take these postings.
- No GST is charged or claimed while the practice is not registered for GST (tax.check_gst_allowed).

Statement files are read in statement_files; statement lines, matching and bank reconciliation are
in bank_reconciliation.
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, Date, Enum, ForeignKey, Integer, String, func, select, type_coerce
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from accounting.audit import record
from accounting.base import Base, PostedTransactionMixin
from accounting.errors import (
    AlreadyUndone,
    InvalidAccount,
    InvalidAmount,
    LedgerError,
    NotFound,
    TransactionLocked,
)
from accounting.ledger.accounts import Account, AccountRole, account_for_role, is_office_bank
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
from accounting.lookup import clean_text, fetch, valid_id
from accounting.money import ZERO, Money, format_money, from_cents
from accounting.parties.users import User
from accounting.sequences import next_number

# Each kind of journal this module posts numbers in its own series.
for _kind, _prefix in {"deposit": "DE-", "withdrawal": "WI-", "bank_transfer": "BA-"}.items():
    register_journal_kind(_kind, _prefix)

MAX_LINES = 100  # lines of one deposit or withdrawal


class BankTransactionKind(enum.StrEnum):
    """Money received (a deposit, "receive money") or paid out (a withdrawal, "spend money")."""

    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"

    @property
    def label(self) -> str:
        return "Receive money" if self is BankTransactionKind.DEPOSIT else "Spend money"


NUMBER_PREFIXES = {BankTransactionKind.DEPOSIT: "DEP-", BankTransactionKind.WITHDRAWAL: "WDL-"}


class BankStatus(enum.StrEnum):
    """A deposit, withdrawal or transfer as posted, or reversed (its journal reversed)."""

    POSTED = "posted"
    REVERSED = "reversed"


# ---- Models -------------------------------------------------------------------------------------


class BankTransaction(PostedTransactionMixin, Base):
    """A deposit (receive money) or withdrawal (spend money) not linked to a bill: the bank line of
    its journal is the total, its lines the GST-exclusive amounts, plus GST. Reversed, never edited."""

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


def _reverse_refusal(document) -> LedgerError | None:
    """Why a deposit, withdrawal or transfer cannot be reversed, as the error to raise; None when
    it can."""
    if _shown_status(document) == BankStatus.REVERSED:
        return AlreadyUndone(f"{document.number} has already been reversed.")
    if document.is_locked():
        return TransactionLocked(f"Locked: {document.locked_reason}.")
    return None


def _why_not_reversible(document) -> str | None:
    """Why a deposit, withdrawal or transfer cannot be reversed; None when it can."""
    refusal = _reverse_refusal(document)
    return refusal.message if refusal else None


class BankTransactionLine(Base):
    """One line of a deposit or withdrawal: a GST-exclusive amount to an account, its tax code and
    the GST on it."""

    __tablename__ = "bank_transaction_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("bank_transaction.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(300), default="")
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    amount: Mapped[Decimal] = mapped_column(Money)  # GST-exclusive
    tax: Mapped[TaxCode] = mapped_column(Enum(TaxCode, native_enum=False, length=12))
    gst: Mapped[Decimal] = mapped_column(Money)

    transaction: Mapped[BankTransaction] = relationship(back_populates="lines")
    account: Mapped[Account] = relationship()


class BankTransfer(PostedTransactionMixin, Base):
    """Money moved from one office bank account to another (Dr the receiving bank, Cr the paying
    one). Reversed, never edited."""

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


# ---- Bank accounts ------------------------------------------------------------------------------


def get_office_bank(session: Session, account_id, field: str | None = None) -> Account:
    """The office bank account `account_id`, or a refusal naming why it is not one."""
    try:
        int(account_id)
    except (TypeError, ValueError):
        raise InvalidAccount("Choose a bank account.", field) from None
    number = valid_id(account_id)
    account = session.get(Account, number) if number is not None else None
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


# ---- Deposits and withdrawals ------------------------------------------------------------------


@dataclass(frozen=True)
class MoneyLine:
    """One line as entered: a GST-exclusive amount to an account, with its tax code."""

    account_id: int
    amount: Decimal
    tax: TaxCode = TaxCode.GST_FREE
    description: str = ""


def _refuse_control_account(session: Session, account_id: int, index: int) -> None:
    """A receive / spend money line never goes to a control account (receivables, payables, GST):
    its own GST line is the only way a bank transaction reaches GST."""
    account = session.get(Account, account_id)
    refusal = account.control_refusal(f"Line {index + 1}: ") if account is not None else None
    if refusal:
        raise InvalidAccount(refusal, f"lines-{index}-account")


def record_bank_transaction(session: Session, user: User | None, *, kind: BankTransactionKind,
                            bank_account_id, date: date, contact: str = "", reference: str = "",
                            lines: Sequence[MoneyLine]) -> BankTransaction:
    """Record money received (deposit) or spent (withdrawal) and post its journal."""
    kind = BankTransactionKind(kind)
    bank = get_office_bank(session, bank_account_id, "bank_account")
    contact = clean_text(contact, 150, "contact", "the payer or payee")
    reference = clean_text(reference, 100, "reference", "the reference")
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
        _refuse_control_account(session, line.account_id, i)
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
    return fetch(session, BankTransaction, transaction_id,
                 missing=f"There is no bank transaction number {transaction_id}.", for_update=for_update)


def reverse_bank_transaction(session: Session, user: User | None, transaction, *,
                             date: date, reason: str) -> Journal:
    """Correct a deposit, withdrawal or transfer by reversing its journal; refused when locked."""
    if transaction.is_locked():
        raise TransactionLocked(f"{transaction.number} is locked: {transaction.locked_reason}. "
                                "Unlink it in Integrations first, then reverse it.")
    refusal = _reverse_refusal(transaction)
    if refusal:
        raise refusal
    reversal = reverse(session, user, transaction.journal, date=date, reason=reason)
    transaction.status = BankStatus.REVERSED
    transaction.reversal_journal_id = reversal.id
    session.flush()
    record(session, user, "reversed", transaction.__tablename__, transaction.id,
           f"{transaction.number} reversed by {reversal.number}: {reason.strip()}")
    return reversal


def get_transfer(session: Session, transfer_id: int, *, for_update: bool = False) -> BankTransfer:
    """The transfer `transfer_id`, or NotFound."""
    return fetch(session, BankTransfer, transfer_id, missing=f"There is no transfer number {transfer_id}.",
                 for_update=for_update)


def list_bank_documents(session: Session, limit: int = 20) -> list:
    """The latest deposits, withdrawals and transfers, newest first."""
    transactions = session.scalars(select(BankTransaction).order_by(
        BankTransaction.date.desc(), BankTransaction.id.desc()).limit(limit)).all()
    transfers = session.scalars(select(BankTransfer).order_by(
        BankTransfer.date.desc(), BankTransfer.id.desc()).limit(limit)).all()
    return sorted([*transactions, *transfers], key=lambda d: (d.date, d.created_at),
                  reverse=True)[:limit]


def latest_register_entries(session: Session, account_ids: Sequence[int],
                            limit: int = 20) -> list[JournalLine]:
    """The latest journal lines on these bank accounts, newest first: every entry their registers
    hold, whatever posted it (bill and supplier payments, refunds and trust transfers as well as
    deposits, withdrawals and transfers)."""
    if not account_ids:
        return []
    return list(session.scalars(select(JournalLine).where(JournalLine.account_id.in_(list(account_ids)))
                                .order_by(JournalLine.date.desc(), JournalLine.id.desc()).limit(limit)))


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
    reference = clean_text(reference, 100, "reference", "the reference")
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

