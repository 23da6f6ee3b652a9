"""The journal engine: the one way into the ledger.

Every transaction of the books, from a general journal to a bill or a trust receipt, posts through
`post()`, which enforces the ledger's invariants in one place:

- at least two lines, each non-zero and exact to the cent;
- the lines sum to zero (debits are positive amounts, credits negative);
- every account exists and is not archived;
- the date is on or after the practice's lock date.

Posted lines are never edited. A correction is `reverse()`: a new journal with every line negated,
linked both ways to the original. A locked journal (e.g. pushed to Xero) is not reversed until it
is unlocked through the integration's correction flow.

Every journal posted, reversals included, is announced as one `accounting.events.JournalPosted`,
in the posting's own transaction once its rows are written. The rows go in with bulk INSERTs, which
fire no SQLAlchemy flush or insert listener, so the events are emitted here, explicitly; a handler
that raises fails the posting.
"""

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, Enum, ForeignKey, Index, Integer, String, Text, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from accounting.audit import record, record_many
from accounting.base import Base, PostedTransactionMixin, new_public_id, utcnow
from accounting.dates import check_document_date
from accounting.errors import (
    InvalidAccount,
    InvalidAmount,
    InvalidReversal,
    LedgerError,
    TransactionLocked,
    UnbalancedJournal,
)
from accounting.events import JournalPosted, emit, listening
from accounting.ledger.accounts import Account
from accounting.ledger.practice import get_practice
from accounting.lookup import fetch, page_of
from accounting.money import ZERO, Money, format_money
from accounting.parties.users import User
from accounting.sequences import take_numbers

MAX_NARRATION = 500


class JournalKind(enum.StrEnum):
    """What produced a journal; later transaction types add their own kinds."""

    GENERAL = "general"
    REVERSAL = "reversal"


# Number prefix per kind; a kind without one uses its first two letters.
JOURNAL_PREFIXES: dict[str, str] = {JournalKind.GENERAL: "GJ-", JournalKind.REVERSAL: "RV-"}


# Kinds allowed to post to accounts that hold clients' trust money (Account.holds_trust).
TRUST_KINDS: set[str] = set()


def register_journal_kind(kind: str, prefix: str, *, trust: bool = False) -> None:
    """Declare a transaction type's journals and their number prefix, at import time.

    A prefix belongs to one kind: two types sharing one would read as the same series. Only kinds
    declared `trust` may touch trust accounts, so office postings can never move client money
    behind the trust ledgers' back.
    """
    owner = next((k for k, p in JOURNAL_PREFIXES.items() if p == prefix), kind)
    if owner != kind:
        raise ValueError(f"Journal prefix {prefix} already belongs to kind {owner!r}.")
    JOURNAL_PREFIXES[kind] = prefix
    if trust:
        TRUST_KINDS.add(kind)


def journal_prefix(kind: str) -> str:
    """The number prefix of a kind; an undeclared kind uses its first two letters."""
    return JOURNAL_PREFIXES.get(kind, kind[:2].upper() + "-")


def journal_sequence(prefix: str) -> str:
    """One counter per prefix, so kinds that share a prefix can never share a number."""
    return f"journal:{prefix}"


class JournalStatus(enum.StrEnum):
    """A journal is posted, or reversed once by exactly one reversing journal (never edited)."""

    POSTED = "posted"
    REVERSED = "reversed"


@dataclass(frozen=True)
class LineInput:
    """One line to post: a positive amount is a debit, a negative one a credit."""

    account_id: int
    amount: Decimal
    description: str = ""


