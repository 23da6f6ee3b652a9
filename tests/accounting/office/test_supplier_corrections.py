"""Supplier corrections: undoing a payment or a credit application and voiding a supplier credit
note (exact reversal lines; every refusal leaves the books unchanged); GST when the practice is not
registered; two people applying one credit note at once (PostgreSQL)."""

from datetime import date
from decimal import Decimal

import pytest

from accounting.errors import LedgerError, NotFound, PeriodLocked, TransactionLocked
from accounting.events import (
    CreditApplicationUndone,
    CreditApplied,
    CreditEvent,
    CreditSide,
    PartyChanged,
    PartyKind,
    subscribed,
)
from accounting.ledger.journals import JournalStatus
from accounting.ledger.practice import get_practice
from accounting.office.supplier_credits import create_credit, undo_credit_application, void_credit
from accounting.office.supplier_documents import InvoiceStatus
from accounting.office.supplier_invoices import (
    InvoiceDetails,
    InvoiceLineInput,
    approve_invoice,
    create_invoice,
    invoice_history,
    undo_payment,
)
from accounting.office.suppliers import SupplierDetails, save_supplier
from tests.accounting.office.test_suppliers import (
    JULY,
    apply,
    approved,
    credit_note,
    draft,
    lines_of,
    pay,
)

D = Decimal
LATER = date(2026, 7, 20)


@pytest.fixture
def supplier(books, db_session):
    made = save_supplier(db_session, books.admin, SupplierDetails(name="Officeworks"))
    db_session.commit()
    return made


def test_undoing_a_supplier_payment_reverses_it_and_the_invoice_owes_again(books, db_session, supplier):
    invoice = approved(books, db_session, supplier)  # 160.00
    payment = pay(books, db_session, invoice, "160.00")
    assert invoice.status == InvoiceStatus.PAID
    reversal = undo_payment(db_session, books.staff, payment.id, date=LATER, reason="Paid twice")
    db_session.commit()
    assert lines_of(reversal) == [("2-1000", "-160.00"), ("1-1000", "160.00")]
    assert reversal.reverses_id == payment.journal_id and payment.undone
    assert (invoice.status, invoice.amount_owed) == (InvoiceStatus.AWAITING_PAYMENT, D("160.00"))
    history = invoice_history(invoice)
    assert [(h.what, h.by, h.undo) for h in history] == [
        ("Approved", "Ada Admin", None), ("Payment SP-00001", "Ada Admin", None),
        ("Payment SP-00001 undone", "Stu Staff", None)]
    assert history[2].details == "Paid twice" and history[2].journal is reversal
    with pytest.raises(LedgerError, match="already undone"):
        undo_payment(db_session, None, payment.id, date=LATER, reason="Again")


def test_a_supplier_payment_undo_is_refused_when_locked_early_or_without_reason(books, db_session,
                                                                              supplier):
    invoice = approved(books, db_session, supplier)
    payment = pay(books, db_session, invoice, "10.00")
    for on, reason, message in [(date(2026, 7, 9), "x", "before the payment"), (LATER, " ", "Say why")]:
        with pytest.raises(LedgerError, match=message):
            undo_payment(db_session, None, payment.id, date=on, reason=reason)
        db_session.rollback()
    payment.journal.lock("Pushed to Xero")
    db_session.commit()
    with pytest.raises(TransactionLocked, match="Locked: Pushed to Xero. Unlink it in Integrations"):
        undo_payment(db_session, None, payment.id, date=LATER, reason="x")
    db_session.rollback()
    payment.journal.unlock()
    get_practice(db_session).lock_date = date(2026, 8, 1)
    db_session.commit()
    with pytest.raises(PeriodLocked):
        undo_payment(db_session, None, payment.id, date=LATER, reason="x")
    db_session.rollback()
    assert invoice.paid == D("10.00") and not payment.undone
    with pytest.raises(NotFound):
        undo_payment(db_session, None, 424242, date=LATER, reason="x")


def test_a_supplier_credit_applied_and_undone_is_heard_once_each(books, db_session, supplier):
    first, second = approved(books, db_session, supplier), approved(books, db_session, supplier, ref="INV-2")
    credit = credit_note(books, db_session, supplier)  # 22.00
    heard = []
    with subscribed(CreditEvent, lambda session, event: heard.append(event)):
        applications = apply(books, db_session, credit, [(first, "12.00"), (second, "10.00")])
        undo_credit_application(db_session, None, applications[0].id, date=LATER, reason="Wrong invoice")
    assert heard == [
        CreditApplied(CreditSide.SUPPLIER, applications[0].id, credit.id, first.id, D("12.00"), JULY),
        CreditApplied(CreditSide.SUPPLIER, applications[1].id, credit.id, second.id, D("10.00"), JULY),
        CreditApplicationUndone(CreditSide.SUPPLIER, applications[0].id, credit.id, first.id, D("12.00"),
                                LATER)]


