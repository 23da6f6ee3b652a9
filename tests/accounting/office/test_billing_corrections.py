"""Client billing corrections: undoing payments, credits, write-offs and refunds, voiding credit
notes (the exact reversal lines, and every refusal leaves the books as they were)."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounting.errors import (
    AlreadyUndone,
    DocumentLocked,
    InvalidAmount,
    LedgerError,
    MatterClosed,
    NotADraft,
    NotFound,
    PeriodLocked,
    TransactionLocked,
    WouldOverdraw,
)
from accounting.events import CreditApplicationUndone, CreditApplied, CreditEvent, CreditSide, subscribed
from accounting.ledger.journals import JournalStatus
from accounting.ledger.practice import get_practice
from accounting.office.billing import (
    approve_bill,
    bill_history,
    record_payment,
    revert_bill,
    undo_event,
    undo_trust_payment,
    write_off,
)
from accounting.office.bills import EventKind
from accounting.office.credit_notes import apply_credit, refund_credit, undo_refund, void_credit_note
from tests.accounting.office.test_billing import JULY, Billing, journal_lines
from tests.support import new_session, second_person_waits

D = Decimal
LATER = date(2026, 7, 20)


@pytest.fixture
def billing(books):
    return Billing(books)


def test_undoing_a_payment_reverses_its_journal_and_the_bill_owes_again(billing, db_session):
    bill = billing.bill()  # 110.00
    payment = billing.pay(bill, "110.00")
    assert bill.display_status == "paid"
    undo = undo_event(db_session, billing.books.admin, payment.id, date=LATER, reason="Cheque bounced")
    db_session.commit()
    assert journal_lines(undo.journal) == [("1-1000", D("-110.00")), ("1-2000", D("110.00"))]
    assert undo.journal.reverses_id == payment.journal_id and undo.journal.date == LATER
    assert payment.journal.status == JournalStatus.REVERSED
    assert (bill.applied, bill.owed, bill.display_status) == (D("0.00"), D("110.00"), "awaiting_payment")
    assert undo.kind == EventKind.UNDONE and undo.undoes is payment and payment.undone_by is undo
    assert undo.what == "Payment undone" and not payment.can_undo()
    history = bill_history(bill)
    assert [(r.what, r.amount, r.by) for r in history] == [
        ("Posted", D("110.00"), "Ada Admin"), ("Payment", D("110.00"), "Ada Admin"),
        ("Payment undone", D("110.00"), "Ada Admin")]
    assert history[2].details == "Cheque bounced"


def test_a_payment_is_undone_once_only(billing, db_session):
    bill = billing.bill()
    payment = billing.pay(bill, "10.00")
    undo_event(db_session, None, payment.id, date=JULY, reason="Wrong bill")
    db_session.commit()
    with pytest.raises(LedgerError, match="already undone"):
        undo_event(db_session, None, payment.id, date=JULY, reason="Again")
    db_session.rollback()
    assert bill.applied == D("0.00") and len(bill.events) == 3


@pytest.mark.parametrize(("on", "reason", "message", "field"), [
    (date(2026, 6, 30), "Bounced", r"cannot be dated before the payment \(01 Jul 2026\)", "date"),
    (None, "Bounced", "Enter the date", "date"),
    (JULY, "  ", "Say why the payment is undone", "reason"),
    (JULY, "x" * 201, "under 200 characters", "reason"),
])
def test_an_undo_needs_a_reason_and_a_date_not_before_the_payment(billing, db_session, on, reason,
                                                                    message, field):
    bill = billing.bill()
    payment = billing.pay(bill, "10.00")
    with pytest.raises(LedgerError, match=message) as refusal:
        undo_event(db_session, None, payment.id, date=on, reason=reason)
    assert refusal.value.field == field
    db_session.rollback()
    assert bill.applied == D("10.00") and payment.undone_by is None
    assert payment.journal.status == JournalStatus.POSTED


def test_an_undo_is_refused_when_the_bill_or_the_payment_is_locked_or_the_period_closed(billing,
                                                                                        db_session):
    bill = billing.bill()
    payment = billing.pay(bill, "10.00")
    payment.journal.lock("Pushed to Xero as PAY-7")
    db_session.commit()
    with pytest.raises(TransactionLocked, match="Locked: Pushed to Xero as PAY-7. Unlink it in Integrations"):
        undo_event(db_session, None, payment.id, date=JULY, reason="x")
    db_session.rollback()
    payment.journal.unlock()
    bill.lock("Pushed to Xero as INV-9")
    db_session.commit()
    with pytest.raises(TransactionLocked, match="Pushed to Xero as INV-9"):
        undo_event(db_session, None, payment.id, date=JULY, reason="x")
    db_session.rollback()
    bill.unlock()
    get_practice(db_session).lock_date = LATER
    db_session.commit()
    with pytest.raises(PeriodLocked, match="locked before 20 Jul 2026"):
        undo_event(db_session, None, payment.id, date=JULY, reason="x")
    db_session.rollback()
    assert bill.applied == D("10.00") and payment.undone_by is None
    with pytest.raises(NotFound):
        undo_event(db_session, None, 999999, date=LATER, reason="x")
    with pytest.raises(LedgerError, match="Only a payment"):
        undo_event(db_session, None, bill.events[0].id, date=LATER, reason="x")


def test_a_payment_trust_made_is_undone_only_with_its_transfer(billing, db_session):
    """The payment's own row says trust made it: the bill's history refuses to undo it, naming the
    transfer to reverse; the transfer's reversal undoes it (and only a payment trust made)."""
    bill = billing.bill()
    paid = record_payment(db_session, None, bill.id, amount=D("60.00"), date=JULY,
                          bank_account_id=billing.id("1-1000"), reference="T-000007",
                          trust_transfer="T-000007")
    office = billing.pay(bill, "10.00")
    db_session.commit()
    assert (paid.trust_transfer, office.trust_transfer) == ("T-000007", None)
    with pytest.raises(LedgerError) as refusal:
        undo_event(db_session, None, paid.id, date=JULY, reason="Oops")
    assert refusal.value.message == ("This payment came from trust (T-000007): reverse T-000007 in Trust "
                                     "transfers, which undoes the payment with it.")
    db_session.rollback()
    with pytest.raises(LedgerError, match="not made from trust"):
        undo_trust_payment(db_session, None, office.id, date=JULY, reason="Oops")
    db_session.rollback()
    undo = undo_trust_payment(db_session, None, paid.id, date=JULY, reason="Transfer reversed")
    db_session.commit()
    assert undo.undoes is paid and bill.owed == D("100.00")
    assert paid.journal.status == JournalStatus.REVERSED
    with pytest.raises(LedgerError, match="already undone"):
        undo_trust_payment(db_session, None, paid.id, date=JULY, reason="Again")


