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
