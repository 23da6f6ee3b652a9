"""Suppliers against the sandbox: a supplier becomes one Xero contact before its first invoice, an
approved supplier invoice one AUTHORISED ACCPAY bill with the supplier's number and our figures on
the mapped accounts, its payment one Payment from the mapped bank; a resend after a crash makes no
duplicate; one bad element fails alone with what to do; linked means locked."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from accounting.errors import DocumentLocked, TransactionLocked
from integrations.xero.outbox import OutboxState


def _supplier(pushing, name="Officeworks"):
    from accounting.office.suppliers import SupplierDetails, save_supplier

    supplier = save_supplier(pushing.session, pushing.books.admin, SupplierDetails(
        name=name, abn="51 824 753 556", email="ap@officeworks.example",
        address="Level 2\n12 Smith St\nSydney NSW 2000"))
    pushing.session.commit()
    return supplier


def _approved(pushing, supplier, ref="OW-1001", lines=None, commit=True):
    from accounting.office.supplier_invoices import (
        InvoiceDetails,
        InvoiceLineInput,
        approve_invoice,
        create_invoice,
    )

    lines = lines or [("Paper", "100.00", "6-2400", False), ("Court fee", "50.00", "5-1000", True)]
    invoice = create_invoice(pushing.session, pushing.books.admin, InvoiceDetails(
        supplier.id, ref, pushing.today, pushing.today + timedelta(days=30),
        [InvoiceLineInput(text, Decimal(amount), pushing.books.account(code).id, free)
         for text, amount, code, free in lines]))
    approve_invoice(pushing.session, pushing.books.admin, invoice)
    if commit:
        pushing.session.commit()
    return invoice


def _pay(pushing, invoice, amount="55.00"):
    from accounting.office.supplier_invoices import pay_invoice

    payment = pay_invoice(pushing.session, pushing.books.admin, invoice.id,
                          bank_account_id=pushing.books.account("1-1000").id,
                          date=pushing.today, amount=Decimal(amount), reference="EFT 77")
    pushing.session.commit()
    return payment


def _bills(pushing, invoice):
    """The sandbox's ACCPAY bills of our supplier invoice: its supplier's number, and our number
    starting each line's description."""
    found = pushing.api().get_invoices(pushing.tenant_id, invoice_numbers=[invoice.supplier_ref],
                                       page=1).invoices
    return [bill for bill in found if _text(bill.type) == "ACCPAY" and bill.line_items
            and all(line.description.startswith(f"{invoice.number}: ") for line in bill.line_items)]


def _mapped_code(pushing, code):
    from integrations.mapping import account_mappings

    return account_mappings(pushing.session, pushing.tenant_id)[
        pushing.books.account(code).id].xero_code


def _text(value) -> str:
    return str(getattr(value, "value", value))


def test_a_supplier_invoice_becomes_one_accpay_bill_with_the_same_ledger_effect(pushing):
    supplier = _supplier(pushing)
    invoice = _approved(pushing, supplier)
    [row] = pushing.outbox()
    assert row.kind == "purchase_invoice" and row.state is OutboxState.WAITING

    report = pushing.drain()

    assert report.sent == 1 and report.failed == 0, report
    [bill] = _bills(pushing, invoice)
    assert _text(bill.type) == "ACCPAY" and _text(bill.status) == "AUTHORISED"
    assert bill.invoice_number == "OW-1001"
    assert bill.due_date == invoice.due_date
    # Our journal, per mapped account, equals the Xero bill's: each expense line, the GST, the total.
    ours = {line.account.code: line.amount for line in invoice.journal.lines}
    by_line = {(line.account_code, _text(line.tax_type)): Decimal(str(line.line_amount))
               for line in bill.line_items}
    assert by_line == {(_mapped_code(pushing, "6-2400"), "INPUT"): ours["6-2400"],
                       (_mapped_code(pushing, "5-1000"), "EXEMPTEXPENSES"): ours["5-1000"]}
    assert Decimal(str(bill.total_tax)) == invoice.gst == Decimal("10.00")
    assert Decimal(str(bill.total)) == -min(ours.values()) == invoice.total
    # The supplier became one contact, with our code as its number.
    assert bill.contact.name == "Officeworks"
    contact = pushing.api().get_contact(pushing.tenant_id, bill.contact.contact_id).contacts[0]
    assert contact.contact_number == f"SUP-{supplier.id:05d}"
    # Linked means locked, with the supplier's number.
    pushing.session.expire_all()
    assert invoice.locked_reason == "In Xero as OW-1001"
    from accounting.office.supplier_invoices import void_invoice

    with pytest.raises(TransactionLocked, match="In Xero as OW-1001"):
        void_invoice(pushing.session, pushing.books.admin, invoice, date=pushing.today,
                     reason="Entered twice")


