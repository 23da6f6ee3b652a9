"""Suppliers, their invoices (bills to the practice) and the payments of those invoices.

Invariants protected here:
- A supplier invoice posts once, on approval: Dr each line's expense account its amount, Dr GST paid
  the GST, Cr accounts payable the total. A payment posts Dr accounts payable, Cr an office bank.
- What is owed on an invoice is always total - payments; a payment can never exceed it. The invoice
  row is locked (SELECT ... FOR UPDATE) before what is owed is read, so two people paying the same
  invoice at once wait for each other and the second sees what the first paid.
- Journal kinds are "purchase_invoice" (numbers PU-) and "ap_payment" (AP-): kinds whose first two
  letters differ, because journal_prefix() numbers unknown kinds by them.
- Only a draft is edited or deleted; a posted invoice is corrected by voiding it (its journal is
  reversed), and only while nothing has been paid against it and it is not locked.
"""

import datetime as dt
import enum
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, relationship, selectinload

from accounting.audit import record
from accounting.base import Base, PostedTransactionMixin
from accounting.errors import InvalidAccount, InvalidAmount, LedgerError, NotFound, TransactionLocked
from accounting.ledger.accounts import (
    Account,
    AccountRole,
    AccountType,
    account_for_role,
    office_bank_accounts,
)
from accounting.ledger.journals import (
    Journal,
    JournalStatus,
    LineInput,
    get_journal,
    post,
    register_journal_kind,
    reverse,
)
from accounting.ledger.practice import get_practice
from accounting.ledger.tax import check_gst_allowed, gst_on
from accounting.money import CENT, ZERO, Money, format_money
from accounting.parties.clients import validate_abn
from accounting.parties.users import User
from accounting.sequences import next_number

# Each kind of journal this module posts numbers in its own series.
for _kind, _prefix in {"purchase_invoice": "PU-", "ap_payment": "AP-", "vendor_credit": "VE-"}.items():
    register_journal_kind(_kind, _prefix)

MAX_LINES = 200
# Accounts a supplier invoice line may be charged to: expenses, direct costs and assets bought.
EXPENSE_TYPES = (AccountType.EXPENSE, AccountType.OVERHEADS, AccountType.DIRECTCOSTS,
                 AccountType.DEPRECIATN, AccountType.FIXED, AccountType.NONCURRENT,
                 AccountType.CURRENT, AccountType.PREPAYMENT)


class InvoiceStatus(enum.StrEnum):
    DRAFT = "draft"
    AWAITING_PAYMENT = "awaiting_payment"
    PART_PAID = "part_paid"
    PAID = "paid"
    VOIDED = "voided"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Supplier(Base):
    __tablename__ = "supplier"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    abn: Mapped[str] = mapped_column(String(11), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    default_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))

    default_account: Mapped[Account | None] = relationship()

    @property
    def abn_display(self) -> str:
        a = self.abn
        return f"{a[:2]} {a[2:5]} {a[5:8]} {a[8:]}" if len(a) == 11 else a


class SupplierInvoice(PostedTransactionMixin, Base):
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

    def why_not_voidable(self) -> str | None:
        """The reason voiding is refused, or None when it is allowed."""
        if self.status == InvoiceStatus.DRAFT:
            return "A draft is not posted: delete it instead of voiding it."
        if self.status == InvoiceStatus.VOIDED:
            return "This invoice is already voided."
        if self.is_locked():
            return f"Locked: {self.locked_reason}. Unlink it in Integrations first, then void it."
        if self.paid:
            return (f"{format_money(self.paid)} has been paid against it: a paid invoice cannot be "
                    "voided. Undo its payments in the history first.")
        if self.credited:
            return (f"{format_money(self.credited)} of credit notes is applied to it: an invoice "
                    "with credits applied cannot be voided. Undo them in the history first.")
        return None


class ExpenseLineColumns:
    """What a supplier invoice line and a supplier credit line share: an amount on an account."""

    line_no: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(300))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    gst_free: Mapped[bool] = mapped_column(Boolean, default=False)
    gst_amount: Mapped[Decimal] = mapped_column(Money, default=ZERO)

    @declared_attr
    def account(cls) -> Mapped[Account]:
        return relationship(Account)


class SupplierInvoiceLine(ExpenseLineColumns, Base):
    __tablename__ = "supplier_invoice_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("supplier_invoice.id"), index=True)

    invoice: Mapped[SupplierInvoice] = relationship(back_populates="lines")


class SupplierPayment(PostedTransactionMixin, Base):
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


# ---- Suppliers


@dataclass(frozen=True)
class SupplierDetails:
    name: str
    abn: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    default_account_id: int | None = None


def expense_accounts(session: Session) -> list[Account]:
    """Active accounts a supplier invoice line may be charged to, in code order."""
    return list(session.scalars(
        select(Account).where(Account.archived.is_(False), Account.type.in_(EXPENSE_TYPES),
                              Account.is_bank.is_(False), Account.role.is_(None))
        .order_by(Account.code)))



