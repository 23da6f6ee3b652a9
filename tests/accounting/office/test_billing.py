"""Client billing: the exact journal lines of each posting, and every rule that refuses."""

from datetime import date
from decimal import Decimal

import pytest

from accounting.errors import InvalidAmount, LedgerError, NotFound, TransactionLocked
from accounting.ledger.journals import JournalStatus
from accounting.ledger.tax import TaxCode, gst_on
from accounting.office.billing import (
    approve_bill,
    create_bill,
    delete_bill,
    get_bill,
    record_payment,
    revert_bill,
    search_bills,
    void_bill,
    write_off,
)
from accounting.office.bills import BillLineInput, BillStatus, line_amount
from accounting.office.credit_notes import apply_credit, create_credit_note, refund_credit
from accounting.parties.clients import ClientDetails, open_matter, save_client

JULY = date(2026, 7, 1)
D = Decimal


class Billing:
    """Builders: a client with an open matter, bills and credit notes on it."""

    def __init__(self, books):
        self.books, self.s = books, books.session
        self.client = save_client(self.s, books.admin, ClientDetails(kind="company", name="Acme Pty Ltd"))
        self.matter = open_matter(self.s, books.admin, self.client, description="Lease",
                                  responsible_id=None, opened_on=JULY)
        self.s.commit()

    def id(self, code):
        return self.books.account(code).id

    def line(self, qty="1", rate="100.00", code="4-1000", tax=TaxCode.GST, text="Advice"):
        return BillLineInput(text, D(qty), D(rate), self.id(code), tax)

    def bill(self, *lines, approve=True, matter=None, on=JULY):
        bill = create_bill(self.s, self.books.admin, matter_id=(matter or self.matter).id, date=on,
                           lines=list(lines) or [self.line()])
        if approve:
            approve_bill(self.s, self.books.admin, bill)
        self.s.commit()
        return bill

    def pay(self, bill, amount, on=JULY, bank="1-1000"):
        event = record_payment(self.s, self.books.admin, bill.id, amount=D(amount), date=on,
                               bank_account_id=self.id(bank), reference="EFT")
        self.s.commit()
        return event

    def credit_note(self, *lines, client=None):
        note = create_credit_note(self.s, self.books.admin, client_id=(client or self.client).id,
                                  date=JULY, lines=list(lines) or [self.line()])
        self.s.commit()
        return note


@pytest.fixture
def billing(books):
    return Billing(books)


def journal_lines(journal):
    return [(line.account.code, line.amount) for line in journal.lines]


def test_gst_is_rounded_half_up_to_the_cent():
    assert gst_on(D("100.00"), D("10")) == D("10.00")
    assert gst_on(D("0.05"), D("10")) == D("0.01")  # 0.005 rounds up
    assert gst_on(D("0.04"), D("10")) == D("0.00")
    assert gst_on(D("33.35"), D("10")) == D("3.34")  # 3.335 rounds up, not to even
    assert line_amount(D("1.5"), D("333.33")) == D("500.00")  # 499.995 rounds up


def test_a_draft_posts_nothing_and_approving_posts_ar_against_income_and_gst(billing, db_session):
    bill = billing.bill(billing.line("2", "150.00"), billing.line("1", "40.00", "4-2000", TaxCode.GST_FREE),
                        billing.line("1", "10.00"), approve=False)
    assert bill.status == BillStatus.DRAFT and bill.number is None and bill.journal_id is None
    assert (bill.subtotal, bill.gst, bill.total) == (D("350.00"), D("31.00"), D("381.00"))
    journal = approve_bill(db_session, billing.books.admin, bill)
    assert bill.number == "INV-00001" and bill.display_status == "awaiting_payment"
    assert journal.kind == "bill" and journal.reference == "INV-00001"
    assert journal_lines(journal) == [("1-2000", D("381.00")), ("4-1000", D("-310.00")),
                                      ("4-2000", D("-40.00")), ("2-1100", D("-31.00"))]
    assert billing.bill().number == "INV-00002"


