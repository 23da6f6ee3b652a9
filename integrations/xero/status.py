"""What the pages show of the push: per document its Xero state, and for the integrations page the
counts, the last push and the failures with what to do. Reads only: no Xero calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounting.ledger.journals import Journal
from integrations.connection import current_connection
from integrations.xero.links import link_of
from integrations.xero.outbox import OutboxRow, OutboxState, counts, failures, rows_for_journal


@dataclass(frozen=True)
class XeroState:
    """One document's state in Xero, as its page says it: waiting, sending, linked (with the
    Xero number), failed (with the message) or not sent (with the reason)."""

    state: str
    words: str
    detail: str = ""


# The documents whose pages show their Xero state: the outbox kind (and link kind) of each.
DOCUMENT_KINDS = ("bill", "credit_note", "purchase_invoice")


def document_state(session: Session, kind: str, document) -> XeroState | None:
    """A posted document's Xero state (`kind` one of DOCUMENT_KINDS); None when the practice is
    not connected or the document never posted."""
    if kind not in DOCUMENT_KINDS:
        raise ValueError(f"{kind!r} is not a document the push sends")
    connection = current_connection(session)
    if connection is None or document.journal_id is None:
        return None
    link = link_of(session, connection.tenant_id, kind, document.id)
    if link is not None:
        return XeroState("linked", f"In Xero as {link.xero_number}",
                         f"Linked {link.linked_at:%d %b %Y %H:%M}.")
    row = rows_for_journal(session, document.journal_id)
    if row is None:
        return XeroState("not_sent", "Not sent to Xero",
                         "It was posted before the practice connected to Xero.")
    return state_of_row(row)


def state_of_row(row: OutboxRow) -> XeroState:
    if row.state is OutboxState.FAILED:
        return XeroState("failed", "Xero refused it", row.last_error)
    if row.state is OutboxState.NOT_SENT:
        return XeroState("not_sent", "Not sent to Xero", row.reason)
    if row.state is OutboxState.SENDING:
        return XeroState("sending", "Being sent to Xero", "Xero has not answered yet.")
    if row.state is OutboxState.SENT:
        return XeroState("linked", "In Xero")
    return XeroState("waiting", "Waiting to be sent to Xero", row.reason)


@dataclass(frozen=True)
class Failure:
    """One failed row as the integrations page lists it."""

    row_id: int
    what: str
    message: str
    attempts: int


@dataclass(frozen=True)
class PushStatus:
    """The push at a glance, for the integrations page."""

    waiting: int
    sending: int
    sent: int
    failed: int
    not_sent: int
    last_push: datetime | None
    failures: tuple[Failure, ...]


def push_status(session: Session) -> PushStatus | None:
    """The counts, the last push and the failures; None when not connected."""
    connection = current_connection(session)
    if connection is None:
        return None
    tenant = connection.tenant_id
    by_state = counts(session, tenant)
    last = session.scalar(select(func.max(OutboxRow.sent_at)).where(OutboxRow.tenant_id == tenant))
    listed = tuple(Failure(row.id, _what(session, row), row.last_error, row.attempts)
                   for row in failures(session, tenant))
    return PushStatus(by_state[OutboxState.WAITING], by_state[OutboxState.SENDING],
                      by_state[OutboxState.SENT], by_state[OutboxState.FAILED],
                      by_state[OutboxState.NOT_SENT], last, listed)


KIND_LABELS = {"bill": "Bill", "bill_payment": "Payment", "credit_note": "Credit note",
               "credit_refund": "Refund", "contact": "Contact",
               "purchase_invoice": "Supplier invoice", "ap_payment": "Supplier payment"}


def _what(session: Session, row: OutboxRow) -> str:
    """"Bill INV-00042 (BI-000042)": what a person recognises."""
    label = KIND_LABELS.get(row.kind, row.kind.replace("_", " ").capitalize())
    if row.journal_id is not None:
        journal = session.get(Journal, row.journal_id)
        return f"{label} {journal.reference} ({journal.number})" if journal else label
    return label
