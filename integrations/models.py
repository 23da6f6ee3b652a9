"""Every table of integrations/, imported in one place so metadata (and Alembic) sees them all."""

from integrations.connection import Connection
from integrations.mapping import AccountMapping, TaxMapping
from integrations.xero.links import XeroLink
from integrations.xero.outbox import OutboxRow

__all__ = ["AccountMapping", "Connection", "OutboxRow", "TaxMapping", "XeroLink"]