def test_lines_are_checked(billing, db_session):
    for line, field in [(billing.line(qty="0"), "lines-0-quantity"),
                        (billing.line(rate="-1"), "lines-0-rate"),
                        (billing.line(code="6-2000"), "lines-0-account"),
                        (billing.line(text=" "), "lines-0-description")]:
        with pytest.raises(LedgerError) as refusal:
            create_bill(db_session, None, matter_id=billing.matter.id, date=JULY, lines=[line])
        assert refusal.value.field == field
        db_session.rollback()
    with pytest.raises(LedgerError, match="at least one line"):
        create_bill(db_session, None, matter_id=billing.matter.id, date=JULY, lines=[])


def test_a_closed_matter_cannot_be_billed(billing, db_session):
    billing.matter.status = "closed"
    db_session.commit()
    with pytest.raises(LedgerError, match="closed") as refusal:
        billing.bill()
    assert refusal.value.field == "matter"


def test_payment_posts_bank_against_receivable_and_part_paid_then_paid(billing, db_session):
    bill = billing.bill()  # 110.00
    event = billing.pay(bill, "60.00")
    assert journal_lines(event.journal) == [("1-1000", D("60.00")), ("1-2000", D("-60.00"))]
    assert event.journal.kind == "bill_payment" and event.journal.reference == bill.number
    assert bill.display_status == "part_paid" and bill.owed == D("50.00")
    billing.pay(bill, "50.00")
    assert bill.display_status == "paid" and bill.owed == D("0.00")


def test_payments_are_refused_with_a_reason(billing, db_session):
    bill = billing.bill()
    with pytest.raises(InvalidAmount, match=r"more than is owed: INV-00001 has 110.00 owing") as refusal:
        billing.pay(bill, "110.01")
    assert refusal.value.field == "amount"
    db_session.rollback()
    with pytest.raises(LedgerError, match="before the bill"):
        billing.pay(bill, "1.00", on=date(2026, 6, 30))
    db_session.rollback()
    with pytest.raises(LedgerError, match="office bank account"):
        billing.pay(bill, "1.00", bank="1-1100")
    db_session.rollback()
    draft = billing.bill(approve=False)
    with pytest.raises(LedgerError, match="is a draft"):
        billing.pay(draft, "1.00")
    db_session.rollback()
    from accounting.ledger.practice import get_practice

    get_practice(db_session).lock_date = date(2026, 7, 10)
    db_session.commit()
    with pytest.raises(LedgerError, match="locked before"):
        billing.pay(bill, "1.00", on=JULY)
    db_session.rollback()
    assert bill.applied == D("0.00") and len(bill.events) == 1


def test_credit_note_posts_income_and_gst_against_receivable_and_applies_to_bills(billing, db_session):
    first, second = billing.bill(), billing.bill(billing.line(rate="50.00"))  # 110.00 and 55.00
    note = billing.credit_note(billing.line(rate="100.00"))  # 110.00
    assert note.number == "CN-00001"
    assert journal_lines(note.journal) == [("4-1000", D("100.00")), ("2-1100", D("10.00")),
                                           ("1-2000", D("-110.00"))]
    events = apply_credit(db_session, None, note.id, date=JULY,
                          amounts={first.id: D("80.00"), second.id: D("30.00")})
    db_session.commit()
    assert [e.journal_id for e in events] == [None, None]
    assert (first.owed, second.owed, note.remaining) == (D("30.00"), D("25.00"), D("0.00"))


def test_credit_is_refused_for_another_clients_bill_or_more_than_is_left(billing, db_session, books):
    other = save_client(db_session, books.admin, ClientDetails(kind="individual", name="Bea Other"))
    other_matter = open_matter(db_session, books.admin, other, description="Will", responsible_id=None,
                               opened_on=JULY)
    theirs = billing.bill(matter=other_matter)
    ours = billing.bill(billing.line(rate="500.00"))
    note = billing.credit_note(billing.line(rate="10.00"))  # 11.00
    with pytest.raises(LedgerError, match="another client's bill"):
        apply_credit(db_session, None, note.id, date=JULY, amounts={theirs.id: D("1.00")})
    db_session.rollback()
    with pytest.raises(InvalidAmount, match="more than is left on CN-00001: 11.00"):
        apply_credit(db_session, None, note.id, date=JULY, amounts={ours.id: D("11.01")})
    db_session.rollback()
    small = billing.bill(billing.line(rate="5.00"))  # 5.50
    with pytest.raises(InvalidAmount, match="more than is owed"):
        apply_credit(db_session, None, note.id, date=JULY, amounts={small.id: D("6.00")})
    db_session.rollback()
    assert note.used == D("0.00") and ours.applied == D("0.00")


