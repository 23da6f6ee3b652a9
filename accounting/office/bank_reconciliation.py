"""Bank reconciliation of the office bank accounts: imported statement lines, matched to the
book entries they show, and reconciliations saved when they balance; and each account's register.

Invariants this module protects:

- Statement lines are matched to book entries in groups (one to one, one to several, several to
  one) whose two sides add up to the same amount; a journal line is in at most one group (primary
  key). A reconciliation is saved only when the opening reconciled balance plus the matched
  statement lines equals the statement's closing balance; its book lines are then reconciled (one
  row per journal line). Only the latest reconciliation may be undone; it stays, marked undone.
- A statement line is deleted only when it is neither matched nor reconciled, with a reason.
- Matching, importing, deleting statement lines, saving and undoing lock the bank account's row
  first, so two people acting at once take turns.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    String,
    case,
    delete,
    exists,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session, relationship, selectinload

from accounting.audit import record
from accounting.base import Base, utcnow
from accounting.errors import AlreadyUndone, DocumentLocked, LedgerError
from accounting.ledger.accounts import Account
from accounting.ledger.journals import JournalLine
from accounting.lookup import clean_text, fetch, page_number, valid_id
from accounting.money import ZERO, Money, format_money, from_cents
from accounting.office.bank_transactions import book_balances, get_office_bank
from accounting.office.statement_files import ParsedLine, parse_statement
from accounting.parties.users import User

MAX_MATCH_LINES = 100  # statement lines, or book entries, matched at once
MATCH_WINDOW_DAYS = 7
RECONCILE_PAGE_SIZE = 50  # statement lines, and book entries, on a page of the reconcile page


# ---- Models -------------------------------------------------------------------------------------


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
    def is_first(self) -> bool:
        """The account's first reconciliation: it opened at the statement's opening balance."""
        return not any(r.undone_at is None for r in self._earlier())

    def _earlier(self) -> list["Reconciliation"]:
        session = object_session(self)
        return list(session.scalars(select(Reconciliation).where(
            Reconciliation.bank_account_id == self.bank_account_id, Reconciliation.id < self.id)))

    @property
    def status(self) -> str:
        return "undone" if self.undone_at else "reconciled"


class ReconciledLine(Base):
    """A book entry (journal line on a bank account) that a saved reconciliation cleared."""

    __tablename__ = "bank_reconciled_line"

    journal_line_id: Mapped[int] = mapped_column(ForeignKey("journal_line.id"), primary_key=True)
    reconciliation_id: Mapped[int] = mapped_column(ForeignKey("bank_reconciliation.id"), index=True)


# ---- Registers ----------------------------------------------------------------------------------


@dataclass
class RegisterRow:
    """One line of a bank account's register: the journal line, the balance after it, and whether
    a saved reconciliation cleared it."""

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
    offset = (page_number(page) - 1) * per_page
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


# ---- Statement import ---------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import stored, and the lines of the file it skipped."""

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
    reason = clean_text(reason, 300, "reason", "the reason")
    if not reason:
        raise LedgerError("Give the reason for deleting the line.", "reason")
    _lock_bank(session, bank)
    line = _statement_line(session, bank, statement_line_id, reconciled_ok=True)
    if line.reconciliation_id is not None:
        raise DocumentLocked(f"That statement line is in the reconciliation to "
                             f"{line_reconciliation(session, line).statement_date:%d %b %Y}: it cannot "
                             "be deleted (an admin may undo that reconciliation first).",
                             "statement_line")
    if line.match_id is not None:
        raise DocumentLocked("That statement line is matched to the books: unmatch it first.",
                             "statement_line")
    record(session, user, "deleted", "bank_statement_line", line.id,
           f"Statement line {line.date:%d %b %Y} {line.description} {format_money(line.amount)} "
           f"of {bank.label} (from {line.source or 'an import'}) deleted: {reason}")
    session.delete(line)
    session.flush()
    return line


def line_reconciliation(session: Session, line: StatementLine) -> Reconciliation | None:
    """The saved reconciliation that cleared `line`, if any."""
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


