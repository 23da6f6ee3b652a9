"""Client billing: bills per matter, payments, credit notes, write-offs.

Invariant this module protects: for every bill, `applied` equals the sum of its payment, credit
and write-off events, and its amount owed is `total - applied`, never below zero. Every posting
goes through `accounting.ledger.journals.post`:

- approve a bill:   Dr Accounts Receivable total; Cr each income account its lines' amounts;
                    Cr GST Collected the GST.
- payment:          Dr the office bank account; Cr Accounts Receivable.
- credit note:      Dr each income account; Dr GST Collected; Cr Accounts Receivable.
- applying credit:  no journal (both sides are already in Accounts Receivable); the allocation only
                    moves what the client owes from the bill to the credit note.
- refund of credit: Dr Accounts Receivable (the client's credit balance is used up);
                    Cr the office bank account (money paid out to the client).
- write-off:        Dr Bad Debts; Cr Accounts Receivable.
- revert or void:   `reverse()` of the bill's journal.
- time entries and disbursements (work in progress) post nothing; a draft bill made from them
  marks them billed, and deleting that draft or voiding the bill frees them.

Whoever changes what is owed on a bill or left on a credit note first locks its row
(SELECT ... FOR UPDATE on PostgreSQL), so two people paying the same bill wait for each other and
the second sees what the first paid.
"""

import enum
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Date, DateTime, Enum, ForeignKey, Index, Integer, String, and_, func, or_, select, text
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship, selectinload

from accounting.audit import record
from accounting.base import Base, PostedTransactionMixin, utcnow
from accounting.errors import InvalidAccount, InvalidAmount, LedgerError, NotFound, TransactionLocked
from accounting.ledger.accounts import (
    Account,
    AccountClass,
    AccountRole,
    account_for_role,
    office_bank_accounts,
)
from accounting.ledger.journals import Journal, JournalStatus, LineInput, post, register_journal_kind, reverse
from accounting.ledger.practice import get_practice
from accounting.ledger.tax import TaxCode, check_gst_allowed, gst_on
from accounting.money import CENT, ZERO, Money, format_money
from accounting.office.corrections import check_correction
from accounting.parties.clients import Client, Matter, MatterStatus
from accounting.parties.users import User
from accounting.sequences import next_number

MAX_LINES = 100

# Each kind of billing journal numbers in its own series (BI-000001, BP-000001, ...).
for _kind, _prefix in {"bill": "BI-", "bill_payment": "BP-", "bill_write_off": "WO-",
                       "credit_note": "CR-", "credit_refund": "RF-"}.items():
    register_journal_kind(_kind, _prefix)
MAX_DESCRIPTION = 300


class BillStatus(enum.StrEnum):
    """Stored status; a posted bill shows as awaiting payment, part paid or paid."""

    DRAFT = "draft"
    POSTED = "posted"
    VOIDED = "voided"


DISPLAY_STATUSES = ("draft", "awaiting_payment", "part_paid", "paid", "voided")


class EventKind(enum.StrEnum):
    POSTED = "posted"
    PAYMENT = "payment"
    CREDIT = "credit"
    WRITE_OFF = "write_off"
    REVERTED = "reverted"
    VOIDED = "voided"
    # A payment, credit or write-off taken back; the event it undoes is `BillEvent.undoes`.
    UNDONE = "undone"

    @property
    def label(self) -> str:
        return self.value.replace("_", "-").capitalize()


APPLYING = (EventKind.PAYMENT, EventKind.CREDIT, EventKind.WRITE_OFF)


def line_amount(quantity: Decimal, rate: Decimal) -> Decimal:
    """Quantity x rate, rounded half-up to the cent."""
    return (quantity * rate).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class BillLineInput:
    """One line as the person typed it, already parsed."""

    description: str
    quantity: Decimal
    rate: Decimal
    account_id: int
    tax: TaxCode = TaxCode.GST


class _LineColumns:
    id: Mapped[int] = mapped_column(primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(MAX_DESCRIPTION))
    quantity: Mapped[Decimal] = mapped_column(Money)
    rate: Mapped[Decimal] = mapped_column(Money)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    tax: Mapped[TaxCode] = mapped_column(Enum(TaxCode, native_enum=False, length=10))
    amount: Mapped[Decimal] = mapped_column(Money)
    gst: Mapped[Decimal] = mapped_column(Money)


_OWING = "total - applied > 0"


