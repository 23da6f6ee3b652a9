"""Credit notes against the sandbox: each becomes one AUTHORISED ACCRECCREDIT with our number and
our ledger effect on the mapped accounts; a crash-resend makes no copy; a bad one fails alone with
what to do; linked means locked; voided while waiting means never sent."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest

from accounting.errors import DocumentLocked
from integrations.xero.outbox import OutboxState


def _xero_credit_notes(pushing, number):
    notes = pushing.api().get_credit_notes(pushing.tenant_id, page=1).credit_notes or []
    return [note for note in notes if note.credit_note_number == number]


def _text(value) -> str:
    return str(getattr(value, "value", value))


def _rows(pushing, kind="credit_note"):
    return [row for row in pushing.outbox() if row.kind == kind]


def test_a_credit_note_is_linked_once_with_our_ledger_effect_on_the_mapped_accounts(pushing):
    from integrations.mapping import account_mappings
    from integrations.xero.links import link_of

    note = pushing.credit_note(("4-1000", "200.00", "gst"), ("4-1000", "50.00", "gst"),
                        ("4-2000", "30.00", "gst_free"))
    report = pushing.drain()
    assert report.failed == 0, report

    [xero] = _xero_credit_notes(pushing, note.number)
    assert _text(xero.type) == "ACCRECCREDIT" and _text(xero.status) == "AUTHORISED"
    assert Decimal(str(xero.total)) == note.total and Decimal(str(xero.total_tax)) == note.gst
    # Ours: the journal's debit on each income account equals Xero's line on its mapped code.
    mapped = {account_id: m.xero_code
              for account_id, m in account_mappings(pushing.session, pushing.tenant_id).items()}
    ours = defaultdict(Decimal)
    for line in note.journal.lines:
        if line.account.code in ("4-1000", "4-2000"):
            ours[mapped[line.account_id]] += line.amount
    theirs = defaultdict(Decimal)
    for item in xero.line_items:
        theirs[item.account_code] += Decimal(str(item.line_amount))
    assert dict(ours) == dict(theirs) == {"200": Decimal("250.00"), "260": Decimal("30.00")}
    link = link_of(pushing.session, pushing.tenant_id, "credit_note", note.id)
    assert link.xero_id == xero.credit_note_id and link.xero_number == note.number
    [row] = _rows(pushing)
    assert row.state is OutboxState.SENT

    again = pushing.drain()
    assert again.sent == 0 and len(_xero_credit_notes(pushing, note.number)) == 1


def _send_and_die(pushing, stage):
    """Send the stage's WAITING rows as one batch, then "die" before recording Xero's answer."""
    from integrations.xero.drain import DrainReport, DrainSettings, _Drain

    drain = _Drain(pushing.session, pushing.api(), pushing.tenant_id,
                   DrainSettings(sleep=lambda s: None), DrainReport())
    drain.cut_off_at_lock_date()
    drain.push_new_contacts()
    rows = _rows(pushing, stage.KIND)
    elements = [stage.build(pushing.session, pushing.tenant_id, row) for row in rows]
    stage.send(pushing.api(), pushing.tenant_id, elements, drain._claim(rows, stage.KIND))
    pushing.session.rollback()
    assert {row.state for row in _rows(pushing, stage.KIND)} == {OutboxState.SENDING}


def test_a_credit_note_batch_resent_after_a_crash_makes_no_duplicate(pushing):
    from integrations.xero import credit_notes

    notes = [pushing.credit_note(commit=False) for _ in range(3)]
    pushing.session.commit()
    _send_and_die(pushing, credit_notes)

    report = pushing.drain()

    assert report.sent == 3 and report.failed == 0, report
    for note in notes:
        assert len(_xero_credit_notes(pushing, note.number)) == 1
    assert {row.state for row in _rows(pushing)} == {OutboxState.SENT}


def test_a_credit_note_xero_refuses_fails_alone_with_what_to_do(pushing):
    from integrations.mapping import AccountMapping

    recovered = pushing.books.account("4-2000")
    mapping = pushing.session.query(AccountMapping).filter_by(account_id=recovered.id).one()
    mapping.xero_code = "999"  # a code Xero does not have
    pushing.session.commit()
    bad = pushing.credit_note(("4-2000", "40.00", "gst_free"))
    good = pushing.credit_note()

    report = pushing.drain()

    assert report.sent == 1 and report.failed == 1, report
    rows = {row.journal_id: row for row in _rows(pushing)}
    assert rows[bad.journal_id].state is OutboxState.FAILED
    assert "999" in rows[bad.journal_id].last_error
    assert "Check the account mapping" in rows[bad.journal_id].last_error
    assert rows[good.journal_id].state is OutboxState.SENT
    assert _xero_credit_notes(pushing, bad.number) == []


def test_a_linked_credit_note_cannot_be_voided_here_and_says_its_xero_number(pushing):
    from accounting.office.credit_notes import void_credit_note

    note = pushing.credit_note()
    pushing.drain()
    with pytest.raises(DocumentLocked, match=f"In Xero as {note.number}"):
        void_credit_note(pushing.session, pushing.books.admin, note.id, date=pushing.today,
                         reason="Issued in error")
    pushing.session.rollback()


def test_a_credit_note_voided_while_waiting_is_never_sent(pushing):
    from accounting.office.credit_notes import void_credit_note

    note = pushing.credit_note()
    void_credit_note(pushing.session, pushing.books.admin, note.id, date=pushing.today,
                     reason="Issued in error")
    pushing.session.commit()
    [row] = _rows(pushing)
    assert row.state is OutboxState.NOT_SENT and "Reversed here" in row.reason
    pushing.drain()
    assert _xero_credit_notes(pushing, note.number) == []


def _refund(pushing, note, amount: str):
    from accounting.ledger.accounts import AccountRole, account_for_role
    from accounting.office.credit_notes import refund_credit

    refund = refund_credit(pushing.session, pushing.books.admin, note.id, amount=Decimal(amount),
                           date=pushing.today, reference="EFT back",
                           bank_account_id=account_for_role(pushing.session,
                                                            AccountRole.OFFICE_BANK).id)
    pushing.session.commit()
    return refund


def test_a_refund_becomes_one_payment_on_the_credit_note_from_the_mapped_bank(pushing):
    note = pushing.credit_note(("4-1000", "200.00", "gst"))
    _refund(pushing, note, "150.00")

    report = pushing.drain()

    assert report.failed == 0 and {row.state for row in pushing.outbox()} == {OutboxState.SENT}
    [xero] = _xero_credit_notes(pushing, note.number)
    payments = pushing.api().get_payments(pushing.tenant_id).payments
    ours = [p for p in payments if p.credit_note and p.credit_note.credit_note_id == xero.credit_note_id]
    assert len(ours) == 1 and Decimal(str(ours[0].amount)) == Decimal("150.00")
    assert ours[0].account.code == "090"  # the office bank's mapping
    # Xero's credit left equals ours.
    [xero] = _xero_credit_notes(pushing, note.number)
    pushing.session.refresh(note)
    assert Decimal(str(xero.remaining_credit)) == note.remaining == Decimal("70.00")


def test_a_refund_whose_credit_note_failed_waits_and_says_for_what(pushing):
    from integrations.mapping import AccountMapping

    recovered = pushing.books.account("4-2000")
    pushing.session.query(AccountMapping).filter_by(account_id=recovered.id).delete()
    pushing.session.commit()
    note = pushing.credit_note(("4-2000", "60.00", "gst_free"))
    _refund(pushing, note, "20.00")
    pushing.drain()
    [row] = _rows(pushing, "credit_refund")
    assert row.state is OutboxState.WAITING
    assert f"Waiting for {note.number}, which failed" in row.reason


def test_a_linked_refund_cannot_be_undone_here(pushing):
    from accounting.office.credit_notes import undo_refund

    note = pushing.credit_note()
    refund = _refund(pushing, note, "50.00")
    pushing.drain()
    pushing.session.refresh(refund.journal)
    assert refund.journal.locked_reason == f"In Xero as a refund of {note.number}"
    with pytest.raises(DocumentLocked, match="In Xero as"):
        undo_refund(pushing.session, pushing.books.admin, refund.id, date=pushing.today,
                    reason="Bounced")
    pushing.session.rollback()


def test_a_refund_batch_resent_after_a_crash_makes_no_duplicate(pushing):
    from integrations.xero import credit_refunds

    notes = [pushing.credit_note() for _ in range(2)]
    pushing.drain()
    for note in notes:
        _refund(pushing, note, "30.00")
    _send_and_die(pushing, credit_refunds)

    report = pushing.drain()

    assert report.sent == 2 and report.failed == 0, report
    payments = pushing.api().get_payments(pushing.tenant_id).payments
    for note in notes:
        [xero] = _xero_credit_notes(pushing, note.number)
        assert len([p for p in payments if p.credit_note
                    and p.credit_note.credit_note_id == xero.credit_note_id]) == 1
        assert Decimal(str(xero.remaining_credit)) == Decimal("190.00")
