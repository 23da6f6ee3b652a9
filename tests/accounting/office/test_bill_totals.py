"""The bills' running totals (accounting/office/bill_totals.py) follow every change to a bill, on commit,
and the bills list counts from them."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from accounting.integrity import find_problems
from accounting.office import bill_totals
from accounting.office.bill_totals import ClientBillTotals, ReceivableDue
from accounting.office.billing import (
    approve_bill,
    delete_bill,
    record_payment,
    revert_bill,
    search_bills,
    update_bill,
    void_bill,
    write_off,
)
from accounting.office.bills import DISPLAY_STATUSES, Bill
from accounting.office.credit_notes import apply_credit
from accounting.parties.clients import ClientDetails, open_matter, save_client
from tests.accounting.office.test_billing import JULY, Billing
from tests.support import new_session, second_person_waits

D = Decimal
DUE = JULY + timedelta(days=30)


@pytest.fixture
def billing(books):
    return Billing(books)


def totals_of(session, client) -> dict:
    row = session.get(ClientBillTotals, client.id, populate_existing=True)
    return {name: getattr(row, name) for name in ("bills", *DISPLAY_STATUSES, "open_bills", "owed")}


def owed_on(session, due: date) -> tuple[int, Decimal] | None:
    row = session.get(ReceivableDue, due, populate_existing=True)
    return None if row is None else (row.open_bills, row.owed)


def counts(draft=0, awaiting_payment=0, part_paid=0, paid=0, voided=0, open_bills=0, owed="0.00"):
    return {"bills": draft + awaiting_payment + part_paid + paid + voided, "draft": draft,
            "awaiting_payment": awaiting_payment, "part_paid": part_paid, "paid": paid, "voided": voided,
            "open_bills": open_bills, "owed": D(owed)}


def test_a_clients_totals_follow_each_bill_from_draft_to_paid_on_commit(billing):
    s = billing.s
    draft = billing.bill(approve=False)
    assert totals_of(s, billing.client) == counts(draft=1)
    approve_bill(s, billing.books.admin, draft)
    s.commit()
    assert totals_of(s, billing.client) == counts(awaiting_payment=1, open_bills=1, owed="110.00")
    assert owed_on(s, JULY) == (1, D("110.00"))  # no due date: due on the bill's date
    billing.pay(draft, "10.00")
    assert totals_of(s, billing.client) == counts(part_paid=1, open_bills=1, owed="100.00")
    write_off(s, billing.books.admin, draft.id, date=JULY, reason="Test correction")
    s.commit()
    assert totals_of(s, billing.client) == counts(paid=1)
    assert owed_on(s, JULY) == (0, D("0.00"))
    assert bill_totals.differences(s) == []


def test_revert_void_delete_and_a_new_due_date_move_the_totals(billing):
    s, admin = billing.s, billing.books.admin
    bill = billing.bill()
    other = billing.bill()
    revert_bill(s, admin, bill, on=JULY)
    s.commit()
    assert totals_of(s, billing.client) == counts(draft=1, awaiting_payment=1, open_bills=1, owed="110.00")
    update_bill(s, admin, bill, matter_id=billing.matter.id, date=JULY, due_date=DUE,
                lines=[billing.line(rate="50.00")])
    approve_bill(s, admin, bill)
    void_bill(s, admin, other, on=JULY, reason="Test correction")
    s.commit()
    assert totals_of(s, billing.client) == counts(awaiting_payment=1, voided=1, open_bills=1, owed="55.00")
    assert (owed_on(s, JULY), owed_on(s, DUE)) == ((0, D("0.00")), (1, D("55.00")))
    spare = billing.bill(approve=False)
    delete_bill(s, admin, spare)
    s.commit()
    assert totals_of(s, billing.client)["bills"] == 2
    assert bill_totals.differences(s) == []


def test_credit_applied_to_a_bill_takes_it_off_what_is_owed(billing):
    s = billing.s
    bill = billing.bill()
    note = billing.credit_note(billing.line(rate="20.00"))
    apply_credit(s, billing.books.admin, note.id, date=JULY, amounts={bill.id: D("22.00")})
    s.commit()
    assert totals_of(s, billing.client) == counts(part_paid=1, open_bills=1, owed="88.00")


def test_a_report_in_the_same_transaction_sees_the_totals_of_what_it_has_not_committed(billing):
    billing.s.add(Bill(client_id=billing.client.id, matter_id=billing.matter.id, date=JULY))
    assert bill_totals.bill_count(billing.s, "draft") == 1  # refreshed before reading, not committed
    billing.s.rollback()
    assert bill_totals.bill_count(billing.s, "draft") == 0


def test_a_rolled_back_savepoint_leaves_the_totals_right(billing):
    s = billing.s
    bill = billing.bill()
    savepoint = s.begin_nested()
    record_payment(s, billing.books.admin, bill.id, amount=D("110.00"), date=JULY,
                   bank_account_id=billing.id("1-1000"))
    bill_totals.refresh(s)  # totals written inside the savepoint...
    assert totals_of(s, billing.client)["paid"] == 1
    savepoint.rollback()  # ...and rolled back with it
    s.commit()
    assert totals_of(s, billing.client) == counts(awaiting_payment=1, open_bills=1, owed="110.00")
    assert bill_totals.differences(s) == []


def test_the_bills_list_counts_each_status_from_the_totals_as_a_search_counts_them(billing):
    s, admin = billing.s, billing.books.admin
    other = save_client(s, admin, ClientDetails(kind="company", name="Bloggs Pty Ltd"))
    matter = open_matter(s, admin, other, description="Will", responsible_id=None, opened_on=JULY)
    billing.bill(approve=False)
    billing.pay(billing.bill(), "110.00")
    billing.pay(billing.bill(matter=matter), "50.00")
    void_bill(s, admin, billing.bill(matter=matter), on=JULY, reason="Test correction")
    billing.bill()
    for status in ("", *DISPLAY_STATUSES):
        _, searched = search_bills(s, "INV", status=status)  # a search counts the rows it finds
        _, kept = search_bills(s, "", status=status)
        drafts = 1 if status in ("", "draft") else 0  # a draft has no number for "INV" to find
        assert kept == searched + drafts, status
    assert [search_bills(s, status=status)[1] for status in DISPLAY_STATUSES] == [1, 1, 1, 1, 1]


def test_check_ledger_reports_totals_that_differ_from_the_bills(billing):
    billing.bill()
    billing.s.execute(update(ClientBillTotals).values(owed=D("1.00")))
    billing.s.commit()
    assert find_problems(billing.s) == [f"The kept bill totals of client {billing.client.id} differ "
                                        "from its bills."]
    bill_totals.rebuild(billing.s)
    billing.s.commit()
    assert find_problems(billing.s) == []
    assert billing.s.scalars(select(ReceivableDue.owed)).all() == [D("110.00")]


def test_two_people_writing_draft_bills_for_one_client_at_once_both_count(billing):
    """The second person's commit waits for the first's locked totals row, then counts both drafts
    (without the lock, each would count its own draft only and the last commit would win)."""
    billing.bill(approve=False)  # the client's row is there already
    client_id, matter_id = billing.client.id, billing.matter.id

    def draft(session):
        session.add(Bill(client_id=client_id, matter_id=matter_id, date=JULY))

    first = new_session()
    draft(first)
    bill_totals.refresh(first)  # as its commit does: the client's row locked, then recomputed
    second_person_waits(first, draft)
    assert totals_of(billing.s, billing.client) == counts(draft=3)
    assert bill_totals.differences(billing.s) == []


def test_a_bill_moved_to_another_client_without_being_read_first_leaves_the_old_clients_row(billing):
    """An expired bill (after a commit) written blind: the old client's row is refreshed too."""
    s, admin = billing.s, billing.books.admin
    other = save_client(s, admin, ClientDetails(kind="company", name="Other Pty Ltd"))
    matter = open_matter(s, admin, other, description="Lease", responsible_id=None, opened_on=JULY)
    moved = billing.bill(approve=False)
    s.commit()  # expires it
    moved.client_id, moved.matter_id = other.id, matter.id  # never read since the commit
    s.commit()
    assert (totals_of(s, billing.client)["draft"], totals_of(s, other)["draft"]) == (0, 1)
    assert bill_totals.differences(s) == []


def test_a_bill_deleted_without_being_read_first_leaves_its_clients_row(billing):
    dropped = billing.bill(approve=False)
    billing.s.commit()  # expires it
    billing.s.delete(dropped)
    billing.s.commit()
    assert totals_of(billing.s, billing.client)["bills"] == 0