def open_statement_lines(session: Session, bank: Account, *, page: int | None = None,
                         per_page: int = RECONCILE_PAGE_SIZE) -> list[StatementLine]:
    """Statement lines not yet in a saved reconciliation (matched or not), by date; every one, or
    one page of them."""
    query = (_open_statement_query(bank)
             .options(selectinload(StatementLine.match).selectinload(BankMatch.book_lines)
                      .selectinload(MatchedBookLine.journal_line).selectinload(JournalLine.journal),
                      selectinload(StatementLine.match).selectinload(BankMatch.statement_lines))
             .order_by(StatementLine.date, StatementLine.id))
    if page is not None:
        query = query.limit(per_page).offset((page_number(page) - 1) * per_page)
    return list(session.scalars(query))


def _open_statement_query(bank: Account):
    return select(StatementLine).where(StatementLine.bank_account_id == bank.id,
                                       StatementLine.reconciliation_id.is_(None))


def _unmatched_book_query(bank: Account):
    """The bank account's journal lines neither reconciled nor matched to a statement line (a
    reconciled group's book lines are reconciled too, so unmatched is enough for open groups)."""
    return select(JournalLine).where(
        JournalLine.account_id == bank.id,
        ~exists().where(ReconciledLine.journal_line_id == JournalLine.id),
        ~exists().where(MatchedBookLine.journal_line_id == JournalLine.id))


def unmatched_book_lines(session: Session, bank: Account, *, page: int = 1,
                         per_page: int = RECONCILE_PAGE_SIZE) -> list[JournalLine]:
    """One page of the bank account's book entries still to match, by date."""
    return list(session.scalars(
        _unmatched_book_query(bank).options(selectinload(JournalLine.journal))
        .order_by(JournalLine.date, JournalLine.id)
        .limit(per_page).offset((page_number(page) - 1) * per_page)))


def suggest_matches(session: Session, bank: Account,
                    statement: Sequence[StatementLine]) -> dict[int, JournalLine]:
    """For each unmatched line of `statement` (one page), an unmatched book line of the same amount,
    nearest in date (within a week); each book line is suggested once. Suggestions are one to one.

    One query fetches every candidate for the page (ix_journal_line_balance: account, date)."""
    unmatched = [line for line in statement if not line.match_id]
    if not unmatched:
        return {}
    window = timedelta(days=MATCH_WINDOW_DAYS)
    candidates: dict[Decimal, list[JournalLine]] = {}
    for book in session.scalars(
            _unmatched_book_query(bank).where(
                JournalLine.date.between(min(s.date for s in unmatched) - window,
                                         max(s.date for s in unmatched) + window),
                JournalLine.amount.in_({s.amount for s in unmatched}))
            .options(selectinload(JournalLine.journal)).order_by(JournalLine.date, JournalLine.id)):
        candidates.setdefault(book.amount, []).append(book)
    taken: set[int] = set()
    suggestions = {}
    for line in unmatched:
        near = [b for b in candidates.get(line.amount, []) if b.id not in taken
                and abs((b.date - line.date).days) <= MATCH_WINDOW_DAYS]
        if near:
            best = min(near, key=lambda b: (abs((b.date - line.date).days), b.id))
            suggestions[line.id] = best
            taken.add(best.id)
    return suggestions


def selection_totals(session: Session, bank: Account, statement_line_ids,
                     journal_line_ids) -> tuple[Decimal, Decimal]:
    """What the ticked open statement lines and the ticked unmatched book entries add up to; ids
    that are junk, of another account, matched or reconciled count for nothing."""
    statement_ids = [i for i in map(valid_id, statement_line_ids) if i is not None][:MAX_MATCH_LINES]
    book_ids = [i for i in map(valid_id, journal_line_ids) if i is not None][:MAX_MATCH_LINES]
    on_statement = session.scalar(select(_cents_sum(StatementLine.amount)).where(
        _open_statement_query(bank).whereclause, StatementLine.match_id.is_(None),
        StatementLine.id.in_(statement_ids)))
    in_books = session.scalar(select(_cents_sum(JournalLine.amount)).where(
        _unmatched_book_query(bank).whereclause, JournalLine.id.in_(book_ids)))
    return from_cents(on_statement), from_cents(in_books)