class Bill(PostedTransactionMixin, Base):
    __tablename__ = "bill"
    __table_args__ = (
        # The bills list pages newest first; aged receivables reads only bills still owing.
        Index("ix_bill_date_id", "date", "id"),
        Index("ix_bill_open", "client_id", "due_date", "date", "status", "total", "applied", "id",
              sqlite_where=text(_OWING), postgresql_where=text(_OWING)),
        # What is owed per due date is recomputed from this as bills change
        # (accounting/office/bill_totals.py).
        Index("ix_bill_open_due", "due_date", "date", "status", "total", "applied",
              sqlite_where=text(_OWING), postgresql_where=text(_OWING)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Taken on first approval and kept for good, even if the bill goes back to draft.
    number: Mapped[str | None] = mapped_column(String(20), unique=True, default=None)
    # Active history: a change keeps the old value even if it was never loaded, so the bill totals
    # can refresh the old client's and due date's rows too (accounting/office/bill_totals.py).
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True, active_history=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matter.id"), index=True)
    # Declared before `date`, which shadows the type from there on.
    due_date: Mapped[date | None] = mapped_column(Date, default=None, active_history=True)
    date: Mapped[date] = mapped_column(Date, index=True, active_history=True)
    reference: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[BillStatus] = mapped_column(
        Enum(BillStatus, native_enum=False, length=10), default=BillStatus.DRAFT, index=True
    )
    subtotal: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    gst: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    total: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    applied: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    journal_id: Mapped[int | None] = mapped_column(ForeignKey("journal.id"), default=None)

    client: Mapped[Client] = relationship()
    matter: Mapped[Matter] = relationship()
    journal: Mapped[Journal | None] = relationship()
    lines: Mapped[list["BillLine"]] = relationship(
        back_populates="bill", order_by="BillLine.line_no", cascade="all, delete-orphan"
    )
    events: Mapped[list["BillEvent"]] = relationship(
        back_populates="bill", order_by="BillEvent.id", cascade="all, delete-orphan"
    )

    @property
    def owed(self) -> Decimal:
        return self.total - self.applied if self.status == BillStatus.POSTED else ZERO

    @property
    def display_status(self) -> str:
        if self.status != BillStatus.POSTED:
            return self.status.value
        if self.applied >= self.total:
            return "paid"
        return "part_paid" if self.applied > ZERO else "awaiting_payment"

    @property
    def title(self) -> str:
        return self.number or "Draft bill"

    def is_locked(self) -> bool:
        return self.locked_reason is not None or bool(self.journal and self.journal.is_locked())

    @property
    def lock_text(self) -> str | None:
        return self.locked_reason or (self.journal.locked_reason if self.journal else None)

    def why_not_revertible(self) -> str | None:
        """Why this bill cannot go back to draft (or be voided); None when it can."""
        if self.status != BillStatus.POSTED:
            return "Only an approved bill can be reverted or voided."
        if self.is_locked():
            return (f"{self.title} is locked: {self.lock_text}. Unlink it in Integrations first, "
                    "then revert or void it.")
        if self.applied > ZERO:
            return (f"{self.title} has {format_money(self.applied)} applied to it (payments, credits "
                    "or write-offs); it can only be reverted or voided when nothing is applied: undo them "
                    "in its history first.")
        return None


_POSTED = Bill.status == BillStatus.POSTED
# Each display status as a condition on a bill's row, deciding as `Bill.display_status` does.
STATUS_CONDITIONS = {
    "draft": Bill.status == BillStatus.DRAFT,
    "awaiting_payment": and_(_POSTED, Bill.applied == 0, Bill.applied < Bill.total),
    "part_paid": and_(_POSTED, Bill.applied > 0, Bill.applied < Bill.total),
    "paid": and_(_POSTED, Bill.applied >= Bill.total),
    "voided": Bill.status == BillStatus.VOIDED,
}


class BillLine(_LineColumns, Base):
    __tablename__ = "bill_line"

    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id"), index=True)
    bill: Mapped[Bill] = relationship(back_populates="lines")
    account: Mapped[Account] = relationship()


class CreditNote(PostedTransactionMixin, Base):
    __tablename__ = "credit_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    date: Mapped[date] = mapped_column(Date, index=True)
    reference: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(10), default="posted")
    subtotal: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    gst: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    total: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    # Applied to bills plus refunded.
    used: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    journal_id: Mapped[int] = mapped_column(ForeignKey("journal.id"))

    client: Mapped[Client] = relationship()
    journal: Mapped[Journal] = relationship()
    lines: Mapped[list["CreditNoteLine"]] = relationship(
        back_populates="credit_note", order_by="CreditNoteLine.line_no", cascade="all, delete-orphan"
    )
    applications: Mapped[list["BillEvent"]] = relationship(
        back_populates="credit_note", order_by="BillEvent.id"
    )
    refunds: Mapped[list["CreditRefund"]] = relationship(
        back_populates="credit_note", order_by="CreditRefund.id"
    )

    @property
    def voided(self) -> bool:
        return self.status == "voided"

    @property
    def remaining(self) -> Decimal:
        return ZERO if self.voided else self.total - self.used

    @property
    def display_status(self) -> str:
        if self.voided:
            return "voided"
        return "used" if self.remaining == ZERO else ("part_used" if self.used else "unused")

    def live_applications(self) -> list["BillEvent"]:
        """Applications to bills that have not been undone."""
        return [a for a in self.applications if a.kind == EventKind.CREDIT and a.undone_by is None]

    def live_refunds(self) -> list["CreditRefund"]:
        """Refunds whose journal has not been reversed (undone)."""
        return [r for r in self.refunds if not r.undone]

    def why_not_voidable(self) -> str | None:
        """Why this credit note cannot be voided (what to undo first); None when it can."""
        if self.voided:
            return f"{self.number} is already voided."
        if self.is_locked() or self.journal.is_locked():
            return (f"Locked: {self.locked_reason or self.journal.locked_reason}. "
                    "Unlink it in Integrations first.")
        if self.used > ZERO:
            undo = [f"its application to {a.bill.title} ({format_money(a.amount)})"
                    for a in self.live_applications()]
            undo += [f"its refund of {format_money(r.amount)} on {r.date:%d %b %Y}"
                     for r in self.live_refunds()]
            return (f"{self.number} has {format_money(self.used)} applied or refunded: undo "
                    + " and ".join(undo) + " first.")
        return None


class CreditNoteLine(_LineColumns, Base):
    __tablename__ = "credit_note_line"

    credit_note_id: Mapped[int] = mapped_column(ForeignKey("credit_note.id"), index=True)
    credit_note: Mapped[CreditNote] = relationship(back_populates="lines")
    account: Mapped[Account] = relationship()


class BillEvent(Base):
    """One thing that happened to a bill; payments, credits and write-offs carry an amount."""

    __tablename__ = "bill_event"
    # Aged receivables replays only the events dated after its as-at date.
    __table_args__ = (Index("ix_bill_event_date", "date", "bill_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id"), index=True)
    kind: Mapped[EventKind] = mapped_column(Enum(EventKind, native_enum=False, length=12))
    date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    reference: Mapped[str] = mapped_column(String(100), default="")
    journal_id: Mapped[int | None] = mapped_column(ForeignKey("journal.id"), default=None)
    bank_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), default=None)
    credit_note_id: Mapped[int | None] = mapped_column(ForeignKey("credit_note.id"), default=None,
                                                       index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # On an UNDONE event: the payment, credit or write-off it takes back (at most one undo each).
    undoes_id: Mapped[int | None] = mapped_column(ForeignKey("bill_event.id"), default=None,
                                                  unique=True)

    bill: Mapped[Bill] = relationship(back_populates="events")
    journal: Mapped[Journal | None] = relationship()
    bank_account: Mapped[Account | None] = relationship()
    credit_note: Mapped[CreditNote | None] = relationship(back_populates="applications")
    user: Mapped[User | None] = relationship()
    undoes: Mapped["BillEvent | None"] = relationship(
        remote_side=[id], foreign_keys=[undoes_id], back_populates="undone_by")
    undone_by: Mapped["BillEvent | None"] = relationship(
        foreign_keys=[undoes_id], back_populates="undoes", uselist=False)

    @property
    def what(self) -> str:
        """What happened, as the history shows it ("Payment", "Credit undone", ...)."""
        if self.kind == EventKind.UNDONE and self.undoes is not None:
            return f"{self.undoes.kind.label} undone"
        return self.kind.label

    def can_undo(self) -> bool:
        """A payment, credit or write-off not taken back yet (the undo itself asks again)."""
        return self.kind in APPLYING and self.undone_by is None


class CreditRefund(Base):
    """Unapplied credit paid back to the client from an office bank account."""

    __tablename__ = "credit_refund"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_note_id: Mapped[int] = mapped_column(ForeignKey("credit_note.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    reference: Mapped[str] = mapped_column(String(100), default="")
    bank_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    journal_id: Mapped[int] = mapped_column(ForeignKey("journal.id"))

    credit_note: Mapped[CreditNote] = relationship(back_populates="refunds")
    journal: Mapped[Journal] = relationship()
    bank_account: Mapped[Account] = relationship()

    @property
    def undone(self) -> bool:
        """Undoing a refund reverses its journal; nothing else records it."""
        return self.journal.status == JournalStatus.REVERSED

    @property
    def reversal(self) -> Journal | None:
        return self.journal.reversed_by


# ---------------------------------------------------------------- lookups


def income_accounts(session: Session) -> list[Account]:
    """Active revenue accounts, in code order: what a bill line may be credited to."""
    accounts = session.execute(
        select(Account).where(Account.archived.is_(False)).order_by(Account.code)
    ).scalars()
    return [a for a in accounts if a.account_class == AccountClass.REVENUE]


def open_matters(session: Session) -> list[Matter]:
    """Open matters of clients that are not archived, by number: what a bill may be for."""
    return list(session.execute(
        select(Matter).join(Matter.client)
        .where(Matter.status == MatterStatus.OPEN, Client.archived.is_(False))
        .options(selectinload(Matter.client)).order_by(Matter.number)
    ).scalars())


def active_clients(session: Session) -> list[Client]:
    return list(session.execute(
        select(Client).where(Client.archived.is_(False)).order_by(Client.name)
    ).scalars())


def _valid_id(value: int) -> bool:
    return 0 < value < 2**31


def get_bill(session: Session, bill_id: int, *, for_update: bool = False) -> Bill:
    """The bill with this id (row-locked when `for_update`), or NotFound."""
    bill = None
    if _valid_id(bill_id):
        statement = select(Bill).where(Bill.id == bill_id)
        if for_update:
            statement = statement.with_for_update().execution_options(populate_existing=True)
        bill = session.execute(statement).scalar_one_or_none()
    if bill is None:
        raise NotFound("There is no such bill.")
    return bill


def get_credit_note(session: Session, credit_note_id: int, *, for_update: bool = False) -> CreditNote:
    """The credit note with this id (row-locked when `for_update`), or NotFound."""
    note = None
    if _valid_id(credit_note_id):
        statement = select(CreditNote).where(CreditNote.id == credit_note_id)
        if for_update:
            statement = statement.with_for_update().execution_options(populate_existing=True)
        note = session.execute(statement).scalar_one_or_none()
    if note is None:
        raise NotFound("There is no such credit note.")
    return note


def search_bills(session: Session, query: str = "", *, status: str = "", page: int = 1,
                 per_page: int = 25) -> tuple[list[Bill], int]:
    """Bills whose number, reference, client or matter contains `query`, filtered by display
    status; newest first. Returns (rows, total)."""
    statement = select(Bill)
    if status in STATUS_CONDITIONS:
        statement = statement.where(STATUS_CONDITIONS[status])
    query = query.strip().lower()
    if query:
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        statement = statement.join(Bill.client).join(Bill.matter).where(or_(*(
            func.lower(column).like(like, escape="\\")
            for column in (Bill.number, Bill.reference, Client.name, Matter.number)
        )))
    if query:  # count(*), not of whole joined rows nor of ids: SQLite counts it from the smallest index
        total = session.scalar(statement.with_only_columns(func.count()).select_from(Bill).order_by(None))
    else:  # counting every bill would be most of the page's cost over many bills
        total = bill_totals.bill_count(session, status)
    rows = session.execute(
        # One query: each row's client and matter joined in, only what the list shows of them.
        statement.options(joinedload(Bill.client).load_only(Client.name),
                          joinedload(Bill.matter).load_only(Matter.number))
        .order_by(Bill.date.desc(), Bill.id.desc())
        .limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).scalars().all()
    return list(rows), total


def bills_of_matter(session: Session, matter_id: int) -> list[Bill]:
    """Every bill of a matter (drafts and voided ones too), newest first."""
    return list(session.execute(
        select(Bill).where(Bill.matter_id == matter_id).order_by(Bill.date.desc(), Bill.id.desc())
    ).scalars())


def list_credit_notes(session: Session) -> list[CreditNote]:
    return list(session.execute(
        select(CreditNote).options(selectinload(CreditNote.client))
        .order_by(CreditNote.date.desc(), CreditNote.id.desc())
    ).scalars())


def open_bills_of(session: Session, client_id: int) -> list[Bill]:
    """The client's approved bills with something still owed, oldest first."""
    return list(session.execute(
        select(Bill).where(Bill.client_id == client_id, Bill.status == BillStatus.POSTED,
                           Bill.applied < Bill.total)
        .order_by(Bill.date, Bill.id)
    ).scalars())


# ---------------------------------------------------------------- lines and totals


def priced_lines(session: Session, lines: list[BillLineInput]) -> list[dict]:
    """Check the lines and work out each one's amount and GST. Raises a LedgerError naming the field."""
    if not lines:
        raise LedgerError("Add at least one line.", "lines")
    if len(lines) > MAX_LINES:
        raise LedgerError(f"A bill has at most {MAX_LINES} lines.", "lines")
    practice = get_practice(session)
    rate = practice.gst_rate
    allowed = {a.id for a in income_accounts(session)}
    priced = []
    for i, line in enumerate(lines):
        n = i + 1
        if not line.description.strip():
            raise LedgerError(f"Line {n}: describe the work.", f"lines-{i}-description")
        if len(line.description.strip()) > MAX_DESCRIPTION:
            raise LedgerError(f"Line {n}: keep the description under {MAX_DESCRIPTION} characters.",
                              f"lines-{i}-description")
        if line.quantity <= ZERO:
            raise InvalidAmount(f"Line {n}: the quantity must be more than zero.", f"lines-{i}-quantity")
        if line.rate <= ZERO:
            raise InvalidAmount(f"Line {n}: the rate must be more than zero.", f"lines-{i}-rate")
        if line.account_id not in allowed:
            raise InvalidAccount(f"Line {n}: choose an income account.", f"lines-{i}-account")
        check_gst_allowed(practice, line.tax == TaxCode.GST, f"lines-{i}-tax")
        amount = line_amount(line.quantity, line.rate)
        if amount == ZERO:
            raise InvalidAmount(f"Line {n}: quantity x rate comes to nothing.", f"lines-{i}-rate")
        gst = gst_on(amount, rate) if line.tax == TaxCode.GST else ZERO
        priced.append({"line_no": n, "description": line.description.strip(),
                       "quantity": line.quantity, "rate": line.rate, "account_id": line.account_id,
                       "tax": TaxCode(line.tax), "amount": amount, "gst": gst})
    return priced


def totals_of(priced: list[dict]) -> tuple[Decimal, Decimal, Decimal]:
    """(subtotal, GST, total) of priced lines."""
    subtotal = sum((p["amount"] for p in priced), ZERO)
    gst = sum((p["gst"] for p in priced), ZERO)
    return subtotal, gst, subtotal + gst


def _income_lines(lines, sign: int, gst: Decimal, session: Session, label: str) -> list[LineInput]:
    """One journal line per income account (its lines' amounts summed) and one for GST collected."""
    per_account: OrderedDict[int, Decimal] = OrderedDict()
    for line in lines:
        per_account[line.account_id] = per_account.get(line.account_id, ZERO) + line.amount
    result = [LineInput(account_id, sign * amount, label) for account_id, amount in per_account.items()]
    if gst:
        result.append(LineInput(account_for_role(session, AccountRole.GST_COLLECTED).id, sign * gst,
                                f"GST on {label}"))
    return result


# ---------------------------------------------------------------- bills


def _matter_for_bill(session: Session, matter_id: int | None) -> Matter:
    matter = session.get(Matter, matter_id) if matter_id and _valid_id(matter_id) else None
    if matter is None:
        raise LedgerError("Choose the matter the bill is for.", "matter")
    if not matter.is_open:
        raise LedgerError(f"Matter {matter.number} is closed; reopen it to bill it.", "matter")
    if matter.client.archived:
        raise LedgerError(f"{matter.client.name} is archived; restore the client to bill them.",
                          "matter")
    return matter


def _check_header(when: date | None, due: date | None, reference: str) -> None:
    if when is None:
        raise LedgerError("Enter the bill's date.", "date")
    if due is not None and due < when:
        raise LedgerError("The due date cannot be before the bill's date.", "due_date")
    if len(reference.strip()) > 100:
        raise LedgerError("Keep the reference under 100 characters.", "reference")


def _set_lines(session: Session, bill: Bill, lines: list[BillLineInput]) -> None:
    priced = priced_lines(session, lines)
    bill.lines.clear()
    session.flush()
    bill.lines.extend(BillLine(**p) for p in priced)
    bill.subtotal, bill.gst, bill.total = totals_of(priced)


def create_bill(session: Session, user: User | None, *, matter_id: int | None, date: date,
                lines: list[BillLineInput], due_date: date | None = None, reference: str = "") -> Bill:
    """A draft bill for an open matter, written by hand. Posts nothing."""
    _check_header(date, due_date, reference)
    matter = _matter_for_bill(session, matter_id)
    bill = Bill(client_id=matter.client_id, matter_id=matter.id, date=date, due_date=due_date,
                reference=reference.strip(), status=BillStatus.DRAFT)
    session.add(bill)
    _set_lines(session, bill, lines)
    session.flush()
    record(session, user, "created", "bill", bill.id,
           f"Draft bill for {matter.number} created ({format_money(bill.total)})")
    return bill


def _check_draft(bill: Bill, doing: str) -> None:
    if bill.status != BillStatus.DRAFT:
        raise LedgerError(f"{bill.title} is not a draft, so it cannot be {doing}. "
                          "Revert it to draft first (only when nothing is applied to it).")


def update_bill(session: Session, user: User | None, bill: Bill, *, matter_id: int | None, date: date,
                lines: list[BillLineInput], due_date: date | None = None, reference: str = "") -> None:
    """Change a draft bill: header and lines."""
    _check_draft(bill, "edited")
    _check_header(date, due_date, reference)
    matter = _matter_for_bill(session, matter_id)
    bill.client_id, bill.matter_id, bill.matter = matter.client_id, matter.id, matter
    bill.client = matter.client
    bill.date, bill.due_date, bill.reference = date, due_date, reference.strip()
    _set_lines(session, bill, lines)
    session.flush()
    record(session, user, "changed", "bill", bill.id, f"{bill.title} changed ({format_money(bill.total)})")


def delete_bill(session: Session, user: User | None, bill: Bill) -> None:
    """Delete a draft that never had a number (a numbered one is voided instead: numbers stay used)."""
    _check_draft(bill, "deleted")
    if bill.number:
        raise LedgerError(f"{bill.number} has been issued before, so its number must stay on record: "
                          "void it instead.")
    record(session, user, "deleted", "bill", bill.id, f"Draft bill for {bill.matter.number} deleted")
    free_entries(session, bill)
    session.delete(bill)
    session.flush()


def _event(bill: Bill, user: User | None, kind: EventKind, when: date, **values) -> BillEvent:
    event = BillEvent(kind=kind, date=when, user_id=user.id if user else None, **values)
    bill.events.append(event)
    return event


def approve_bill(session: Session, user: User | None, bill: Bill) -> Journal:
    """Number the bill (the first time) and post it: Dr AR total, Cr income, Cr GST collected."""
    _check_draft(bill, "approved")
    if not bill.lines:
        raise LedgerError("A bill needs at least one line before it is approved.")
    practice = get_practice(session)
    practice.check_open(bill.date)
    if any(line.tax == TaxCode.GST for line in bill.lines):  # a draft written while registered
        check_gst_allowed(practice, True)
    if bill.number is None:
        bill.number = next_number(session, "bill", "INV-", 5)
    receivable = account_for_role(session, AccountRole.ACCOUNTS_RECEIVABLE)
    label = f"{bill.number} {bill.client.name}"
    journal = post(session, user, date=bill.date, kind="bill", reference=bill.number,
                   narration=f"Bill {bill.number} to {bill.client.name} ({bill.matter.number})",
                   lines=[LineInput(receivable.id, bill.total, label),
                          *_income_lines(bill.lines, -1, bill.gst, session, label)])
    bill.journal_id, bill.journal = journal.id, journal
    bill.status, bill.applied = BillStatus.POSTED, ZERO
    _event(bill, user, EventKind.POSTED, bill.date, amount=bill.total, journal_id=journal.id)
    session.flush()
    record(session, user, "posted", "bill", bill.id, f"{bill.number} approved ({format_money(bill.total)})")
    return journal


def _undo_posting(session: Session, user: User | None, bill: Bill, on: date, reason: str,
                  kind: EventKind) -> Journal:
    problem = bill.why_not_revertible()
    if problem:
        raise (TransactionLocked if bill.is_locked() else LedgerError)(problem)
    reversal = reverse(session, user, bill.journal, date=max(on, bill.date), reason=reason)
    _event(bill, user, kind, reversal.date, amount=bill.total, journal_id=reversal.id)
    bill.journal_id, bill.journal = None, None
    return reversal


def revert_bill(session: Session, user: User | None, bill: Bill, *, on: date) -> Journal:
    """Back to draft: reverse the bill's journal; the bill keeps its number."""
    reversal = _undo_posting(session, user, bill, on, f"{bill.number} reverted to draft",
                             EventKind.REVERTED)
    bill.status = BillStatus.DRAFT
    session.flush()
    record(session, user, "reverted", "bill", bill.id, f"{bill.number} reverted to draft")
    return reversal


def void_bill(session: Session, user: User | None, bill: Bill, *, on: date) -> Journal | None:
    """Void a posted bill with nothing applied (reversing its journal), or a numbered draft."""
    reversal = None
    if bill.status == BillStatus.DRAFT and bill.number:
        _event(bill, user, EventKind.VOIDED, on)
    else:
        reversal = _undo_posting(session, user, bill, on, f"{bill.number} voided", EventKind.VOIDED)
    bill.status = BillStatus.VOIDED
    free_entries(session, bill)
    record(session, user, "voided", "bill", bill.id, f"{bill.title} voided")
    return reversal


def _check_applicable(bill: Bill, amount: Decimal, when: date, what: str) -> None:
    """The checks every payment, credit and write-off makes on a (row-locked) bill."""
    if bill.status == BillStatus.DRAFT:
        raise LedgerError(f"{bill.title} is a draft: approve it before recording a {what}.")
    if bill.status == BillStatus.VOIDED:
        raise LedgerError(f"{bill.title} is voided: nothing can be applied to it.")
    if amount <= ZERO:
        raise InvalidAmount("Enter an amount more than zero.", "amount")
    if amount > bill.owed:
        raise InvalidAmount(f"That is more than is owed: {bill.number} has {format_money(bill.owed)} "
                            "owing.", "amount")
    if when < bill.date:
        raise LedgerError(f"The {what} cannot be dated before the bill ({bill.date:%d %b %Y}).", "date")


def _office_bank(session: Session, account_id: int | None) -> Account:
    banks = {a.id: a for a in office_bank_accounts(session)}
    if account_id not in banks:
        raise InvalidAccount("Choose an office bank account.", "bank_account")
    return banks[account_id]


def record_payment(session: Session, user: User | None, bill_id: int, *, amount: Decimal, date: date,
                   bank_account_id: int | None, reference: str = "") -> BillEvent:
    """A payment, full or part, into an office bank account: Dr bank, Cr Accounts Receivable.

    The bill's row is locked before what is owed is checked, so two payments at once cannot both
    take the same amount owed.
    """
    bill = get_bill(session, bill_id, for_update=True)
    _check_applicable(bill, amount, date, "payment")
    bank = _office_bank(session, bank_account_id)
    if len(reference.strip()) > 100:
        raise LedgerError("Keep the reference under 100 characters.", "reference")
    receivable = account_for_role(session, AccountRole.ACCOUNTS_RECEIVABLE)
    label = f"Payment of {bill.number} {bill.client.name}"
    journal = post(session, user, date=date, kind="bill_payment", reference=bill.number,
                   narration=label + (f" ({reference.strip()})" if reference.strip() else ""),
                   lines=[LineInput(bank.id, amount, label), LineInput(receivable.id, -amount, label)])
    bill.applied += amount
    event = _event(bill, user, EventKind.PAYMENT, date, amount=amount, journal_id=journal.id,
                   bank_account_id=bank.id, reference=reference.strip())
    session.flush()
    record(session, user, "paid", "bill", bill.id, f"{bill.number}: payment of {format_money(amount)}")
    return event


def write_off(session: Session, user: User | None, bill_id: int, *, date: date,
              reason: str = "") -> BillEvent:
    """Write off what is left owing on a bill: Dr Bad Debts, Cr Accounts Receivable."""
    bill = get_bill(session, bill_id, for_update=True)
    amount = bill.owed
    if bill.status == BillStatus.POSTED and amount == ZERO:
        raise LedgerError(f"{bill.number} is paid: there is nothing left to write off.")
    _check_applicable(bill, amount, date, "write-off")
    label = f"Write-off of {bill.number} {bill.client.name}"
    journal = post(session, user, date=date, kind="bill_write_off", reference=bill.number,
                   narration=label + (f": {reason.strip()}" if reason.strip() else ""),
                   lines=[LineInput(account_for_role(session, AccountRole.BAD_DEBTS).id, amount, label),
                          LineInput(account_for_role(session, AccountRole.ACCOUNTS_RECEIVABLE).id,
                                    -amount, label)])
    bill.applied += amount
    event = _event(bill, user, EventKind.WRITE_OFF, date, amount=amount, journal_id=journal.id,
                   reference=reason.strip()[:100])
    session.flush()
    record(session, user, "written_off", "bill", bill.id,
           f"{bill.number}: {format_money(amount)} written off")
    return event


# ---------------------------------------------------------------- corrections


def _refuse_if_locked(*documents) -> None:
    for document in documents:
        if document is not None and document.is_locked():
            reason = getattr(document, "lock_text", None) or document.locked_reason
            raise TransactionLocked(f"Locked: {reason}. Unlink it in Integrations first.")


def undo_event(session: Session, user: User | None, event_id: int, *, date: date,
               reason: str, from_trust: bool = False) -> BillEvent:
    """Take back a payment, credit application or write-off of a bill.

    - payment or write-off: `reverse()` of its journal, dated `date` (Dr AR, Cr bank / bad debts);
    - credit application: no journal; what it took off the bill goes back onto the credit note.
    The bill owes the amount again. Rows are locked credit note first, then bill (the order
    `apply_credit` uses), and the event is read again after the locks, so two people undoing the
    same payment at once cannot both undo it. A payment made by a transfer from trust is undone
    only by reversing that transfer (`from_trust`), or the trust side would stay spent.
    """
    if not from_trust:
        from accounting.trust.transfers import transfer_for_payment  # trust builds on billing

        transfer = transfer_for_payment(session, event_id) if _valid_id(event_id) else None
        if transfer is not None:
            raise LedgerError(f"This payment came from trust ({transfer.number}): reverse {transfer.number} "
                              "in Trust transfers, which undoes the payment with it.")
    found = session.execute(select(BillEvent.bill_id, BillEvent.credit_note_id)
                            .where(BillEvent.id == event_id)).one_or_none() if _valid_id(event_id) \
        else None
    if found is None:
        raise NotFound("There is no such payment, credit or write-off.")
    note = get_credit_note(session, found.credit_note_id, for_update=True) \
        if found.credit_note_id else None
    bill = get_bill(session, found.bill_id, for_update=True)
    event = session.execute(select(BillEvent).where(BillEvent.id == event_id)
                            .execution_options(populate_existing=True)).scalar_one()
    if event.kind not in APPLYING:
        raise LedgerError("Only a payment, a credit or a write-off can be undone.")
    what = event.kind.label.lower()
    if event.undone_by is not None:
        raise LedgerError(f"That {what} was already undone on {event.undone_by.date:%d %b %Y}.")
    _refuse_if_locked(bill, event.journal, note)
    reason = check_correction(date, reason, event.date, what)
    get_practice(session).check_open(date)
    journal_id = None
    if event.journal is not None:
        journal_id = reverse(session, user, event.journal, date=date,
                             reason=f"{event.kind.label} on {bill.number} undone: {reason}").id
    if note is not None:
        note.used -= event.amount
    bill.applied -= event.amount
    undo = _event(bill, user, EventKind.UNDONE, date, amount=event.amount, journal_id=journal_id,
                  credit_note_id=event.credit_note_id, reference=reason[:100])
    undo.undoes = event
    session.flush()
    record(session, user, "undone", "bill", bill.id,
           f"{bill.number}: {what} of {format_money(event.amount)} undone ({reason})")
    return undo


# ---------------------------------------------------------------- credit notes


def create_credit_note(session: Session, user: User | None, *, client_id: int | None, date: date,
                       lines: list[BillLineInput], reference: str = "") -> CreditNote:
    """Issue and post a credit note: Dr each income account, Dr GST collected, Cr Accounts Receivable."""
    client = session.get(Client, client_id) if client_id and _valid_id(client_id) else None
    if client is None or client.archived:
        raise LedgerError("Choose the client the credit note is for.", "client")
    if date is None:
        raise LedgerError("Enter the credit note's date.", "date")
    if len(reference.strip()) > 100:
        raise LedgerError("Keep the reference under 100 characters.", "reference")
    priced = priced_lines(session, lines)
    get_practice(session).check_open(date)
    subtotal, gst, total = totals_of(priced)
    number = next_number(session, "credit_note", "CN-", 5)
    note = CreditNote(number=number, client_id=client.id, date=date, reference=reference.strip(),
                      subtotal=subtotal, gst=gst, total=total, used=ZERO,
                      lines=[CreditNoteLine(**p) for p in priced])
    label = f"{number} {client.name}"
    journal = post(session, user, date=date, kind="credit_note", reference=number,
                   narration=f"Credit note {number} to {client.name}",
                   lines=[*_income_lines(note.lines, 1, gst, session, label),
                          LineInput(account_for_role(session, AccountRole.ACCOUNTS_RECEIVABLE).id,
                                    -total, label)])
    note.journal_id = journal.id
    session.add(note)
    session.flush()
    record(session, user, "posted", "credit_note", note.id, f"{number} issued ({format_money(total)})")
    return note


def _refuse_if_voided(note: CreditNote) -> None:
    if note.voided:
        raise LedgerError(f"{note.number} is voided: nothing of it can be applied or refunded.")


def apply_credit(session: Session, user: User | None, credit_note_id: int, *, date: date,
                 amounts: dict[int, Decimal]) -> list[BillEvent]:
    """Apply a credit note to one or more of the same client's bills ({bill id: amount}).

    No journal: the credit note already took the amount off Accounts Receivable. The credit note's
    row is locked first, then each bill's, always in that order (no deadlock between two people).
    """
    note = get_credit_note(session, credit_note_id, for_update=True)
    _refuse_if_voided(note)
    amounts = {bill_id: amount for bill_id, amount in amounts.items() if amount}
    if not amounts:
        raise InvalidAmount("Enter an amount to apply to at least one bill.", "amounts")
    if date is None:
        raise LedgerError("Enter the date the credit is applied.", "date")
    if date < note.date:
        raise LedgerError(f"The credit cannot be applied before the credit note's date "
                          f"({note.date:%d %b %Y}).", "date")
    get_practice(session).check_open(date)
    total = sum(amounts.values(), ZERO)
    if total > note.remaining:
        raise InvalidAmount(f"That is more than is left on {note.number}: "
                            f"{format_money(note.remaining)}.", "amounts")
    events = []
    for bill_id in sorted(amounts):
        bill = get_bill(session, bill_id, for_update=True)
        if bill.client_id != note.client_id:
            raise LedgerError(f"{bill.title} is another client's bill; a credit note applies only to "
                              f"{note.client.name}'s bills.", "amounts")
        try:
            _check_applicable(bill, amounts[bill_id], date, "credit")
        except LedgerError as error:
            raise type(error)(f"{bill.title}: {error.message}", f"amount-{bill_id}") from None
        bill.applied += amounts[bill_id]
        note.used += amounts[bill_id]
        events.append(_event(bill, user, EventKind.CREDIT, date, amount=amounts[bill_id],
                             credit_note_id=note.id, reference=note.number))
        record(session, user, "credited", "bill", bill.id,
               f"{bill.number}: {format_money(amounts[bill_id])} of {note.number} applied")
    session.flush()
    return events


def refund_credit(session: Session, user: User | None, credit_note_id: int, *, amount: Decimal,
                  date: date, bank_account_id: int | None, reference: str = "") -> CreditRefund:
    """Pay unapplied credit back to the client: Dr Accounts Receivable, Cr the office bank account."""
    note = get_credit_note(session, credit_note_id, for_update=True)
    _refuse_if_voided(note)
    if amount <= ZERO:
        raise InvalidAmount("Enter an amount more than zero.", "amount")
    if amount > note.remaining:
        raise InvalidAmount(f"That is more than is left on {note.number}: "
                            f"{format_money(note.remaining)}.", "amount")
    if date is None or date < note.date:
        raise LedgerError(f"The refund cannot be dated before the credit note ({note.date:%d %b %Y}).",
                          "date")
    bank = _office_bank(session, bank_account_id)
    label = f"Refund of {note.number} {note.client.name}"
    journal = post(session, user, date=date, kind="credit_refund", reference=note.number,
                   narration=label + (f" ({reference.strip()[:90]})" if reference.strip() else ""),
                   lines=[LineInput(account_for_role(session, AccountRole.ACCOUNTS_RECEIVABLE).id,
                                    amount, label),
                          LineInput(bank.id, -amount, label)])
    refund = CreditRefund(credit_note_id=note.id, date=date, amount=amount,
                          reference=reference.strip()[:100], bank_account_id=bank.id,
                          journal_id=journal.id)
    session.add(refund)
    note.used += amount
    session.flush()
    record(session, user, "refunded", "credit_note", note.id,
           f"{note.number}: {format_money(amount)} refunded")
    return refund


def undo_refund(session: Session, user: User | None, refund_id: int, *, date: date,
                reason: str) -> Journal:
    """Take back a refund: `reverse()` of its journal (Dr the bank, Cr Accounts Receivable); what
    it paid out is left on the credit note again."""
    refund = session.get(CreditRefund, refund_id) if _valid_id(refund_id) else None
    if refund is None:
        raise NotFound("There is no such refund.")
    note = get_credit_note(session, refund.credit_note_id, for_update=True)
    session.refresh(refund.journal)
    if refund.undone:
        raise LedgerError("That refund was already undone.")
    _refuse_if_locked(note, refund.journal)
    reason = check_correction(date, reason, refund.date, "refund")
    reversal = reverse(session, user, refund.journal, date=date,
                       reason=f"Refund of {note.number} undone: {reason}")
    note.used -= refund.amount
    session.flush()
    record(session, user, "refund_undone", "credit_note", note.id,
           f"{note.number}: refund of {format_money(refund.amount)} undone ({reason})")
    return reversal


def void_credit_note(session: Session, user: User | None, credit_note_id: int, *, date: date,
                     reason: str) -> Journal:
    """Void a credit note nothing of which is applied or refunded: `reverse()` of its journal
    (Dr Accounts Receivable, Cr each income account, Cr GST collected)."""
    note = get_credit_note(session, credit_note_id, for_update=True)
    problem = note.why_not_voidable()
    if problem:
        raise (TransactionLocked if problem.startswith("Locked") else LedgerError)(problem)
    reason = check_correction(date, reason, note.date, "credit note", "voided")
    reversal = reverse(session, user, note.journal, date=date,
                       reason=f"Credit note {note.number} voided: {reason}")
    note.status = "voided"
    session.flush()
    record(session, user, "voided", "credit_note", note.id, f"{note.number} voided ({reason})")
    return reversal


# ---------------------------------------------------------------- history


@dataclass(frozen=True)
class HistoryRow:
    """One line of a document's history, as the page and its CSV show it."""

    date: date
    what: str
    amount: Decimal | None
    by: str
    journal: Journal | None
    details: str = ""


def bill_history(bill: Bill) -> list[HistoryRow]:
    """What happened to a bill, in the order it happened."""
    rows = []
    for e in bill.events:
        details = [e.credit_note.number] if e.credit_note else []
        if e.bank_account:
            details.append(f"into {e.bank_account.label}")
        if e.reference and not (e.credit_note and e.kind == EventKind.CREDIT):
            details.append(e.reference)
        rows.append(HistoryRow(e.date, e.what, e.amount, e.user.name if e.user else "",
                               e.journal, " · ".join(details)))
    return rows


# ---------------------------------------------------------------- work in progress


class EntryKind(enum.StrEnum):
    TIME = "time"
    DISBURSEMENT = "disbursement"

    @property
    def label(self) -> str:
        return "Time" if self is EntryKind.TIME else "Disbursement"


class TimeEntry(Base):
    """Unbilled work on a matter (time at an hourly rate, or a disbursement's amount) until a bill
    takes it; deleting or voiding that bill frees it again."""

    __tablename__ = "time_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matter.id"), index=True)
    kind: Mapped[EntryKind] = mapped_column(Enum(EntryKind, native_enum=False, length=12))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    description: Mapped[str] = mapped_column(String(MAX_DESCRIPTION))
    hours: Mapped[Decimal | None] = mapped_column(Money, default=None)
    rate: Mapped[Decimal | None] = mapped_column(Money, default=None)
    amount: Mapped[Decimal] = mapped_column(Money)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    tax: Mapped[TaxCode] = mapped_column(Enum(TaxCode, native_enum=False, length=10))
    bill_id: Mapped[int | None] = mapped_column(ForeignKey("bill.id"), default=None, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    date: Mapped[date] = mapped_column(Date)  # last: it shadows the `date` type in this class body

    matter: Mapped[Matter] = relationship()
    person: Mapped[User | None] = relationship()
    account: Mapped[Account] = relationship()
    bill: Mapped[Bill | None] = relationship()


def record_entry(session: Session, user: User | None, *, matter_id: int | None, kind: str, on: date,
                 person_id: int | None, description: str, hours: Decimal | None = None,
                 rate: Decimal | None = None, amount: Decimal | None = None,
                 account_id: int | None = None, tax: TaxCode = TaxCode.GST) -> TimeEntry:
    """Record time (hours x rate) or a disbursement (an amount) against an open matter."""
    matter = _matter_for_bill(session, matter_id)
    if kind not in EntryKind._value2member_map_:
        raise LedgerError("Choose time or disbursement.", "kind")
    kind = EntryKind(kind)
    if on is None:
        raise LedgerError("Enter the date of the work.", "date")
    if not description.strip() or len(description.strip()) > MAX_DESCRIPTION:
        raise LedgerError(f"Describe the work in up to {MAX_DESCRIPTION} characters.", "description")
    if person_id is not None and session.get(User, person_id) is None:
        raise LedgerError("Choose who did the work.", "person")
    if kind == EntryKind.TIME:
        if hours is None or hours <= ZERO:
            raise InvalidAmount("Enter the hours, more than zero.", "hours")
        if rate is None or rate <= ZERO:
            raise InvalidAmount("Enter the hourly rate, more than zero.", "rate")
        amount = line_amount(hours, rate)
    else:
        hours = rate = None
        if amount is None or amount <= ZERO:
            raise InvalidAmount("Enter the amount, more than zero.", "amount")
    if amount == ZERO:
        raise InvalidAmount("Hours x rate comes to nothing.", "rate")
    check_gst_allowed(get_practice(session), TaxCode(tax) == TaxCode.GST, "tax")
    default = (AccountRole.PROFESSIONAL_FEES if kind == EntryKind.TIME
               else AccountRole.DISBURSEMENTS_RECOVERED)
    account_id = account_id or account_for_role(session, default).id
    if account_id not in {a.id for a in income_accounts(session)}:
        raise InvalidAccount("Choose an income account.", "account")
    entry = TimeEntry(matter_id=matter.id, kind=kind, date=on, person_id=person_id,
                      description=description.strip(), hours=hours, rate=rate, amount=amount,
                      account_id=account_id, tax=TaxCode(tax))
    session.add(entry)
    session.flush()
    record(session, user, "created", "time_entry", entry.id,
           f"{kind.label} on {matter.number}: {entry.description} ({format_money(amount)})")
    return entry


def unbilled_entries(session: Session, matter_id: int) -> list[TimeEntry]:
    """A matter's work not yet on a bill, oldest first."""
    return list(session.execute(
        select(TimeEntry).where(TimeEntry.matter_id == matter_id, TimeEntry.bill_id.is_(None))
        .options(selectinload(TimeEntry.person)).order_by(TimeEntry.date, TimeEntry.id)
    ).scalars())


def delete_entry(session: Session, user: User | None, entry_id: int) -> None:
    """Delete an unbilled entry."""
    entry = session.get(TimeEntry, entry_id) if _valid_id(entry_id) else None
    if entry is None:
        raise NotFound("There is no such entry.")
    if entry.bill_id is not None:
        raise LedgerError("That entry is on a bill; delete or void the bill to free it first.")
    record(session, user, "deleted", "time_entry", entry.id, f"Entry deleted: {entry.description}")
    session.delete(entry)
    session.flush()


def bill_from_entries(session: Session, user: User | None, *, matter_id: int | None,
                      entry_ids: list[int], date: date) -> Bill:
    """A draft bill from chosen unbilled entries of one matter; they become billed.

    The entries' rows are locked, so two people billing the same work at once cannot both take it.
    """
    if not entry_ids:
        raise LedgerError("Choose at least one entry to bill.", "entries")
    entries = list(session.execute(
        select(TimeEntry).where(TimeEntry.id.in_([i for i in entry_ids if _valid_id(i)]))
        .order_by(TimeEntry.date, TimeEntry.id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalars())
    if len(entries) != len(set(entry_ids)) or any(e.matter_id != matter_id for e in entries):
        raise LedgerError("Choose entries of this matter only.", "entries")
    if any(e.bill_id is not None for e in entries):
        raise LedgerError("Some of those entries are already on a bill; refresh the page.", "entries")
    lines = [BillLineInput(
        f"{e.date:%d %b %Y} {e.person.name + ': ' if e.person else ''}{e.description}"[:MAX_DESCRIPTION],
        e.hours if e.kind == EntryKind.TIME else Decimal("1.00"),
        e.rate if e.kind == EntryKind.TIME else e.amount, e.account_id, e.tax) for e in entries]
    bill = create_bill(session, user, matter_id=matter_id, date=date, lines=lines)
    for entry in entries:
        entry.bill_id = bill.id
    session.flush()
    return bill


def free_entries(session: Session, bill: Bill) -> None:
    """The bill's entries are unbilled again (its draft was deleted or it was voided)."""
    for entry in session.execute(select(TimeEntry).where(TimeEntry.bill_id == bill.id)).scalars():
        entry.bill_id = None
    session.flush()


def get_billing_matter(session: Session, matter_id: int) -> Matter:
    """The matter with this id, or NotFound (recording work on it checks that it is open)."""
    matter = session.get(Matter, matter_id) if _valid_id(matter_id) else None
    if matter is None:
        raise NotFound("There is no such matter.")
    return matter


# Last, as it builds on this module: the bills' running totals, kept up to date as bills change
# from here on (the listeners register when it is imported).
from accounting.office import bill_totals  # noqa: E402
