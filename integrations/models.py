"""Every table of integrations/, imported in one place so metadata (and Alembic) sees them all."""

from integrations.connection import Connection

__all__ = ["Connection"]