class Journal(PostedTransactionMixin, Base):
    """One posted transaction of the ledger: a unique number in its kind's series, a date on or
    after the lock date, and lines that sum to zero. Never edited: a correction is a reversal,
    linked both ways through `reverses_id`."""

    __tablename__ = "journal"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    date: Mapped[date] = mapped_column(Date, index=True)
    narration: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[JournalStatus] = mapped_column(
        Enum(JournalStatus, native_enum=False, length=10), default=JournalStatus.POSTED
    )
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("journal.id"), unique=True)
    reversal_reason: Mapped[str] = mapped_column(String(300), default="")

    lines: Mapped[list["JournalLine"]] = relationship(
        back_populates="journal", order_by="JournalLine.line_no", cascade="all, delete-orphan"
    )
    posted_by: Mapped[User | None] = relationship()
    reverses: Mapped["Journal | None"] = relationship(
        remote_side=[id], foreign_keys=[reverses_id], back_populates="reversed_by"
    )
    reversed_by: Mapped["Journal | None"] = relationship(
        foreign_keys=[reverses_id], back_populates="reverses", uselist=False
    )

    @property
    def total(self) -> Decimal:
        """Sum of the debits (equal to the credits)."""
        return sum((line.amount for line in self.lines if line.amount > 0), ZERO)

    def can_reverse(self) -> bool:
        return (
            self.status == JournalStatus.POSTED
            and self.reverses_id is None
            and not self.is_locked()
        )

    def why_not_reversible(self) -> str | None:
        """The reason a person sees when reversal is refused; None when it is allowed."""
        if self.reverses_id is not None:
            return "This journal is itself a reversal; a reversal is never reversed."
        if self.status == JournalStatus.REVERSED:
            return "This journal has already been reversed."
        if self.is_locked():
            return f"Locked: {self.locked_reason}."
        return None

    def why_not_reversible_by_hand(self) -> str | None:
        """Why the Journals page may not reverse this journal; None when it may.

        A journal a document posted (a bill, a payment, a trust receipt, ...) is corrected from that
        document, so the document's own figures (what a bill owes, a matter's trust ledger) change
        with it; reversing only the journal would leave them wrong.
        """
        problem = self.why_not_reversible()
        if problem is None and self.kind != JournalKind.GENERAL:
            prefix = JOURNAL_PREFIXES.get(self.kind, "")
            problem = (f"{self.number} was posted by {self.kind.replace('_', ' ')} {self.reference}".rstrip()
                       + f" ({prefix.rstrip('-')} series): correct it from that document, "
                       "which reverses this journal and keeps the document right.")
        return problem


