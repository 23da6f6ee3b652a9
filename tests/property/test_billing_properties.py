"""Billing invariants under random sequences of bills, payments, credit notes, refunds, write-offs,
reverts and voids, and their corrections: undone payments, credits, write-offs and refunds, voided
credit notes (hypothesis).

Whatever is done, in whatever order, and whatever is refused: the trial balance sums to zero;
every bill's amount owed is its total less what is applied (payments, credits, write-offs) and
never below zero; every credit note's use is what was applied from it plus what was refunded; and
Accounts Receivable equals what posted bills owe less the credit still unused on credit notes.
"""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from accounting.errors import LedgerError
from accounting.ledger.journals import Journal, JournalLine
from accounting.ledger.tax import TaxCode
from accounting.money import ZERO
from accounting.office import bill_totals, billing, credit_notes
from accounting.office.bills import (
    APPLYING,
    Bill,
    BillEvent,
    BillLine,
    BillLineInput,
    BillStatus,
    CreditNote,
    CreditNoteLine,
    CreditRefund,
)
from accounting.parties.clients import ClientDetails, open_matter, save_client

START = date(2026, 7, 1)
amounts = st.integers(min_value=1, max_value=500_000).map(lambda c: Decimal(c) / 100)
rates = st.integers(min_value=100, max_value=500_000).map(lambda c: Decimal(c) / 100)
line = st.tuples(st.integers(1, 400).map(lambda q: Decimal(q) / 4), rates,
                 st.sampled_from(["4-1000", "4-2000"]), st.sampled_from(list(TaxCode)))
pick = st.integers(0, 20)
day = st.integers(0, 20)
new_bill = st.tuples(st.just("bill"), st.lists(line, min_size=1, max_size=3), st.integers(0, 1), day)
operations = st.lists(st.one_of(
    new_bill, new_bill, new_bill,
    st.tuples(st.just("pay"), pick, amounts, day),
    st.tuples(st.just("pay_all"), pick, day),
    st.tuples(st.just("credit_note"), st.lists(line, min_size=1, max_size=2), st.integers(0, 1), day),
    st.tuples(st.just("apply"), pick, pick, amounts, day),
    st.tuples(st.just("refund"), pick, amounts, day),
    st.tuples(st.just("write_off"), pick, day),
    st.tuples(st.just("revert"), pick, day),
    st.tuples(st.just("void"), pick, day),
    st.tuples(st.just("undo"), pick, day),
    st.tuples(st.just("undo_refund"), pick, day),
    st.tuples(st.just("void_note"), pick, day),
), min_size=3, max_size=20)

SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _reset(session):
    session.rollback()
    session.execute(BillEvent.__table__.update().values(undoes_id=None))
    for model in (BillEvent, CreditRefund, BillLine, CreditNoteLine, Bill, CreditNote, JournalLine):
        session.execute(delete(model))
    session.execute(Journal.__table__.update().values(reverses_id=None))
    session.execute(delete(Journal))
    bill_totals.rebuild(session)  # the bills went around the ORM
    session.commit()


def _nth(session, model, n):
    rows = session.scalars(select(model).order_by(model.id)).all()
    return rows[n % len(rows)] if rows else None


def _apply(session, books, matters, clients, operation):
    kind, *args = operation
    ids = {code: books.account(code).id for code in ("1-1000", "4-1000", "4-2000")}
    bank = ids["1-1000"]

    def lines(specs):
        return [BillLineInput("Work", q, r, ids[code], tax) for q, r, code, tax in specs]

    on = START + timedelta(days=args[-1])
    if kind == "bill":
        bill = billing.create_bill(session, None, matter_id=matters[args[1]].id, date=on,
                                   lines=lines(args[0]))
        billing.approve_bill(session, None, bill)
    elif kind == "credit_note":
        credit_notes.create_credit_note(session, None, client_id=clients[args[1]].id, date=on,
                                   lines=lines(args[0]))
    elif kind in ("pay", "pay_all", "write_off", "revert", "void"):
        bill = _nth(session, Bill, args[0])
        if bill is None:
            return
        if kind == "pay":
            billing.record_payment(session, None, bill.id, amount=args[1], date=on, bank_account_id=bank)
        elif kind == "pay_all":
            billing.record_payment(session, None, bill.id, amount=bill.owed, date=on, bank_account_id=bank)
        elif kind == "write_off":
            billing.write_off(session, None, bill.id, date=on, reason="Test correction")
        elif kind == "revert":
            billing.revert_bill(session, None, bill, on=on)
        else:
            billing.void_bill(session, None, bill, on=on, reason="Test correction")
    elif kind == "apply":
        note, bill = _nth(session, CreditNote, args[0]), _nth(session, Bill, args[1])
        if note and bill:
            credit_notes.apply_credit(session, None, note.id, date=on, amounts={bill.id: args[2]})
    elif kind == "refund":
        note = _nth(session, CreditNote, args[0])
        if note:
            credit_notes.refund_credit(session, None, note.id, amount=args[1], date=on, bank_account_id=bank)
    elif kind == "undo":
        applied = session.scalars(select(BillEvent).where(BillEvent.kind.in_(APPLYING))
                                  .order_by(BillEvent.id)).all()
        if applied:
            billing.undo_event(session, None, applied[args[0] % len(applied)].id, date=on, reason="Wrong")
    elif kind == "undo_refund":
        refund = _nth(session, CreditRefund, args[0])
        if refund:
            credit_notes.undo_refund(session, None, refund.id, date=on, reason="Wrong")
    elif kind == "void_note":
        note = _nth(session, CreditNote, args[0])
        if note:
            credit_notes.void_credit_note(session, None, note.id, date=on, reason="Wrong")


def _check_invariants(session, books):
    assert session.scalar(select(func.coalesce(func.sum(JournalLine.amount), 0))) == 0
    unused = ZERO
    for note in session.scalars(select(CreditNote)):
        used = (sum((a.amount for a in note.live_applications()), ZERO)
                + sum((r.amount for r in note.live_refunds()), ZERO))
        assert note.used == used and ZERO <= note.remaining <= note.total
        assert not (note.voided and used)
        unused += note.remaining
    owed = ZERO
    for bill in session.scalars(select(Bill)):
        applied = sum((e.amount for e in bill.events if e.kind in APPLYING and e.undone_by is None), ZERO)
        assert bill.applied == applied
        assert bill.total == sum((x.amount + x.gst for x in bill.lines), ZERO)
        if bill.status == BillStatus.POSTED:
            assert bill.owed == bill.total - applied >= ZERO
            owed += bill.owed
        else:
            assert applied == ZERO
    receivable = books.account("1-2000").id
    ar = session.scalar(select(func.coalesce(func.sum(JournalLine.amount), 0))
                        .where(JournalLine.account_id == receivable))
    assert Decimal(ar) == owed - unused
    assert bill_totals.differences(session) == []


@SETTINGS
@given(ops=operations)
def test_any_sequence_of_billing_keeps_the_books_and_every_bill_in_balance(db_session, books, ops):
    _reset(db_session)
    clients = [save_client(db_session, None, ClientDetails(kind="company", name=n)) for n in ("A", "B")]
    matters = [open_matter(db_session, None, c, description="M", responsible_id=None, opened_on=START)
               for c in clients]
    db_session.commit()
    for operation in ops:
        try:
            _apply(db_session, books, matters, clients, operation)
            db_session.commit()
        except LedgerError as refusal:
            db_session.rollback()
            event(f"refused: {operation[0]}: {refusal.message[:40]}")
        _check_invariants(db_session, books)
    event(f"{db_session.scalar(select(func.count()).select_from(BillEvent))} bill events")
