"""The drain within Xero's limits, against the sandbox: 5xx and timeouts back off and go on, a
429 waits its Retry-After, a lost connection stops the drain with nothing dropped, and Xero's lock
date turns what it would refuse into "not sent"."""

from __future__ import annotations

from integrations.xero.outbox import OutboxState
from tests.integrations.conftest import sandbox_control


def test_a_503_then_a_500_back_off_and_the_batch_still_goes_once(pushing):
    bill = pushing.bill()
    waits = []
    # The Organisation read, the contacts read and creation pass; the invoices batch meets 503, 500.
    sandbox_control(pushing.live, "faults", clear=True, queue=[])
    pushing.drain(batch_size=50)  # contacts created, invoice sent
    second = pushing.bill()
    sandbox_control(pushing.live, "faults", clear=True, queue=["503", "503", "500"])
    report = pushing.drain(sleep=waits.append, backoff=(0.5, 1.0, 2.0, 4.0))
    assert report.sent == 1 and not report.stopped, report
    assert len(waits) >= 2  # the Organisation read and/or the batch backed off
    assert len(pushing.invoices(bill.number)) == 1 and len(pushing.invoices(second.number)) == 1


def test_xero_down_stops_the_drain_and_keeps_the_batch_for_the_same_key(pushing):
    pushing.drain()  # nothing yet: no call made
    bill = pushing.bill()
    sandbox_control(pushing.live, "faults", clear=True,
                    queue=["500"] * 10)
    report = pushing.drain(backoff=(0.0,))
    assert report.stopped and "did not answer" in report.stopped
    rows = pushing.outbox()
    assert all(row.state in (OutboxState.WAITING, OutboxState.SENDING) for row in rows)
    sandbox_control(pushing.live, "faults", clear=True, queue=[])
    report = pushing.drain()
    assert report.sent == 1, report
    assert len(pushing.invoices(bill.number)) == 1


def test_a_429_waits_its_retry_after_then_goes_on(pushing):
    pushing.bill()
    sandbox_control(pushing.live, "limits", LIMIT_MINUTE=3)
    waits = []
    report = pushing.drain(sleep=lambda seconds: (waits.append(seconds),
                                                 sandbox_control(pushing.live, "limits",
                                                                 LIMIT_MINUTE=60)))
    assert report.sent == 1 and not report.stopped, report
    assert waits and all(seconds > 0 for seconds in waits)


def test_a_long_retry_after_stops_the_drain_with_rows_waiting(pushing):
    pushing.bill()
    sandbox_control(pushing.live, "limits", LIMIT_MINUTE=3)
    report = pushing.drain(max_retry_after=0.0)
    assert "limit" in report.stopped, report
    assert {row.state for row in pushing.outbox()} == {OutboxState.WAITING}


def test_a_lost_connection_stops_the_drain_and_drops_nothing(pushing):
    pushing.bill()
    sandbox_control(pushing.live, "faults", clear=True, queue=["disconnect"])
    report = pushing.drain()
    assert "connection is lost" in report.stopped, report
    assert {row.state for row in pushing.outbox()} == {OutboxState.WAITING}


def test_documents_on_or_before_xeros_lock_date_are_not_sent(pushing):
    bill = pushing.bill()
    sandbox_control(pushing.live, "lock-dates", tenant_id=pushing.tenant_id,
                    period_lock_date=pushing.today.isoformat())
    report = pushing.drain()
    assert report.sent == 0 and report.not_sent == 1, report
    [row] = pushing.outbox()
    assert row.state is OutboxState.NOT_SENT and "lock date" in row.reason
    assert pushing.invoices(bill.number) == []


def test_the_shared_budget_keeps_the_drain_within_xeros_minute_so_xero_never_says_429(pushing):
    from integrations.ratelimit import DatabaseBudget, Limits

    for number in range(120):
        pushing.bill(client=f"Client {number % 4}", commit=False)
    pushing.session.commit()
    sandbox_control(pushing.live, "limits", LIMIT_MINUTE=4)  # Xero allows 4 a minute, as we do
    budget = DatabaseBudget(pushing.session.get_bind(), Limits(per_minute=4), clock=pushing.clock)

    report = pushing.drain(budget=budget, sleep=lambda seconds: sandbox_control(
        pushing.live, "clock", advance_seconds=seconds))

    assert report.sent == 120 and not report.stopped, report
    # Organisation, contacts read and create, 3 invoice batches: 6 calls, none retried after a 429.
    assert report.calls == 6
    assert report.waited >= 55


def test_calls_other_consumers_made_count_and_a_long_wait_stops_with_nothing_sent(pushing):
    from integrations.ratelimit import DatabaseBudget

    pushing.bill()
    budget = DatabaseBudget(pushing.session.get_bind(), clock=pushing.clock)
    for _ in range(60):  # another consumer's minute
        budget.release(pushing.tenant_id, budget.take(pushing.tenant_id).lease)

    report = pushing.drain(budget=budget, max_retry_after=5)

    assert report.calls == 0 and "minute limit is reached" in report.stopped, report
    assert {row.state for row in pushing.outbox()} == {OutboxState.WAITING}