def _check_expense_account(session: Session, account_id, field: str, label: str = "") -> Account:
    account = session.get(Account, account_id) if isinstance(account_id, int) and \
        0 < account_id < 2**31 else None
    if account is None or account not in expense_accounts(session):
        raise InvalidAccount(f"{label}Choose an expense, direct cost or asset account.", field)
    return account


def save_supplier(session: Session, user: User, details: SupplierDetails,
                  supplier: Supplier | None = None) -> Supplier:
    """Add a supplier, or change one; the ABN is checked (checksum) and stored compact."""
    from accounting.parties.clients import _check_email, _check_lengths

    name = details.name.strip()
    if not name:
        raise LedgerError("Enter the supplier's name.", "name")
    values = {"name": name, "abn": validate_abn(details.abn), "email": details.email.strip(),
              "phone": details.phone.strip(), "address": details.address.strip()}
    _check_lengths(Supplier, values)
    _check_email(values["email"])
    if details.default_account_id is not None:
        _check_expense_account(session, details.default_account_id, "default_account_id")
    is_new = supplier is None
    if supplier is None:
        supplier = Supplier()
        session.add(supplier)
    for key, value in values.items():
        setattr(supplier, key, value)
    supplier.default_account_id = details.default_account_id
    session.flush()
    record(session, user, "created" if is_new else "changed", "supplier", supplier.id,
           f"Supplier {supplier.name} {'added' if is_new else 'changed'}")
    return supplier


def _like(query: str) -> str:
    escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _page_of(session: Session, statement, page: int, per_page: int):
    total = session.execute(select(func.count()).select_from(statement.subquery())).scalar_one()
    rows = session.execute(
        statement.limit(per_page).offset((min(max(page, 1), 100_000) - 1) * per_page)
    ).scalars().all()
    return list(rows), total


def search_suppliers(session: Session, query: str = "", *, page: int = 1, per_page: int = 25):
    """Suppliers whose name, email or ABN contains `query`, by name; returns (rows, total)."""
    statement = select(Supplier)
    query = query.strip()
    if query:
        statement = statement.where(or_(
            func.lower(Supplier.name).like(_like(query), escape="\\"),
            func.lower(Supplier.email).like(_like(query), escape="\\"),
            Supplier.abn.like(_like(query.replace(" ", "")), escape="\\"),
        ))
    return _page_of(session, statement.order_by(Supplier.name, Supplier.id), page, per_page)


def all_suppliers(session: Session) -> list[Supplier]:
    return list(session.scalars(select(Supplier).order_by(Supplier.name, Supplier.id)))


def _get(session: Session, model, item_id: int, what: str, for_update: bool = False):
    # Locking re-reads the row (populate_existing): what another transaction committed counts.
    item = session.get(model, item_id, with_for_update=for_update or None,
                       populate_existing=for_update) if 0 < item_id < 2**31 else None
    if item is None:
        raise NotFound(f"There is no such {what}.")
    return item


def get_supplier(session: Session, supplier_id: int) -> Supplier:
    """The supplier with this id, or NotFound."""
    return _get(session, Supplier, supplier_id, "supplier")


# ---- Invoices


@dataclass(frozen=True)
class InvoiceLineInput:
    """One typed line: a GST-exclusive amount charged to an account."""

    description: str
    amount: Decimal
    account_id: int | None
    gst_free: bool = False


@dataclass(frozen=True)
class InvoiceDetails:
    supplier_id: int | None
    supplier_ref: str
    date: date
    due_date: date
    lines: list[InvoiceLineInput]


def _check_invoice(session: Session, details: InvoiceDetails, invoice_id: int | None,
                   model=None, what: str = "invoice") -> Supplier:
    """Check a document's header and lines; its supplier's number is unique among `model` rows."""
    model = model or SupplierInvoice
    practice = get_practice(session)
    if details.supplier_id is None:
        raise LedgerError("Choose the supplier.", "supplier_id")
    supplier = session.get(Supplier, details.supplier_id) if 0 < details.supplier_id < 2**31 \
        else None
    if supplier is None:
        raise LedgerError("Choose the supplier.", "supplier_id")
    ref = details.supplier_ref.strip()
    if not ref:
        raise LedgerError(f"Enter the supplier's {what} number.", "supplier_ref")
    if len(ref) > 50:
        raise LedgerError(f"Use at most 50 characters for the {what} number.", "supplier_ref")
    clash = session.scalar(select(model).where(model.supplier_id == supplier.id,
                                               model.supplier_ref == ref))
    if clash is not None and clash.id != invoice_id:
        raise LedgerError(f"{supplier.name}'s {what} {ref} is already entered as {clash.number}.",
                          "supplier_ref")
    if details.due_date < details.date:
        raise LedgerError("The due date cannot be before the invoice date.", "due_date")
    if not details.lines:
        raise LedgerError(f"A{'n' if what == 'invoice' else ''} {what} needs at least one line.",
                          "lines")
    if len(details.lines) > MAX_LINES:
        raise LedgerError(f"An invoice has at most {MAX_LINES} lines.", "lines")
    for i, line in enumerate(details.lines):
        n = i + 1
        if not line.description.strip():
            raise LedgerError(f"Line {n}: describe what was bought.", f"lines-{i}-description")
        if len(line.description.strip()) > 300:
            raise LedgerError(f"Line {n}: keep the description under 300 characters.",
                              f"lines-{i}-description")
        if line.amount <= ZERO:
            raise InvalidAmount(f"Line {n}: the amount must be more than zero.", f"lines-{i}-amount")
        _check_expense_account(session, line.account_id, f"lines-{i}-account", f"Line {n}: ")
        check_gst_allowed(practice, not line.gst_free, f"lines-{i}-gst_free")
    return supplier