def test_a_supplier_added_and_changed_is_heard_and_a_refused_one_is_not(books, db_session):
    heard = []
    with subscribed(PartyChanged, lambda session, event: heard.append(event)):
        supplier = save_supplier(db_session, books.admin, SupplierDetails("Paper Co"))
        save_supplier(db_session, books.admin, SupplierDetails("Paper Co Pty Ltd"), supplier)
        with pytest.raises(LedgerError, match="supplier's name"):
            save_supplier(db_session, books.admin, SupplierDetails(" "))
    assert heard == [PartyChanged(PartyKind.SUPPLIER, supplier.id, created=True),
                     PartyChanged(PartyKind.SUPPLIER, supplier.id, created=False)]


def test_undoing_a_credit_application_posts_nothing_and_restores_both(books, db_session, supplier):
    invoice = approved(books, db_session, supplier)
    credit = credit_note(books, db_session, supplier)  # 22.00
    [application] = apply(books, db_session, credit, [(invoice, "22.00")])
    assert credit.status.value == "applied"
    undo_credit_application(db_session, books.staff, application.id, date=LATER, reason="Wrong invoice")
    db_session.commit()
    assert (credit.remaining, credit.status.value) == (D("22.00"), "open")
    assert (invoice.amount_owed, invoice.status) == (D("160.00"), InvoiceStatus.AWAITING_PAYMENT)
    whats = [(h.what, h.journal is None, h.by) for h in invoice_history(invoice)]
    assert whats[-2:] == [("Credit note SC-00001 applied", False, "Ada Admin"),
                          ("Credit note SC-00001 application undone", True, "Stu Staff")]
    with pytest.raises(LedgerError, match="already undone"):
        undo_credit_application(db_session, None, application.id, date=LATER, reason="x")
    db_session.rollback()
    with pytest.raises(LedgerError, match="before the credit application"):
        apply(books, db_session, credit, [(invoice, "5.00")], on=LATER)
        [again] = credit.live_applications()
        undo_credit_application(db_session, None, again.id, date=JULY, reason="x")


def test_a_supplier_credit_note_is_voided_only_when_nothing_is_applied(books, db_session, supplier):
    invoice = approved(books, db_session, supplier)
    credit = credit_note(books, db_session, supplier)  # 22.00
    [application] = apply(books, db_session, credit, [(invoice, "12.00")])
    with pytest.raises(LedgerError, match=r"SC-00001 has 12.00 applied: undo its application to "
                                          r"SI-00001 \(12.00\) first"):
        void_credit(db_session, None, credit.id, date=JULY, reason="Entered twice")
    db_session.rollback()
    undo_credit_application(db_session, None, application.id, date=JULY, reason="x")
    reversal = void_credit(db_session, None, credit.id, date=JULY, reason="Entered twice")
    db_session.commit()
    assert lines_of(reversal) == [("2-1000", "-22.00"), ("6-2400", "20.00"), ("2-1200", "2.00")]
    assert credit.status.value == "voided" and credit.remaining == D("0.00")
    assert credit.journal.status == JournalStatus.REVERSED
    with pytest.raises(LedgerError, match="is voided"):
        apply(books, db_session, credit, [(invoice, "1.00")])
    db_session.rollback()
    with pytest.raises(LedgerError, match="already voided"):
        void_credit(db_session, None, credit.id, date=JULY, reason="x")


def test_a_locked_supplier_credit_note_is_not_voided(books, db_session, supplier):
    credit = credit_note(books, db_session, supplier)
    credit.journal.lock("Pushed to Xero")
    db_session.commit()
    with pytest.raises(TransactionLocked, match="Locked: Pushed to Xero"):
        void_credit(db_session, None, credit.id, date=JULY, reason="x")
    db_session.rollback()
    assert credit.status.value == "open"


def test_no_gst_is_claimed_when_the_practice_is_not_registered(books, db_session, supplier):
    written = draft(books, db_session, supplier)  # has a GST line
    get_practice(db_session).gst_registered = False
    db_session.commit()
    line = InvoiceLineInput("Paper", D("100.00"), books.account("6-2400").id, False)
    for make in (create_invoice, create_credit):
        with pytest.raises(LedgerError) as refusal:
            make(db_session, books.admin, InvoiceDetails(supplier.id, "X-1", JULY, JULY, [line]))
        assert refusal.value.field == "lines-0-gst_free"
        assert refusal.value.message == ("The practice is not registered for GST (Admin > Practice "
                                         "settings): choose GST-free.")
        db_session.rollback()
    with pytest.raises(LedgerError, match="not registered for GST"):
        approve_invoice(db_session, books.admin, written)
    db_session.rollback()
    free = approved(books, db_session, supplier, ref="F", lines=[("Paper", "100.00", "6-2400", True)])
    assert lines_of(free.journal) == [("6-2400", "100.00"), ("2-1000", "-100.00")]


