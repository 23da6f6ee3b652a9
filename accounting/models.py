"""Every table of the books, imported in one place so metadata (and Alembic) sees them all."""

from accounting.accounts import Account
from accounting.audit import AuditEvent
from accounting.banking import (
    BankMatch,
    BankTransaction,
    BankTransactionLine,
    BankTransfer,
    MatchedBookLine,
    ReconciledLine,
    Reconciliation,
    StatementLine,
)
from accounting.base import Base
from accounting.bill_totals import ClientBillTotals, ReceivableDue
from accounting.billing import Bill, BillEvent, BillLine, CreditNote, CreditNoteLine, CreditRefund, TimeEntry
from accounting.clients import Client, Matter, RelatedPerson
from accounting.journals import Journal, JournalLine
from accounting.practice import Practice
from accounting.sequences import NumberSequence
from accounting.suppliers import (
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
    SupplierCredit,
    SupplierCreditApplication,
    SupplierCreditLine,
    SupplierInvoice,
    SupplierInvoiceLine,
    SupplierPayment,
)
from accounting.trust import TrustAccount, TrustLedgerEntry, TrustTransaction
from accounting.trust_reconciliation import (
    TrustReconciliation,
    TrustStatement,
    TrustStatementLine,
    TrustUnpresentedItem,
)
from accounting.trust_transfers import TrustSettings, TrustTransferLink
from accounting.users import LoginThrottle, User

__all__ = [
    "Account", "AuditEvent", "BankMatch", "BankTransaction", "BankTransactionLine", "BankTransfer", "Base",
    "Bill", "BillEvent", "BillLine", "Client", "ClientBillTotals", "CreditNote", "CreditNoteLine",
    "CreditRefund", "Journal", "JournalLine", "LoginThrottle", "MatchedBookLine", "Matter",
    "NumberSequence", "Practice", "PurchaseOrder", "PurchaseOrderLine", "ReceivableDue", "ReconciledLine",
    "Reconciliation", "RelatedPerson", "StatementLine", "Supplier", "SupplierCredit",
    "SupplierCreditApplication", "SupplierCreditLine", "SupplierInvoice", "SupplierInvoiceLine",
    "SupplierPayment", "TimeEntry", "TrustAccount", "TrustLedgerEntry", "TrustReconciliation",
    "TrustSettings", "TrustStatement", "TrustStatementLine", "TrustTransaction", "TrustTransferLink",
    "TrustUnpresentedItem", "User",
]