def _write_lines(invoice: SupplierInvoice, lines: list[InvoiceLineInput], rate: Decimal) -> None:
    invoice.lines.clear()
    for i, line in enumerate(lines):
        invoice.lines.append(SupplierInvoiceLine(
            line_no=i + 1, description=line.description.strip(), account_id=line.account_id,
            amount=line.amount, gst_free=line.gst_free,
            gst_amount=ZERO if line.gst_free else gst_on(line.amount, rate)))


def create_invoice(session: Session, user: User, details: InvoiceDetails) -> SupplierInvoice:
    """Enter a supplier invoice as a draft, numbered from the SI- sequence."""
    supplier = _check_invoice(session, details, None)
    invoice = SupplierInvoice(
        number=next_number(session, "supplier_invoice", "SI-", 5), supplier_id=supplier.id,
        supplier_ref=details.supplier_ref.strip(), date=details.date, due_date=details.due_date,
        status=InvoiceStatus.DRAFT)
    _write_lines(invoice, details.lines, get_practice(session).gst_rate)
    invoice.total = invoice.subtotal + invoice.gst
    session.add(invoice)
    session.flush()
    record(session, user, "created", "supplier_invoice", invoice.id,
           f"Supplier invoice {invoice.number} ({supplier.name} {invoice.supplier_ref}) drafted: "
           f"{format_money(invoice.total)}")
    return invoice


def _refuse_unless_draft(invoice: SupplierInvoice, doing: str) -> None:
    if invoice.is_locked():
        raise TransactionLocked(f"{invoice.number} is locked: {invoice.locked_reason}.")
    if not invoice.is_draft():
        raise LedgerError(f"Only a draft can be {doing}; {invoice.number} is "
                          f"{invoice.status.label.lower()}.")


def update_invoice(session: Session, user: User, invoice: SupplierInvoice,
                   details: InvoiceDetails) -> None:
    """Change a draft invoice (header and lines)."""
    _refuse_unless_draft(invoice, "edited")
    supplier = _check_invoice(session, details, invoice.id)
    invoice.supplier_id, invoice.supplier_ref = supplier.id, details.supplier_ref.strip()
    invoice.date, invoice.due_date = details.date, details.due_date
    _write_lines(invoice, details.lines, get_practice(session).gst_rate)
    session.flush()
    invoice.total = invoice.subtotal + invoice.gst
    session.flush()
    record(session, user, "changed", "supplier_invoice", invoice.id,
           f"Supplier invoice {invoice.number} changed: {format_money(invoice.total)}")


def delete_invoice(session: Session, user: User, invoice: SupplierInvoice) -> None:
    """Delete a draft (its number is not reused)."""
    _refuse_unless_draft(invoice, "deleted")
    record(session, user, "deleted", "supplier_invoice", invoice.id,
           f"Draft supplier invoice {invoice.number} deleted")
    session.delete(invoice)
    session.flush()


def approve_invoice(session: Session, user: User, invoice: SupplierInvoice) -> Journal:
    """Post a draft: Dr each line's account its amount, Dr GST paid the GST, Cr AP the total."""
    _refuse_unless_draft(invoice, "approved")
    check_gst_allowed(get_practice(session), any(not line.gst_free for line in invoice.lines))
    gst = invoice.gst
    lines = [LineInput(line.account_id, line.amount, line.description) for line in invoice.lines]
    if gst:
        lines.append(LineInput(account_for_role(session, AccountRole.GST_PAID).id, gst,
                               f"GST on {invoice.number}"))
    total = invoice.subtotal + gst
    lines.append(LineInput(account_for_role(session, AccountRole.ACCOUNTS_PAYABLE).id, -total,
                           f"{invoice.supplier.name} {invoice.supplier_ref}"))
    journal = post(session, user, date=invoice.date, kind="purchase_invoice",
                   reference=invoice.number, lines=lines,
                   narration=f"Supplier invoice {invoice.number}: {invoice.supplier.name} "
                             f"{invoice.supplier_ref}")
    invoice.journal_id, invoice.total = journal.id, total
    invoice.status = InvoiceStatus.AWAITING_PAYMENT
    session.flush()
    record(session, user, "approved", "supplier_invoice", invoice.id,
           f"Supplier invoice {invoice.number} approved: {format_money(total)} ({journal.number})")
    return journal