def test_two_invoices_of_one_supplier_make_one_contact_and_it_follows_changes(pushing):
    from accounting.office.suppliers import SupplierDetails, save_supplier

    supplier = _supplier(pushing)
    _approved(pushing, supplier, ref="OW-1", commit=False)
    _approved(pushing, supplier, ref="OW-2")
    report = pushing.drain()
    assert report.sent == 2, report
    named = [c for c in pushing.api().get_contacts(pushing.tenant_id).contacts
             if c.contact_number == f"SUP-{supplier.id:05d}"]
    assert len(named) == 1

    save_supplier(pushing.session, pushing.books.admin, SupplierDetails(
        name="Officeworks Ltd", abn="51 824 753 556"), supplier)
    pushing.session.commit()
    [change] = [row for row in pushing.outbox() if row.kind == "contact"]
    assert (change.party_kind, change.party_id) == ("supplier", supplier.id)
    assert pushing.drain().sent == 1
    contact = pushing.api().get_contact(pushing.tenant_id, named[0].contact_id).contacts[0]
    assert contact.name == "Officeworks Ltd"


def test_a_supplier_payment_becomes_one_payment_on_the_bill_from_the_mapped_bank(pushing):
    invoice = _approved(pushing, _supplier(pushing))
    payment = _pay(pushing, invoice, "55.00")
    report = pushing.drain()
    assert report.sent == 2 and report.failed == 0, report
    [bill] = _bills(pushing, invoice)
    ours = [p for p in pushing.api().get_payments(pushing.tenant_id).payments
            if p.invoice.invoice_id == bill.invoice_id]
    assert len(ours) == 1 and Decimal(str(ours[0].amount)) == Decimal("55.00")
    assert ours[0].account.code == _mapped_code(pushing, "1-1000")
    assert Decimal(str(_bills(pushing, invoice)[0].amount_due)) == invoice.total - Decimal("55")
    pushing.session.expire_all()
    assert payment.locked_reason == "In Xero as a payment on OW-1001"
    from accounting.office.supplier_invoices import undo_payment

    with pytest.raises(DocumentLocked):
        undo_payment(pushing.session, pushing.books.admin, payment.id, date=pushing.today,
                     reason="Wrong amount")


def test_a_batch_of_supplier_invoices_resent_after_a_crash_makes_no_duplicate(pushing):
    from integrations.xero import purchase_invoices

    supplier = _supplier(pushing)
    invoices = [_approved(pushing, supplier, ref=f"OW-9{n}", commit=False) for n in range(3)]
    pushing.session.commit()
    pushing.send_and_crash(purchase_invoices)
    assert {row.state for row in pushing.outbox()} == {OutboxState.SENDING}

    report = pushing.drain()

    assert report.sent == 3 and report.failed == 0, report
    for invoice in invoices:
        assert len(_bills(pushing, invoice)) == 1
    assert {row.state for row in pushing.outbox()} == {OutboxState.SENT}


def test_an_unmapped_expense_account_fails_alone_with_what_to_do(pushing):
    from integrations.mapping import AccountMapping

    supplier = _supplier(pushing)
    good = _approved(pushing, supplier, ref="OW-GOOD", lines=[("Paper", "10.00", "6-2400", False)],
                     commit=False)
    bad = _approved(pushing, supplier, ref="OW-BAD", lines=[("Fee", "20.00", "5-1000", True)])
    pushing.session.query(AccountMapping).filter_by(
        account_id=pushing.books.account("5-1000").id).delete()
    pushing.session.commit()

    report = pushing.drain()

    assert report.sent == 1 and report.failed == 1, report
    assert len(_bills(pushing, good)) == 1 and _bills(pushing, bad) == []
    [failed] = [row for row in pushing.outbox() if row.state is OutboxState.FAILED]
    assert "Integrations > Mapping" in failed.last_error and "retry" in failed.last_error


def test_an_element_xero_refuses_fails_alone_with_xeros_message(pushing):
    from integrations.mapping import AccountMapping

    supplier = _supplier(pushing)
    good = _approved(pushing, supplier, ref="OW-OK", lines=[("Paper", "10.00", "6-2400", False)],
                     commit=False)
    bad = _approved(pushing, supplier, ref="OW-NO", lines=[("Fee", "20.00", "5-1000", True)])
    mapping = pushing.session.query(AccountMapping).filter_by(
        account_id=pushing.books.account("5-1000").id).one()
    mapping.xero_code = "999999"  # a code Xero's chart does not have
    pushing.session.commit()

    report = pushing.drain()

    assert report.sent == 1 and report.failed == 1, report
    assert len(_bills(pushing, good)) == 1 and _bills(pushing, bad) == []
    [failed] = [row for row in pushing.outbox() if row.state is OutboxState.FAILED]
    assert "Check the account mapping" in failed.last_error


def test_a_payment_whose_invoice_failed_waits_and_says_for_what(pushing):
    from integrations.mapping import AccountMapping

    invoice = _approved(pushing, _supplier(pushing), lines=[("Fee", "20.00", "5-1000", True)])
    _pay(pushing, invoice, "5.00")
    pushing.session.query(AccountMapping).filter_by(
        account_id=pushing.books.account("5-1000").id).delete()
    pushing.session.commit()
    pushing.drain()
    [payment_row] = [row for row in pushing.outbox() if row.kind == "ap_payment"]
    assert payment_row.state is OutboxState.WAITING
    assert payment_row.reason.startswith(f"Waiting for {invoice.number}, which failed")

