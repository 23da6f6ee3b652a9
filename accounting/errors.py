"""Errors the books raise when a rule is broken.

Every refusal is a subclass of LedgerError with a message a person can act on. `field` names the
form field the message belongs beside (None for the form as a whole), so pages can show it in place.
"""


class LedgerError(Exception):
    """A rule of the books refused an action; nothing was written."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidAmount(LedgerError):
    """An amount that is not a number, or not exact to the cent."""


class UnbalancedJournal(LedgerError):
    """Debits and credits differ."""


class InvalidAccount(LedgerError):
    """An unknown or archived account, or an account change the ledger cannot allow."""


class PeriodLocked(LedgerError):
    """A date on or before the practice's lock date."""


class TransactionLocked(LedgerError):
    """A posted transaction that is locked (for example, pushed to Xero) cannot change."""


class InvalidReversal(LedgerError):
    """A reversal of something that cannot be reversed."""


class InvalidIdentifier(LedgerError):
    """A TFN, ABN or ACN that fails its checksum or format."""


class NotFound(LedgerError):
    """A record that does not exist."""


class NotADraft(LedgerError):
    """Only a draft may be edited, approved or deleted; this document is already past that."""


class MatterClosed(LedgerError):
    """A closed matter (or one whose client is archived) takes no new work, bills or trust money."""


class WouldOverdraw(InvalidAmount):
    """The money asked for is more than the matter, account or document holds (an amount the
    field beside it cannot take)."""


class AlreadyUndone(InvalidReversal):
    """A payment, application or transaction that was already undone, voided or reversed (so it
    cannot be reversed again)."""


class DocumentLocked(TransactionLocked):
    """A document that cannot change now: dated on or before the lock date, in a reconciled month,
    or used by something later (a payment, an applied credit)."""


class GstNotRegistered(LedgerError):
    """GST was charged or claimed while the practice is not registered for GST."""