def void_invoice(session: Session, user: User, invoice: SupplierInvoice, *, date: date,
                 reason: str) -> Journal:
    """Void a posted invoice with nothing paid against it, by reversing its journal."""
    problem = invoice.why_not_voidable()
    if problem:
        raise TransactionLocked(problem) if invoice.is_locked() else LedgerError(problem)
    if date < invoice.date:
        raise LedgerError(f"A void cannot be dated before the invoice ({invoice.date:%d %b %Y}).",
                          "date")
    get_practice(session).check_open(date)
    reversal = reverse(session, user, get_journal(session, invoice.journal_id, for_update=True),
                       date=date, reason=reason)
    invoice.void_journal_id = reversal.id
    invoice.status = InvoiceStatus.VOIDED
    session.flush()
    record(session, user, "voided", "supplier_invoice", invoice.id,
           f"Supplier invoice {invoice.number} voided ({reversal.number}): {reason.strip()}")
    return reversal


def get_invoice(session: Session, invoice_id: int, *, for_update: bool = False) -> SupplierInvoice:
    """The supplier invoice with this id, or NotFound; `for_update` locks its row (PostgreSQL)."""
    return _get(session, SupplierInvoice, invoice_id, "supplier invoice", for_update)


def search_invoices(session: Session, query: str = "", *, status: str = "", page: int = 1,
                    per_page: int = 25):
    """Invoices whose number, supplier's number or supplier name contains `query`, newest first."""
    statement = select(SupplierInvoice).join(SupplierInvoice.supplier).options(
        selectinload(SupplierInvoice.supplier))
    if status in InvoiceStatus.__members__.values():
        statement = statement.where(SupplierInvoice.status == InvoiceStatus(status))
    query = query.strip()
    if query:
        like = _like(query)
        statement = statement.where(or_(
            func.lower(SupplierInvoice.number).like(like, escape="\\"),
            func.lower(SupplierInvoice.supplier_ref).like(like, escape="\\"),
            func.lower(Supplier.name).like(like, escape="\\")))
    return _page_of(session, statement.order_by(SupplierInvoice.date.desc(),
                                                SupplierInvoice.id.desc()), page, per_page)


def draft_totals(lines: list[InvoiceLineInput], rate: Decimal) -> dict:
    """Subtotal, GST and total of lines as typed so far (the live totals of the entry form)."""
    subtotal = sum((line.amount for line in lines), ZERO)
    gst = sum((ZERO if line.gst_free else gst_on(line.amount, rate) for line in lines), ZERO)
    return {"subtotal": subtotal, "gst": gst, "total": subtotal + gst}


# ---- Payments


def pay_invoice(session: Session, user: User, invoice_id: int, *, bank_account_id: int | None,
                date: date, amount: Decimal, reference: str = "") -> SupplierPayment:
    """Pay all or part of an approved invoice from an office bank: Dr AP, Cr the bank.

    The invoice row is locked first, so what is owed is read after any payment in flight commits.
    """
    invoice = get_invoice(session, invoice_id, for_update=True)
    if not invoice.can_pay():
        raise LedgerError(f"{invoice.number} is {invoice.status.label.lower()}: only an approved "
                          "invoice with something owing can be paid.")
    bank = session.get(Account, bank_account_id) if isinstance(bank_account_id, int) and \
        0 < bank_account_id < 2**31 else None
    if bank is None or bank not in office_bank_accounts(session):
        raise InvalidAccount("Choose the office bank account the payment came from.",
                             "bank_account_id")
    if amount <= ZERO:
        raise InvalidAmount("The payment must be more than zero.", "amount")
    owed = invoice.amount_owed
    if amount > owed:
        raise InvalidAmount(f"That is more than is owed: {invoice.number} has "
                            f"{format_money(owed)} owing.", "amount")
    if date < invoice.date:
        raise LedgerError(f"A payment cannot be dated before the invoice "
                          f"({invoice.date:%d %b %Y}).", "date")
    if len(reference.strip()) > 100:
        raise LedgerError("Keep the reference under 100 characters.", "reference")
    number = next_number(session, "supplier_payment", "SP-", 5)
    journal = post(session, user, date=date, kind="ap_payment", reference=number,
                   narration=f"Payment {number} of {invoice.number} to {invoice.supplier.name}",
                   lines=[LineInput(account_for_role(session, AccountRole.ACCOUNTS_PAYABLE).id,
                                    amount, f"{invoice.number} {invoice.supplier.name}"),
                          LineInput(bank.id, -amount, f"{invoice.number} {invoice.supplier.name}")])
    payment = SupplierPayment(number=number, invoice_id=invoice.id, bank_account_id=bank.id,
                              date=date, amount=amount, reference=reference.strip(),
                              journal_id=journal.id)
    session.add(payment)
    invoice.paid = invoice.paid + amount
    invoice.settle_status()
    session.flush()
    record(session, user, "paid", "supplier_invoice", invoice.id,
           f"{number}: {format_money(amount)} paid on {invoice.number} ({journal.number})")
    return payment


