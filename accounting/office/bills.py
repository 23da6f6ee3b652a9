"""The rows of client billing: bills with their lines and events, the credit notes set against them
with their lines and refunds, and the unbilled work (time entries) bills are made from.

Models only. What changes them lives in the services: accounting/office/billing.py (bills,
payments, write-offs and undoing them), credit_notes.py and work_in_progress.py. The models answer
the questions pages and services ask (`Bill.why_not_revertible`, `CreditNote.refusal_to_void`, ...),
so a template never compares status strings and a service never reads a message to choose its
error. Bills and credit notes share this module because a credit applied to a bill is one of the
bill's events (`BillEvent.credit_note`, `CreditNote.applications`).

Invariant the columns keep (the services maintain it): a bill's `applied` is the sum of its live
payment, credit and write-off events, so what it owes is `total - applied`, never below zero; a
credit note's `used` is what is applied from it plus what is refunded.
"""

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, Enum, ForeignKey, Index, Integer, String, and_, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounting.base import Base, PostedTransactionMixin, utcnow
from accounting.errors import AlreadyUndone, DocumentLocked, LedgerError
from accounting.ledger.accounts import Account
from accounting.ledger.journals import Journal, JournalStatus, register_journal_kind
from accounting.ledger.tax import TaxCode
from accounting.money import ZERO, Money, format_money, money_product
from accounting.office.corrections import first_lock_text, lock_text, refusal_if_locked
from accounting.parties.clients import Client, Matter
from accounting.parties.users import User

MAX_LINES = 100
MAX_DESCRIPTION = 300

# Each kind of billing journal numbers in its own series (BI-000001, BP-000001, ...).
for _kind, _prefix in {"bill": "BI-", "bill_payment": "BP-", "bill_write_off": "WO-",
                       "credit_note": "CR-", "credit_refund": "RF-"}.items():
    register_journal_kind(_kind, _prefix)


class BillStatus(enum.StrEnum):
    """Stored status; a posted bill shows as awaiting payment, part paid or paid."""

    DRAFT = "draft"
    POSTED = "posted"
    VOIDED = "voided"


DISPLAY_STATUSES = ("draft", "awaiting_payment", "part_paid", "paid", "voided")


class EventKind(enum.StrEnum):
    """What a bill's history row records: its posting and undoing, and what was applied to it.

    Payments, credits and write-offs (APPLYING) change what the bill owes; each may be taken back
    once by an UNDONE event that points at it."""

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


class CreditNoteStatus(enum.StrEnum):
    """Stored status of a credit note: posted when issued, voided for good. It shows as unused,
    part used or used from what is left on it. Stored by value ("posted"), as it always was."""

    POSTED = "posted"
    VOIDED = "voided"


class EntryKind(enum.StrEnum):
    """Unbilled work is time (hours at a rate) or a disbursement (an amount paid for the client)."""

    TIME = "time"
    DISBURSEMENT = "disbursement"

    @property
    def label(self) -> str:
        return "Time" if self is EntryKind.TIME else "Disbursement"


def line_amount(quantity: Decimal, rate: Decimal) -> Decimal:
    """Quantity x rate, rounded half-up to the cent; refused beyond MAX_AMOUNT."""
    return money_product(quantity, rate)


@dataclass(frozen=True)
class BillLineInput:
    """One line as the person typed it, already parsed."""

    description: str
    quantity: Decimal
    rate: Decimal
    account_id: int
    tax: TaxCode = TaxCode.GST


