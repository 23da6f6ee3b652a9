"""Every table of the books, imported in one place so metadata (and Alembic) sees them all."""

from accounting.accounts import Account
from accounting.audit import AuditEvent
from accounting.base import Base
from accounting.clients import Client, Matter, RelatedPerson
from accounting.journals import Journal, JournalLine
from accounting.practice import Practice
from accounting.sequences import NumberSequence
from accounting.users import LoginThrottle, User

__all__ = [
    "Account", "AuditEvent", "Base", "Client", "Journal", "JournalLine", "LoginThrottle",
    "Matter", "NumberSequence", "Practice", "RelatedPerson", "User",
]