def _cents_sum(column):
    return func.coalesce(func.sum(type_coerce(column, BigInteger)), 0)


def _ids(values, field: str, empty: str) -> list[int]:
    """Ids from a form: one value or several; junk or none is refused with `empty`."""
    if values is None or isinstance(values, (int, str)):
        values = [values]
    ids = []
    for value in values:
        number = valid_id(value)
        if number is None:
            raise LedgerError(empty, field)
        if number not in ids:
            ids.append(number)
    if not ids:
        raise LedgerError(empty, field)
    if len(ids) > MAX_MATCH_LINES:
        raise LedgerError(f"Match at most {MAX_MATCH_LINES} lines at once.", field)
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
    """What the reconciliation page and the save rule need: the totals over every open line, and
    one page of the statement lines and one of the book entries still to match."""

    opening: Decimal
    matched_total: Decimal  # every open statement line matched, not only the page's
    open_total: Decimal  # every open statement line, matched or not
    statement: list[StatementLine]  # the page's open statement lines
    statement_count: int
    unmatched_book: list[JournalLine]  # the page's book entries still to match
    book_count: int
    suggestions: dict[int, JournalLine]
    latest_date: date | None  # of the open statement lines
    first: bool = False  # no reconciliation yet: the statement's opening balance is asked for
    page: int = 1
    book_page: int = 1
    per_page: int = RECONCILE_PAGE_SIZE

    @property
    def unmatched(self) -> list[StatementLine]:
        return [s for s in self.statement if not s.match_id]

    @property
    def choices(self) -> list[JournalLine]:
        """The book entries a statement line of the page may be matched to from its list: the
        page's book entries and the page's suggestions, by date (built once for the page)."""
        shown = {b.id: b for b in self.unmatched_book}
        shown.update((b.id, b) for b in self.suggestions.values())
        return sorted(shown.values(), key=lambda b: (b.date, b.id))

    @property
    def reconciled_balance(self) -> Decimal:
        return self.opening + self.matched_total

    @property
    def statement_balance(self) -> Decimal:
        """Where the statement stands with every open line: the opening plus all of them."""
        return self.opening + self.open_total

    @property
    def difference(self) -> Decimal:
        """The open statement lines still to match, in money."""
        return self.statement_balance - self.reconciled_balance


def reconciliation_state(session: Session, bank: Account, *, page: int = 1, book_page: int = 1,
                         per_page: int = RECONCILE_PAGE_SIZE) -> ReconciliationState:
    """The reconciliation page's state: totals by SQL over every open line, one page of open
    statement lines with their suggestions, and one page of book entries still to match."""
    page, book_page = page_number(page), page_number(book_page)
    open_lines = _open_statement_query(bank).whereclause
    count, open_total, matched_total, latest = session.execute(select(
        func.count(StatementLine.id), _cents_sum(StatementLine.amount),
        _cents_sum(case((StatementLine.match_id.is_not(None), StatementLine.amount), else_=None)),
        func.max(StatementLine.date)).where(open_lines)).one()
    book_count = session.scalar(select(func.count()).select_from(_unmatched_book_query(bank).subquery()))
    statement = open_statement_lines(session, bank, page=page, per_page=per_page)
    return ReconciliationState(
        opening_reconciled_balance(session, bank), from_cents(matched_total), from_cents(open_total),
        statement, count, unmatched_book_lines(session, bank, page=book_page, per_page=per_page),
        book_count, suggest_matches(session, bank, statement), latest,
        first=last_reconciliation(session, bank) is None, page=page, book_page=book_page,
        per_page=per_page)


