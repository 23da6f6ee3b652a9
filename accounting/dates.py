"""Dates within reason: the one rule for how far back and ahead a date may be, for every wing.

No date before 1900 anywhere (a typo for 2019, or 0001-01-01 from a fuzzer, would otherwise be
kept or break a report); trust money cannot move on a day that has not come yet (a receipt
dated 2125 would fund payments today); other documents may be dated up to a year ahead (a bill
prepared for next month, a supplier's invoice dated ahead).
"""

from datetime import date, timedelta

from accounting.errors import LedgerError

EARLIEST = date(1900, 1, 1)
DOCUMENT_HORIZON = timedelta(days=366)  # a year ahead, a leap year included


def check_not_ancient(when: date, field: str = "date") -> date:
    """Refuse a date before 1900 (reports, filters, documents alike)."""
    if when < EARLIEST:
        raise LedgerError(f"Enter a date from {EARLIEST:%d %b %Y} on.", field)
    return when


def check_document_date(when: date, field: str = "date", today: date | None = None) -> date:
    """Refuse a document dated before 1900 or more than a year after today."""
    check_not_ancient(when, field)
    latest = (today or date.today()) + DOCUMENT_HORIZON
    if when > latest:
        raise LedgerError(f"Date it no later than {latest:%d %b %Y}: a year from today at most.", field)
    return when


def check_trust_date(when: date, field: str = "date", today: date | None = None) -> date:
    """Refuse trust money dated before 1900 or after today: it moves when it moves."""
    check_not_ancient(when, field)
    today = today or date.today()
    if when > today:
        raise LedgerError(f"Trust money cannot be dated after today ({today:%d %b %Y}).", field)
    return when
