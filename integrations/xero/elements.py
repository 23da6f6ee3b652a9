"""What every mapper shares: the refusals a mapper raises before sending, and one element's answer.

A mapper turns one outbox row into one element of a Xero batch (a dict in Xero's PascalCase JSON,
money as Decimal: xero-python turns Decimals into JSON numbers at the wire). Before that it may
refuse:
- `NotReady(reason)`: the row must wait for something else to reach Xero first (the bill a
  payment pays, the contact of a bill); it stays WAITING, saying what for;
- `NotSent(reason)`: it never goes (the bill a payment pays is not sent); it becomes NOT_SENT;
- `Unmappable(message)`: the row cannot go as it is (an account or tax code without a Xero
  mapping); it FAILS alone with what to do, and Retry sends it again once that is fixed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.mapping import account_mappings, held_back_by_missing_mapping
from integrations.xero.links import link_of


class NotReady(Exception):
    """The row waits for another to reach Xero first; `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotSent(Exception):
    """The row will never go (what it depends on is not sent to Xero); `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Unmappable(Exception):
    """The row cannot be sent until a person fixes something; `message` says what."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def posted_document(session: Session, model, journal_id: int | None, what: str):
    """The document (a bill, a credit note, a refund...) that posted this journal."""
    document = session.execute(select(model).where(
        model.journal_id == journal_id)).scalar_one_or_none()
    if document is None:
        raise Unmappable(f"The {what} of this posting is no longer recorded here.")
    return document


def contact_id(session: Session, tenant_id: str, party, kind: str = "client") -> str:
    """The ContactID in Xero of a client (or, with kind "supplier", a supplier); the document
    waits for it otherwise."""
    contact = link_of(session, tenant_id, kind, party.id)
    if contact is None:
        raise NotReady(f"Waiting for the contact {party.name} to reach Xero.")
    return contact.xero_id


def bank_code(session: Session, tenant_id: str, account_id: int) -> str:
    """The Xero code of the bank account money moved through; it fails until mapped."""
    missing = held_back_by_missing_mapping(session, tenant_id, {account_id})
    if missing:
        raise Unmappable(" ".join(missing) + " Map it (Integrations > Mapping), then retry.")
    return account_mappings(session, tenant_id)[account_id].xero_code


@dataclass(frozen=True)
class Answer:
    """Xero's answer for one element of a batch: accepted (with its id and number) or refused
    (with Xero's messages)."""

    xero_id: str = ""
    number: str = ""
    messages: tuple[str, ...] = field(default_factory=tuple)

    @property
    def accepted(self) -> bool:
        return not self.messages and bool(self.xero_id)


ZERO_ID = "00000000-0000-0000-0000-000000000000"


def batch_answer(api, envelope: str, send: Callable[[], object]) -> list[dict]:
    """The elements of one batch call's answer, as Xero's JSON (money as Decimal).

    The SDK's own models are not used for the answer: xero-python deserialises strictly (FACTS
    §10.2) and raises on an element Xero echoes back as we sent it (a refused element keeps our
    date format), which would lose the answers of the accepted ones. The raw answer it keeps
    (`last_response`) is complete, so it is read instead."""
    api.api_client.last_response = None
    try:
        send()
    except ValueError:
        if api.api_client.last_response is None:
            raise  # refused before anything was sent: a bug of ours
    return json.loads(api.api_client.last_response.data, parse_float=Decimal)[envelope]


def answer_of(item: dict, id_field: str, number_field: str | None = None) -> Answer:
    """One element of a batch answer (summarizeErrors=false): its validation messages, or its
    id and number."""
    messages = tuple(error.get("Message") for error in (item.get("ValidationErrors") or [])
                     if error.get("Message"))
    if item.get("StatusAttributeString") == "ERROR" and not messages:
        messages = ("Xero refused it without saying why.",)
    xero_id = str(item.get(id_field) or "")
    if xero_id == ZERO_ID:
        xero_id = ""
    number = str(item.get(number_field) or "") if number_field else ""
    return Answer(xero_id, number, messages)


def what_to_do(message: str) -> str:
    """Xero's message, with what a person does about it where we know."""
    lowered = message.lower()
    if "account code" in lowered and ("not a valid code" in lowered or "archived" in lowered):
        return (f"{message} Check the account mapping (Integrations > Mapping) and the chart in "
                "Xero, refresh the Xero chart, then retry.")
    if "taxtype" in lowered.replace(" ", "") or "tax rate" in lowered:
        return f"{message} Check the tax mapping (Integrations > Mapping), then retry."
    if "lock date" in lowered:
        return (f"{message} An adviser can move the lock date in Xero (Settings > Advanced > "
                "Financial settings); then retry.")
    if "contact name" in lowered and "already assigned" in lowered:
        return (f"{message} Give the client a distinct name here, or the Xero contact our client "
                "code as its contact number, then retry.")
    return message
