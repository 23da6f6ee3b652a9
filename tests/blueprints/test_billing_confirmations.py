"""A bill's corrections cannot happen by accident: void, revert to draft and delete a draft each
open a page that says what will happen; a void and a write-off need a reason, kept in the bill's
history and the audit log. A settled bill says how it was settled ("written off", "credited").

The books: one approved bill of 110.00 (100.00 + GST) for Acme, by Stu Staff, on 01 Jul 2026.
"""

import pytest
from sqlalchemy import func, select

from accounting.audit import AuditEvent
from accounting.ledger.journals import Journal
from accounting.office.bills import Bill, BillStatus
from accounting.office.credit_notes import apply_credit
from tests.accounting.office.test_billing import JULY, Billing
from tests.support import html, text_of


@pytest.fixture
def billing(books, auth):
    auth.login("staff@example.com")
    return Billing(books)


def count(db_session, model):
    return db_session.scalar(select(func.count()).select_from(model))


def test_void_asks_first_saying_what_will_happen(client, billing, db_session):
    bill = billing.bill()
    show = html(client.get(f"/billing/{bill.id}"))
    link = show.find("a", string=f"Void {bill.number}…")["href"]
    assert link == f"/billing/{bill.id}/confirm/void"
    assert show.find("form", attrs={"action": f"/billing/{bill.id}/void"}) is None  # no one-click void
    page = html(client.get(link))
    said = text_of(page.select_one("#confirm .consequences"))
    assert "reversing journal" in said and "110.00" in said and "voided" in said
    form = page.select_one("#confirm form")
    assert form["action"] == f"/billing/{bill.id}/void"
    assert form.find("input", attrs={"name": "csrf_token"}) is not None
    assert page.find("label", attrs={"for": "reason"}) is not None
    db_session.expire_all()
    assert db_session.get(Bill, bill.id).status == BillStatus.POSTED  # asking changed nothing


def test_a_void_keeps_its_reason_in_the_history_and_the_audit_log(client, billing, db_session):
    bill = billing.bill()
    response = client.submit(f"/billing/{bill.id}/void", {"reason": "Sent to the wrong client"})
    assert response.status_code == 303
    page = html(client.get(response.headers["Location"]))
    assert page.select_one("h1 .status").text == "voided"
    last = page.select("table.bill-history tbody tr")[-1]
    assert "Voided" in text_of(last) and "Sent to the wrong client" in text_of(last)
    audit = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "voided")).one()
    assert "Sent to the wrong client" in audit.summary


@pytest.mark.parametrize("reason, message", [
    ("", "Give the reason for voiding the bill."),
    ("   ", "Give the reason for voiding the bill."),
    ("x" * 101, "Keep the reason under 100 characters."),
])
def test_a_void_without_a_good_reason_is_refused_and_changes_nothing(client, billing, db_session,
                                                                     reason, message):
    bill = billing.bill()
    journals = count(db_session, Journal)
    response = client.submit(f"/billing/{bill.id}/void", {"reason": reason})
    assert response.status_code == 422
    page = html(response)
    assert message in text_of(page.find(id="reason-error"))
    assert page.find("input", attrs={"name": "reason"})["value"] == reason  # what was typed stays
    db_session.expire_all()
    assert db_session.get(Bill, bill.id).status == BillStatus.POSTED
    assert count(db_session, Journal) == journals


def test_revert_and_delete_ask_first(client, billing, db_session):
    bill = billing.bill()
    page = html(client.get(f"/billing/{bill.id}/confirm/revert"))
    assert "draft" in text_of(page.select_one("#confirm .consequences"))
    assert page.select_one("#confirm form")["action"] == f"/billing/{bill.id}/revert"
    draft = billing.bill(approve=False)
    show = html(client.get(f"/billing/{draft.id}"))
    assert show.find("a", string="Delete draft…")["href"] == f"/billing/{draft.id}/confirm/delete"
    page = html(client.get(f"/billing/{draft.id}/confirm/delete"))
    assert "deleted" in text_of(page.select_one("#confirm .consequences"))
    assert client.submit(page.select_one("#confirm form")["action"]).status_code == 303
    assert db_session.get(Bill, draft.id) is None


def test_an_unknown_confirmation_is_404(client, billing):
    bill = billing.bill()
    assert client.get(f"/billing/{bill.id}/confirm/shred").status_code == 404


def test_a_write_off_needs_a_reason_and_shows_written_off(client, billing, db_session):
    bill = billing.bill()
    response = client.submit(f"/billing/{bill.id}/write-off", {"write_off-date": "2026-07-09",
                                                              "write_off-reason": ""})
    assert response.status_code == 422
    assert "Give the reason for writing it off." in text_of(html(response).find(id="write_off-reason-error"))
    db_session.expire_all()
    assert db_session.get(Bill, bill.id).applied == 0
    response = client.submit(f"/billing/{bill.id}/write-off", {"write_off-date": "2026-07-09",
                                                              "write_off-reason": "In liquidation"})
    assert response.status_code == 303
    page = html(client.get(f"/billing/{bill.id}"))
    assert page.select_one("h1 .status").text == "written off"
    assert "status-written_off" in page.select_one("h1 .status")["class"]
    audit = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "written_off")).one()
    assert "In liquidation" in audit.summary


def test_a_bill_settled_by_a_credit_note_is_credited_and_a_paid_one_paid(client, billing, db_session):
    credited = billing.bill()
    note = billing.credit_note()
    apply_credit(db_session, billing.books.admin, note.id, date=JULY, amounts={credited.id: credited.total})
    db_session.commit()
    assert html(client.get(f"/billing/{credited.id}")).select_one("h1 .status").text == "credited"
    paid = billing.bill()
    billing.pay(paid, "110.00")
    assert html(client.get(f"/billing/{paid.id}")).select_one("h1 .status").text == "paid"
