"""The push against the sandbox: a bill becomes one AUTHORISED ACCREC invoice with our number and
our figures on the mapped accounts, a payment one Payment; batches; replays; one bad element
fails alone; linked means locked."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounting.errors import DocumentLocked
from integrations.xero.outbox import OutboxState


def test_a_posted_bill_becomes_one_authorised_invoice_with_our_number_and_figures(pushing):
    bill = pushing.bill(("4-1000", "1000.00", "gst"), ("4-1000", "250.00", "gst"),
                        ("4-2000", "80.00", "gst_free"))
    [row] = pushing.outbox()
    assert row.state is OutboxState.WAITING and row.kind == "bill"

    report = pushing.drain()

    assert report.sent == 1 and report.failed == 0, report
    [invoice] = pushing.invoices(bill.number)
    assert _text(invoice.type) == "ACCREC" and _text(invoice.status) == "AUTHORISED"
    assert invoice.invoice_number == bill.number
    assert Decimal(str(invoice.total)) == bill.total
    assert Decimal(str(invoice.total_tax)) == bill.gst
    # Lines summed per income account and tax type, on the mapped codes.
    by_code = {(line.account_code, _text(line.tax_type)): Decimal(str(line.line_amount))
               for line in invoice.line_items}
    mapped = {m.account_id: m.xero_code for m in _mappings(pushing)}
    fees, recovered = pushing.books.account("4-1000"), pushing.books.account("4-2000")
    assert by_code == {(mapped[fees.id], "OUTPUT"): Decimal("1250.00"),
                       (mapped[recovered.id], "EXEMPTOUTPUT"): Decimal("80.00")}
    assert invoice.contact.name == "Acme Pty Ltd"
    [row] = pushing.outbox()
    assert row.state is OutboxState.SENT


def _mappings(pushing):
    from integrations.mapping import account_mappings

    return account_mappings(pushing.session, pushing.tenant_id).values()


def _text(value) -> str:
    """An SDK enum or plain string, as its text."""
    return str(getattr(value, "value", value))


def test_a_payment_becomes_one_payment_on_the_invoice(pushing):
    bill = pushing.bill()
    pushing.pay(bill, "400.00")
    report = pushing.drain()
    assert report.sent == 2 and report.failed == 0, report
    [invoice] = pushing.invoices(bill.number)
    payments = pushing.api().get_payments(pushing.tenant_id).payments
    ours = [p for p in payments if p.invoice.invoice_id == invoice.invoice_id]
    assert len(ours) == 1 and Decimal(str(ours[0].amount)) == Decimal("400.00")
    assert ours[0].account.code == "090"
    assert Decimal(str(pushing.invoices(bill.number)[0].amount_due)) == bill.total - Decimal("400")


def test_120_bills_drain_in_3_invoice_calls(pushing):
    for number in range(120):
        pushing.bill(("4-1000", f"{100 + number}.00", "gst"),
                     client=f"Client {number % 4}", commit=False)
    pushing.session.commit()
    report = pushing.drain()
    assert report.sent == 120 and report.failed == 0, report
    assert report.calls_by_endpoint["invoices"] == 3
    # Contacts: one read of Xero's contacts, one batch creating the four clients.
    assert report.calls_by_endpoint["Contacts"] == 2
    assert {row.state for row in pushing.outbox()} == {OutboxState.SENT}


def test_a_batch_resent_after_a_crash_replays_and_makes_no_duplicate(pushing):
    from integrations.xero import invoices

    bills = [pushing.bill(commit=False) for _ in range(3)]
    pushing.session.commit()
    pushing.send_and_crash(invoices)
    assert {row.state for row in pushing.outbox()} == {OutboxState.SENDING}

    report = pushing.drain()  # the restart, within Xero's 6 minutes

    assert report.sent == 3 and report.failed == 0, report
    for bill in bills:
        assert len(pushing.invoices(bill.number)) == 1
    assert {row.state for row in pushing.outbox()} == {OutboxState.SENT}


def test_one_unmapped_account_fails_alone_with_its_message_and_the_rest_link(pushing):
    from integrations.mapping import AccountMapping

    good = pushing.bill()
    interest = pushing.books.account("4-2000")
    pushing.session.query(AccountMapping).filter_by(account_id=interest.id).delete()
    pushing.session.commit()
    bad = pushing.bill(("4-2000", "50.00", "gst_free"))
    also_good = pushing.bill()

    report = pushing.drain()

    assert report.sent == 2 and report.failed == 1, report
    states = {row.journal_id: row for row in pushing.outbox()}
    failed = states[bad.journal_id]
    assert failed.state is OutboxState.FAILED
    assert "4-2000" in failed.last_error and "not mapped" in failed.last_error
    assert states[good.journal_id].state is OutboxState.SENT
    assert states[also_good.journal_id].state is OutboxState.SENT
    assert pushing.invoices(bad.number) == []


def test_one_element_xero_refuses_fails_alone_with_xeros_message(pushing):
    from integrations.mapping import AccountMapping

    fees = pushing.books.account("4-2000")
    mapping = pushing.session.query(AccountMapping).filter_by(account_id=fees.id).one()
    mapping.xero_code = "999"  # a code Xero does not have (the chart changed after mapping)
    pushing.session.commit()
    bad = pushing.bill(("4-2000", "50.00", "gst_free"))
    good = pushing.bill()
    report = pushing.drain()
    assert report.sent == 1 and report.failed == 1, report
    rows = {row.journal_id: row for row in pushing.outbox()}
    assert rows[bad.journal_id].state is OutboxState.FAILED
    assert "999" in rows[bad.journal_id].last_error
    assert "retry" in rows[bad.journal_id].last_error
    assert rows[good.journal_id].state is OutboxState.SENT


def test_a_payment_whose_invoice_failed_waits_and_says_for_what(pushing):
    from integrations.mapping import AccountMapping

    fees = pushing.books.account("4-2000")
    pushing.session.query(AccountMapping).filter_by(account_id=fees.id).delete()
    pushing.session.commit()
    bill = pushing.bill(("4-2000", "500.00", "gst_free"))
    pushing.pay(bill, "100.00")
    pushing.drain()
    payment_row = next(row for row in pushing.outbox() if row.kind == "bill_payment")
    assert payment_row.state is OutboxState.WAITING
    assert f"Waiting for {bill.number}, which failed" in payment_row.reason


def test_a_linked_bill_cannot_be_voided_here_and_says_its_xero_number(pushing):
    from accounting.office.billing import void_bill

    bill = pushing.bill()
    pushing.drain()
    pushing.session.refresh(bill)
    with pytest.raises(DocumentLocked, match=f"In Xero as {bill.number}"):
        void_bill(pushing.session, pushing.books.admin, bill, on=pushing.today, reason="Test correction")
    pushing.session.rollback()


def test_a_linked_payment_cannot_be_undone_here(pushing):
    from accounting.office.billing import undo_event

    bill = pushing.bill()
    payment = pushing.pay(bill, "100.00")
    pushing.drain()
    with pytest.raises(DocumentLocked, match="In Xero as"):
        undo_event(pushing.session, pushing.books.admin, payment.id, date=pushing.today,
                   reason="Bounced")
    pushing.session.rollback()


def test_the_outbox_row_is_written_in_the_postings_transaction(pushing):
    from sqlalchemy import func, select

    from integrations.xero.outbox import OutboxRow

    pushing.bill(commit=False)
    pushing.session.flush()
    assert pushing.session.scalar(select(func.count()).select_from(OutboxRow)) == 1
    pushing.session.rollback()
    assert pushing.outbox() == []


def test_a_bill_voided_while_waiting_is_never_sent(pushing):
    from accounting.office.billing import void_bill

    bill = pushing.bill()
    void_bill(pushing.session, pushing.books.admin, bill, on=pushing.today, reason="Test correction")
    pushing.session.commit()
    [row] = pushing.outbox()
    assert row.state is OutboxState.NOT_SENT and "Reversed here" in row.reason
    report = pushing.drain()
    assert report.sent == 0 and report.calls == 0
    assert pushing.invoices(bill.number) == []


def test_a_bill_being_sent_cannot_be_voided_until_xero_answers(pushing):
    from accounting.office.billing import void_bill

    bill = pushing.bill()
    [row] = pushing.outbox()
    row.state = OutboxState.SENDING
    pushing.session.commit()
    with pytest.raises(DocumentLocked, match="being sent to Xero"):
        void_bill(pushing.session, pushing.books.admin, bill, on=pushing.today, reason="Test correction")
    pushing.session.rollback()


def test_general_journals_and_documents_before_the_connection_are_not_sent(pushing):
    from datetime import timedelta

    from accounting.ledger.journals import LineInput, post

    pushing.books.journal({"1-1000": "10.00", "4-1000": "-10.00"}, on=pushing.today)
    earlier = pushing.today - timedelta(days=3)
    post(pushing.session, pushing.books.admin, date=earlier, kind="bill", narration="Old bill",
         lines=[LineInput(pushing.books.account("1-1000").id, Decimal("5")),
                LineInput(pushing.books.account("4-1000").id, Decimal("-5"))])
    pushing.session.commit()
    general, old = pushing.outbox()
    assert general.state is OutboxState.NOT_SENT and "General journals" in general.reason
    assert old.state is OutboxState.NOT_SENT and "before the connection" in old.reason


def test_a_changed_client_already_in_xero_is_updated(pushing):
    from accounting.parties.clients import ClientDetails, save_client

    bill = pushing.bill()
    pushing.drain()
    client, _ = pushing.client()
    save_client(pushing.session, pushing.books.admin,
                ClientDetails(kind="company", name="Acme Holdings Pty Ltd",
                              email="accounts@acme.example"), client)
    pushing.session.commit()
    contact_row = next(row for row in pushing.outbox() if row.kind == "contact")
    assert contact_row.state is OutboxState.WAITING
    report = pushing.drain()
    assert report.sent == 1, report
    [invoice] = pushing.invoices(bill.number)
    contact = pushing.api().get_contact(pushing.tenant_id, invoice.contact.contact_id).contacts[0]
    assert contact.name == "Acme Holdings Pty Ltd"
    assert contact.email_address == "accounts@acme.example"
