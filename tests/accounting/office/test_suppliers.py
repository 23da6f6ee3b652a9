"""Suppliers, supplier invoices and their payments: the exact journals and every refusal."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounting.errors import LedgerError
from accounting.ledger.journals import Journal
from accounting.ledger.practice import get_practice
from accounting.ledger.tax import gst_on
from accounting.office.supplier_documents import InvoiceStatus, SupplierInvoice
from accounting.office.supplier_invoices import (
    InvoiceDetails,
    InvoiceLineInput,
    approve_invoice,
    create_invoice,
    delete_invoice,
    pay_invoice,
    update_invoice,
    void_invoice,
)
from accounting.office.suppliers import SupplierDetails, save_supplier, search_suppliers
from tests.support import new_session, second_person_waits

JULY = date(2026, 7, 10)
D = Decimal


def lines_of(journal):
    return [(line.account.code, str(line.amount)) for line in journal.lines]


@pytest.fixture
def supplier(books, db_session):
    s = save_supplier(db_session, books.admin, SupplierDetails(
        name="Officeworks", abn="51 824 753 556", email="ap@officeworks.example"))
    db_session.commit()
    return s


def draft(books, db_session, supplier, ref="INV-1", lines=None, on=JULY):
    lines = lines or [("Paper", "100.00", "6-2400", False), ("Court fee", "50.00", "5-1000", True)]
    invoice = create_invoice(db_session, books.admin, InvoiceDetails(
        supplier.id, ref, on, date(2026, 8, 10),
        [InvoiceLineInput(d, D(a), books.account(code).id, free) for d, a, code, free in lines]))
    db_session.commit()
    return invoice


def approved(books, db_session, supplier, **kw):
    invoice = draft(books, db_session, supplier, **kw)
    approve_invoice(db_session, books.admin, invoice)
    db_session.commit()
    return invoice


def pay(books, db_session, invoice, amount, on=JULY, bank="1-1000"):
    payment = pay_invoice(db_session, books.admin, invoice.id, bank_account_id=books.account(bank).id,
                          date=on, amount=D(amount))
    db_session.commit()
    return payment


def test_gst_is_rounded_half_up_to_the_cent():
    assert gst_on(D("0.05"), D("10")) == D("0.01")  # 0.005 -> 0.01, not banker's 0.00
    assert gst_on(D("0.04"), D("10")) == D("0.00")
    assert gst_on(D("123.45"), D("10")) == D("12.35")
    assert gst_on(D("100.00"), D("12.5")) == D("12.50")


def test_a_supplier_keeps_a_compact_checked_abn(books, db_session, supplier):
    assert supplier.abn == "51824753556"
    assert supplier.abn_display == "51 824 753 556"
    with pytest.raises(LedgerError) as refusal:
        save_supplier(db_session, books.admin, SupplierDetails(name="Bad", abn="51 824 753 557"))
    assert refusal.value.field == "abn"


@pytest.mark.parametrize(("details", "field"), [
    (SupplierDetails(name=" "), "name"),
    (SupplierDetails(name="X", email="not-an-email"), "email"),
    (SupplierDetails(name="X" * 201), "name"),
])
def test_a_supplier_with_bad_details_is_refused(books, db_session, details, field):
    with pytest.raises(LedgerError) as refusal:
        save_supplier(db_session, books.admin, details)
    assert refusal.value.field == field


def test_a_supplier_default_account_must_be_an_expense(books, db_session):
    with pytest.raises(LedgerError) as refusal:
        save_supplier(db_session, books.admin, SupplierDetails(
            name="X", default_account_id=books.account("4-1000").id))
    assert refusal.value.field == "default_account_id"


def test_suppliers_are_searched_by_name_email_and_abn(books, db_session, supplier):
    save_supplier(db_session, books.admin, SupplierDetails(name="Telstra"))
    assert [s.name for s in search_suppliers(db_session, "office")[0]] == ["Officeworks"]
    assert search_suppliers(db_session, "824 753")[1] == 1
    assert search_suppliers(db_session, "")[1] == 2
    assert search_suppliers(db_session, "%")[1] == 0


def test_a_draft_posts_nothing_and_has_live_totals(books, db_session, supplier):
    invoice = draft(books, db_session, supplier)
    assert invoice.number == "SI-00001"
    assert invoice.status == InvoiceStatus.DRAFT
    assert (invoice.subtotal, invoice.gst, invoice.total) == (D("150.00"), D("10.00"), D("160.00"))
    assert db_session.scalar(select(func.count()).select_from(Journal)) == 0


def test_approving_posts_expenses_and_gst_against_payables(books, db_session, supplier):
    invoice = approved(books, db_session, supplier)
    assert invoice.status == InvoiceStatus.AWAITING_PAYMENT
    assert invoice.journal.kind == "purchase_invoice" and invoice.journal.reference == "SI-00001"
    assert lines_of(invoice.journal) == [
        ("6-2400", "100.00"), ("5-1000", "50.00"), ("2-1200", "10.00"), ("2-1000", "-160.00")]
    assert invoice.amount_owed == D("160.00")


def test_a_gst_free_invoice_has_no_gst_line(books, db_session, supplier):
    invoice = approved(books, db_session, supplier, lines=[("Fee", "80.00", "5-1000", True)])
    assert lines_of(invoice.journal) == [("5-1000", "80.00"), ("2-1000", "-80.00")]


def test_the_supplier_invoice_number_is_unique_per_supplier(books, db_session, supplier):
    draft(books, db_session, supplier, ref="A1")
    with pytest.raises(LedgerError) as refusal:
        draft(books, db_session, supplier, ref="A1")
    assert refusal.value.field == "supplier_ref" and "SI-00001" in refusal.value.message
    db_session.rollback()
    other = save_supplier(db_session, books.admin, SupplierDetails(name="Other"))
    assert draft(books, db_session, other, ref="A1").number == "SI-00002"


@pytest.mark.parametrize(("lines", "field"), [
    ([], "lines"),
    ([("", "10", "6-2400", False)], "lines-0-description"),
    ([("x", "0", "6-2400", False)], "lines-0-amount"),
    ([("x", "-5", "6-2400", False)], "lines-0-amount"),
    ([("x", "5", "4-1000", False)], "lines-0-account"),
    ([("x", "5", "1-1000", False)], "lines-0-account"),
])
def test_bad_lines_are_refused(books, db_session, supplier, lines, field):
    with pytest.raises(LedgerError) as refusal:
        create_invoice(db_session, books.admin, InvoiceDetails(
            supplier.id, "R", JULY, JULY,
            [InvoiceLineInput(d, D(a), books.account(c).id, f) for d, a, c, f in lines]))
    assert refusal.value.field == field


def test_a_due_date_before_the_invoice_is_refused(books, db_session, supplier):
    with pytest.raises(LedgerError) as refusal:
        create_invoice(db_session, books.admin, InvoiceDetails(
            supplier.id, "R", JULY, date(2026, 7, 1),
            [InvoiceLineInput("x", D("1"), books.account("6-2400").id)]))
    assert refusal.value.field == "due_date"


def test_only_a_draft_is_edited_or_deleted(books, db_session, supplier):
    invoice = draft(books, db_session, supplier)
    update_invoice(db_session, books.admin, invoice, InvoiceDetails(
        supplier.id, "INV-1b", JULY, JULY, [InvoiceLineInput("Toner", D("20"), books.account("6-2400").id)]))
    assert (invoice.supplier_ref, invoice.total) == ("INV-1b", D("22.00"))
    approve_invoice(db_session, books.admin, invoice)
    with pytest.raises(LedgerError, match="Only a draft"):
        delete_invoice(db_session, books.admin, invoice)
    with pytest.raises(LedgerError, match="Only a draft"):
        approve_invoice(db_session, books.admin, invoice)


def test_a_draft_is_deleted_and_its_number_not_reused(books, db_session, supplier):
    delete_invoice(db_session, books.admin, draft(books, db_session, supplier))
    db_session.commit()
    assert draft(books, db_session, supplier, ref="B").number == "SI-00002"


def test_a_payment_debits_payables_and_credits_the_bank(books, db_session, supplier):
    invoice = approved(books, db_session, supplier)
    payment = pay(books, db_session, invoice, "60.00", on=date(2026, 7, 20))
    assert payment.number == "SP-00001"
    assert lines_of(payment.journal) == [("2-1000", "60.00"), ("1-1000", "-60.00")]
    assert payment.journal.kind == "ap_payment"
    assert (invoice.status, invoice.amount_owed) == (InvoiceStatus.PART_PAID, D("100.00"))
    pay(books, db_session, invoice, "100.00", on=date(2026, 7, 21))
    assert (invoice.status, invoice.amount_owed) == (InvoiceStatus.PAID, D("0.00"))


def test_paying_more_than_is_owed_is_refused_with_what_is_owed(books, db_session, supplier):
    invoice = approved(books, db_session, supplier)
    with pytest.raises(LedgerError) as refusal:
        pay(books, db_session, invoice, "160.01")
    assert refusal.value.field == "amount" and "160.00 owing" in refusal.value.message


def test_a_draft_or_voided_invoice_cannot_be_paid(books, db_session, supplier):
    invoice = draft(books, db_session, supplier)
    with pytest.raises(LedgerError, match="draft"):
        pay(books, db_session, invoice, "1.00")
    db_session.rollback()
    approve_invoice(db_session, books.admin, invoice)
    void_invoice(db_session, books.admin, invoice, date=JULY, reason="Entered twice")
    db_session.commit()
    with pytest.raises(LedgerError, match="voided"):
        pay(books, db_session, invoice, "1.00")


def test_a_payment_dated_before_the_invoice_or_the_lock_date_is_refused(books, db_session, supplier):
    invoice = approved(books, db_session, supplier)
    with pytest.raises(LedgerError) as refusal:
        pay(books, db_session, invoice, "1.00", on=date(2026, 7, 9))
    assert refusal.value.field == "date" and "before the invoice" in refusal.value.message
    db_session.rollback()
    get_practice(db_session).lock_date = date(2026, 8, 1)
    db_session.commit()
    with pytest.raises(LedgerError, match="locked before"):
        pay(books, db_session, invoice, "1.00", on=date(2026, 7, 31))


def test_a_payment_must_come_from_an_office_bank(books, db_session, supplier):
    invoice = approved(books, db_session, supplier)
    for code in ("1-1100", "6-2400"):
        with pytest.raises(LedgerError) as refusal:
            pay(books, db_session, invoice, "1.00", bank=code)
        assert refusal.value.field == "bank_account_id"


def test_voiding_reverses_the_invoice_journal(books, db_session, supplier):
    invoice = approved(books, db_session, supplier)
    reversal = void_invoice(db_session, books.admin, invoice, date=JULY, reason="Duplicate")
    assert lines_of(reversal) == [
        ("6-2400", "-100.00"), ("5-1000", "-50.00"), ("2-1200", "-10.00"), ("2-1000", "160.00")]
    assert (invoice.status, invoice.amount_owed) == (InvoiceStatus.VOIDED, D("0.00"))


def test_a_paid_or_locked_invoice_cannot_be_voided(books, db_session, supplier):
    invoice = approved(books, db_session, supplier)
    pay(books, db_session, invoice, "1.00")
    with pytest.raises(LedgerError, match="has been paid"):
        void_invoice(db_session, books.admin, invoice, date=JULY, reason="x")
    other = approved(books, db_session, supplier, ref="L")
    other.lock("Pushed to Xero as BILL-7")
    with pytest.raises(LedgerError, match="Pushed to Xero as BILL-7"):
        void_invoice(db_session, books.admin, other, date=JULY, reason="x")


def test_approval_in_a_locked_period_is_refused_and_leaves_a_draft(books, db_session, supplier):
    invoice = draft(books, db_session, supplier)
    get_practice(db_session).lock_date = date(2026, 8, 1)
    with pytest.raises(LedgerError, match="locked before"):
        approve_invoice(db_session, books.admin, invoice)
    db_session.rollback()
    assert db_session.get(SupplierInvoice, invoice.id).status == InvoiceStatus.DRAFT


def test_two_people_paying_at_once_cannot_overpay(app, db_session, books, supplier):
    """The second payer waits for the first's row lock, then sees only what is left owing."""
    invoice_id = approved(books, db_session, supplier).id
    bank_id = books.account("1-1000").id
    first = new_session()
    pay_invoice(first, None, invoice_id, bank_account_id=bank_id, date=JULY, amount=D("160.00"))
    result = second_person_waits(first, lambda second: pay_invoice(
        second, None, invoice_id, bank_account_id=bank_id, date=JULY, amount=D("160.00")))
    assert result == "SI-00001 is paid: only an approved invoice with something owing can be paid."