def test_undoing_a_credit_application_posts_nothing_and_restores_both_sides(billing, db_session):
    bill = billing.bill()
    note = billing.credit_note(billing.line(rate="50.00"))  # 55.00
    [applied] = apply_credit(db_session, None, note.id, date=JULY, amounts={bill.id: D("40.00")})
    db_session.commit()
    undo = undo_event(db_session, None, applied.id, date=JULY, reason="Wrong bill")
    db_session.commit()
    assert undo.journal is None and undo.what == "Credit undone" and undo.credit_note is note
    assert (bill.owed, note.remaining, note.display_status) == (D("110.00"), D("55.00"), "unused")
    assert note.live_applications() == []


def test_a_credit_applied_and_undone_is_heard_once_each_naming_note_bill_and_amount(billing, db_session):
    first, second = billing.bill(), billing.bill()
    note = billing.credit_note()  # 110.00
    heard = []
    with subscribed(CreditEvent, lambda session, event: heard.append(event)):
        applied = apply_credit(db_session, None, note.id, date=JULY,
                               amounts={first.id: D("40.00"), second.id: D("30.00")})
        undo_event(db_session, None, applied[1].id, date=LATER, reason="Wrong bill")
        billing.pay(first, "10.00")  # a payment is a journal, not a credit event
    assert heard == [
        CreditApplied(CreditSide.CLIENT, applied[0].id, note.id, first.id, D("40.00"), JULY),
        CreditApplied(CreditSide.CLIENT, applied[1].id, note.id, second.id, D("30.00"), JULY),
        CreditApplicationUndone(CreditSide.CLIENT, applied[1].id, note.id, second.id, D("30.00"), LATER)]


