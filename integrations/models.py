"""Every table of integrations/, imported in one place so metadata (and Alembic) sees them all."""

from integrations.chart_store import ChartCopy
from integrations.connection import Connection
from integrations.mapping import AccountMapping, TaxMapping
from integrations.ratelimit import CallBudget, CallLease
from integrations.xero.links import XeroLink
from integrations.xero.outbox import OutboxRow

__all__ = ["AccountMapping", "CallBudget", "CallLease", "ChartCopy", "Connection", "OutboxRow",
           "TaxMapping", "XeroLink"]
