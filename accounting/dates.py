"""Dates within reason: the one rule for how far back and ahead a date may be, for every wing.

No date before 1900 anywhere (a typo for 2019, or 0001-01-01 from a fuzzer, would otherwise be
kept or break a report); trust money cannot move on a day that has not come yet (a receipt
dated 2125 would fund payments today); other documents may be dated up to a year ahead (a bill
prepared for next month, a supplier's invoice dated ahead). No date after LATEST either: Python's
dates end at 9999-12-31, and the books work out days after a date (the next month end, a year
on), which would overflow there and fail as a server error instead of a refusal.

parse_date is the one reader of typed dates (forms and query strings): ISO YYYY-MM-DD in ASCII
digits only, within EARLIEST .. LATEST.
"""

import re
from datetime import date, timedelta

from accounting.errors import LedgerError

EARLIEST = date(1900, 1, 1)
LATEST = date(9998, 12, 31)  # a year's headroom below date.max for "the day after" sums
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def parse_date(value, field: str = "date") -> date:
    """A typed YYYY-MM-DD as a date within EARLIEST .. LATEST, or a LedgerError beside `field`."""
    if isinstance(value, date):
        return check_not_ancient(value, field)
    text = (value or "").strip()
    if not text:
        raise LedgerError("Enter a date.", field)
    shown = text if len(text) <= 30 else text[:30] + "…"
    if not _ISO_DATE.fullmatch(text):
        raise LedgerError(f"“{shown}” is not a date: use the form YYYY-MM-DD.", field)
    try:
        when = date.fromisoformat(text)
    except ValueError:
        raise LedgerError(f"“{shown}” is not a date: there is no such day.", field) from None
    return check_not_ancient(when, field)
DOCUMENT_HORIZON = timedelta(days=366)  # a year ahead, a leap year included


def check_not_ancient(when: date, field: str = "date") -> date:
    """Refuse a date before 1900 or after LATEST (reports, filters, documents alike)."""
    if when < EARLIEST:
        raise LedgerError(f"Enter a date from {EARLIEST:%d %b %Y} on.", field)
    if when > LATEST:
        raise LedgerError(f"Enter a date no later than {LATEST:%d %b %Y}.", field)
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