def test_a_refused_credit_application_is_not_heard(billing, db_session):
    bill, note = billing.bill(), billing.credit_note()
    heard = []
    with subscribed(CreditEvent, lambda session, event: heard.append(event)), \
            pytest.raises(WouldOverdraw):
        apply_credit(db_session, None, note.id, date=JULY, amounts={bill.id: D("500.00")})
    assert heard == []


def test_undoing_a_write_off_reverses_bad_debts(billing, db_session):
    bill = billing.bill()
    event = write_off(db_session, None, bill.id, date=JULY, reason="Gone")
    db_session.commit()
    undo = undo_event(db_session, None, event.id, date=JULY, reason="They paid after all")
    db_session.commit()
    assert journal_lines(undo.journal) == [("6-2700", D("-110.00")), ("1-2000", D("110.00"))]
    assert bill.owed == D("110.00")


def test_undoing_a_refund_reverses_it_and_the_credit_is_left_again(billing, db_session):
    note = billing.credit_note()  # 110.00
    refund = refund_credit(db_session, None, note.id, amount=D("40.00"), date=JULY,
                           bank_account_id=billing.id("1-1000"))
    db_session.commit()
    reversal = undo_refund(db_session, None, refund.id, date=LATER, reason="Paid to the wrong account")
    db_session.commit()
    assert journal_lines(reversal) == [("1-2000", D("-40.00")), ("1-1000", D("40.00"))]
    assert refund.undone and refund.reversal is reversal and note.remaining == D("110.00")
    with pytest.raises(LedgerError, match="already undone"):
        undo_refund(db_session, None, refund.id, date=LATER, reason="Again")
    db_session.rollback()
    with pytest.raises(NotFound):
        undo_refund(db_session, None, 0, date=LATER, reason="x")


def test_a_refund_undo_is_refused_before_the_refund_or_when_locked(billing, db_session):
    note = billing.credit_note()
    refund = refund_credit(db_session, None, note.id, amount=D("40.00"), date=LATER,
                           bank_account_id=billing.id("1-1000"))
    db_session.commit()
    with pytest.raises(LedgerError, match="before the refund"):
        undo_refund(db_session, None, refund.id, date=JULY, reason="x")
    db_session.rollback()
    refund.journal.lock("Pushed to Xero")
    db_session.commit()
    with pytest.raises(TransactionLocked):
        undo_refund(db_session, None, refund.id, date=LATER, reason="x")
    db_session.rollback()
    assert note.remaining == D("70.00")


def test_voiding_a_credit_note_reverses_it_only_when_nothing_is_applied_or_refunded(billing, db_session):
    bill = billing.bill()
    note = billing.credit_note()  # 110.00
    [applied] = apply_credit(db_session, None, note.id, date=JULY, amounts={bill.id: D("30.00")})
    refund = refund_credit(db_session, None, note.id, amount=D("20.00"), date=JULY,
                           bank_account_id=billing.id("1-1000"))
    db_session.commit()
    expected = (r"CN-00001 has 50.00 applied or refunded: undo its application to INV-00001 \(30.00\) "
                r"and its refund of 20.00 on 01 Jul 2026 first")
    with pytest.raises(LedgerError, match=expected):
        void_credit_note(db_session, None, note.id, date=JULY, reason="Issued in error")
    db_session.rollback()
    undo_event(db_session, None, applied.id, date=JULY, reason="x")
    undo_refund(db_session, None, refund.id, date=JULY, reason="x")
    reversal = void_credit_note(db_session, None, note.id, date=JULY, reason="Issued in error")
    db_session.commit()
    assert journal_lines(reversal) == [("4-1000", D("-100.00")), ("2-1100", D("-10.00")),
                                       ("1-2000", D("110.00"))]
    assert note.display_status == "voided" and note.remaining == D("0.00")
    assert note.journal.status == JournalStatus.REVERSED
    with pytest.raises(LedgerError, match="already voided"):
        void_credit_note(db_session, None, note.id, date=JULY, reason="x")
    db_session.rollback()
    with pytest.raises(LedgerError, match="is voided"):
        apply_credit(db_session, None, note.id, date=JULY, amounts={bill.id: D("1.00")})
    db_session.rollback()
    with pytest.raises(LedgerError, match="is voided"):
        refund_credit(db_session, None, note.id, amount=D("1.00"), date=JULY,
                      bank_account_id=billing.id("1-1000"))