# Credit notes


def credit_note(books, db_session, supplier, ref="CN-1", lines=None, on=JULY):
    from accounting.office.supplier_credits import create_credit

    lines = lines or [("Returned paper", "20.00", "6-2400", False)]
    credit = create_credit(db_session, books.admin, InvoiceDetails(
        supplier.id, ref, on, on,
        [InvoiceLineInput(d, D(a), books.account(code).id, free) for d, a, code, free in lines]))
    db_session.commit()
    return credit


def apply(books, db_session, credit, allocations, on=JULY):
    from accounting.office.supplier_credits import apply_credit

    result = apply_credit(db_session, books.admin, credit.id,
                          {invoice.id: D(amount) for invoice, amount in allocations}, date=on)
    db_session.commit()
    return result


def test_a_credit_note_posts_payables_against_the_expense_and_gst(books, db_session, supplier):
    credit = credit_note(books, db_session, supplier, lines=[
        ("Returned paper", "20.00", "6-2400", False), ("Refund of fee", "5.00", "5-1000", True)])
    assert credit.number == "SC-00001" and credit.total == D("27.00")
    assert credit.journal.kind == "vendor_credit" and credit.journal.reference == "SC-00001"
    assert lines_of(credit.journal) == [
        ("2-1000", "27.00"), ("6-2400", "-20.00"), ("5-1000", "-5.00"), ("2-1200", "-2.00")]


