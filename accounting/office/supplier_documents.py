"""The tables of supplier documents: invoices to the practice, their lines and payments, and the
suppliers' credit notes, their lines and where they are applied; and the questions they answer
(what is owed, what is left, why a document cannot be voided).

Invariants kept by these rows:
- An invoice owes total - paid - credited once approved (nothing as a draft or voided); its total
  is fixed at approval. A credit note holds total - applied (nothing once voided).
- `paid`, `credited` and `applied` are running sums the services keep with each payment or
  application (and its undo), under a lock of the document's row.
- Each line carries a tax code (ledger.tax.TaxCode), as bill lines do, and the GST worked out on
  its amount (none when GST-free).

The services are in supplier_invoices and supplier_credits. Both kinds of document live here, in
one module, because each refers to the other (an invoice lists the credits applied to it).
"""

import datetime as dt
import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import Date, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from accounting.base import Base, PostedTransactionMixin
from accounting.errors import AlreadyUndone, DocumentLocked, LedgerError, TransactionLocked
from accounting.ledger.accounts import Account
from accounting.ledger.journals import Journal, JournalStatus
from accounting.ledger.tax import TaxCode
from accounting.money import ZERO, Money, format_money
from accounting.office.corrections import lock_text
from accounting.office.suppliers import Supplier
from accounting.parties.users import User

# ---- Invoices and payments