def test_a_locked_credit_note_is_not_voided(billing, db_session):
    note = billing.credit_note()
    note.lock("Pushed to Xero as CN-3")
    db_session.commit()
    with pytest.raises(TransactionLocked, match="Locked: Pushed to Xero as CN-3"):
        void_credit_note(db_session, None, note.id, date=JULY, reason="x")
    db_session.rollback()
    with pytest.raises(LedgerError, match="Say why"):
        note.unlock()
        void_credit_note(db_session, None, note.id, date=JULY, reason="")
    db_session.rollback()
    assert note.status == "posted"


# ---------------------------------------------------------------- two people at once (PostgreSQL)


def test_two_people_applying_the_same_credit_note_cannot_apply_more_than_it_holds(app, db_session,
                                                                                   billing):
    first_bill, second_bill = billing.bill(), billing.bill()
    ids, note_id = (first_bill.id, second_bill.id), billing.credit_note().id  # 110.00 each
    first = new_session()
    apply_credit(first, None, note_id, date=JULY, amounts={ids[0]: D("80.00")})
    result = second_person_waits(first, lambda s: apply_credit(
        s, None, note_id, date=JULY, amounts={ids[1]: D("80.00")}))
    assert result == "That is more than is left on CN-00001: 30.00."
    db_session.expire_all()
    assert (first_bill.applied, second_bill.applied) == (D("80.00"), D("0.00"))


def test_two_people_billing_the_same_unbilled_work_cannot_bill_it_twice(app, db_session, billing):
    from accounting.office.bills import Bill
    from accounting.office.work_in_progress import bill_from_entries, record_entry

    entry = record_entry(db_session, None, matter_id=billing.matter.id, kind="time", on=JULY,
                         person_id=None, description="Drafting", hours=D("2"), rate=D("300"))
    db_session.commit()
    matter_id, entry_id = billing.matter.id, entry.id
    first = new_session()
    bill_from_entries(first, None, matter_id=matter_id, entry_ids=[entry_id], date=JULY)
    result = second_person_waits(first, lambda s: bill_from_entries(
        s, None, matter_id=matter_id, entry_ids=[entry_id], date=JULY))
    assert result == "Some of those entries are already on a bill; refresh the page."
    assert db_session.scalar(select(func.count()).select_from(Bill)) == 1


def test_two_people_undoing_the_same_payment_undo_it_once(app, db_session, billing):
    bill = billing.bill()
    payment_id = billing.pay(bill, "110.00").id
    first = new_session()
    undo_event(first, None, payment_id, date=JULY, reason="Bounced")
    result = second_person_waits(first, lambda s: undo_event(s, None, payment_id, date=JULY,
                                                              reason="Bounced"))
    assert result == "That payment was already undone on 01 Jul 2026."
    db_session.expire_all()
    assert bill.applied == D("0.00") and bill.owed == D("110.00")


# ---------------------------------------------------------------- GST registration


NOT_REGISTERED = ("The practice is not registered for GST (Admin > Practice settings): "
                  "choose GST-free.")


def test_a_practice_not_registered_for_gst_charges_none(billing, db_session):
    from accounting.ledger.tax import TaxCode, check_gst_allowed
    from accounting.office.billing import approve_bill, create_bill
    from accounting.office.work_in_progress import record_entry

    draft = billing.bill(approve=False)  # a GST line written while registered
    get_practice(db_session).gst_registered = False
    db_session.commit()
    with pytest.raises(LedgerError) as refusal:
        create_bill(db_session, None, matter_id=billing.matter.id, date=JULY,
                    lines=[billing.line(tax=TaxCode.GST_FREE), billing.line(tax=TaxCode.GST)])
    assert (refusal.value.message, refusal.value.field) == (NOT_REGISTERED, "lines-1-tax")
    db_session.rollback()
    with pytest.raises(LedgerError, match="not registered for GST"):
        billing.credit_note(billing.line(tax=TaxCode.GST))
    db_session.rollback()
    with pytest.raises(LedgerError, match="not registered for GST"):
        approve_bill(db_session, None, draft)
    db_session.rollback()
    with pytest.raises(LedgerError, match="not registered for GST") as refusal:
        record_entry(db_session, None, matter_id=billing.matter.id, kind="time", on=JULY,
                     person_id=None, description="Advice", hours=D("1"), rate=D("100"), tax=TaxCode.GST)
    assert refusal.value.field == "tax"
    db_session.rollback()
    bill = billing.bill(billing.line(tax=TaxCode.GST_FREE))
    assert (bill.gst, bill.total) == (D("0.00"), D("100.00"))
    assert journal_lines(bill.journal) == [("1-2000", D("100.00")), ("4-1000", D("-100.00"))]
    check_gst_allowed(get_practice(db_session), False, "tax")  # GST-free is always allowed


