"""The push on the pages (BeautifulSoup): the integrations page's counts and failures with Retry
(admins only; a bad retry is a 4xx that changes nothing), and each document's own Xero state
(bills, credit notes, supplier invoices)."""

from __future__ import annotations

from integrations.xero.outbox import OutboxState
from tests.support import html, text_of


def _fail_one(pushing):
    """One bill Xero cannot take (its account unmapped), one it takes."""
    from integrations.mapping import AccountMapping

    recovered = pushing.books.account("4-2000")
    pushing.session.query(AccountMapping).filter_by(account_id=recovered.id).delete()
    pushing.session.commit()
    bad = pushing.bill(("4-2000", "50.00", "gst_free"))
    good = pushing.bill()
    pushing.drain()
    return bad, good


def test_the_integrations_page_counts_and_lists_failures_with_what_to_do(client, auth, pushing):
    bad, _ = _fail_one(pushing)
    pushing.bill()  # still waiting
    auth.login()
    page = html(client.get("/integrations/"))
    push = page.find(id="xero-push")
    assert text_of(push.find(attrs={"data-count": "waiting"})) == "1"
    assert text_of(push.find(attrs={"data-count": "sent"})) == "1"
    assert text_of(push.find(attrs={"data-count": "failed"})) == "1"
    [failure] = push.select("tr[data-failure]")
    assert bad.number in text_of(failure)
    assert "4-2000" in text_of(failure) and "Map it" in text_of(failure)
    assert failure.find("button", string="Retry") is not None


def test_the_integrations_page_names_a_failed_credit_note_with_what_to_do(client, auth, pushing):
    from integrations.mapping import AccountMapping

    recovered = pushing.books.account("4-2000")
    pushing.session.query(AccountMapping).filter_by(account_id=recovered.id).delete()
    pushing.session.commit()
    bad = pushing.credit_note(("4-2000", "40.00", "gst_free"))
    pushing.credit_note()
    pushing.drain()
    auth.login()
    push = html(client.get("/integrations/")).find(id="xero-push")
    assert text_of(push.find(attrs={"data-count": "sent"})) == "1"
    [failure] = push.select("tr[data-failure]")
    assert f"Credit note {bad.number}" in text_of(failure)
    assert "4-2000" in text_of(failure) and "Map it" in text_of(failure)


def test_staff_see_failures_but_no_retry_and_cannot_post_one(client, auth, pushing):
    _fail_one(pushing)
    auth.login("staff@example.com")
    push = html(client.get("/integrations/")).find(id="xero-push")
    assert push.select("tr[data-failure]") and push.find("button") is None
    assert client.submit("/integrations/xero/retry", {"row_id": "all"}).status_code == 403


def test_retry_puts_a_failure_back_to_waiting_and_bad_retries_change_nothing(client, auth,
                                                                             pushing):
    bad, _ = _fail_one(pushing)
    auth.login()
    failed = next(row for row in pushing.outbox() if row.state is OutboxState.FAILED)
    for row_id, status in (("", 400), ("abc", 400), ("99999", 404)):
        response = client.submit("/integrations/xero/retry", {"row_id": row_id})
        assert response.status_code == status, row_id
        assert text_of(html(response).find("main") or html(response))
        assert next(r for r in pushing.outbox() if r.id == failed.id).state is OutboxState.FAILED
    response = client.submit("/integrations/xero/retry", {"row_id": str(failed.id)})
    assert response.status_code == 303
    again = next(r for r in pushing.outbox() if r.id == failed.id)
    assert again.state is OutboxState.WAITING and again.send_round == 1


def test_a_bills_page_shows_its_xero_state(client, auth, pushing):
    bill = pushing.bill()
    auth.login()
    state = html(client.get(f"/billing/{bill.id}")).find(id="xero-state")
    assert state["data-xero-state"] == "waiting"
    pushing.drain()
    state = html(client.get(f"/billing/{bill.id}")).find(id="xero-state")
    assert state["data-xero-state"] == "linked"
    assert f"In Xero as {bill.number}" in text_of(state)


def test_a_failed_bills_page_shows_xeros_message(client, auth, pushing):
    bad, _ = _fail_one(pushing)
    auth.login()
    state = html(client.get(f"/billing/{bad.id}")).find(id="xero-state")
    assert state["data-xero-state"] == "failed"
    assert "4-2000" in text_of(state) and "Retry it in Integrations" in text_of(state)


def test_a_credit_notes_page_shows_its_xero_state(client, auth, pushing):
    note = pushing.credit_note()
    auth.login()
    state = html(client.get(f"/billing/credit-notes/{note.id}")).find(id="xero-state")
    assert state["data-xero-state"] == "waiting"
    pushing.drain()
    state = html(client.get(f"/billing/credit-notes/{note.id}")).find(id="xero-state")
    assert state["data-xero-state"] == "linked"
    assert f"In Xero as {note.number}" in text_of(state)


def test_a_supplier_invoices_page_shows_its_xero_state(client, auth, pushing):
    from tests.integrations.push.test_push_suppliers import _approved, _supplier

    invoice = _approved(pushing, _supplier(pushing), ref="OW-2002")
    auth.login()
    state = html(client.get(f"/suppliers/invoices/{invoice.id}")).find(id="xero-state")
    assert state["data-xero-state"] == "waiting"
    pushing.drain()
    state = html(client.get(f"/suppliers/invoices/{invoice.id}")).find(id="xero-state")
    assert state["data-xero-state"] == "linked" and "In Xero as OW-2002" in text_of(state)


def test_a_document_page_shows_no_xero_panel_when_the_practice_is_not_connected(client, auth,
                                                                                books):
    from tests.integrations.push.conftest import Pushing

    bill = Pushing(books.session, books, "", None).bill()
    auth.login()
    assert html(client.get(f"/billing/{bill.id}")).find(id="xero-state") is None