@dataclass(frozen=True)
class HistoryEvent:
    date: date
    what: str
    amount: Decimal | None
    journal: Journal | None
    by: str = ""
    details: str = ""
    # What a person may undo from this row: ("payment", id) or ("credit", id); None otherwise.
    undo: tuple[str, int] | None = None


def _by(journal: Journal | None, user: User | None = None) -> str:
    person = user or (journal.posted_by if journal is not None else None)
    return person.name if person else ""


def invoice_history(invoice: SupplierInvoice) -> list[HistoryEvent]:
    """What happened to an invoice, oldest first, each with the journal it posted and who did it."""
    events: list[HistoryEvent] = []
    if invoice.journal is not None:
        events.append(HistoryEvent(invoice.date, "Approved", invoice.total, invoice.journal,
                                   _by(invoice.journal)))
    for payment in invoice.payments:
        events.append(HistoryEvent(
            payment.date, f"Payment {payment.number}", payment.amount, payment.journal,
            _by(payment.journal), f"from {payment.bank_account.label}"
            + (f" · {payment.reference}" if payment.reference else ""),
            None if payment.undone else ("payment", payment.id)))
        reversal = payment.journal.reversed_by
        if reversal is not None:
            events.append(HistoryEvent(reversal.date, f"Payment {payment.number} undone",
                                       payment.amount, reversal, _by(reversal),
                                       reversal.reversal_reason))
    for application in invoice.credits:
        events.append(HistoryEvent(
            application.date, f"Credit note {application.credit.number} applied", application.amount,
            application.credit.journal, _by(None, application.user),
            undo=None if application.undone_on else ("credit", application.id)))
        if application.undone_on:
            events.append(HistoryEvent(application.undone_on,
                                       f"Credit note {application.credit.number} application undone",
                                       application.amount, None, _by(None, application.undone_by),
                                       application.undone_reason))
    if invoice.void_journal is not None:
        events.append(HistoryEvent(invoice.void_journal.date,
                                   f"Voided: {invoice.void_journal.reversal_reason}",
                                   invoice.total, invoice.void_journal, _by(invoice.void_journal)))
    return sorted(events, key=lambda event: event.date)


def _correction(when: date | None, reason: str, since: date, what: str, doing: str = "undone") -> str:
    """The date and reason every supplier-side undo asks for; returns the reason, trimmed."""
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError(f"Say why the {what} is {doing}.", "reason")
    if len(reason) > 200:
        raise LedgerError("Keep the reason under 200 characters.", "reason")
    if when is None:
        raise LedgerError("Enter the date of the correction.", "date")
    if when < since:
        raise LedgerError(f"The correction cannot be dated before the {what} ({since:%d %b %Y}).",
                          "date")
    return reason


def _refuse_locked(*documents) -> None:
    for document in documents:
        if document is not None and document.is_locked():
            raise TransactionLocked(f"Locked: {document.locked_reason}. Unlink it in Integrations first.")


def undo_payment(session: Session, user: User | None, payment_id: int, *, date: date,
                 reason: str) -> Journal:
    """Take back a supplier payment: `reverse()` of its journal (Dr the bank, Cr accounts payable);
    the invoice owes the amount again. The invoice row is locked first, as paying it does."""
    payment = _get(session, SupplierPayment, payment_id, "supplier payment")
    invoice = get_invoice(session, payment.invoice_id, for_update=True)
    session.refresh(payment.journal)
    if payment.undone:
        raise LedgerError(f"Payment {payment.number} was already undone.")
    _refuse_locked(invoice, payment, payment.journal)
    reason = _correction(date, reason, payment.date, "payment")
    reversal = reverse(session, user, payment.journal, date=date, reason=reason)
    invoice.paid = invoice.paid - payment.amount
    invoice.settle_status()
    session.flush()
    record(session, user, "payment_undone", "supplier_invoice", invoice.id,
           f"{payment.number}: {format_money(payment.amount)} paid on {invoice.number} undone "
           f"({reversal.number}): {reason}")
    return reversal



# ---- Credit notes


class CreditStatus(enum.StrEnum):
    OPEN = "open"
    APPLIED = "applied"
    VOIDED = "voided"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class SupplierCredit(PostedTransactionMixin, Base):
    """A supplier's credit note: posted when entered, then applied to that supplier's invoices."""

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

    def why_not_voidable(self) -> str | None:
        """Why this credit note cannot be voided (what to undo first); None when it can."""
        if self.status == CreditStatus.VOIDED:
            return f"{self.number} is already voided."
        if self.is_locked() or self.journal.is_locked():
            return (f"Locked: {self.locked_reason or self.journal.locked_reason}. "
                    "Unlink it in Integrations first.")
        if self.applied > ZERO:
            undo = " and ".join(f"its application to {a.invoice.number} ({format_money(a.amount)})"
                                for a in self.live_applications())
            return f"{self.number} has {format_money(self.applied)} applied: undo {undo} first."
        return None