def test_a_credit_is_applied_to_several_invoices_of_its_supplier(books, db_session, supplier):
    first = approved(books, db_session, supplier, ref="A")
    second = approved(books, db_session, supplier, ref="B")
    credit = credit_note(books, db_session, supplier, lines=[("Rebate", "200.00", "6-2400", False)])
    apply(books, db_session, credit, [(first, "160.00"), (second, "50.00")])
    assert (first.status, first.amount_owed) == (InvoiceStatus.PAID, D("0.00"))
    assert (second.status, second.amount_owed) == (InvoiceStatus.PART_PAID, D("110.00"))
    assert (credit.remaining, credit.status.value) == (D("10.00"), "open")
    pay(books, db_session, second, "110.00")
    assert second.status == InvoiceStatus.PAID
    apply(books, db_session, credit, [(approved(books, db_session, supplier, ref="C"), "10.00")])
    assert credit.status.value == "applied"


def test_a_credit_is_refused_for_another_suppliers_invoice(books, db_session, supplier):
    other = save_supplier(db_session, books.admin, SupplierDetails(name="Telstra"))
    theirs = approved(books, db_session, other, ref="T1")
    credit = credit_note(books, db_session, supplier)
    with pytest.raises(LedgerError) as refusal:
        apply(books, db_session, credit, [(theirs, "1.00")])
    assert "Telstra's invoice" in refusal.value.message and refusal.value.field == f"apply-{theirs.id}"


