"""Supplier invoices (bills to the practice): entering, approving, voiding and paying them, and what
happened to each (the rows are in supplier_documents).

Invariants protected here:
- A supplier invoice posts once, on approval: Dr each line's expense account its amount, Dr GST paid
  the GST, Cr accounts payable the total. A payment posts Dr accounts payable, Cr an office bank.
- What is owed on an invoice is always total - payments - credits applied; a payment can never
  exceed it. The invoice row is locked (SELECT ... FOR UPDATE) before what is owed is read, so two
  people paying the same invoice at once wait for each other and the second sees what the first
  paid.
- Journal kinds are "purchase_invoice" (numbers PU-) and "ap_payment" (AP-): kinds whose first two
  letters differ, because journal_prefix() numbers unknown kinds by them.
- Only a draft is edited or deleted; a posted invoice is corrected by voiding it (its journal is
  reversed), and only while nothing has been paid against it and it is not locked. A payment is
  corrected by undoing it (its journal is reversed), with a reason (accounting/office/corrections).
- Each line carries a tax code (ledger.tax.TaxCode), as bill lines do; no GST is claimed while the
  practice is not registered for GST.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from accounting.audit import record
from accounting.errors import (
    AlreadyUndone,
    InvalidAccount,
    InvalidAmount,
    LedgerError,
    NotADraft,
    TransactionLocked,
    WouldOverdraw,
)
from accounting.ledger.accounts import Account, AccountRole, account_for_role, office_bank_accounts
from accounting.ledger.journals import Journal, LineInput, get_journal, post, register_journal_kind, reverse
from accounting.ledger.practice import get_practice
from accounting.ledger.tax import TaxCode, check_gst_allowed
from accounting.lookup import fetch, like_pattern, page_of, valid_id
from accounting.money import ZERO, format_money
from accounting.office.corrections import check_correction, refuse_if_locked
from accounting.office.supplier_documents import (
    InvoiceStatus,
    SupplierInvoice,
    SupplierInvoiceLine,
    SupplierPayment,
)
from accounting.office.suppliers import MAX_LINES, GstFreeCheckbox, Supplier, check_expense_account, line_gst
from accounting.parties.users import User
from accounting.sequences import next_number

# Each kind of journal this module posts numbers in its own series.
for _kind, _prefix in {"purchase_invoice": "PU-", "ap_payment": "AP-"}.items():
    register_journal_kind(_kind, _prefix)


# ---- Entering and approving


@dataclass(frozen=True)
class InvoiceLineInput(GstFreeCheckbox):
    """One typed line: a GST-exclusive amount charged to an account. `gst_free` is the form's
    GST-free checkbox; `tax` is the tax code it stands for."""

    description: str
    amount: Decimal
    account_id: int | None
    gst_free: bool = False
    tax_code: TaxCode | None = None


@dataclass(frozen=True)
class InvoiceDetails:
    """A supplier invoice (or credit note) as typed: header and lines."""

    supplier_id: int | None
    supplier_ref: str
    date: date
    due_date: date
    lines: list[InvoiceLineInput]


def check_document(session: Session, details: InvoiceDetails, document_id: int | None,
                   model=None, what: str = "invoice") -> Supplier:
    """Check a supplier document's header and lines; its supplier's number is unique among
    `model` rows (supplier invoices unless told). `what` names the document in the messages."""
    model = model or SupplierInvoice
    practice = get_practice(session)
    if details.supplier_id is None:
        raise LedgerError("Choose the supplier.", "supplier_id")
    supplier_id = valid_id(details.supplier_id)
    supplier = session.get(Supplier, supplier_id) if supplier_id is not None else None
    if supplier is None:
        raise LedgerError("Choose the supplier.", "supplier_id")
    ref = details.supplier_ref.strip()
    if not ref:
        raise LedgerError(f"Enter the supplier's {what} number.", "supplier_ref")
    if len(ref) > 50:
        raise LedgerError(f"Use at most 50 characters for the {what} number.", "supplier_ref")
    clash = session.scalar(select(model).where(model.supplier_id == supplier.id,
                                               model.supplier_ref == ref))
    if clash is not None and clash.id != document_id:
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
        check_expense_account(session, line.account_id, f"lines-{i}-account", f"Line {n}: ")
        # The form's field for a line's tax is its GST-free checkbox.
        check_gst_allowed(practice, line.tax == TaxCode.GST, f"lines-{i}-gst_free")
    return supplier


def _write_lines(invoice: SupplierInvoice, lines: list[InvoiceLineInput], rate: Decimal) -> None:
    invoice.lines.clear()
    for i, line in enumerate(lines):
        invoice.lines.append(SupplierInvoiceLine(
            line_no=i + 1, description=line.description.strip(), account_id=line.account_id,
            amount=line.amount, tax=line.tax, gst_amount=line_gst(line.amount, line.tax, rate)))


def create_invoice(session: Session, user: User, details: InvoiceDetails) -> SupplierInvoice:
    """Enter a supplier invoice as a draft, numbered from the SI- sequence."""
    supplier = check_document(session, details, None)
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
        raise NotADraft(f"Only a draft can be {doing}; {invoice.number} is "
                        f"{invoice.status.label.lower()}.")


def update_invoice(session: Session, user: User, invoice: SupplierInvoice,
                   details: InvoiceDetails) -> None:
    """Change a draft invoice (header and lines)."""
    _refuse_unless_draft(invoice, "edited")
    supplier = check_document(session, details, invoice.id)
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
    check_gst_allowed(get_practice(session), any(line.tax == TaxCode.GST for line in invoice.lines))
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
    refusal = invoice.void_refusal()
    if refusal:
        raise refusal
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
    return fetch(session, SupplierInvoice, invoice_id, missing="There is no such supplier invoice.",
                 for_update=for_update)


def search_invoices(session: Session, query: str = "", *, status: str = "", page: int = 1,
                    per_page: int = 25):
    """Invoices whose number, supplier's number or supplier name contains `query`, newest first."""
    statement = select(SupplierInvoice).join(SupplierInvoice.supplier).options(
        selectinload(SupplierInvoice.supplier))
    if status in InvoiceStatus.__members__.values():
        statement = statement.where(SupplierInvoice.status == InvoiceStatus(status))
    query = query.strip()
    if query:
        like = like_pattern(query)
        statement = statement.where(or_(
            func.lower(SupplierInvoice.number).like(like, escape="\\"),
            func.lower(SupplierInvoice.supplier_ref).like(like, escape="\\"),
            func.lower(Supplier.name).like(like, escape="\\")))
    return page_of(session, statement.order_by(SupplierInvoice.date.desc(),
                                               SupplierInvoice.id.desc()), page, per_page)