def test_every_correction_is_in_the_audit_log(billing, db_session):
    from accounting.audit import AuditEvent

    bill = billing.bill()
    payment = billing.pay(bill, "10.00")
    note = billing.credit_note()
    refund = refund_credit(db_session, None, note.id, amount=D("5.00"), date=JULY,
                           bank_account_id=billing.id("1-1000"))
    db_session.commit()
    undo_event(db_session, billing.books.staff, payment.id, date=JULY, reason="Bounced")
    undo_refund(db_session, billing.books.staff, refund.id, date=JULY, reason="Wrong account")
    void_credit_note(db_session, billing.books.staff, note.id, date=JULY, reason="In error")
    db_session.commit()
    rows = db_session.scalars(select(AuditEvent).where(AuditEvent.user_id == billing.books.staff.id,
                                                       AuditEvent.entity_type != "journal")
                              .order_by(AuditEvent.id)).all()
    assert [(r.action, r.entity_type, r.summary) for r in rows] == [
        ("undone", "bill", "INV-00001: payment of 10.00 undone (Bounced)"),
        ("refund_undone", "credit_note", "CN-00001: refund of 5.00 undone (Wrong account)"),
        ("voided", "credit_note", "CN-00001 voided (In error)"),
    ]


# ---------------------------------------------------------------- named refusals


def test_refusals_a_caller_must_tell_apart_are_named_errors(billing, db_session):
    """Not a draft, a closed matter, more than owed or left, already undone or voided, locked: each
    its own error class (under LedgerError, so pages show them as before)."""
    bill = billing.bill()
    with pytest.raises(NotADraft, match="is not a draft, so it cannot be approved"):
        approve_bill(db_session, None, bill)
    with pytest.raises(WouldOverdraw) as overpaid:
        billing.pay(bill, "110.01")
    assert isinstance(overpaid.value, InvalidAmount) and overpaid.value.field == "amount"
    db_session.rollback()
    note = billing.credit_note()  # 110.00
    with pytest.raises(WouldOverdraw, match="more than is left on CN-00001"):
        refund_credit(db_session, None, note.id, amount=D("110.01"), date=JULY,
                      bank_account_id=billing.id("1-1000"))
    db_session.rollback()
    payment = billing.pay(bill, "10.00")
    with pytest.raises(DocumentLocked, match="10.00 applied to it"):
        revert_bill(db_session, None, bill, on=JULY)
    db_session.rollback()
    undo_event(db_session, None, payment.id, date=JULY, reason="Bounced")
    db_session.commit()
    with pytest.raises(AlreadyUndone, match="That payment was already undone on 01 Jul 2026."):
        undo_event(db_session, None, payment.id, date=JULY, reason="Again")
    db_session.rollback()
    void_credit_note(db_session, None, note.id, date=JULY, reason="Wrong client")
    db_session.commit()
    with pytest.raises(AlreadyUndone, match="CN-00001 is already voided."):
        void_credit_note(db_session, None, note.id, date=JULY, reason="Again")
    db_session.rollback()
    locked = billing.credit_note()
    locked.lock("Pushed to Xero as CN-3")
    db_session.commit()
    with pytest.raises(DocumentLocked, match="Locked: Pushed to Xero as CN-3. Unlink it in Integrations"):
        void_credit_note(db_session, None, locked.id, date=JULY, reason="x")
    db_session.rollback()
    billing.matter.status = "closed"
    db_session.commit()
    with pytest.raises(MatterClosed, match="is closed; reopen it to bill it") as closed:
        billing.bill()
    assert closed.value.field == "matter"
