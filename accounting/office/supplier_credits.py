"""Supplier credit notes: posted when entered, then applied to the same supplier's invoices (the
rows are in supplier_documents).

Invariants protected here:
- A credit note posts once, when entered: Dr accounts payable the total, Cr each line's account its
  amount, Cr GST paid the GST (journal kind "vendor_credit", numbers VE-).
- What is left on a credit note is total - applied, never below zero; what it settles on an
  invoice is never more than the invoice owes. Applying posts nothing (the credit note already
  debited accounts payable): it only says which invoice the credit settles. The credit note's row,
  then each invoice's, is locked first, always in that order, so two people applying at once
  cannot use more than the credit holds.
- An application is undone (it stays, marked undone) and a credit note nothing of which is applied
  is voided (its journal reversed), each with a date and a reason (accounting/office/corrections),
  and neither while what it touches is locked.
"""

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from accounting.audit import record
from accounting.errors import AlreadyUndone, InvalidAmount, LedgerError, WouldOverdraw
from accounting.events import CreditApplicationUndone, CreditApplied, CreditSide, emit
from accounting.ledger.accounts import AccountRole, account_for_role
from accounting.ledger.journals import Journal, LineInput, post, register_journal_kind, reverse
from accounting.ledger.practice import get_practice
from accounting.lookup import fetch, page_of
from accounting.money import ZERO, format_money
from accounting.office.corrections import check_correction, refuse_if_locked
from accounting.office.supplier_documents import (
    CreditStatus,
    InvoiceStatus,
    SupplierCredit,
    SupplierCreditApplication,
    SupplierCreditLine,
    SupplierInvoice,
)
from accounting.office.supplier_invoices import InvoiceDetails, check_document, get_invoice
from accounting.office.suppliers import line_gst
from accounting.parties.users import User
from accounting.sequences import next_number

register_journal_kind("vendor_credit", "VE-")


def create_credit(session: Session, user: User, details: InvoiceDetails) -> SupplierCredit:
    """Enter and post a supplier credit note: Dr AP the total, Cr each line's account, Cr GST paid.

    `details.due_date` is not used (a credit note has none)."""
    details = InvoiceDetails(details.supplier_id, details.supplier_ref, details.date, details.date,
                             details.lines)
    supplier = check_document(session, details, None, SupplierCredit, "credit note")
    ref = details.supplier_ref.strip()
    rate = get_practice(session).gst_rate
    credit = SupplierCredit(number=next_number(session, "supplier_credit", "SC-", 5),
                            supplier_id=supplier.id, supplier_ref=ref, date=details.date)
    for i, line in enumerate(details.lines):
        credit.lines.append(SupplierCreditLine(
            line_no=i + 1, description=line.description.strip(), account_id=line.account_id,
            amount=line.amount, tax=line.tax, gst_amount=line_gst(line.amount, line.tax, rate)))
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
    return fetch(session, SupplierCredit, credit_id, missing="There is no such supplier credit note.",
                 for_update=for_update)


def list_credits(session: Session, *, page: int = 1, per_page: int = 25):
    """Credit notes, newest first; returns (rows, total)."""
    statement = select(SupplierCredit).options(selectinload(SupplierCredit.supplier)).order_by(
        SupplierCredit.date.desc(), SupplierCredit.id.desc())
    return page_of(session, statement, page, per_page)


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
        raise WouldOverdraw(f"That is more than is left on {credit.number}: "
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
            raise WouldOverdraw(f"That is more than is owed: {invoice.number} has "
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
    for application in applications:
        emit(session, CreditApplied(CreditSide.SUPPLIER, application.id, credit.id,
                                    application.invoice_id, application.amount, date))
    return applications


def undo_credit_application(session: Session, user: User | None, application_id: int, *,
                            date: date, reason: str) -> SupplierCreditApplication:
    """Take back a credit set against an invoice. No journal (applying posted none): the invoice
    owes the amount again and it is left on the credit note. Credit note, then invoice, are locked
    (the order `apply_credit` uses)."""
    missing = "There is no such credit application."
    found = fetch(session, SupplierCreditApplication, application_id, missing=missing)
    credit = get_credit(session, found.credit_id, for_update=True)
    invoice = get_invoice(session, found.invoice_id, for_update=True)
    application = fetch(session, SupplierCreditApplication, application_id, missing=missing,
                        for_update=True)
    if application.undone_on is not None:
        raise AlreadyUndone(f"That application of {credit.number} was already undone.")
    refuse_if_locked(invoice, credit)
    reason = check_correction(date, reason, application.date, "credit application")
    get_practice(session).check_open(date)
    application.undone_on, application.undone_reason = date, reason
    application.undone_by_id = user.id if user else None
    credit.applied = credit.applied - application.amount
    credit.status = CreditStatus.OPEN
    invoice.credited = invoice.credited - application.amount
    invoice.settle_status()
    session.flush()
    emit(session, CreditApplicationUndone(CreditSide.SUPPLIER, application.id, credit.id, invoice.id,
                                          application.amount, date))
    record(session, user, "credit_undone", "supplier_invoice", invoice.id,
           f"{credit.number}: {format_money(application.amount)} applied to {invoice.number} "
           f"undone: {reason}")
    return application


def void_credit(session: Session, user: User | None, credit_id: int, *, date: date,
                reason: str) -> Journal:
    """Void a supplier credit note nothing of which is applied: `reverse()` of its journal
    (Cr accounts payable, Dr each line's account, Dr GST paid)."""
    credit = get_credit(session, credit_id, for_update=True)
    refusal = credit.void_refusal()
    if refusal:
        raise refusal
    reason = check_correction(date, reason, credit.date, "credit note", "voided")
    reversal = reverse(session, user, credit.journal, date=date,
                       reason=f"Supplier credit note {credit.number} voided: {reason}")
    credit.status = CreditStatus.VOIDED
    session.flush()
    record(session, user, "voided", "supplier_credit", credit.id,
           f"Supplier credit note {credit.number} voided ({reversal.number}): {reason}")
    return reversal