class JournalLine(Base):
    """One line of a journal: a non-zero amount in cents on one account (positive debits, negative
    credits), dated as its journal. Immutable; every report is summed from these rows."""

    __tablename__ = "journal_line"
    # Covers balance queries (trial balance, ledger openings): grouped by account, filtered by
    # date, summing amount, all from the index without touching the table.
    __table_args__ = (Index("ix_journal_line_balance", "account_id", "date", "amount"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    journal_id: Mapped[int] = mapped_column(ForeignKey("journal.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    # Copied from the journal (lines are immutable) so balances need no join.
    date: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    description: Mapped[str] = mapped_column(String(300), default="")

    journal: Mapped[Journal] = relationship(back_populates="lines")
    account: Mapped[Account] = relationship()

    @property
    def debit(self) -> Decimal | None:
        return self.amount if self.amount > 0 else None

    @property
    def credit(self) -> Decimal | None:
        return -self.amount if self.amount < 0 else None


@dataclass(frozen=True)
class JournalEntry:
    """One journal to post with `post_batch`.

    `source_type` and `source_id` name the document posting it (e.g. "bill", 42) when it exists
    already; they are not stored, only told to the JournalPosted event's handlers.
    """

    date: date
    narration: str
    lines: Sequence[LineInput]
    kind: str = JournalKind.GENERAL
    reference: str = ""
    number: str | None = None
    source_type: str | None = None
    source_id: int | None = None


def fetch_accounts(session: Session, lines: Iterable[LineInput]) -> dict[int, Account]:
    """The accounts the lines name, by id, in one query."""
    ids = {line.account_id for line in lines}
    return {a.id: a for a in session.execute(select(Account).where(Account.id.in_(ids))).scalars()}


def check_lines(session: Session, lines: Sequence[LineInput],
                accounts: dict[int, Account] | None = None) -> dict[int, Account]:
    """Apply the line invariants; return the accounts by id. Raises a LedgerError naming the line."""
    if len(lines) < 2:
        raise UnbalancedJournal("A journal needs at least two lines.", "lines")
    if accounts is None:
        accounts = fetch_accounts(session, lines)
    for index, line in enumerate(lines):
        account = accounts.get(line.account_id)
        if account is None:
            raise InvalidAccount(f"Line {index + 1}: choose an account.", f"lines-{index}-account")
        if account.archived:
            raise InvalidAccount(
                f"Line {index + 1}: {account.label} is archived; restore it or choose another.",
                f"lines-{index}-account",
            )
        if line.amount == ZERO:
            raise InvalidAmount(f"Line {index + 1}: enter a debit or a credit.",
                                f"lines-{index}-debit")
        if line.amount != line.amount.quantize(Decimal("0.01")):
            raise InvalidAmount(f"Line {index + 1}: at most two decimals.", f"lines-{index}-debit")
        if len(line.description) > 300:
            raise LedgerError(f"Line {index + 1}: keep the description under 300 characters.",
                              f"lines-{index}-description")
    difference = sum((line.amount for line in lines), ZERO)
    if difference != ZERO:
        debits = sum((x.amount for x in lines if x.amount > 0), ZERO)
        credits = -sum((x.amount for x in lines if x.amount < 0), ZERO)
        raise UnbalancedJournal(
            f"Debits ({format_money(debits)}) and credits ({format_money(credits)}) differ by "
            f"{format_money(abs(difference))}; a journal posts only when they balance.",
            "lines",
        )
    return accounts


def _check_entry(entry: JournalEntry, practice, accounts: dict[int, Account]) -> None:
    """Every invariant of one journal, before anything is written."""
    narration = entry.narration.strip()
    if not narration:
        raise LedgerError("Say what the journal is for.", "narration")
    if len(narration) > MAX_NARRATION:
        raise LedgerError(f"Keep the narration under {MAX_NARRATION} characters.", "narration")
    if len(entry.reference) > 100:
        raise LedgerError("Keep the reference under 100 characters.", "reference")
    check_document_date(entry.date)
    practice.check_open(entry.date)
    check_lines(None, entry.lines, accounts)
    if str(entry.kind) not in TRUST_KINDS:
        for index, line in enumerate(entry.lines):
            if accounts[line.account_id].holds_trust:
                raise InvalidAccount(
                    f"Line {index + 1}: {accounts[line.account_id].label} holds clients' trust money; "
                    "record trust receipts, payments and transfers in Trust.",
                    f"lines-{index}-account")


def post(
    session: Session,
    user: User | None,
    *,
    date: date,
    narration: str,
    lines: Sequence[LineInput],
    kind: str = JournalKind.GENERAL,
    reference: str = "",
    number: str | None = None,
    source_type: str | None = None,
    source_id: int | None = None,
) -> Journal:
    """Post a balanced journal and record it in the audit log. The one way into the ledger."""
    entry = JournalEntry(date, narration, lines, str(kind), reference, number, source_type, source_id)
    return post_batch(session, user, [entry])[0]


def post_batch(session: Session, user: User | None, entries: Sequence[JournalEntry]) -> list[Journal]:
    """Post several journals at once: all or nothing, with every check `post` makes.

    All entries are checked before any row is written, so a refusal leaves the ledger untouched.
    Rows go in with one multi-row INSERT per table, which is what makes bulk posting (imports,
    batch trust transfers) fast without a second, weaker path into the ledger. Each journal is then
    announced as one JournalPosted event.
    """
    journals = _write(session, user, entries, [None] * len(entries))
    _announce(session, journals, entries)
    return journals


def _write(session: Session, user: User | None, entries: Sequence[JournalEntry],
           reversing: Sequence[tuple[int, str] | None]) -> list[Journal]:
    """Check every entry, then insert the journals, their lines and their audit lines in bulk.

    `reversing` pairs each entry with the (journal id, reason) it reverses, or None; only
    `reverse()`, having checked that journal, passes one.
    """
    if not entries:
        return []
    practice = get_practice(session)
    accounts = fetch_accounts(session, (line for entry in entries for line in entry.lines))
    for entry in entries:
        _check_entry(entry, practice, accounts)
    numbers = _numbers_for(session, entries)
    posted_at, posted_by = utcnow(), (user.id if user else None)
    journals = session.scalars(
        insert(Journal).returning(Journal, sort_by_parameter_order=True),
        [{"number": number, "kind": str(entry.kind), "date": entry.date,
          "narration": entry.narration.strip(), "reference": entry.reference.strip(),
          "posted_by_id": posted_by, "posted_at": posted_at, "public_id": new_public_id(),
          "reverses_id": reverses[0] if reverses else None,
          "reversal_reason": reverses[1] if reverses else ""}
         for entry, number, reverses in zip(entries, numbers, reversing, strict=True)],
    ).all()
    session.execute(insert(JournalLine), [
        {"journal_id": journal.id, "line_no": n + 1, "account_id": line.account_id,
         "date": entry.date, "amount": line.amount, "description": line.description.strip()}
        for journal, entry in zip(journals, entries, strict=True)
        for n, line in enumerate(entry.lines)
    ])
    record_many(session, user, "posted", "journal", [
        (journal.id, f"{journal.number} posted: {journal.narration} "
                     f"({format_money(sum((x.amount for x in entry.lines if x.amount > 0), ZERO))})")
        for journal, entry in zip(journals, entries, strict=True)
    ])
    return list(journals)


def _announce(session: Session, journals: Sequence[Journal], entries: Sequence[JournalEntry]) -> None:
    """One JournalPosted per journal, in the posting's transaction (none built when nobody listens)."""
    if not listening(JournalPosted):
        return
    for journal, entry in zip(journals, entries, strict=True):
        emit(session, JournalPosted(
            journal_id=journal.id, number=journal.number, kind=journal.kind, date=journal.date,
            reverses_id=journal.reverses_id, source_type=entry.source_type, source_id=entry.source_id,
        ))


def _numbers_for(session: Session, entries: Sequence[JournalEntry]) -> list[str]:
    """A number for each entry: its own if given, else the next of its prefix's sequence."""
    wanted: dict[str, int] = {}
    for entry in entries:
        if entry.number is None:
            prefix = journal_prefix(str(entry.kind))
            wanted[prefix] = wanted.get(prefix, 0) + 1
    pools = {prefix: iter(take_numbers(session, journal_sequence(prefix), prefix, count))
             for prefix, count in wanted.items()}
    return [entry.number or next(pools[journal_prefix(str(entry.kind))]) for entry in entries]


def reverse(session: Session, user: User | None, journal: Journal, *, date: date,
            reason: str, kind: str = JournalKind.REVERSAL, source_type: str | None = None,
            source_id: int | None = None) -> Journal:
    """Reverse a posted journal with a new journal of negated lines, dated `date`.

    Trust reversals pass their own trust `kind`; any other reversal of a trust journal is refused.
    The reversal is checked and written as `post_batch` writes any journal, linked to the original
    as it is inserted, and announced (a JournalPosted naming `reverses_id`) once the original is
    marked reversed.
    """
    reason = reason.strip()
    if not reason:
        raise InvalidReversal("Give the reason for the reversal.", "reason")
    if journal.is_locked():
        raise TransactionLocked(
            f"{journal.number} is locked: {journal.locked_reason}. "
            "Unlink it in Integrations first, then reverse it."
        )
    problem = journal.why_not_reversible()
    if problem:
        raise InvalidReversal(problem)
    if date < journal.date:
        raise InvalidReversal(  # the reversal must not undo the journal before it happened
            f"A reversal cannot be dated before the journal it reverses ({journal.date:%d %b %Y}).",
            "date",
        )
    entry = JournalEntry(
        date=date, kind=str(kind), narration=f"Reversal of {journal.number}: {reason}"[:MAX_NARRATION],
        reference=journal.number, source_type=source_type, source_id=source_id,
        lines=[LineInput(line.account_id, -line.amount, line.description) for line in journal.lines],
    )
    reversal = _write(session, user, [entry], [(journal.id, reason)])[0]
    journal.status = JournalStatus.REVERSED
    session.flush()
    record(session, user, "reversed", "journal", journal.id,
           f"{journal.number} reversed by {reversal.number}: {reason}")
    _announce(session, [reversal], [entry])
    return reversal


def get_journal(session: Session, journal_id: int, *, for_update: bool = False) -> Journal:
    """The journal with `journal_id`, or NotFound (a 404 page).

    `for_update` locks the row (PostgreSQL) so two people reversing it at once wait for each other
    and the second is refused as "already reversed" instead of failing on the unique constraint.
    """
    return fetch(session, Journal, journal_id, missing=f"There is no journal number {journal_id}.",
                 for_update=for_update)


def list_journals(session: Session, *, page: int = 1, per_page: int = 25) -> tuple[list[Journal], int]:
    """One page of journals, newest first (by date, then by posting order), and how many in all."""
    statement = (select(Journal).options(selectinload(Journal.lines))
                 .order_by(Journal.date.desc(), Journal.id.desc()))
    return page_of(session, statement, page, per_page)


def postable_accounts(session: Session) -> list[Account]:
    """Active accounts in code order that a general journal may use (trust accounts excluded)."""
    return list(
        session.execute(select(Account).where(Account.archived.is_(False), Account.holds_trust.is_(False))
                        .order_by(Account.code))
        .scalars()
    )