def test_two_people_applying_the_same_supplier_credit_cannot_apply_more_than_it_holds(
        app, db_session, books, supplier):
    from accounting.office.supplier_credits import apply_credit
    from tests.support import new_session, second_person_waits

    first_invoice = approved(books, db_session, supplier, ref="A")
    second_invoice = approved(books, db_session, supplier, ref="B")
    credit = credit_note(books, db_session, supplier)  # 22.00
    ids, credit_id = (first_invoice.id, second_invoice.id), credit.id
    first = new_session()
    apply_credit(first, None, credit_id, {ids[0]: D("15.00")}, date=JULY)
    result = second_person_waits(first, lambda s: apply_credit(s, None, credit_id, {ids[1]: D("15.00")},
                                                                date=JULY))
    assert result == "That is more than is left on SC-00001: 7.00 is left to apply."
    db_session.expire_all()
    assert (credit.applied, second_invoice.credited) == (D("15.00"), D("0.00"))


def test_two_people_undoing_the_same_supplier_payment_undo_it_once(app, db_session, books, supplier):
    from tests.support import new_session, second_person_waits

    invoice = approved(books, db_session, supplier)
    payment_id = pay(books, db_session, invoice, "160.00").id
    first = new_session()
    undo_payment(first, None, payment_id, date=JULY, reason="Twice")
    result = second_person_waits(first, lambda s: undo_payment(s, None, payment_id, date=JULY,
                                                                reason="Twice"))
    assert result == "Payment SP-00001 was already undone."
    db_session.expire_all()
    assert invoice.amount_owed == D("160.00")


def test_every_supplier_correction_is_in_the_audit_log(books, db_session, supplier):
    from sqlalchemy import select

    from accounting.audit import AuditEvent

    invoice = approved(books, db_session, supplier)
    payment = pay(books, db_session, invoice, "10.00")
    credit = credit_note(books, db_session, supplier)
    [application] = apply(books, db_session, credit, [(invoice, "22.00")])
    undo_payment(db_session, books.staff, payment.id, date=LATER, reason="Twice")
    undo_credit_application(db_session, books.staff, application.id, date=LATER, reason="Wrong")
    void_credit(db_session, books.staff, credit.id, date=LATER, reason="In error")
    db_session.commit()
    rows = db_session.scalars(select(AuditEvent).where(AuditEvent.user_id == books.staff.id,
                                                       AuditEvent.entity_type != "journal")
                              .order_by(AuditEvent.id)).all()
    assert [(r.action, r.entity_type) for r in rows] == [
        ("payment_undone", "supplier_invoice"), ("credit_undone", "supplier_invoice"),
        ("voided", "supplier_credit")]
    assert rows[0].summary == "SP-00001: 10.00 paid on SI-00001 undone (RV-000001): Twice"


def test_a_credit_application_is_not_undone_while_its_invoice_is_locked_and_the_refusal_says_why(
        books, db_session, supplier):
    """A supplier invoice pushed to Xero may be locked through its journal only: undoing a credit
    applied to it is refused as a bill's would be, naming the lock's reason."""
    invoice = approved(books, db_session, supplier)
    credit = credit_note(books, db_session, supplier)
    [application] = apply(books, db_session, credit, [(invoice, "22.00")])
    invoice.journal.lock("Pushed to Xero as BILL-7")
    db_session.commit()
    with pytest.raises(TransactionLocked) as refusal:
        undo_credit_application(db_session, None, application.id, date=LATER, reason="Wrong invoice")
    assert refusal.value.message == "Locked: Pushed to Xero as BILL-7. Unlink it in Integrations first."
    db_session.rollback()
    assert application.undone_on is None and invoice.credited == D("22.00")


def test_a_credit_application_is_not_undone_while_its_credit_note_is_locked(books, db_session, supplier):
    invoice = approved(books, db_session, supplier)
    credit = credit_note(books, db_session, supplier)
    [application] = apply(books, db_session, credit, [(invoice, "22.00")])
    credit.journal.lock("Pushed to Xero as CN-3")
    db_session.commit()
    with pytest.raises(TransactionLocked) as refusal:
        undo_credit_application(db_session, None, application.id, date=LATER, reason="Wrong invoice")
    assert refusal.value.message == "Locked: Pushed to Xero as CN-3. Unlink it in Integrations first."
    db_session.rollback()
    assert application.undone_on is None and credit.remaining == D("0.00")


def test_a_payment_is_not_undone_while_its_invoice_is_locked_and_the_refusal_says_why(
        books, db_session, supplier):
    invoice = approved(books, db_session, supplier)
    payment = pay(books, db_session, invoice, "10.00")
    invoice.journal.lock("Pushed to Xero as BILL-8")
    db_session.commit()
    with pytest.raises(TransactionLocked) as refusal:
        undo_payment(db_session, None, payment.id, date=LATER, reason="Paid twice")
    assert refusal.value.message == "Locked: Pushed to Xero as BILL-8. Unlink it in Integrations first."
    db_session.rollback()
    assert not payment.undone and invoice.paid == D("10.00")
