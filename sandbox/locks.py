"""An organisation's lock dates (FACTS §6.4, §7.1, §7.4): the period lock date and the end-of-year
lock date, and the refusal of a document that would change the books on or before them.

Xero's texts (FACTS §6.4; the same words in real answers quoted in waynerobinson/xeroizer#92 and
integration help pages): "The document date cannot be before the period lock date, currently set
at 30-Nov-2018" / "... the end of year lock date, currently set at 31-Jul-2013". A document dated on
the lock date itself is refused too ("on or before the set date", Xero's lock-dates help as quoted
by Dext). Drafts and submitted documents may still be saved in a locked period (Xero help as
quoted by integration vendors): only what reaches the ledger is refused.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sandbox.books import Ctx, Invalid
from sandbox.xerojson import ms_date

FIELDS = (("PeriodLockDate", "period lock date"), ("EndOfYearLockDate", "end of year lock date"))


def lock_dates(ctx: Ctx) -> dict[str, str | None]:
    """{"PeriodLockDate": "YYYY-MM-DD" or None, "EndOfYearLockDate": ...} of the organisation."""
    org = ctx.store.get("organisation", ctx.org) or {}
    return {name: org.get(name) for name, _ in FIELDS}


def rendered(org: dict[str, Any]) -> dict[str, str]:
    """The lock dates for GET /Organisation, as MS-JSON dates, only those that are set."""
    return {name: ms_date(org[name]) for name, _ in FIELDS if org.get(name)}


def check_unlocked(ctx: Ctx, *days: str | None) -> None:
    """Refuse (Invalid, Xero's texts) when any of `days` is on or before a lock date."""
    messages = []
    for name, words in FIELDS:
        lock = lock_dates(ctx)[name]
        if lock and any(day and day <= lock for day in days):
            shown = date.fromisoformat(lock).strftime("%d-%b-%Y")
            messages.append(f"The document date cannot be before the {words}, currently set at "
                            f"{shown}")
    if messages:
        raise Invalid(*messages)