class SupplierCreditLine(ExpenseLineColumns, Base):
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


def create_credit(session: Session, user: User, details: InvoiceDetails) -> SupplierCredit:
    """Enter and post a supplier credit note: Dr AP the total, Cr each line's account, Cr GST paid.

    `details.due_date` is not used (a credit note has none)."""
    details = InvoiceDetails(details.supplier_id, details.supplier_ref, details.date, details.date,
                             details.lines)
    supplier = _check_invoice(session, details, None, SupplierCredit, "credit note")
    ref = details.supplier_ref.strip()
    rate = get_practice(session).gst_rate
    credit = SupplierCredit(number=next_number(session, "supplier_credit", "SC-", 5),
                            supplier_id=supplier.id, supplier_ref=ref, date=details.date)
    for i, line in enumerate(details.lines):
        credit.lines.append(SupplierCreditLine(
            line_no=i + 1, description=line.description.strip(), account_id=line.account_id,
            amount=line.amount, gst_free=line.gst_free,
            gst_amount=ZERO if line.gst_free else gst_on(line.amount, rate)))
    total = credit.subtotal + credit.gst
    lines = [LineInput(account_for_role(session, AccountRole.ACCOUNTS_PAYABLE).id, total,
                       f"{supplier.name} credit {ref}")]
    lines += [LineInput(line.account_id, -line.amount, line.description) for line in credit.lines]
    if credit.gst:
        lines.append(LineInput(account_for_role(session, AccountRole.GST_PAID).id, -credit.gst,
                               f"GST on {credit.number}"))
    journal = post(session, user, date=details.date, kind="vendor_credit", reference=credit.number,
                   lines=lines, narration=f"Supplier credit note {credit.number}: {supplier.name} {ref}")
    credit.journal_id, credit.total = journal.id, total
    session.add(credit)
    session.flush()
    record(session, user, "posted", "supplier_credit", credit.id,
           f"Supplier credit note {credit.number} ({supplier.name} {ref}): {format_money(total)} "
           f"({journal.number})")
    return credit


def get_credit(session: Session, credit_id: int, *, for_update: bool = False) -> SupplierCredit:
    """The supplier credit note with this id, or NotFound; `for_update` locks its row."""
    return _get(session, SupplierCredit, credit_id, "supplier credit note", for_update)


def list_credits(session: Session, *, page: int = 1, per_page: int = 25):
    """Credit notes, newest first; returns (rows, total)."""
    statement = select(SupplierCredit).options(selectinload(SupplierCredit.supplier)).order_by(
        SupplierCredit.date.desc(), SupplierCredit.id.desc())
    return _page_of(session, statement, page, per_page)


def invoices_to_credit(session: Session, credit: SupplierCredit) -> list[SupplierInvoice]:
    """The credit's supplier's invoices with something owing, oldest first."""
    return list(session.scalars(select(SupplierInvoice).where(
        SupplierInvoice.supplier_id == credit.supplier_id,
        SupplierInvoice.status.in_([InvoiceStatus.AWAITING_PAYMENT, InvoiceStatus.PART_PAID]))
        .order_by(SupplierInvoice.date, SupplierInvoice.id)))


def apply_credit(session: Session, user: User, credit_id: int, allocations: dict[int, Decimal], *,
                 date: date) -> list[SupplierCreditApplication]:
    """Set parts of a credit note against invoices of the same supplier ({invoice id: amount}).

    The credit note and each invoice are locked first, so two people applying at once cannot use
    more than the credit holds or settle more than an invoice owes."""
    credit = get_credit(session, credit_id, for_update=True)
    if credit.status == CreditStatus.VOIDED:
        raise LedgerError(f"{credit.number} is voided: nothing of it can be applied.")
    allocations = {k: v for k, v in allocations.items() if v != ZERO}
    if not allocations:
        raise LedgerError("Enter an amount to apply against at least one invoice.")
    if date < credit.date:
        raise LedgerError(f"Apply it on or after the credit note's date ({credit.date:%d %b %Y}).",
                          "date")
    get_practice(session).check_open(date)
    wanted = sum(allocations.values(), ZERO)
    if wanted > credit.remaining:
        raise InvalidAmount(f"That is more than is left on {credit.number}: "
                            f"{format_money(credit.remaining)} is left to apply.")
    applications = []
    for invoice_id in sorted(allocations):
        amount, field = allocations[invoice_id], f"apply-{invoice_id}"
        invoice = get_invoice(session, invoice_id, for_update=True)
        if invoice.supplier_id != credit.supplier_id:
            raise LedgerError(f"{invoice.number} is {invoice.supplier.name}'s invoice: a credit note "
                              f"from {credit.supplier.name} applies only to its own invoices.", field)
        if not invoice.can_pay():
            raise LedgerError(f"{invoice.number} is {invoice.status.label.lower()}: a credit applies "
                              "only to an approved invoice with something owing.", field)
        if amount < ZERO:
            raise InvalidAmount(f"{invoice.number}: enter an amount more than zero.", field)
        if amount > invoice.amount_owed:
            raise InvalidAmount(f"That is more than is owed: {invoice.number} has "
                                f"{format_money(invoice.amount_owed)} owing.", field)
        if date < invoice.date:
            raise LedgerError(f"{invoice.number} is dated {invoice.date:%d %b %Y}: apply the credit "
                              "on or after that date.", "date")
        application = SupplierCreditApplication(credit_id=credit.id, invoice_id=invoice.id,
                                                date=date, amount=amount,
                                                user_id=user.id if user else None)
        session.add(application)
        invoice.credited = invoice.credited + amount
        invoice.settle_status()
        applications.append(application)
        record(session, user, "credited", "supplier_invoice", invoice.id,
               f"{credit.number}: {format_money(amount)} applied to {invoice.number}")
    credit.applied = credit.applied + wanted
    credit.status = CreditStatus.APPLIED if credit.remaining == ZERO else CreditStatus.OPEN
    session.flush()
    return applications