class InvoiceStatus(enum.StrEnum):
    """Where a supplier invoice is: a draft (editable, posts nothing), approved and awaiting
    payment, part paid, paid, or voided (its journal reversed)."""

    DRAFT = "draft"
    AWAITING_PAYMENT = "awaiting_payment"
    PART_PAID = "part_paid"
    PAID = "paid"
    VOIDED = "voided"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class SupplierInvoice(PostedTransactionMixin, Base):
    """A supplier's invoice to the practice; one per supplier and supplier's number. Owes
    total - paid - credited once approved; the total is fixed at approval."""

    __tablename__ = "supplier_invoice"
    __table_args__ = (UniqueConstraint("supplier_id", "supplier_ref",
                                       name="uq_supplier_invoice_supplier_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), index=True)
    supplier_ref: Mapped[str] = mapped_column(String(50))
    date: Mapped[date] = mapped_column(Date, index=True)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[InvoiceStatus] = mapped_column(
        Enum(InvoiceStatus, native_enum=False, length=20), default=InvoiceStatus.DRAFT)
    # Fixed at approval (the GST rate may change later); drafts show the live computation.
    total: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    paid: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    credited: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    journal_id: Mapped[int | None] = mapped_column(ForeignKey("journal.id"))
    void_journal_id: Mapped[int | None] = mapped_column(ForeignKey("journal.id"))

    supplier: Mapped[Supplier] = relationship()
    lines: Mapped[list["SupplierInvoiceLine"]] = relationship(
        back_populates="invoice", order_by="SupplierInvoiceLine.line_no",
        cascade="all, delete-orphan")
    payments: Mapped[list["SupplierPayment"]] = relationship(
        back_populates="invoice", order_by="SupplierPayment.id")
    credits: Mapped[list["SupplierCreditApplication"]] = relationship(
        back_populates="invoice", order_by="SupplierCreditApplication.id")
    journal: Mapped[Journal | None] = relationship(foreign_keys=[journal_id])
    void_journal: Mapped[Journal | None] = relationship(foreign_keys=[void_journal_id])

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def gst(self) -> Decimal:
        return sum((line.gst_amount for line in self.lines), ZERO)

    @property
    def amount_owed(self) -> Decimal:
        """Total less payments and credits applied; nothing is owed on a draft or a voided invoice."""
        if self.status in (InvoiceStatus.DRAFT, InvoiceStatus.VOIDED):
            return ZERO
        return self.total - self.paid - self.credited

    def settle_status(self) -> None:
        """Paid, part paid or awaiting payment, from what has been paid and credited."""
        self.status = (InvoiceStatus.PAID if self.amount_owed == ZERO else
                       InvoiceStatus.PART_PAID if self.paid or self.credited else
                       InvoiceStatus.AWAITING_PAYMENT)

    def is_draft(self) -> bool:
        return self.status == InvoiceStatus.DRAFT

    def can_pay(self) -> bool:
        return self.status in (InvoiceStatus.AWAITING_PAYMENT, InvoiceStatus.PART_PAID)

    def void_refusal(self) -> LedgerError | None:
        """Why voiding is refused, as the error to raise; None when it is allowed."""
        if self.status == InvoiceStatus.DRAFT:
            return LedgerError("A draft is not posted: delete it instead of voiding it.")
        if self.status == InvoiceStatus.VOIDED:
            return AlreadyUndone("This invoice is already voided.")
        if self.is_locked():
            return TransactionLocked(f"Locked: {self.locked_reason}. Unlink it in Integrations "
                                     "first, then void it.")
        if self.paid:
            return DocumentLocked(f"{format_money(self.paid)} has been paid against it: a paid "
                                  "invoice cannot be voided. Undo its payments in the history first.")
        if self.credited:
            return DocumentLocked(f"{format_money(self.credited)} of credit notes is applied to it: "
                                  "an invoice with credits applied cannot be voided. Undo them in "
                                  "the history first.")
        return None

    def why_not_voidable(self) -> str | None:
        """The reason voiding is refused, or None when it is allowed."""
        refusal = self.void_refusal()
        return refusal.message if refusal else None


class ExpenseLineColumns:
    """What a supplier invoice line and a supplier credit line share: a GST-exclusive amount on an
    account, its tax code and the GST worked out on it (none when GST-free)."""

    line_no: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(300))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    tax: Mapped[TaxCode] = mapped_column(Enum(TaxCode, native_enum=False, length=12))
    gst_amount: Mapped[Decimal] = mapped_column(Money, default=ZERO)

    @declared_attr
    def account(cls) -> Mapped[Account]:
        return relationship(Account)


class SupplierInvoiceLine(ExpenseLineColumns, Base):
    """One line of a supplier invoice: what was bought, on which account, with its GST."""

    __tablename__ = "supplier_invoice_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("supplier_invoice.id"), index=True)

    invoice: Mapped[SupplierInvoice] = relationship(back_populates="lines")


class SupplierPayment(PostedTransactionMixin, Base):
    """Money paid from an office bank against one supplier invoice (Dr AP, Cr the bank). Undone by
    reversing its journal; it is never deleted."""

    __tablename__ = "supplier_payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("supplier_invoice.id"), index=True)
    bank_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    reference: Mapped[str] = mapped_column(String(100), default="")
    journal_id: Mapped[int] = mapped_column(ForeignKey("journal.id"))

    invoice: Mapped[SupplierInvoice] = relationship(back_populates="payments")
    bank_account: Mapped[Account] = relationship()
    journal: Mapped[Journal] = relationship()

    @property
    def undone(self) -> bool:
        """Undoing a payment reverses its journal; nothing else records it."""
        return self.journal.status == JournalStatus.REVERSED


# ---- Credit notes


class CreditStatus(enum.StrEnum):
    """Where a supplier credit note is: open (something left to apply), applied in full, or voided
    (its journal reversed)."""

    OPEN = "open"
    APPLIED = "applied"
    VOIDED = "voided"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class SupplierCredit(PostedTransactionMixin, Base):
    """A supplier's credit note: posted when entered, then applied to that supplier's invoices;
    one per supplier and supplier's number. Holds total - applied."""

    __tablename__ = "supplier_credit"
    __table_args__ = (UniqueConstraint("supplier_id", "supplier_ref",
                                       name="uq_supplier_credit_supplier_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), index=True)
    supplier_ref: Mapped[str] = mapped_column(String(50))
    date: Mapped[date] = mapped_column(Date)
    status: Mapped[CreditStatus] = mapped_column(
        Enum(CreditStatus, native_enum=False, length=20), default=CreditStatus.OPEN)
    total: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    applied: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    journal_id: Mapped[int] = mapped_column(ForeignKey("journal.id"))

    supplier: Mapped[Supplier] = relationship()
    lines: Mapped[list["SupplierCreditLine"]] = relationship(
        back_populates="credit", order_by="SupplierCreditLine.line_no", cascade="all, delete-orphan")
    applications: Mapped[list["SupplierCreditApplication"]] = relationship(
        back_populates="credit", order_by="SupplierCreditApplication.id")
    journal: Mapped[Journal] = relationship()

    @property
    def remaining(self) -> Decimal:
        return ZERO if self.status == CreditStatus.VOIDED else self.total - self.applied

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def gst(self) -> Decimal:
        return sum((line.gst_amount for line in self.lines), ZERO)

    def live_applications(self) -> list["SupplierCreditApplication"]:
        return [a for a in self.applications if a.undone_on is None]

    def void_refusal(self) -> LedgerError | None:
        """Why this credit note cannot be voided (what to undo first), as the error to raise;
        None when it can."""
        if self.status == CreditStatus.VOIDED:
            return AlreadyUndone(f"{self.number} is already voided.")
        locked = lock_text(self)
        if locked is not None:
            return TransactionLocked(f"Locked: {locked}. Unlink it in Integrations first.")
        if self.applied > ZERO:
            undo = " and ".join(f"its application to {a.invoice.number} ({format_money(a.amount)})"
                                for a in self.live_applications())
            return DocumentLocked(f"{self.number} has {format_money(self.applied)} applied: "
                                  f"undo {undo} first.")
        return None

    def why_not_voidable(self) -> str | None:
        """Why this credit note cannot be voided (what to undo first); None when it can."""
        refusal = self.void_refusal()
        return refusal.message if refusal else None


class SupplierCreditLine(ExpenseLineColumns, Base):
    """One line of a supplier credit note: what is taken back, from which account, with its GST."""

    __tablename__ = "supplier_credit_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_id: Mapped[int] = mapped_column(ForeignKey("supplier_credit.id"), index=True)

    credit: Mapped[SupplierCredit] = relationship(back_populates="lines")


class SupplierCreditApplication(Base):
    """Part of a credit note set against one invoice. Posts nothing: the credit note already
    debited accounts payable; this only says which invoice the credit settles."""

    __tablename__ = "supplier_credit_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_id: Mapped[int] = mapped_column(ForeignKey("supplier_credit.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("supplier_invoice.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    # Set when the application is undone (it posted nothing, so there is no journal to reverse).
    undone_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    undone_reason: Mapped[str] = mapped_column(String(200), default="")
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)

    credit: Mapped[SupplierCredit] = relationship(back_populates="applications")
    invoice: Mapped[SupplierInvoice] = relationship(back_populates="credits")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    undone_by: Mapped[User | None] = relationship(foreign_keys=[undone_by_id])
