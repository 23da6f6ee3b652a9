"""The outbox: what must be pushed to Xero, written in the posting's own transaction.

Invariant: a posted transaction that Xero should receive has exactly one outbox row, committed or
rolled back with the posting itself, so posting and "needs pushing" can never disagree, even if the
process dies a millisecond after the commit.

How it is kept:
- `on_journal_posted` and `on_party_changed` are accounting.events handlers (subscribed by
  `install`, at app start). They run inside the service's transaction and add rows through its
  session; they never call Xero. Nothing here is a flush listener: `post_batch` inserts journals
  in bulk, which fires none (accounting/events.py).
- Rows are keyed by the journal they push (`journal_id`, unique): the document that posted it (a
  bill, a payment) is found from the journal by the drain, because the services attach the
  journal to the document only after `post` returns.
- A row is WAITING, SENDING (in a batch sent to Xero, its `batch_key` set), SENT (linked),
  FAILED (Xero's message kept, Retry puts it back to WAITING) or NOT_SENT (with the reason: a
  general journal, dated before the connection or on or before Xero's lock date, reversed here
  before it was sent).
- A correction here (a reversal) of a transaction still WAITING or FAILED turns its row NOT_SENT
  ("Reversed here before it reached Xero"), so Xero never gets both versions; one being sent
  makes the correction wait (it is refused with "try again in a minute"): the answer decides.
- After the commit that wrote a WAITING row, `kick` starts a drain (tasks.py enqueues it); a
  periodic drain is the backstop, so a lost kick only delays.

Contacts: a party (a client or a supplier, named by `Party`: its kind and id) becomes a contact
when its first document is drained (the drain creates the missing contacts in batches first); a
later change to a party already in Xero writes (or refreshes) one WAITING "contact" row, whose
`version` counts the changes it carries.
"""

from __future__ import annotations

import enum
import hashlib
import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import Date, DateTime, Enum, ForeignKey, Index, Integer, String, Text, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from accounting.base import Base, utcnow
from accounting.errors import DocumentLocked
from accounting.events import JournalPosted, PartyChanged, PartyKind, subscribe
from accounting.ledger.journals import JournalKind
from integrations.connection import Connection, as_utc, current_connection
from integrations.xero.links import link_of

CONTACT = "contact"
# Journal kinds the push sends; their mappers are drain.STAGES. Any other kind is not written to
# the outbox yet.
PUSHED_KINDS = ("bill", "bill_payment", "credit_note", "credit_refund", "purchase_invoice",
                "ap_payment")
NOT_PUSHED = {JournalKind.GENERAL.value: "General journals are not sent to Xero."}
# The parties that become Xero contacts; a Party's kind is also its links' local kind.
CONTACT_PARTIES = (PartyKind.CLIENT, PartyKind.SUPPLIER)


class Party(NamedTuple):
    """One party a document needs as its Xero contact: a client or a supplier."""

    kind: PartyKind
    id: int
DRAIN_DUE = "xero_drain_due"
logger = logging.getLogger(__name__)


class OutboxState(enum.StrEnum):
    """Where one row is on its way to Xero."""

    WAITING = "waiting"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    NOT_SENT = "not_sent"