def draft_totals(lines: list[InvoiceLineInput], rate: Decimal) -> dict:
    """Subtotal, GST and total of lines as typed so far (the live totals of the entry form)."""
    subtotal = sum((line.amount for line in lines), ZERO)
    gst = sum((line_gst(line.amount, line.tax, rate) for line in lines), ZERO)
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
    bank_id = valid_id(bank_account_id) if isinstance(bank_account_id, int) else None
    bank = session.get(Account, bank_id) if bank_id is not None else None
    if bank is None or bank not in office_bank_accounts(session):
        raise InvalidAccount("Choose the office bank account the payment came from.",
                             "bank_account_id")
    if amount <= ZERO:
        raise InvalidAmount("The payment must be more than zero.", "amount")
    owed = invoice.amount_owed
    if amount > owed:
        raise WouldOverdraw(f"That is more than is owed: {invoice.number} has "
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


def undo_payment(session: Session, user: User | None, payment_id: int, *, date: date,
                 reason: str) -> Journal:
    """Take back a supplier payment: `reverse()` of its journal (Dr the bank, Cr accounts payable);
    the invoice owes the amount again. The invoice row is locked first, as paying it does."""
    payment = fetch(session, SupplierPayment, payment_id, missing="There is no such supplier payment.")
    invoice = get_invoice(session, payment.invoice_id, for_update=True)
    session.refresh(payment.journal)
    if payment.undone:
        raise AlreadyUndone(f"Payment {payment.number} was already undone.")
    refuse_if_locked(invoice, payment, payment.journal)
    reason = check_correction(date, reason, payment.date, "payment")
    reversal = reverse(session, user, payment.journal, date=date, reason=reason)
    invoice.paid = invoice.paid - payment.amount
    invoice.settle_status()
    session.flush()
    record(session, user, "payment_undone", "supplier_invoice", invoice.id,
           f"{payment.number}: {format_money(payment.amount)} paid on {invoice.number} undone "
           f"({reversal.number}): {reason}")
    return reversal


# ---- History


@dataclass(frozen=True)
class HistoryEvent:
    """One line of an invoice's history, as its page and CSV show it."""

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
