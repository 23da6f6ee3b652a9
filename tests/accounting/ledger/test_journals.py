"""The journal engine's rules: one way into the ledger, each invariant refused with its message."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounting.audit import AuditEvent, list_events
from accounting.errors import (
    InvalidAccount,
    InvalidAmount,
    InvalidReversal,
    LedgerError,
    PeriodLocked,
    TransactionLocked,
    UnbalancedJournal,
)
from accounting.ledger.journals import (
    Journal,
    JournalLine,
    JournalStatus,
    LineInput,
    get_journal,
    list_journals,
    post,
    postable_accounts,
    reverse,
)
from accounting.ledger.practice import get_practice

JULY = date(2026, 7, 15)


# SQLite serialises writers by itself; the row lock under test matters on PostgreSQL.

def lines(books, **amounts):
    """lines(books, bank="-10.00", rent="10.00") with short names for a few accounts."""
    codes = {"bank": "1-1000", "rent": "6-2000", "gst": "2-1200", "capital": "3-1000"}
    return [LineInput(books.account(codes[name]).id, Decimal(v)) for name, v in amounts.items()]


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_a_balanced_journal_posts_with_a_number_lines_and_an_audit_entry(db_session, books):
    journal = post(db_session, books.admin, date=JULY, narration="  Rent  ", reference="INV 7",
                   lines=lines(books, rent="4200.00", bank="-4200.00"))
    assert journal.number == "GJ-000001"
    assert journal.narration == "Rent"
    assert journal.status == JournalStatus.POSTED
    assert journal.total == Decimal("4200.00")
    assert [(line.line_no, line.debit, line.credit) for line in journal.lines] == [
        (1, Decimal("4200.00"), None), (2, None, Decimal("4200.00"))]
    assert all(line.date == JULY for line in journal.lines)
    event = db_session.execute(
        select(AuditEvent).where(AuditEvent.entity_type == "journal")).scalar_one()
    assert (event.action, event.entity_type, event.entity_id) == ("posted", "journal", journal.id)
    assert event.summary == "GJ-000001 posted: Rent (4,200.00)"


def test_numbers_follow_on(db_session, books):
    first = post(db_session, None, date=JULY, narration="a", lines=lines(books, rent="1", bank="-1"))
    second = post(db_session, None, date=JULY, narration="b", lines=lines(books, rent="1", bank="-1"))
    assert (first.number, second.number) == ("GJ-000001", "GJ-000002")


def test_an_unbalanced_journal_is_refused_with_both_totals(db_session, books):
    with pytest.raises(UnbalancedJournal) as refusal:
        post(db_session, books.admin, date=JULY, narration="x",
             lines=lines(books, rent="100.00", bank="-99.99"))
    assert refusal.value.message == (
        "Debits (100.00) and credits (99.99) differ by 0.01; a journal posts only when they balance.")
    assert refusal.value.field == "lines"
    assert count(db_session, Journal) == 0


def test_a_journal_needs_at_least_two_lines(db_session, books):
    with pytest.raises(UnbalancedJournal, match="at least two lines"):
        post(db_session, books.admin, date=JULY, narration="x", lines=lines(books, rent="0.00"))


def test_a_zero_line_is_refused_beside_its_debit(db_session, books):
    with pytest.raises(InvalidAmount) as refusal:
        post(db_session, books.admin, date=JULY, narration="x",
             lines=lines(books, rent="10.00", bank="-10.00", gst="0"))
    assert (refusal.value.message, refusal.value.field) == (
        "Line 3: enter a debit or a credit.", "lines-2-debit")


def test_amounts_must_be_exact_to_the_cent(db_session, books):
    with pytest.raises(InvalidAmount, match="at most two decimals"):
        post(db_session, books.admin, date=JULY, narration="x",
             lines=lines(books, rent="10.005", bank="-10.005"))


def test_cents_stay_exact_where_floats_would_drift(db_session, books):
    post(db_session, books.admin, date=JULY, narration="x",
         lines=lines(books, rent="0.10", gst="0.20", bank="-0.30"))
    db_session.commit()
    total = db_session.scalar(select(func.sum(JournalLine.amount)))
    assert total == Decimal("0.00")


def test_an_unknown_account_is_refused(db_session, books):
    with pytest.raises(InvalidAccount) as refusal:
        post(db_session, books.admin, date=JULY, narration="x",
             lines=[LineInput(99999, Decimal("1")), *lines(books, bank="-1")])
    assert (refusal.value.message, refusal.value.field) == ("Line 1: choose an account.",
                                                            "lines-0-account")


def test_an_archived_account_is_refused_and_not_offered(db_session, books):
    rent = books.account("6-2000")
    rent.archived = True
    db_session.commit()
    with pytest.raises(InvalidAccount, match="6-2000 Rent is archived") as refusal:
        post(db_session, books.admin, date=JULY, narration="x", lines=lines(books, rent="1", bank="-1"))
    assert refusal.value.field == "lines-0-account"
    assert rent not in postable_accounts(db_session)
    assert books.account("1-1000") in postable_accounts(db_session)


def test_a_date_before_the_lock_date_is_refused(db_session, books):
    get_practice(db_session).lock_date = date(2026, 7, 1)
    with pytest.raises(PeriodLocked, match="locked before 01 Jul 2026") as refusal:
        post(db_session, books.admin, date=date(2026, 6, 30), narration="x",
             lines=lines(books, rent="1", bank="-1"))
    assert refusal.value.field == "date"
    assert post(db_session, books.admin, date=date(2026, 7, 1), narration="on the lock date",
                lines=lines(books, rent="1", bank="-1")).number == "GJ-000001"


@pytest.mark.parametrize(("narration", "message"), [
    ("   ", "Say what the journal is for."),
    ("x" * 501, "Keep the narration under 500 characters."),
])
def test_narration_is_required_and_bounded(db_session, books, narration, message):
    with pytest.raises(LedgerError) as refusal:
        post(db_session, books.admin, date=JULY, narration=narration,
             lines=lines(books, rent="1", bank="-1"))
    assert (refusal.value.message, refusal.value.field) == (message, "narration")


def test_reverse_posts_negated_lines_linked_both_ways(db_session, books):
    original = books.journal({"6-2000": "250.00", "1-1000": "-250.00"})
    reversal = reverse(db_session, books.staff, original, date=date(2026, 7, 20), reason="Wrong month")
    db_session.commit()
    assert reversal.number == "RV-000001"
    assert reversal.kind == "reversal"
    assert reversal.reverses is original and original.reversed_by is reversal
    assert original.status == JournalStatus.REVERSED
    assert [line.amount for line in reversal.lines] == [Decimal("-250.00"), Decimal("250.00")]
    assert reversal.narration == "Reversal of GJ-000001: Wrong month"
    actions = [e.action for e in list_events(db_session, entity_type="journal")[0]]
    assert actions[:2] == ["reversed", "posted"]


def test_a_journal_is_reversed_only_once(db_session, books):
    original = books.journal({"6-2000": "1.00", "1-1000": "-1.00"})
    reverse(db_session, books.admin, original, date=JULY, reason="once")
    with pytest.raises(InvalidReversal, match="already been reversed"):
        reverse(db_session, books.admin, original, date=JULY, reason="twice")


def test_a_reversal_is_never_reversed(db_session, books):
    original = books.journal({"6-2000": "1.00", "1-1000": "-1.00"})
    reversal = reverse(db_session, books.admin, original, date=JULY, reason="once")
    assert reversal.why_not_reversible() == "This journal is itself a reversal; a reversal is never reversed."
    with pytest.raises(InvalidReversal, match="itself a reversal"):
        reverse(db_session, books.admin, reversal, date=JULY, reason="again")


def test_a_locked_journal_is_not_reversed(db_session, books):
    original = books.journal({"6-2000": "1.00", "1-1000": "-1.00"})
    original.lock("Pushed to Xero as journal 42")
    assert not original.can_reverse()
    with pytest.raises(TransactionLocked, match="locked: Pushed to Xero as journal 42"):
        reverse(db_session, books.admin, original, date=JULY, reason="x")


def test_a_reversal_is_not_dated_before_the_original(db_session, books):
    original = books.journal({"6-2000": "1.00", "1-1000": "-1.00"}, on=JULY)
    with pytest.raises(InvalidReversal, match="before the journal it reverses") as refusal:
        reverse(db_session, books.admin, original, date=date(2026, 7, 14), reason="x")
    assert refusal.value.field == "date"


def test_a_reversal_respects_the_lock_date(db_session, books):
    original = books.journal({"6-2000": "1.00", "1-1000": "-1.00"}, on=JULY)
    get_practice(db_session).lock_date = date(2026, 8, 1)
    with pytest.raises(PeriodLocked):
        reverse(db_session, books.admin, original, date=date(2026, 7, 20), reason="x")
    assert original.status == JournalStatus.POSTED


def test_a_reversal_needs_a_reason(db_session, books):
    original = books.journal({"6-2000": "1.00", "1-1000": "-1.00"})
    with pytest.raises(InvalidReversal, match="reason") as refusal:
        reverse(db_session, books.admin, original, date=JULY, reason=" ")
    assert refusal.value.field == "reason"


def test_journals_are_listed_newest_first_a_page_at_a_time(db_session, books):
    for day in (3, 1, 2):
        books.journal({"6-2000": "1.00", "1-1000": "-1.00"}, on=date(2026, 7, day), narration=f"d{day}")
    page, total = list_journals(db_session, page=1, per_page=2)
    assert total == 3
    assert [j.narration for j in page] == ["d3", "d2"]
    assert [j.narration for j in list_journals(db_session, page=2, per_page=2)[0]] == ["d1"]


def test_get_journal_refuses_an_unknown_id(db_session, books):
    from accounting.errors import NotFound

    with pytest.raises(NotFound):
        get_journal(db_session, 12345)


def test_two_people_reversing_at_once_get_one_reversal_and_one_refusal(app, db_session, books):
    """On PostgreSQL the row lock makes the second reverser wait, then see "already reversed"."""
    from tests.support import new_session, second_person_waits

    journal_id = books.journal({"6-2000": "1.00", "1-1000": "-1.00"}).id
    first = new_session()
    reverse(first, None, get_journal(first, journal_id, for_update=True), date=JULY, reason="first")
    result = second_person_waits(first, lambda second: reverse(
        second, None, get_journal(second, journal_id, for_update=True), date=JULY, reason="second"))
    assert result == "This journal has already been reversed."


def test_two_people_taking_the_first_number_of_a_new_sequence_at_once_get_one_each(app, books):
    """The sequence's row is made by whoever comes first; the second waits and takes the next
    number (a plain INSERT would fail the second with a duplicate key)."""
    from accounting.sequences import next_number
    from tests.support import new_session, second_person_waits

    first = new_session()
    assert next_number(first, "test:NEW-", "NEW-") == "NEW-000001"
    assert second_person_waits(first, lambda second: next_number(second, "test:NEW-", "NEW-")) == "NEW-000002"


def test_kinds_sharing_a_prefix_share_one_counter_and_never_a_number(books, db_session):
    lines = [LineInput(books.account("6-2000").id, Decimal("5.00")),
             LineInput(books.account("1-1000").id, Decimal("-5.00"))]
    first = post(db_session, books.admin, date=JULY, narration="One", lines=lines, kind="supply")
    second = post(db_session, books.admin, date=JULY, narration="Two", lines=lines, kind="support")
    assert (first.number, second.number) == ("SU-000001", "SU-000002")


def test_a_prefix_belongs_to_one_kind():
    from accounting.ledger.journals import register_journal_kind

    with pytest.raises(ValueError, match="already belongs"):
        register_journal_kind("not_general", "GJ-")


def test_only_trust_kinds_may_post_to_accounts_holding_trust_money(db_session, books):
    from accounting.ledger.journals import TRUST_KINDS

    trust_bank, liability = books.account("1-1100"), books.account("2-2000")
    assert trust_bank.holds_trust and liability.holds_trust
    lines = [LineInput(trust_bank.id, Decimal("50.00")), LineInput(liability.id, Decimal("-50.00"))]
    with pytest.raises(InvalidAccount, match="holds clients' trust money") as refused:
        post(db_session, books.admin, date=date(2026, 7, 1), narration="Into trust", lines=lines)
    assert refused.value.field == "lines-0-account"
    TRUST_KINDS.add("test_trust")
    try:
        journal = post(db_session, books.admin, date=date(2026, 7, 1), narration="Into trust",
                       lines=lines, kind="test_trust")
    finally:
        TRUST_KINDS.discard("test_trust")
    assert journal.total == Decimal("50.00")
    assert trust_bank not in postable_accounts(db_session)