class OutboxRow(Base):
    """One thing to push to one Xero organisation: a posted journal's document, or a contact."""

    __tablename__ = "xero_outbox"
    __table_args__ = (Index("ix_xero_outbox_due", "tenant_id", "state", "kind", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(36))
    # The journal kind ("bill", "bill_payment", "general", ...) or "contact".
    kind: Mapped[str] = mapped_column(String(30))
    journal_id: Mapped[int | None] = mapped_column(ForeignKey("journal.id"), unique=True,
                                                   default=None)
    # For contact rows: the party ("client" or "supplier") and its id.
    party_kind: Mapped[str | None] = mapped_column(String(10), default=None)
    party_id: Mapped[int | None] = mapped_column(Integer, default=None)
    # The document's date (the lock-date check); None for contacts.
    document_date: Mapped[date | None] = mapped_column(Date, default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[OutboxState] = mapped_column(
        Enum(OutboxState, native_enum=False, length=10), default=OutboxState.WAITING)
    # Why NOT_SENT, or what a WAITING row waits for ("Waiting for INV-0042, which failed").
    reason: Mapped[str] = mapped_column(String(500), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped by Retry: a batch that failed is sent again under a new Idempotency-Key (Xero caches
    # error answers too, FACTS §5), while a resend after a crash keeps the old one.
    send_round: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    batch_key: Mapped[str | None] = mapped_column(String(128), default=None, index=True)
    # When the batch was claimed, just before its call: Xero replays an Idempotency-Key for 6
    # minutes only, so a batch left SENDING longer than that is looked up in Xero, not resent.
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    def mark_not_sent(self, reason: str) -> None:
        self.state, self.reason, self.batch_key = OutboxState.NOT_SENT, reason[:500], None

    def mark_failed(self, message: str) -> None:
        self.state, self.last_error, self.batch_key = OutboxState.FAILED, message, None

    def mark_sent(self) -> None:
        self.state, self.reason, self.last_error = OutboxState.SENT, "", ""
        self.sent_at = utcnow()

    def wait_for(self, reason: str) -> None:
        """Back to WAITING, saying what for."""
        self.state, self.reason, self.batch_key = OutboxState.WAITING, reason[:500], None


def idempotency_key(tenant_id: str, kind: str, rows: list[OutboxRow]) -> str:
    """The Idempotency-Key of one batch: the same rows at the same versions and send round give
    the same key, so a resend after a crash is a replay Xero answers from its cache (within its 6
    minutes, FACTS §5) instead of a second copy."""
    members = ",".join(f"{row.id}.{row.version}.{row.send_round}" for row in
                       sorted(rows, key=lambda r: r.id))
    digest = hashlib.sha256(f"{tenant_id}|{kind}|{members}".encode()).hexdigest()
    return f"pl-{kind}-{digest[:48]}"


# ---------------------------------------------------------------- the event handlers


def _connection_for_push(session: Session) -> Connection | None:
    """The Xero connection rows are written for: connected or lost (a lost one drains again after
    reconnecting, nothing dropped); None when the practice never connected."""
    return current_connection(session)


def on_journal_posted(session: Session, posted: JournalPosted) -> None:
    """Write the posted journal's outbox row (or mark the row of the journal it reverses)."""
    connection = _connection_for_push(session)
    if connection is None:
        return
    if posted.is_reversal:
        _follow_correction(session, posted)
        return
    reason = _reason_not_pushed(connection, posted)
    if reason is None and posted.kind not in PUSHED_KINDS:
        return  # a kind the push does not carry yet: a later mapper adds it
    row = OutboxRow(tenant_id=connection.tenant_id, kind=posted.kind, journal_id=posted.journal_id,
                    document_date=posted.date)
    if reason is not None:
        row.mark_not_sent(reason)
    else:
        session.info[DRAIN_DUE] = True
    session.add(row)


def _reason_not_pushed(connection: Connection, posted: JournalPosted) -> str | None:
    if posted.kind in NOT_PUSHED:
        return NOT_PUSHED[posted.kind]
    connected_on = as_utc(connection.connected_at).date()
    if posted.date < connected_on:
        return f"Dated before the connection to Xero ({connected_on:%d %b %Y})."
    return None


def _follow_correction(session: Session, reversal: JournalPosted) -> None:
    """A reversal here: the row of what it reverses follows (never both versions in Xero)."""
    row = session.execute(select(OutboxRow).where(
        OutboxRow.journal_id == reversal.reverses_id)).scalar_one_or_none()
    if row is None or row.state is OutboxState.NOT_SENT:
        return
    if row.state is OutboxState.SENDING:
        raise DocumentLocked("It is being sent to Xero right now: try again in a minute, once "
                             "Xero has answered.")
    if row.state is OutboxState.SENT:
        raise DocumentLocked("It is in Xero already: unlink it in Integrations first.")
    row.mark_not_sent(f"Reversed here ({reversal.number}) before it reached Xero.")


def on_party_changed(session: Session, changed: PartyChanged) -> None:
    """A client or supplier already in Xero changed: push its details again (one WAITING row per
    party)."""
    if changed.kind not in CONTACT_PARTIES or changed.created:
        return
    connection = _connection_for_push(session)
    if connection is None or link_of(session, connection.tenant_id, changed.kind.value,
                                     changed.party_id) is None:
        return  # not in Xero yet: it is created with its first document, as it is then
    waiting = session.execute(select(OutboxRow).where(
        OutboxRow.tenant_id == connection.tenant_id, OutboxRow.kind == CONTACT,
        OutboxRow.party_kind == changed.kind.value, OutboxRow.party_id == changed.party_id,
        OutboxRow.state == OutboxState.WAITING)).scalar_one_or_none()
    if waiting is not None:
        waiting.version += 1
    else:
        session.add(OutboxRow(tenant_id=connection.tenant_id, kind=CONTACT,
                              party_kind=changed.kind.value, party_id=changed.party_id))
    session.info[DRAIN_DUE] = True


# ---------------------------------------------------------------- start-up and the kick

_kick: Callable[[], None] | None = None


def _after_commit(session: Session) -> None:
    if session.info.pop(DRAIN_DUE, False) and _kick is not None:
        try:
            _kick()
        except Exception:  # the posting is committed; the periodic drain is the backstop
            logger.warning("Could not enqueue the Xero drain after a commit", exc_info=True)


def _after_rollback(session: Session) -> None:
    session.info.pop(DRAIN_DUE, None)


def install(kick: Callable[[], None] | None = None) -> None:
    """Subscribe the outbox to the books' events; `kick` (tasks.py's enqueue of a drain) is called
    once after each commit that wrote a WAITING row. Safe to call again (one app per test)."""
    global _kick
    subscribe(JournalPosted, on_journal_posted)
    subscribe(PartyChanged, on_party_changed)
    _kick = kick
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", lambda session, _t: _after_rollback(session))


# ---------------------------------------------------------------- questions the pages ask


def rows_for_journal(session: Session, journal_id: int | None) -> OutboxRow | None:
    """The outbox row of one journal (a bill's posting), or None."""
    if journal_id is None:
        return None
    return session.execute(select(OutboxRow).where(
        OutboxRow.journal_id == journal_id)).scalar_one_or_none()


def counts(session: Session, tenant_id: str) -> dict[OutboxState, int]:
    """How many rows are in each state, for the integrations page."""
    from sqlalchemy import func

    found = dict(session.execute(select(OutboxRow.state, func.count()).where(
        OutboxRow.tenant_id == tenant_id).group_by(OutboxRow.state)).all())
    return {state: found.get(state, 0) for state in OutboxState}


def failures(session: Session, tenant_id: str, limit: int = 50) -> list[OutboxRow]:
    """The failed rows, oldest first."""
    return list(session.execute(select(OutboxRow).where(
        OutboxRow.tenant_id == tenant_id, OutboxRow.state == OutboxState.FAILED)
        .order_by(OutboxRow.id).limit(limit)).scalars())


def retry(session: Session, tenant_id: str, row_id: int | None = None) -> int:
    """Put failed rows (one, or all) back to WAITING under a new send round; how many."""
    query = select(OutboxRow).where(OutboxRow.tenant_id == tenant_id,
                                    OutboxRow.state == OutboxState.FAILED)
    if row_id is not None:
        query = query.where(OutboxRow.id == row_id)
    rows = list(session.execute(query).scalars())
    for row in rows:
        row.send_round += 1
        row.wait_for("")
    if rows:
        session.info[DRAIN_DUE] = True
    return len(rows)
