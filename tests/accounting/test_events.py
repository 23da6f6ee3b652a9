"""accounting/events.py: what the books did, heard inside the transaction that did it.

Every journal posted is heard exactly once as a JournalPosted, whatever its kind (the kinds are read
from the journal registry, so a new transaction type is covered without touching this file); what a
handler writes commits or rolls back with the posting; a handler that fails fails the posting; a
client or matter created or changed is heard as a PartyChanged.
"""

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

import accounting.models  # noqa: F401  (every wing imported: every journal kind registered)
from accounting import events
from accounting.audit import AuditEvent, record
from accounting.errors import LedgerError, UnbalancedJournal
from accounting.events import (
    CreditApplicationUndone,
    CreditApplied,
    CreditEvent,
    CreditSide,
    Event,
    JournalPosted,
    PartyChanged,
    PartyKind,
    emit,
    listening,
    subscribe,
    subscribed,
    unsubscribe,
)
from accounting.ledger.journals import (
    JOURNAL_PREFIXES,
    TRUST_KINDS,
    Journal,
    JournalEntry,
    JournalKind,
    JournalLine,
    LineInput,
    post,
    post_batch,
    reverse,
)
from accounting.parties.clients import (
    ClientDetails,
    add_person,
    archive_client,
    open_matter,
    remove_person,
    save_client,
    update_matter,
)

JULY = date(2026, 7, 15)


class Heard:
    """A handler that keeps every event it hears, in order."""

    def __init__(self):
        self.events = []

    def __call__(self, session, event):
        self.events.append(event)

    def of(self, event_type):
        return [e for e in self.events if isinstance(e, event_type)]


def rent_lines(books, amount="10.00"):
    """Dr Rent, Cr the office bank: lines any kind may post (no trust account)."""
    return [LineInput(books.account("6-2000").id, Decimal(amount)),
            LineInput(books.account("1-1000").id, -Decimal(amount))]


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def journal_ids(session) -> set[int]:
    return set(session.scalars(select(Journal.id)))


# ------------------------------------------------------------------ the registry's journal kinds


def test_the_registry_holds_every_transaction_type_of_the_wings():
    kinds = set(JOURNAL_PREFIXES)
    assert {JournalKind.GENERAL, JournalKind.REVERSAL, "bill", "bill_payment", "credit_note",
            "purchase_invoice", "ap_payment", "deposit", "trust_receipt", "trust_reversal"} <= kinds
    assert kinds >= TRUST_KINDS


@pytest.mark.parametrize("kind", sorted(JOURNAL_PREFIXES))
def test_a_journal_of_every_registered_kind_is_heard_once(books, kind):
    heard = Heard()
    with subscribed(JournalPosted, heard):
        journal = post(books.session, books.admin, date=JULY, narration=f"One {kind} journal",
                       kind=kind, lines=rent_lines(books))
    assert heard.events == [JournalPosted(
        journal_id=journal.id, number=journal.number, kind=str(kind), date=JULY)]
    assert journal.number.startswith(JOURNAL_PREFIXES[kind])
    assert not heard.events[0].is_reversal


def test_a_batch_of_every_kind_is_heard_once_per_journal_in_posting_order(books):
    entries = [JournalEntry(JULY, f"One {kind} journal", rent_lines(books, f"{n + 1}.00"), kind=str(kind))
               for n, kind in enumerate(sorted(JOURNAL_PREFIXES))]
    heard = Heard()
    with subscribed(JournalPosted, heard):
        journals = post_batch(books.session, books.admin, entries)
    assert [(e.journal_id, e.number, e.kind) for e in heard.events] == [
        (j.id, j.number, j.kind) for j in journals]
    assert len({e.journal_id for e in heard.events}) == len(entries)


def test_a_reversal_is_heard_once_naming_the_journal_it_reverses(books):
    journal = books.journal({"6-2000": "250.00", "1-1000": "-250.00"})
    heard = Heard()
    with subscribed(JournalPosted, heard):
        reversal = reverse(books.session, books.admin, journal, date=JULY, reason="Posted twice")
    assert heard.events == [JournalPosted(
        journal_id=reversal.id, number=reversal.number, kind=JournalKind.REVERSAL, date=JULY,
        reverses_id=journal.id)]
    assert heard.events[0].is_reversal
    assert reversal.reverses_id == journal.id and reversal.reversal_reason == "Posted twice"


