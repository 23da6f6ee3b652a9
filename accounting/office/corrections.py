"""What every correction of an office document asks first, for bills and supplier documents alike.

A posted document is never edited: a payment, credit application or refund is undone, a credit
note is voided, each by a reversal dated on the day of the correction. Every such correction:

- gives a reason (up to 200 characters) and a date no earlier than what it corrects
  (`check_correction`);
- is refused while the document, or the journal it posted, is locked (pushed to Xero, say), and
  the refusal names the reason the lock was given, whichever of the two holds it
  (`refuse_if_locked`), so a person knows what to unlink first. Bills and supplier documents ask
  the same functions, so the two cannot drift.
"""

from datetime import date

from accounting.errors import DocumentLocked, LedgerError

MAX_REASON = 200


def required_reason(reason: str | None, what: str, doing: str) -> str:
    """The reason a void, write-off or undo must give, trimmed; refused blank or too long."""
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError(f"Say why the {what} is {doing}.", "reason")
    if len(reason) > MAX_REASON:
        raise LedgerError(f"Keep the reason under {MAX_REASON} characters.", "reason")
    return reason


def check_correction(when: date | None, reason: str, since: date, what: str,
                     doing: str = "undone") -> str:
    """The date and reason every undo asks for; returns the reason, trimmed.

    `what` names what is corrected ("payment", "credit note") and `doing` how ("undone",
    "voided"), for the messages; `since` is the corrected document's own date."""
    reason = required_reason(reason, what, doing)
    if when is None:
        raise LedgerError("Enter the date of the correction.", "date")
    if when < since:
        raise LedgerError(f"The correction cannot be dated before the {what} ({since:%d %b %Y}).",
                          "date")
    return reason


def lock_text(document) -> str | None:
    """Why `document` may not change, or None: its own lock's reason, else that of the journal it
    posted (a document pushed to Xero may be locked through its journal only)."""
    if document.locked_reason is not None:
        return document.locked_reason
    journal = getattr(document, "journal", None)
    return journal.locked_reason if journal is not None else None


def first_lock_text(*documents) -> str | None:
    """The lock reason of the first locked one of `documents` (None ones are skipped), or None."""
    for document in documents:
        reason = lock_text(document) if document is not None else None
        if reason is not None:
            return reason
    return None


def refusal_if_locked(*documents) -> DocumentLocked | None:
    """The refusal of a correction touching any of `documents` that is locked, naming the lock's
    reason; None when none is locked."""
    reason = first_lock_text(*documents)
    if reason is None:
        return None
    return DocumentLocked(f"Locked: {reason}. Unlink it in Integrations first.")


def refuse_if_locked(*documents) -> None:
    """Raise `refusal_if_locked(*documents)` when there is one."""
    refusal = refusal_if_locked(*documents)
    if refusal is not None:
        raise refusal
