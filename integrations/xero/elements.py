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

from dataclasses import dataclass, field
from typing import Any


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


def answer_of(item: Any, id_attribute: str, number_attribute: str | None = None) -> Answer:
    """One element of an SDK batch answer (summarizeErrors=false): its validation messages, or
    its id and number."""
    messages = tuple(error.message for error in (getattr(item, "validation_errors", None) or [])
                     if getattr(error, "message", None))
    if getattr(item, "status_attribute_string", None) == "ERROR" and not messages:
        messages = ("Xero refused it without saying why.",)
    xero_id = str(getattr(item, id_attribute, "") or "")
    if xero_id == ZERO_ID:
        xero_id = ""
    number = str(getattr(item, number_attribute, "") or "") if number_attribute else ""
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
