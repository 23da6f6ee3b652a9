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