def undo_credit_application(session: Session, user: User | None, application_id: int, *,
                            date: date, reason: str) -> SupplierCreditApplication:
    """Take back a credit set against an invoice. No journal (applying posted none): the invoice
    owes the amount again and it is left on the credit note. Credit note, then invoice, are locked
    (the order `apply_credit` uses)."""
    found = _get(session, SupplierCreditApplication, application_id, "credit application")
    credit = get_credit(session, found.credit_id, for_update=True)
    invoice = get_invoice(session, found.invoice_id, for_update=True)
    application = _get(session, SupplierCreditApplication, application_id, "credit application",
                       for_update=True)
    if application.undone_on is not None:
        raise LedgerError(f"That application of {credit.number} was already undone.")
    _refuse_locked(invoice, credit)
    reason = _correction(date, reason, application.date, "credit application")
    get_practice(session).check_open(date)
    application.undone_on, application.undone_reason = date, reason
    application.undone_by_id = user.id if user else None
    credit.applied = credit.applied - application.amount
    credit.status = CreditStatus.OPEN
    invoice.credited = invoice.credited - application.amount
    invoice.settle_status()
    session.flush()
    record(session, user, "credit_undone", "supplier_invoice", invoice.id,
           f"{credit.number}: {format_money(application.amount)} applied to {invoice.number} "
           f"undone: {reason}")
    return application


def void_credit(session: Session, user: User | None, credit_id: int, *, date: date,
                reason: str) -> Journal:
    """Void a supplier credit note nothing of which is applied: `reverse()` of its journal
    (Cr accounts payable, Dr each line's account, Dr GST paid)."""
    credit = get_credit(session, credit_id, for_update=True)
    problem = credit.why_not_voidable()
    if problem:
        raise (TransactionLocked if problem.startswith("Locked") else LedgerError)(problem)
    reason = _correction(date, reason, credit.date, "credit note", "voided")
    reversal = reverse(session, user, credit.journal, date=date,
                       reason=f"Supplier credit note {credit.number} voided: {reason}")
    credit.status = CreditStatus.VOIDED
    session.flush()
    record(session, user, "voided", "supplier_credit", credit.id,
           f"Supplier credit note {credit.number} voided ({reversal.number}): {reason}")
    return reversal


# ---- Purchase orders


class OrderStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class PurchaseOrder(Base):
    """An order to a supplier. It is a promise, not a liability: it posts nothing to the ledger."""

    __tablename__ = "purchase_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    delivery_date: Mapped[dt.date | None] = mapped_column(Date)  # `date` is the column above
    status: Mapped[OrderStatus] = mapped_column(
        Enum(OrderStatus, native_enum=False, length=10), default=OrderStatus.DRAFT)

    supplier: Mapped[Supplier] = relationship()
    lines: Mapped[list["PurchaseOrderLine"]] = relationship(
        back_populates="order", order_by="PurchaseOrderLine.line_no", cascade="all, delete-orphan")

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def gst(self) -> Decimal:
        return sum((line.gst_amount for line in self.lines), ZERO)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.gst

    def is_draft(self) -> bool:
        return self.status == OrderStatus.DRAFT


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(300))
    # Quantities have at most two decimals, so the exact cents column type serves them too.
    quantity: Mapped[Decimal] = mapped_column(Money)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    gst_free: Mapped[bool] = mapped_column(Boolean, default=False)
    amount: Mapped[Decimal] = mapped_column(Money)
    gst_amount: Mapped[Decimal] = mapped_column(Money, default=ZERO)

    order: Mapped[PurchaseOrder] = relationship(back_populates="lines")
    account: Mapped[Account] = relationship()


