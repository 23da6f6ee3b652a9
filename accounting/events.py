"""What the books did, told to whoever listens, inside the transaction that did it.

This is the seam between the books and the outside world (DESIGN.md, "Data flow of one push"): a
service emits an event for each thing it did that someone outside may have to act on, and
integrations subscribe at start-up (to write an outbox row, for example). accounting/ never learns
who listens.

The rules:

- An event is emitted inside the database transaction of the change, after the change is written
  (flushed or inserted), so a handler can read the new rows and add its own through the same
  session. The change and what its handlers wrote are committed together, or rolled back together.
- Handlers run synchronously, in the order they subscribed, each called as `handler(session,
  event)`. A handler that raises makes the change fail: the exception reaches the service's caller,
  whose transaction rolls back (the request boundary, `blueprints.pages.committing`, does so on a
  LedgerError, and any other error ends the request and its session). Nothing is half-done.
- Events are immutable facts (frozen dataclasses) made of ids and values, never ORM objects: a
  handler reads what it needs through the session.
- A handler subscribed to a base class hears every event of its subclasses (`Event` hears all).
- Not SQLAlchemy flush or insert listeners: `post_batch` inserts journals with one bulk INSERT,
  which fires none of them, so every event here is emitted explicitly by the service.

Who emits what:

    JournalPosted             accounting.ledger.journals.post_batch, once for every journal it posts;
                              `post` and `reverse` (so every document and trust posting) go through it
    PartyChanged              accounting.parties.clients (clients and matters);
                              accounting.office.suppliers (suppliers)
    CreditApplied             accounting.office.billing.apply_credit (a credit note set against a
                              bill); accounting.office.suppliers.apply_credit (a supplier credit
                              against an invoice)
    CreditApplicationUndone   accounting.office.billing.undo_event (a credit application undone);
                              accounting.office.suppliers.undo_credit_application
"""

import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from sqlalchemy.orm import Session

E = TypeVar("E", bound="Event")
Handler = Callable[[Session, E], None]

# Event type -> its handlers, in subscription order. Tuples, replaced whole on every change, so an
# emit running in another thread always sees a complete list.
_handlers: dict[type, tuple[Callable, ...]] = {}


@dataclass(frozen=True)
class Event:
    """Something the books did. Subscribe to this base class to hear every event."""


@dataclass(frozen=True)
class JournalPosted(Event):
    """A journal was posted (a general journal, a document's journal, a trust movement or a
    reversal of any of them). Emitted by `post_batch`, once per journal.

    `source_type` and `source_id` name the document that posted it when the poster passed them
    (e.g. "bill", 42); otherwise None, and the document is found by its journal id.
    `reverses_id` is the journal this one reverses, None when it reverses nothing.
    """

    journal_id: int
    number: str
    kind: str
    date: date
    reverses_id: int | None = None
    source_type: str | None = None
    source_id: int | None = None

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class PartyKind(enum.StrEnum):
    """The parties an outside system may keep a copy of."""

    CLIENT = "client"
    MATTER = "matter"
    SUPPLIER = "supplier"


@dataclass(frozen=True)
class PartyChanged(Event):
    """A client, matter or supplier was created (`created`) or changed: its details, its people,
    its status, or archived or restored. Emitted by parties/clients.py for clients and matters
    and by office/suppliers.py for suppliers."""

    kind: PartyKind
    party_id: int
    created: bool = False


class CreditSide(enum.StrEnum):
    """Whose credit: a client's credit note against a bill, or a supplier's credit against an
    invoice."""

    CLIENT = "client"
    SUPPLIER = "supplier"


@dataclass(frozen=True)
class CreditEvent(Event):
    """What CreditApplied and CreditApplicationUndone share.

    - application_id: the application (the bill's credit event, or the supplier credit application);
    - credit_id: the credit note (client) or supplier credit;
    - document_id: the bill (client) or supplier invoice the credit is set against;
    - amount: how much of the credit, positive; date: when it was applied, or undone.
    """

    side: CreditSide
    application_id: int
    credit_id: int
    document_id: int
    amount: Decimal
    date: date


@dataclass(frozen=True)
class CreditApplied(CreditEvent):
    """Part of a credit was set against a document. No journal is posted (the credit note posted
    already), so this event is the only news of it. Emitted by office/credit_notes.py (client
    credit notes) and office/supplier_credits.py (supplier credits), one per document credited."""


@dataclass(frozen=True)
class CreditApplicationUndone(CreditEvent):
    """A credit application was taken back: the document owes the amount again and it is left on
    the credit. Emitted by office/billing.py (`undo_event`) and office/supplier_credits.py."""


def subscribe(event_type: type[E], handler: Handler) -> Handler:
    """Call `handler(session, event)` for every event of `event_type` (or a subclass) emitted from
    now on. Subscribing the same handler twice to one type keeps one subscription, so a start-up
    that runs again (one app per test) does not double every outbox row. Returns the handler."""
    current = _handlers.get(event_type, ())
    if handler not in current:
        _handlers[event_type] = (*current, handler)
    return handler


def unsubscribe(event_type: type[E], handler: Handler) -> None:
    """Stop calling `handler` for `event_type`; a handler that was not subscribed is ignored."""
    remaining = tuple(h for h in _handlers.get(event_type, ()) if h != handler)
    if remaining:
        _handlers[event_type] = remaining
    else:
        _handlers.pop(event_type, None)


@contextmanager
def subscribed(event_type: type[E], handler: Handler) -> Iterator[Handler]:
    """`handler` subscribed for the `with` block only (tests); one already subscribed stays so:

        with subscribed(JournalPosted, lambda session, event: heard.append(event)):
            post(...)
    """
    already = handler in _handlers.get(event_type, ())
    subscribe(event_type, handler)
    try:
        yield handler
    finally:
        if not already:
            unsubscribe(event_type, handler)


def listening(event_type: type[Event]) -> bool:
    """Whether anything would hear an event of `event_type`: lets a bulk service skip building
    events nobody hears."""
    return any(cls in _handlers for cls in event_type.__mro__)


def emit(session: Session, event: Event) -> None:
    """Tell every handler of `event`'s type (and of its base classes) about it, in the caller's
    transaction. A handler's exception propagates: the change it reports must then be rolled back."""
    for cls in type(event).__mro__:
        for handler in _handlers.get(cls, ()):
            handler(session, event)
