"""Every table of the books, imported in one place so metadata (and Alembic) sees them all."""

from accounting.accounts import Account
from accounting.audit import AuditEvent
from accounting.banking import (
    BankTransaction,
    BankTransactionLine,
    BankTransfer,
    ReconciledLine,
    Reconciliation,
    StatementLine,
)
from accounting.base import Base
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
from accounting.users import LoginThrottle, User

__all__ = [
    "Account", "AuditEvent", "BankTransaction", "BankTransactionLine", "BankTransfer", "Base", "Client",
    "Journal", "JournalLine", "LoginThrottle",
    "Matter", "NumberSequence", "Practice", "ReconciledLine", "Reconciliation", "RelatedPerson",
    "PurchaseOrder", "PurchaseOrderLine", "StatementLine", "Supplier", "SupplierCredit",
    "SupplierCreditApplication",
    "SupplierCreditLine", "SupplierInvoice",
    "SupplierInvoiceLine", "SupplierPayment", "TrustAccount", "TrustLedgerEntry", "TrustTransaction", "User",
]

# Client billing (issue 4): bills, credit notes and their events.
from accounting.billing import Bill, BillEvent, BillLine, CreditNote, CreditNoteLine, CreditRefund  # noqa: E402,F401,I001
# Trust statements and signed-off three-way reconciliations (issue 5).
from accounting import trust_reconciliation  # noqa: E402,F401,I001
# Trust transfers (issue 5): the practice's trust settings and what each transfer out of trust paid.
from accounting.trust_transfers import TrustSettings, TrustTransferLink  # noqa: E402,F401,I001