def save_reconciliation(session: Session, user: User | None, bank: Account, *, statement_date: date,
                        closing_balance: Decimal, opening_balance: Decimal | None = None) -> Reconciliation:
    """Save a reconciliation of the matched lines dated up to `statement_date`, only if it balances:
    opening reconciled balance + matched statement lines == the statement's closing balance.

    A match is reconciled whole: a group with a statement line after the date waits for the next.
    The first reconciliation of an account opens at the statement's own opening balance (the books
    may hold history from before the first statement); later ones open where the last one closed."""
    # Two people saving at once wait for each other; the second then sees the lines reconciled.
    _lock_bank(session, bank)
    last = last_reconciliation(session, bank)
    if last and statement_date < last.statement_date:
        raise LedgerError(f"The last reconciliation closed on {last.statement_date:%d %b %Y}; "
                          "choose that date or later.", "statement_date")
    opening = last.closing_balance if last else (opening_balance or ZERO)
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
    cleared = {b.journal_line_id for g in included for b in g[0].match.book_lines}
    if last is None:
        cleared |= _brought_forward(session, bank, min(s.date for s in matched), cleared, opening)
    for book_id in sorted(cleared):
        session.add(ReconciledLine(journal_line_id=book_id, reconciliation_id=done.id))
    session.flush()
    record(session, user, "reconciled", "bank_account", bank.id,
           f"{bank.label} reconciled to {statement_date:%d %b %Y} at {format_money(closing_balance)} "
           f"({len(matched)} lines)")
    return done


def _brought_forward(session: Session, bank: Account, statement_starts: date,
                     matched: set[int], opening: Decimal) -> set[int]:
    """The book entries from before the first statement that no statement line explains, when
    the statement's opening balance holds exactly them: the first reconciliation then clears them
    too (otherwise they would show as unpresented for ever). When they do not add up to the
    opening balance, some were not yet through the bank: they stay, listed as unpresented."""
    earlier = session.execute(select(JournalLine.id, JournalLine.amount).where(
        JournalLine.account_id == bank.id, JournalLine.date < statement_starts,
        JournalLine.id.not_in(select(ReconciledLine.journal_line_id)))).all()
    unexplained = [(line_id, amount) for line_id, amount in earlier if line_id not in matched]
    if sum((amount for _, amount in unexplained), ZERO) != opening:
        return set()
    return {line_id for line_id, _ in unexplained}


def _undo_refusal(session: Session, reconciliation: Reconciliation) -> LedgerError | None:
    """Why this reconciliation cannot be undone, as the error to raise; None if it can."""
    if reconciliation.undone_at is not None:
        return AlreadyUndone(f"This reconciliation was already undone on "
                             f"{reconciliation.undone_at:%d %b %Y}.")
    last = last_reconciliation(session, reconciliation.bank_account)
    if last is not None and last.id != reconciliation.id:
        return LedgerError(f"Only the most recent reconciliation of {reconciliation.bank_account.label} "
                           f"can be undone: the one to {last.statement_date:%d %b %Y}. Undo that one first.")
    return None


def why_not_undoable(session: Session, reconciliation: Reconciliation) -> str | None:
    """Why this reconciliation cannot be undone (only the latest of its account can); None if it can."""
    refusal = _undo_refusal(session, reconciliation)
    return refusal.message if refusal else None


def undo_reconciliation(session: Session, user: User | None, reconciliation: Reconciliation, *,
                        reason: str) -> Reconciliation:
    """Undo the most recent reconciliation of a bank account (admins only, with a reason): its book
    entries and statement lines are unreconciled again, their matches kept, and it stays in the
    history marked undone."""
    if user is not None and not user.is_admin:
        raise LedgerError("Only an admin can undo a reconciliation.")
    reason = clean_text(reason, 300, "reason", "the reason")
    if not reason:
        raise LedgerError("Give the reason for undoing the reconciliation.", "reason")
    bank = reconciliation.bank_account
    _lock_bank(session, bank)
    session.refresh(reconciliation)  # another admin may have undone it while we waited
    refusal = _undo_refusal(session, reconciliation)
    if refusal:
        raise refusal
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
    """A saved reconciliation with the book entries not yet on a statement by its date."""

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
    """The saved reconciliation `reconciliation_id`, or NotFound."""
    return fetch(session, Reconciliation, reconciliation_id,
                 missing=f"There is no reconciliation number {reconciliation_id}.")


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