def test_refund_pays_out_what_is_left_on_a_credit_note(billing, db_session):
    note = billing.credit_note()  # 110.00
    refund = refund_credit(db_session, None, note.id, amount=D("40.00"), date=JULY,
                           bank_account_id=billing.id("1-1000"))
    db_session.commit()
    assert journal_lines(refund.journal) == [("1-2000", D("40.00")), ("1-1000", D("-40.00"))]
    assert note.remaining == D("70.00")
    with pytest.raises(InvalidAmount, match="more than is left on CN-00001: 70.00"):
        refund_credit(db_session, None, note.id, amount=D("70.01"), date=JULY,
                      bank_account_id=billing.id("1-1000"))


def test_write_off_posts_bad_debts_against_receivable_for_the_remainder(billing, db_session):
    bill = billing.bill()
    billing.pay(bill, "100.00")
    event = write_off(db_session, None, bill.id, date=JULY, reason="Client in liquidation")
    db_session.commit()
    assert journal_lines(event.journal) == [("6-2700", D("10.00")), ("1-2000", D("-10.00"))]
    assert bill.display_status == "paid"
    with pytest.raises(LedgerError, match="nothing left"):
        write_off(db_session, None, bill.id, date=JULY, reason="Test correction")


def test_revert_to_draft_reverses_the_journal_and_keeps_the_number(billing, db_session):
    bill = billing.bill()
    journal = bill.journal
    reversal = revert_bill(db_session, None, bill, on=JULY)
    db_session.commit()
    assert bill.status == BillStatus.DRAFT and bill.number == "INV-00001"
    assert journal.status == JournalStatus.REVERSED and reversal.reverses_id == journal.id
    approve_bill(db_session, None, bill)
    db_session.commit()
    assert bill.number == "INV-00001" and bill.journal_id != journal.id
    revert_bill(db_session, None, bill, on=JULY)
    with pytest.raises(LedgerError, match="void it instead"):
        delete_bill(db_session, None, bill)


def test_revert_and_void_are_refused_when_something_is_applied_or_locked(billing, db_session):
    bill = billing.bill()
    billing.pay(bill, "1.00")
    with pytest.raises(LedgerError, match="1.00 applied"):
        revert_bill(db_session, None, bill, on=JULY)
    db_session.rollback()
    other = billing.bill()
    other.journal.lock("Pushed to Xero as INV-0042")
    db_session.commit()
    with pytest.raises(TransactionLocked, match="Pushed to Xero as INV-0042. Unlink it in Integrations"):
        void_bill(db_session, None, other, on=JULY, reason="Test correction")


def test_void_reverses_and_shows_voided_and_nothing_can_be_paid(billing, db_session):
    bill = billing.bill()
    void_bill(db_session, None, bill, on=JULY, reason="Test correction")
    db_session.commit()
    assert bill.display_status == "voided" and bill.journal_id is None
    with pytest.raises(LedgerError, match="voided"):
        billing.pay(bill, "1.00")


def test_drafts_are_edited_and_deleted_and_posted_bills_are_not(billing, db_session):
    from accounting.office.billing import update_bill

    draft = billing.bill(approve=False)
    update_bill(db_session, None, draft, matter_id=billing.matter.id, date=JULY,
                lines=[billing.line("3", "10.00")], reference="R1")
    assert draft.total == D("33.00") and len(draft.lines) == 1
    delete_bill(db_session, None, draft)
    db_session.commit()
    with pytest.raises(NotFound):
        get_bill(db_session, draft.id)
    posted = billing.bill()
    with pytest.raises(LedgerError, match="not a draft"):
        delete_bill(db_session, None, posted)


def test_bills_are_searched_and_filtered_by_status(billing, db_session):
    paid, part, awaiting = billing.bill(), billing.bill(), billing.bill()
    billing.bill(approve=False)
    billing.pay(paid, "110.00")
    billing.pay(part, "1.00")
    assert [b.id for b in search_bills(db_session, status="paid")[0]] == [paid.id]
    assert [b.id for b in search_bills(db_session, status="part_paid")[0]] == [part.id]
    assert [b.id for b in search_bills(db_session, status="awaiting_payment")[0]] == [awaiting.id]
    assert search_bills(db_session, status="draft")[1] == 1
    assert search_bills(db_session, "acme")[1] == 4
    assert search_bills(db_session, "inv-00002")[0][0].id == part.id
    assert search_bills(db_session, "100%")[1] == 0


