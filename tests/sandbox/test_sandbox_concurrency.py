"""Concurrency with real threads: two organisations' requests proceed in parallel (the sandbox
used to run every request behind one lock, so no race could ever show up in a test), while one
organisation's requests stay consistent (numbers unique, no lost update of an amount due)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from sandbox import documents
from sandbox.seed import DEMO_ORG, TRIAL_ORG
from tests.sandbox.conftest import Connected
from tests.sandbox.test_sandbox_accounting import API, contact_id, invoice, one

WAIT = 10.0  # seconds; far above what one request takes, far below a hung test


def in_thread(connected: Connected, tenant: str) -> Connected:
    """The same connection with a client of its own, for use from another thread."""
    return Connected(client=connected.client.application.test_client(), token=connected.token,
                     tenant=tenant)


def run_together(*actions: Callable[[], Any]) -> list[Any]:
    """Start every action at once (a barrier), each in its own thread; their results in order."""
    results: list[Any] = [None] * len(actions)
    barrier = threading.Barrier(len(actions), timeout=WAIT)

    def attempt(i: int, action: Callable[[], Any]) -> None:
        barrier.wait()
        results[i] = action()

    threads = [threading.Thread(target=attempt, args=(i, action))
               for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 2)
        assert not thread.is_alive(), "a request never finished"
    return results


@pytest.fixture
def both(connect: Callable[..., Connected]) -> Connected:
    """The demo person connected to Demo Company (AU) and Trial Practice (AU)."""
    return connect(tenants=[DEMO_ORG, TRIAL_ORG])


def test_two_organisations_proceed_in_parallel(both: Connected, sandbox_app: Flask,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    demo_contact = contact_id(both)
    trial_contact = both.get(f"{API}/Contacts", tenant=TRIAL_ORG).json["Contacts"]
    trial_element = invoice(trial_contact[0]["ContactID"]) if trial_contact else {
        **invoice(""), "Contact": {"Name": "Trial client"}}
    demo_inside, trial_done = threading.Event(), threading.Event()
    real_resolve = documents.resolve_contact

    def held_for_demo(ctx: Any, ref: Any) -> Any:
        # Demo Company's request stops in the middle of its unit of work until Trial's is done.
        if ctx.org == DEMO_ORG:
            demo_inside.set()
            trial_done.wait(WAIT)
        return real_resolve(ctx, ref)

    monkeypatch.setattr(documents, "resolve_contact", held_for_demo)
    demo_side, trial_side = in_thread(both, DEMO_ORG), in_thread(both, TRIAL_ORG)
    outcome: dict[str, Any] = {}

    def demo_request() -> None:
        outcome["demo"] = demo_side.put(f"{API}/Invoices", {"Invoices": [invoice(demo_contact)]})

    worker = threading.Thread(target=demo_request)
    worker.start()
    assert demo_inside.wait(WAIT)
    outcome["trial"] = trial_side.put(f"{API}/Invoices", {"Invoices": [trial_element]})
    outcome["trial_finished_while_demo_held"] = "demo" not in outcome
    trial_done.set()
    worker.join(WAIT * 2)
    assert outcome["trial"].status_code == 200, outcome["trial"].get_data(as_text=True)
    assert outcome["trial_finished_while_demo_held"]
    assert outcome["demo"].status_code == 200
    assert outcome["demo"].json["Invoices"][0]["InvoiceNumber"] == "INV-0001"


def slowed(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make documents.<name> take a little while, so concurrent units of work surely overlap
    (without the organisation's lock they would all read the same committed state)."""
    real = getattr(documents, name)

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.02)
        return real(*args, **kwargs)

    monkeypatch.setattr(documents, name, slow)


def test_one_organisations_concurrent_batches_get_unique_numbers(
        demo: Connected, monkeypatch: pytest.MonkeyPatch) -> None:
    cid = contact_id(demo)
    slowed(monkeypatch, "resolve_contact")
    sides = [in_thread(demo, DEMO_ORG) for _ in range(5)]  # 5 = Xero's concurrent limit
    answers = run_together(*[
        (lambda side=side: side.put(f"{API}/Invoices", {"Invoices": [invoice(cid)] * 4},
                                    query={"summarizeErrors": "false"})) for side in sides])
    assert [answer.status_code for answer in answers] == [200] * 5
    numbers = [item["InvoiceNumber"] for answer in answers for item in answer.json["Invoices"]]
    assert sorted(numbers) == [f"INV-{n:04d}" for n in range(1, 21)]
    assert len(demo.get(f"{API}/Invoices").json["Invoices"]) == 20


def test_concurrent_payments_of_one_invoice_lose_no_update(
        demo: Connected, monkeypatch: pytest.MonkeyPatch) -> None:
    made = one(demo, "Invoices", invoice(contact_id(demo)))  # 100 + GST = 110
    slowed(monkeypatch, "account_ref")
    payment = {"Invoice": {"InvoiceID": made["InvoiceID"]}, "Account": {"Code": "090"},
               "Date": "2026-11-10", "Amount": 110}
    sides = [in_thread(demo, DEMO_ORG) for _ in range(4)]
    answers = run_together(*[
        (lambda side=side: side.put(f"{API}/Payments", {"Payments": [payment]},
                                    query={"summarizeErrors": "false"})) for side in sides])
    statuses = sorted(answer.json["Payments"][0]["StatusAttributeString"] for answer in answers)
    assert statuses == ["ERROR", "ERROR", "ERROR", "OK"]
    paid = demo.get(f"{API}/Invoices/{made['InvoiceID']}").json["Invoices"][0]
    assert (paid["Status"], paid["AmountPaid"], paid["AmountDue"]) == ("PAID", 110, 0)


def test_one_idempotency_key_sent_to_two_organisations_at_once_meets_one_record(
        both: Connected, monkeypatch: pytest.MonkeyPatch) -> None:
    demo_contact = contact_id(both)
    demo_inside, release = threading.Event(), threading.Event()
    real_resolve = documents.resolve_contact

    def held_for_demo(ctx: Any, ref: Any) -> Any:
        if ctx.org == DEMO_ORG:
            demo_inside.set()
            release.wait(WAIT)
        return real_resolve(ctx, ref)

    monkeypatch.setattr(documents, "resolve_contact", held_for_demo)
    element = {**invoice(demo_contact), "Contact": {"Name": "Same key client"}}
    outcome: dict[str, Any] = {}

    def send(name: str, tenant: str) -> None:
        side = in_thread(both, tenant)
        outcome[name] = side.put(f"{API}/Invoices", {"Invoices": [element]},
                                 **{"Idempotency-Key": "push-batch-1"})

    first = threading.Thread(target=send, args=("demo", DEMO_ORG))
    first.start()
    assert demo_inside.wait(WAIT)
    second = threading.Thread(target=send, args=("trial", TRIAL_ORG))
    second.start()
    second.join(0.5)
    waited_for_the_key = second.is_alive()
    release.set()
    first.join(WAIT * 2)
    second.join(WAIT * 2)
    assert waited_for_the_key
    assert outcome["demo"].status_code == 200
    assert outcome["trial"].status_code == 400
    assert "is used with a different request" in outcome["trial"].get_data(as_text=True)