@dataclass(frozen=True)
class OrderLineInput:
    description: str
    quantity: Decimal
    unit_price: Decimal
    account_id: int | None
    gst_free: bool = False


@dataclass(frozen=True)
class OrderDetails:
    supplier_id: int | None
    date: date
    delivery_date: date | None
    lines: list[OrderLineInput]


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """Quantity x unit price, rounded half-up to the cent."""
    return (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


def order_totals(lines: list[OrderLineInput], rate: Decimal) -> dict:
    """Subtotal, GST and total of order lines (the live totals of the order form)."""
    amounts = [(line_amount(x.quantity, x.unit_price), x.gst_free) for x in lines]
    subtotal = sum((a for a, _ in amounts), ZERO)
    gst = sum((ZERO if free else gst_on(a, rate) for a, free in amounts), ZERO)
    return {"subtotal": subtotal, "gst": gst, "total": subtotal + gst}


def _check_order(session: Session, details: OrderDetails) -> Supplier:
    supplier = session.get(Supplier, details.supplier_id) \
        if details.supplier_id is not None and 0 < details.supplier_id < 2**31 else None
    if supplier is None:
        raise LedgerError("Choose the supplier.", "supplier_id")
    if details.delivery_date is not None and details.delivery_date < details.date:
        raise LedgerError("The delivery date cannot be before the order date.", "delivery_date")
    if not details.lines:
        raise LedgerError("An order needs at least one line.", "lines")
    if len(details.lines) > MAX_LINES:
        raise LedgerError(f"An order has at most {MAX_LINES} lines.", "lines")
    for i, line in enumerate(details.lines):
        n = i + 1
        if not line.description.strip() or len(line.description.strip()) > 300:
            raise LedgerError(f"Line {n}: describe what is ordered (up to 300 characters).",
                              f"lines-{i}-description")
        if line.quantity <= ZERO:
            raise InvalidAmount(f"Line {n}: the quantity must be more than zero.", f"lines-{i}-quantity")
        if line.unit_price < ZERO:
            raise InvalidAmount(f"Line {n}: the unit price cannot be negative.", f"lines-{i}-unit_price")
        _check_expense_account(session, line.account_id, f"lines-{i}-account", f"Line {n}: ")
    return supplier


def _write_order(order: PurchaseOrder, details: OrderDetails, supplier: Supplier, rate: Decimal):
    order.supplier_id, order.date, order.delivery_date = supplier.id, details.date, details.delivery_date
    order.lines.clear()
    for i, line in enumerate(details.lines):
        amount = line_amount(line.quantity, line.unit_price)
        order.lines.append(PurchaseOrderLine(
            line_no=i + 1, description=line.description.strip(), quantity=line.quantity,
            unit_price=line.unit_price, account_id=line.account_id, gst_free=line.gst_free,
            amount=amount, gst_amount=ZERO if line.gst_free else gst_on(amount, rate)))


def create_order(session: Session, user: User, details: OrderDetails) -> PurchaseOrder:
    """Raise a purchase order (a draft, numbered PO-); it posts nothing."""
    supplier = _check_order(session, details)
    order = PurchaseOrder(number=next_number(session, "purchase_order", "PO-", 5))
    _write_order(order, details, supplier, get_practice(session).gst_rate)
    session.add(order)
    session.flush()
    record(session, user, "created", "purchase_order", order.id,
           f"Purchase order {order.number} to {supplier.name}: {format_money(order.total)}")
    return order


def update_order(session: Session, user: User, order: PurchaseOrder, details: OrderDetails) -> None:
    """Change a draft purchase order."""
    if not order.is_draft():
        raise LedgerError(f"{order.number} has been sent: only a draft order can be edited.")
    supplier = _check_order(session, details)
    _write_order(order, details, supplier, get_practice(session).gst_rate)
    session.flush()
    record(session, user, "changed", "purchase_order", order.id,
           f"Purchase order {order.number} changed: {format_money(order.total)}")


def mark_order_sent(session: Session, user: User, order: PurchaseOrder) -> None:
    """Mark a draft order as sent to the supplier; it can no longer be edited."""
    if not order.is_draft():
        raise LedgerError(f"{order.number} is already marked sent.")
    order.status = OrderStatus.SENT
    session.flush()
    record(session, user, "sent", "purchase_order", order.id, f"Purchase order {order.number} sent")


def get_order(session: Session, order_id: int) -> PurchaseOrder:
    """The purchase order with this id, or NotFound."""
    return _get(session, PurchaseOrder, order_id, "purchase order")


def list_orders(session: Session, *, page: int = 1, per_page: int = 25):
    """Purchase orders, newest first; returns (rows, total)."""
    statement = select(PurchaseOrder).options(selectinload(PurchaseOrder.supplier)).order_by(
        PurchaseOrder.date.desc(), PurchaseOrder.id.desc())
    return _page_of(session, statement, page, per_page)