class _LineColumns:
    """What a bill line and a credit note line share: quantity x rate on an income account, and
    the GST on it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(MAX_DESCRIPTION))
    quantity: Mapped[Decimal] = mapped_column(Money)
    rate: Mapped[Decimal] = mapped_column(Money)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    tax: Mapped[TaxCode] = mapped_column(Enum(TaxCode, native_enum=False, length=12))
    amount: Mapped[Decimal] = mapped_column(Money)
    gst: Mapped[Decimal] = mapped_column(Money)


_OWING = "total - applied > 0"


class Bill(PostedTransactionMixin, Base):
    """A bill to a client for one matter: a draft until approved, then posted to Accounts
    Receivable; its number, once taken, stays with it. Only a draft changes; a posted bill is
    reverted or voided, and only while nothing is applied to it."""

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
    def settled_status(self) -> str:
        """The display status, saying how a settled bill was settled: "written_off" when a
        write-off closed it, "credited" when credit notes alone did, else "paid". The list
        filters keep the five display statuses; this is what the bill's own page reads."""
        shown = self.display_status
        if shown != "paid":
            return shown
        kinds = {e.kind for e in self.events if e.can_undo()}
        if EventKind.WRITE_OFF in kinds:
            return "written_off"
        return "credited" if kinds == {EventKind.CREDIT} else "paid"

    @property
    def title(self) -> str:
        return self.number or "Draft bill"

    def is_draft(self) -> bool:
        """A draft: it posts nothing, and only it may be edited, approved or deleted."""
        return self.status == BillStatus.DRAFT

    def is_posted(self) -> bool:
        """Approved and posted to Accounts Receivable (what it owes counts)."""
        return self.status == BillStatus.POSTED

    def is_voided(self) -> bool:
        return self.status == BillStatus.VOIDED

    def can_delete(self) -> bool:
        """A draft that never had a number is deleted; a numbered one is voided (numbers stay used)."""
        return self.is_draft() and not self.number

    def can_take_payment(self) -> bool:
        """Posted with something owing: a payment or a write-off may be recorded."""
        return self.is_posted() and self.owed > ZERO

    def is_locked(self) -> bool:
        return self.locked_reason is not None or bool(self.journal and self.journal.is_locked())

    @property
    def lock_text(self) -> str | None:
        return lock_text(self)

    def refusal_to_revert(self) -> LedgerError | None:
        """The error reverting this bill to draft (or voiding it) would raise; None when it may."""
        if self.status != BillStatus.POSTED:
            return LedgerError("Only an approved bill can be reverted or voided.")
        if self.is_locked():
            return DocumentLocked(f"{self.title} is locked: {self.lock_text}. Unlink it in Integrations "
                                  "first, then revert or void it.")
        if self.applied > ZERO:
            return DocumentLocked(
                f"{self.title} has {format_money(self.applied)} applied to it (payments, credits or "
                "write-offs); it can only be reverted or voided when nothing is applied: undo them in "
                "its history first.")
        return None

    def why_not_revertible(self) -> str | None:
        """Why this bill cannot go back to draft (or be voided); None when it can."""
        refusal = self.refusal_to_revert()
        return refusal.message if refusal else None


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
    """One line of a bill: its amount credited to an income account on approval, GST beside it."""

    __tablename__ = "bill_line"

    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id"), index=True)
    bill: Mapped[Bill] = relationship(back_populates="lines")
    account: Mapped[Account] = relationship()


class CreditNote(PostedTransactionMixin, Base):
    """Credit issued to a client, posted when issued (Dr income and GST, Cr Accounts Receivable),
    then applied to the client's bills or refunded; voided only when none of it is used."""

    __tablename__ = "credit_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    date: Mapped[date] = mapped_column(Date, index=True)
    reference: Mapped[str] = mapped_column(String(100), default="")
    # Stored by value, as the column held plain strings before the enum.
    status: Mapped[CreditNoteStatus] = mapped_column(
        Enum(CreditNoteStatus, native_enum=False, length=10,
             values_callable=lambda statuses: [status.value for status in statuses]),
        default=CreditNoteStatus.POSTED)
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
        return self.status == CreditNoteStatus.VOIDED

    @property
    def remaining(self) -> Decimal:
        return ZERO if self.voided else self.total - self.used

    @property
    def display_status(self) -> str:
        if self.voided:
            return "voided"
        return "used" if self.remaining == ZERO else ("part_used" if self.used else "unused")

    def can_use(self) -> bool:
        """Something is left on it to apply to bills or refund (never on a voided note)."""
        return self.remaining > ZERO

    def live_applications(self) -> list["BillEvent"]:
        """Applications to bills that have not been undone."""
        return [a for a in self.applications if a.kind == EventKind.CREDIT and a.undone_by is None]

    def live_refunds(self) -> list["CreditRefund"]:
        """Refunds whose journal has not been reversed (undone)."""
        return [r for r in self.refunds if not r.undone]

    def refusal_to_void(self) -> LedgerError | None:
        """The error voiding this credit note would raise (what to undo first); None when it may."""
        if self.voided:
            return AlreadyUndone(f"{self.number} is already voided.")
        if self.is_locked() or self.journal.is_locked():
            return DocumentLocked(f"Locked: {self.locked_reason or self.journal.locked_reason}. "
                                  "Unlink it in Integrations first.")
        if self.used > ZERO:
            undo = [f"its application to {a.bill.title} ({format_money(a.amount)})"
                    for a in self.live_applications()]
            undo += [f"its refund of {format_money(r.amount)} on {r.date:%d %b %Y}"
                     for r in self.live_refunds()]
            return DocumentLocked(f"{self.number} has {format_money(self.used)} applied or refunded: "
                                  "undo " + " and ".join(undo) + " first.")
        return None

    def why_not_voidable(self) -> str | None:
        """Why this credit note cannot be voided (what to undo first); None when it can."""
        refusal = self.refusal_to_void()
        return refusal.message if refusal else None


