"""Every table of integrations/, imported in one place so metadata (and Alembic) sees them all."""

from integrations.connection import Connection
from integrations.mapping import AccountMapping, TaxMapping

__all__ = ["AccountMapping", "Connection", "TaxMapping"]
