"""Exactly once after Xero's 6 minutes: a batch left SENDING by a crash is looked up in Xero
(its Idempotency-Key is forgotten by then), so a restart links what Xero has and sends only the rest.

Each test "crashes" a drain between its call and recording the answer, then restarts it 7 minutes
later on both clocks: ours (DrainSettings.now) and the sandbox's (advanced past its 360 s of
idempotency)."""

from __future__ import annotations

from datetime import timedelta

from accounting.base import utcnow
from integrations.xero import invoices, payments
from integrations.xero.drain import NOT_LOOKED_UP, DrainReport, DrainSettings, _Drain
from integrations.xero.outbox import OutboxState
from tests.integrations.conftest import sandbox_control

LATER = timedelta(minutes=7)


def _crash_mid_batch(pushing, stage, *, reached_xero: bool) -> None:
    """Claim the stage's waiting rows as one batch; send it (or not); lose the answer."""
    drain = _Drain(pushing.session, pushing.api(), pushing.tenant_id,
                   DrainSettings(sleep=lambda s: None), DrainReport())
    drain.cut_off_at_lock_date()
    drain.push_new_contacts()
    rows = [row for row in pushing.outbox()
            if row.kind == stage.KIND and row.state is OutboxState.WAITING]
    elements = [stage.build(pushing.session, pushing.tenant_id, row) for row in rows]
    key = drain._claim(rows, stage.KIND)
    if reached_xero:
        stage.send(pushing.api(), pushing.tenant_id, elements, key)
    pushing.session.rollback()
    assert {row.state for row in pushing.outbox() if row.kind == stage.KIND} == {OutboxState.SENDING}


def _restart_later(pushing):
    sandbox_control(pushing.live, "clock", advance_seconds=LATER.total_seconds())
    return pushing.drain(now=lambda: utcnow() + LATER)


def test_invoices_xero_made_before_the_crash_are_found_by_number_and_not_sent_again(pushing):
    bills = [pushing.bill(commit=False) for _ in range(3)]
    pushing.session.commit()
    _crash_mid_batch(pushing, invoices, reached_xero=True)

    report = _restart_later(pushing)

    assert report.sent == 3 and report.failed == 0, report
    assert report.calls_by_endpoint["invoices lookup"] == 1
    assert "invoices" not in report.calls_by_endpoint  # nothing sent again
    for bill in bills:
        assert len(pushing.invoices(bill.number)) == 1
    assert {row.state for row in pushing.outbox()} == {OutboxState.SENT}


def test_invoices_xero_never_received_are_sent_after_the_lookup_finds_nothing(pushing):
    bills = [pushing.bill(commit=False) for _ in range(2)]
    pushing.session.commit()
    _crash_mid_batch(pushing, invoices, reached_xero=False)

    report = _restart_later(pushing)

    assert report.sent == 2, report
    assert report.calls_by_endpoint["invoices lookup"] == 1
    assert report.calls_by_endpoint["invoices"] == 1
    for bill in bills:
        assert len(pushing.invoices(bill.number)) == 1


def test_payments_xero_made_before_the_crash_are_found_on_their_invoice(pushing):
    first, second = pushing.bill(), pushing.bill()
    assert pushing.drain().sent == 2
    pushing.pay(first, "100.00")
    pushing.pay(first, "100.00")  # the same date, amount and reference: two payments, not one
    pushing.pay(second, "250.00")
    _crash_mid_batch(pushing, payments, reached_xero=True)

    report = _restart_later(pushing)

    assert report.sent == 3 and report.failed == 0, report
    assert "payments" not in report.calls_by_endpoint
    assert len(pushing.invoices(first.number)[0].payments) == 2
    assert len(pushing.invoices(second.number)[0].payments) == 1
    linked = {row.id for row in pushing.outbox() if row.kind == "bill_payment"
              and row.state is OutboxState.SENT}
    assert len(linked) == 3


def test_within_the_six_minutes_the_batch_is_replayed_not_looked_up(pushing):
    pushing.bill()
    _crash_mid_batch(pushing, invoices, reached_xero=True)

    report = pushing.drain()

    assert report.sent == 1
    assert "invoices lookup" not in report.calls_by_endpoint
    assert report.calls_by_endpoint["invoices"] == 1


def test_a_stage_that_cannot_look_up_fails_the_batch_rather_than_risk_a_copy(pushing, monkeypatch):
    bill = pushing.bill()
    _crash_mid_batch(pushing, invoices, reached_xero=True)
    monkeypatch.delattr(invoices, "find_sent")

    report = _restart_later(pushing)

    assert report.failed == 1 and report.sent == 0, report
    [row] = [row for row in pushing.outbox() if row.kind == "bill"]
    assert row.state is OutboxState.FAILED and row.last_error == NOT_LOOKED_UP
    assert len(pushing.invoices(bill.number)) == 1