class CreditNoteLine(_LineColumns, Base):
    """One line of a credit note: its amount debited back to an income account, GST beside it."""

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
    # On a payment made by a transfer from trust: that transfer's number (T-...). Such a payment is
    # undone only by reversing the transfer, or the trust side would stay spent.
    trust_transfer: Mapped[str | None] = mapped_column(String(20), default=None)

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

    @property
    def shown_reference(self) -> str:
        """The reference the history shows beside it: none for a credit applied, whose reference is
        its credit note's number (shown already)."""
        if self.credit_note is not None and self.kind == EventKind.CREDIT:
            return ""
        return self.reference

    def is_undo(self) -> bool:
        """It takes back an earlier payment, credit or write-off."""
        return self.kind == EventKind.UNDONE

    def can_undo(self) -> bool:
        """A payment, credit or write-off not taken back yet (the undo itself asks again)."""
        return self.kind in APPLYING and self.undone_by is None

    def is_locked(self) -> bool:
        """Its bill or its own journal is locked (pushed to Xero): the history offers no undo."""
        return first_lock_text(self.bill, self.journal) is not None

    def refusal_to_undo(self) -> LedgerError | None:
        """The error undoing this event now would raise, before its date and reason are checked;
        None when it may be undone. A credit applied checks its credit note's lock too."""
        if self.kind not in APPLYING:
            return LedgerError("Only a payment, a credit or a write-off can be undone.")
        if self.undone_by is not None:
            return AlreadyUndone(f"That {self.kind.label.lower()} was already undone on "
                                 f"{self.undone_by.date:%d %b %Y}.")
        return refusal_if_locked(self.bill, self.journal, self.credit_note)

    def refusal_to_undo_from_bill(self) -> LedgerError | None:
        """As `refusal_to_undo`, asked from the bill's own history, where a payment trust made is
        refused: only reversing its transfer undoes it (the trust side would stay spent)."""
        if self.trust_transfer is not None:
            return LedgerError(f"This payment came from trust ({self.trust_transfer}): reverse "
                               f"{self.trust_transfer} in Trust transfers, which undoes the payment "
                               "with it.")
        return self.refusal_to_undo()


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

    def refusal_to_undo(self) -> LedgerError | None:
        """The error undoing this refund now would raise, before its date and reason are checked;
        None when it may be undone."""
        if self.undone:
            return AlreadyUndone("That refund was already undone.")
        return refusal_if_locked(self.credit_note, self.journal)


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
    tax: Mapped[TaxCode] = mapped_column(Enum(TaxCode, native_enum=False, length=12))
    bill_id: Mapped[int | None] = mapped_column(ForeignKey("bill.id"), default=None, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    date: Mapped[date] = mapped_column(Date)  # last: it shadows the `date` type in this class body

    matter: Mapped[Matter] = relationship()
    person: Mapped[User | None] = relationship()
    account: Mapped[Account] = relationship()
    bill: Mapped[Bill | None] = relationship()