def test_the_document_that_posts_a_journal_is_named_when_the_poster_gives_it(books):
    heard = Heard()
    with subscribed(JournalPosted, heard):
        journal = post(books.session, books.admin, date=JULY, narration="Rent", lines=rent_lines(books),
                       source_type="bill", source_id=42)
        reverse(books.session, books.admin, journal, date=JULY, reason="Wrong", source_type="bill",
                source_id=42)
    assert [(e.source_type, e.source_id) for e in heard.events] == [("bill", 42), ("bill", 42)]


def test_a_refused_batch_is_not_heard(books):
    good = JournalEntry(JULY, "Fine", rent_lines(books))
    unbalanced = JournalEntry(JULY, "Off by a cent", [
        LineInput(books.account("6-2000").id, Decimal("1.00")),
        LineInput(books.account("1-1000").id, Decimal("-0.99"))])
    heard = Heard()
    with subscribed(JournalPosted, heard), pytest.raises(UnbalancedJournal, match="differ by 0.01"):
        post_batch(books.session, books.admin, [good, unbalanced])
    assert heard.events == []


# ------------------------------------------------------------------ the documents' own postings


def test_every_journal_the_trust_and_office_services_post_is_heard_exactly_once(trust):
    """A trust receipt, an approved bill, a transfer from trust paying it and a trust payment: each
    journal the services wrote is heard once, none twice, none missed."""
    s = trust.s
    before = journal_ids(s)
    heard = Heard()
    with subscribed(JournalPosted, heard):
        trust.receive("5000.00")
        bill = trust.bill("1000.00")
        trust.transfer((bill, Decimal("1100.00")))
        trust.pay("100.00")
    posted = journal_ids(s) - before
    assert len(posted) >= 4
    assert sorted(e.journal_id for e in heard.events) == sorted(posted)
    numbers = dict(s.execute(select(Journal.id, Journal.number).where(Journal.id.in_(posted))).all())
    assert {e.journal_id: e.number for e in heard.events} == numbers


# ------------------------------------------------------------------ one transaction


def write_an_audit_line(session, event):
    """A handler writing its own row, as the outbox will: in the posting's transaction."""
    record(session, None, "heard", "journal", event.journal_id, f"heard {event.number}")


def heard_lines(session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "heard"))


def test_what_a_handler_writes_commits_with_the_posting(books):
    with subscribed(JournalPosted, write_an_audit_line):
        journal = post(books.session, books.admin, date=JULY, narration="Rent", lines=rent_lines(books))
    books.session.commit()
    row = books.session.scalars(select(AuditEvent).where(AuditEvent.action == "heard")).one()
    assert (row.entity_id, row.summary) == (journal.id, f"heard {journal.number}")


def test_a_rolled_back_posting_leaves_nothing_of_its_handlers_behind(books):
    with subscribed(JournalPosted, write_an_audit_line):
        post(books.session, books.admin, date=JULY, narration="Rent", lines=rent_lines(books))
        assert heard_lines(books.session) == 1  # written, in the posting's own transaction
        books.session.rollback()
    assert heard_lines(books.session) == 0
    assert count(books.session, Journal) == 0


def test_a_handler_that_fails_fails_the_posting(books):
    def outbox_down(session, event):
        raise RuntimeError("the outbox refused the row")

    session = books.session
    with subscribed(JournalPosted, outbox_down), pytest.raises(RuntimeError, match="outbox refused"):
        post(session, books.admin, date=JULY, narration="Rent", lines=rent_lines(books))
    session.rollback()  # what the request boundary does with any error that reaches it
    assert count(session, Journal) == 0 and count(session, JournalLine) == 0
    # The number it took was given back with the rest: the next posting takes GJ-000001.
    again = post(session, books.admin, date=JULY, narration="Rent", lines=rent_lines(books))
    assert again.number == "GJ-000001"


def test_a_failing_handler_fails_a_reversal_and_the_original_stays_posted(books):
    journal = books.journal({"6-2000": "250.00", "1-1000": "-250.00"})

    def refuse_reversals(session, event):
        if event.is_reversal:
            raise RuntimeError("no reversals today")

    with subscribed(JournalPosted, refuse_reversals), pytest.raises(RuntimeError):
        reverse(books.session, books.admin, journal, date=JULY, reason="Posted twice")
    books.session.rollback()
    assert count(books.session, Journal) == 1 and journal.can_reverse()