def test_two_people_paying_the_same_bill_at_once_cannot_pay_it_twice(app, db_session, billing):
    """The bill's row lock makes the second payer wait, then see that nothing is owed."""
    from tests.support import new_session, second_person_waits

    bill_id, bank = billing.bill().id, billing.id("1-1000")
    first = new_session()
    record_payment(first, None, bill_id, amount=D("110.00"), date=JULY, bank_account_id=bank)
    result = second_person_waits(first, lambda second: record_payment(
        second, None, bill_id, amount=D("110.00"), date=JULY, bank_account_id=bank))
    assert result == "That is more than is owed: INV-00001 has 0.00 owing."


def test_time_and_disbursements_become_a_draft_bill_and_deleting_it_frees_them(billing, db_session, books):
    from accounting.office.work_in_progress import bill_from_entries, record_entry, unbilled_entries

    time = record_entry(db_session, None, matter_id=billing.matter.id, kind="time", on=JULY,
                        person_id=books.staff.id, description="Drafting", hours=D("1.5"), rate=D("300.00"))
    search = record_entry(db_session, None, matter_id=billing.matter.id, kind="disbursement", on=JULY,
                          person_id=None, description="Title search", amount=D("40.00"),
                          tax=TaxCode.GST_FREE)
    assert (time.amount, time.account.code, search.account.code) == (D("450.00"), "4-1000", "4-2000")
    bill = bill_from_entries(db_session, None, matter_id=billing.matter.id, entry_ids=[time.id, search.id],
                             date=JULY)
    db_session.commit()
    assert (bill.status, bill.subtotal, bill.gst, bill.total) == (
        BillStatus.DRAFT, D("490.00"), D("45.00"), D("535.00"))
    assert bill.lines[0].description == "01 Jul 2026 Stu Staff: Drafting"
    assert unbilled_entries(db_session, billing.matter.id) == []
    with pytest.raises(LedgerError, match="already on a bill"):
        bill_from_entries(db_session, None, matter_id=billing.matter.id, entry_ids=[time.id], date=JULY)
    db_session.rollback()
    delete_bill(db_session, None, bill)
    db_session.commit()
    assert len(unbilled_entries(db_session, billing.matter.id)) == 2


def test_entries_are_checked(billing, db_session):
    from accounting.office.work_in_progress import record_entry

    for values, field in [({"kind": "time", "hours": D("0"), "rate": D("1")}, "hours"),
                          ({"kind": "time", "hours": D("1"), "rate": None}, "rate"),
                          ({"kind": "disbursement", "amount": D("-1")}, "amount"),
                          ({"kind": "other"}, "kind")]:
        with pytest.raises(LedgerError) as refusal:
            record_entry(db_session, None, matter_id=billing.matter.id, on=JULY, person_id=None,
                         description="Work", **values)
        assert refusal.value.field == field


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_void_or_write_off_without_a_reason_is_refused_and_changes_nothing(billing, db_session,
                                                                            reason):
    bill = billing.bill()
    db_session.commit()
    with pytest.raises(LedgerError, match="Say why the bill is voided") as refused:
        void_bill(db_session, None, bill, on=JULY, reason=reason)
    assert refused.value.field == "reason"
    with pytest.raises(LedgerError, match="Say why the bill is written off"):
        write_off(db_session, None, bill.id, date=JULY, reason=reason)
    db_session.rollback()
    assert bill.status == BillStatus.POSTED and bill.owed == bill.total


def test_the_reason_of_a_void_is_kept_in_the_history_and_the_audit_log(billing, db_session):
    from sqlalchemy import select

    from accounting.audit import AuditEvent

    bill = billing.bill()
    void_bill(db_session, None, bill, on=JULY, reason="  Sent to the wrong client ")
    db_session.commit()
    assert [e.reference for e in bill.events if e.kind.value == "voided"] == ["Sent to the wrong client"]
    logged = db_session.execute(select(AuditEvent).where(AuditEvent.action == "voided")).scalars()
    assert any("Sent to the wrong client" in event.summary for event in logged)
