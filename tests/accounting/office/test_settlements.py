"""One read of what settled a document: a bill's payments and credits and a supplier invoice's come
back as the same Settlement, undone ones marked, whatever table they live in."""

from datetime import date
from decimal import Decimal

import pytest

from accounting.office.billing import undo_event, write_off
from accounting.office.credit_notes import apply_credit
from accounting.office.settlements import Settlement, credits_applied_to, payments_of
from accounting.office.supplier_credits import undo_credit_application
from accounting.office.supplier_invoices import undo_payment
from accounting.office.suppliers import SupplierDetails, save_supplier
from tests.accounting.office.test_billing import JULY, Billing
from tests.accounting.office.test_suppliers import apply, approved, credit_note, pay

D = Decimal
LATER = date(2026, 7, 20)


def test_a_bills_payments_and_credits_read_as_settlements(books, db_session):
    billing = Billing(books)
    bill = billing.bill(billing.line("3", "100.00"))  # 330.00
    first = billing.pay(bill, "100.00")
    second = billing.pay(bill, "50.00", bank="1-1000")
    note = billing.credit_note(billing.line(rate="20.00"))  # 22.00
    [credit] = apply_credit(db_session, None, note.id, date=JULY, amounts={bill.id: D("22.00")})
    undo_event(db_session, None, first.id, date=LATER, reason="Bounced")
    # neither a payment nor a credit
    write_off(db_session, None, bill.id, date=LATER, reason="Test correction")
    db_session.commit()

    payments = payments_of(db_session, bill)
    assert payments == [
        Settlement(first.id, JULY, D("100.00"), first.journal.number, "EFT", first.journal_id,
                   billing.id("1-1000"), None, True, LATER),
        Settlement(second.id, JULY, D("50.00"), second.journal.number, "EFT", second.journal_id,
                   billing.id("1-1000"), None, False, None)]
    assert payments[0].number.startswith("BP-")
    assert credits_applied_to(db_session, bill) == [
        Settlement(credit.id, JULY, D("22.00"), note.number, note.number, None, None, note.id, False)]


def test_a_supplier_invoices_payments_and_credits_read_as_the_same_settlements(books, db_session):
    supplier = save_supplier(db_session, books.admin, SupplierDetails(name="Officeworks"))
    db_session.commit()
    invoice = approved(books, db_session, supplier)  # 160.00
    kept = pay(books, db_session, invoice, "40.00")
    bounced = pay(books, db_session, invoice, "10.00")
    credit = credit_note(books, db_session, supplier, ref="CN-9")  # 22.00
    [application] = apply(books, db_session, credit, [(invoice, "22.00")])
    undo_payment(db_session, None, bounced.id, date=LATER, reason="Bounced")
    undo_credit_application(db_session, None, application.id, date=LATER, reason="Wrong invoice")
    db_session.commit()

    assert payments_of(db_session, invoice) == [
        Settlement(kept.id, kept.date, D("40.00"), kept.number, "", kept.journal_id,
                   books.account("1-1000").id, None, False, None),
        Settlement(bounced.id, bounced.date, D("10.00"), bounced.number, "", bounced.journal_id,
                   books.account("1-1000").id, None, True, LATER)]
    assert credits_applied_to(db_session, invoice) == [
        Settlement(application.id, application.date, D("22.00"), credit.number, "CN-9", None, None,
                   credit.id, True, LATER)]


def test_only_bills_and_supplier_invoices_have_settlements(books, db_session):
    with pytest.raises(TypeError):
        payments_of(db_session, object())
    with pytest.raises(TypeError):
        credits_applied_to(db_session, object())
