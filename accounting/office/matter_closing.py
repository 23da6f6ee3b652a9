"""Closing a matter with work not yet billed is allowed but warned of: the work may never be billed.
Registered with parties' closing checks (accounting.parties.clients.warn_on_closing_when)."""

from decimal import Decimal

from sqlalchemy.orm import Session

from accounting.money import format_money
from accounting.office.work_in_progress import unbilled_entries
from accounting.parties.clients import Matter, warn_on_closing_when


@warn_on_closing_when
def unbilled_work(session: Session, matter: Matter) -> str | None:
    """How much of `matter`'s work is unbilled, as a warning; None when all is billed."""
    entries = unbilled_entries(session, matter.id)
    if not entries:
        return None
    total = sum((entry.amount for entry in entries), Decimal(0))
    count = f"{len(entries)} unbilled entr{'y' if len(entries) == 1 else 'ies'}"
    return f"Matter {matter.number} has {count} ({format_money(total)}): bill or write them off."