def test_applying_more_than_is_left_or_owed_is_refused(books, db_session, supplier):
    invoice = approved(books, db_session, supplier, lines=[("x", "10.00", "6-2400", True)])
    credit = credit_note(books, db_session, supplier)  # 22.00
    with pytest.raises(LedgerError, match="22.00 is left"):
        apply(books, db_session, credit, [(invoice, "22.01")])
    db_session.rollback()
    with pytest.raises(LedgerError, match="10.00 owing"):
        apply(books, db_session, credit, [(invoice, "10.01")])
    db_session.rollback()
    draft_invoice = draft(books, db_session, supplier, ref="D")
    with pytest.raises(LedgerError, match="is draft"):
        apply(books, db_session, credit, [(draft_invoice, "1.00")])


def test_an_invoice_with_a_credit_applied_cannot_be_voided(books, db_session, supplier):
    invoice = approved(books, db_session, supplier)
    apply(books, db_session, credit_note(books, db_session, supplier), [(invoice, "5.00")])
    assert invoice.amount_owed == D("155.00")
    with pytest.raises(LedgerError, match="credit notes is applied"):
        void_invoice(db_session, books.admin, invoice, date=JULY, reason="x")


def test_a_credit_note_number_is_unique_per_supplier(books, db_session, supplier):
    credit_note(books, db_session, supplier, ref="CN-9")
    with pytest.raises(LedgerError) as refusal:
        credit_note(books, db_session, supplier, ref="CN-9")
    assert refusal.value.field == "supplier_ref" and "SC-00001" in refusal.value.message


