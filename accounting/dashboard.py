"""What the dashboard shows staff after they sign in: the practice at a glance.

Over the wings (like models.py): it reads parties and the ledger, and no wing uses it.
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounting.ledger.journals import Journal
from accounting.parties.clients import Client, Matter, MatterStatus

RECENT_JOURNALS = 8


@dataclass(frozen=True)
class Glance:
    """How many clients (not archived), open matters and journals there are, and the latest
    journals, newest first."""

    clients: int
    open_matters: int
    journals: int
    recent: list[Journal]


def _count(session: Session, model, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions))


def practice_at_a_glance(session: Session) -> Glance:
    """The dashboard's figures, read in four small queries."""
    recent = session.scalars(select(Journal).order_by(Journal.id.desc()).limit(RECENT_JOURNALS)).all()
    return Glance(clients=_count(session, Client, Client.archived.is_(False)),
                  open_matters=_count(session, Matter, Matter.status == MatterStatus.OPEN),
                  journals=_count(session, Journal), recent=list(recent))