# ------------------------------------------------------------------ parties


def parties_heard(heard):
    return [(e.kind, e.created) for e in heard.of(PartyChanged)]


def test_a_client_created_and_changed_is_heard(books):
    heard = Heard()
    with subscribed(PartyChanged, heard):
        client = save_client(books.session, books.admin, ClientDetails(kind="company", name="Acme Pty Ltd"))
        save_client(books.session, books.admin, ClientDetails(kind="company", name="Acme Holdings Pty Ltd"),
                    client)
        person = add_person(books.session, books.admin, client, name="Ann Director", role="director")
        remove_person(books.session, books.admin, person)
        archive_client(books.session, books.admin, client)
        archive_client(books.session, books.admin, client)  # already archived: nothing happens
        archive_client(books.session, books.admin, client, archived=False)
    assert {e.party_id for e in heard.events} == {client.id}
    assert parties_heard(heard) == [(PartyKind.CLIENT, True)] + [(PartyKind.CLIENT, False)] * 5


def test_a_matter_opened_and_changed_is_heard(books):
    client = save_client(books.session, books.admin, ClientDetails(kind="individual", name="Bo Smith"))
    heard = Heard()
    with subscribed(PartyChanged, heard):
        matter = open_matter(books.session, books.admin, client, description="Estate",
                             responsible_id=books.staff.id, opened_on=JULY)
        update_matter(books.session, books.admin, matter, description="Estate of the late B Smith",
                      responsible_id=books.staff.id, status="closed", today=JULY)
    assert heard.events == [PartyChanged(PartyKind.MATTER, matter.id, created=True),
                            PartyChanged(PartyKind.MATTER, matter.id, created=False)]


def test_a_refused_client_is_not_heard(books):
    heard = Heard()
    with subscribed(PartyChanged, heard), pytest.raises(LedgerError, match="Enter the client's name"):
        save_client(books.session, books.admin, ClientDetails(kind="company", name=" "))
    assert heard.events == []


# ------------------------------------------------------------------ the hook itself


def test_events_are_immutable_facts():
    event = CreditApplied(CreditSide.CLIENT, application_id=1, credit_id=2, document_id=3,
                          amount=Decimal("10.00"), date=JULY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.amount = Decimal("20.00")
    assert isinstance(event, CreditEvent) and not isinstance(event, CreditApplicationUndone)


@dataclasses.dataclass(frozen=True)
class Pinged(Event):
    """An event only these tests emit."""

    n: int


@dataclasses.dataclass(frozen=True)
class LoudPing(Pinged):
    pass


@pytest.fixture
def no_subscribers(monkeypatch):
    """The hook with nobody subscribed (whatever an app subscribed at start-up is put back after)."""
    monkeypatch.setattr(events, "_handlers", {})


def test_a_handler_of_a_base_class_hears_its_subclasses_and_only_while_subscribed(no_subscribers):
    pings, everything = Heard(), Heard()
    ping, loud, party = Pinged(1), LoudPing(2), PartyChanged(PartyKind.SUPPLIER, 7, created=True)
    assert not listening(Pinged)
    with subscribed(Pinged, pings), subscribed(Event, everything):
        assert listening(LoudPing) and listening(PartyChanged)
        for event in (ping, loud, party):
            emit(None, event)
    emit(None, ping)
    assert pings.events == [ping, loud] and everything.events == [ping, loud, party]
    assert not listening(Pinged) and not listening(Event)


def test_subscribing_twice_keeps_one_subscription(no_subscribers):
    heard = Heard()
    subscribe(Pinged, heard)
    subscribe(Pinged, heard)  # a second create_app, as every test makes
    with subscribed(Pinged, heard):
        emit(None, Pinged(1))
    emit(None, Pinged(2))  # still subscribed: it was before the `with`
    unsubscribe(Pinged, heard)
    emit(None, Pinged(3))
    unsubscribe(Pinged, heard)  # not subscribed: nothing to do
    assert [e.n for e in heard.events] == [1, 2]
    assert not listening(Pinged)


def test_handlers_run_in_the_order_they_subscribed(no_subscribers):
    order = []
    with subscribed(Pinged, lambda s, e: order.append("first")), \
            subscribed(Pinged, lambda s, e: order.append("second")):
        emit(None, Pinged(1))
    assert order == ["first", "second"]