# Purchase orders


def order_details(books, supplier, lines=None, delivery=date(2026, 7, 20)):
    from accounting.office.purchase_orders import OrderDetails, OrderLineInput

    lines = lines if lines is not None else [("Paper reams", "3", "12.50", "6-2400", False),
                                             ("Filing", "1.5", "10.00", "5-1000", True)]
    return OrderDetails(supplier.id, JULY, delivery, [
        OrderLineInput(d, D(q), D(p), books.account(c).id, f) for d, q, p, c, f in lines])


def test_a_purchase_order_is_numbered_edited_sent_and_posts_nothing(books, db_session, supplier):
    from accounting.office.purchase_orders import create_order, mark_order_sent, update_order

    order = create_order(db_session, books.admin, order_details(books, supplier))
    assert order.number == "PO-00001" and order.status.value == "draft"
    assert (order.subtotal, order.gst, order.total) == (D("52.50"), D("3.75"), D("56.25"))
    update_order(db_session, books.admin, order, order_details(books, supplier, lines=[
        ("Toner", "2", "0.25", "6-2400", False)]))
    assert (order.subtotal, order.gst, order.total) == (D("0.50"), D("0.05"), D("0.55"))
    mark_order_sent(db_session, books.admin, order)
    db_session.commit()
    assert order.status.value == "sent"
    with pytest.raises(LedgerError, match="only a draft order"):
        update_order(db_session, books.admin, order, order_details(books, supplier))
    assert db_session.scalar(select(func.count()).select_from(Journal)) == 0


@pytest.mark.parametrize(("lines", "delivery", "field"), [
    ([], date(2026, 7, 20), "lines"),
    ([("x", "0", "1", "6-2400", False)], None, "lines-0-quantity"),
    ([("x", "1", "-1", "6-2400", False)], None, "lines-0-unit_price"),
    ([("x", "1", "1", "4-1000", False)], None, "lines-0-account"),
    ([("", "1", "1", "6-2400", False)], None, "lines-0-description"),
    ([("x", "1", "1", "6-2400", False)], date(2026, 7, 1), "delivery_date"),
])
def test_a_bad_purchase_order_is_refused(books, db_session, supplier, lines, delivery, field):
    from accounting.office.purchase_orders import create_order

    with pytest.raises(LedgerError) as refusal:
        create_order(db_session, books.admin, order_details(books, supplier, lines, delivery))
    assert refusal.value.field == field
