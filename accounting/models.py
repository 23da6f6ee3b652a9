"""Every table of the books, imported in one place so metadata (and Alembic) sees them all; and the
wings' closing checks for matters and journal kinds, registered by importing them."""

import accounting.office.matter_closing  # noqa: F401  (warns of unbilled work on closing)
import accounting.office.supplier_credits  # noqa: F401  (registers the vendor_credit kind)
import accounting.office.supplier_invoices  # noqa: F401  (registers purchase_invoice, ap_payment)
import accounting.trust.closing  # noqa: F401  (refuses closing a matter holding trust money)
from accounting.audit import AuditEvent
from accounting.base import Base
from accounting.ledger.accounts import Account
from accounting.ledger.journals import Journal, JournalLine
from accounting.ledger.practice import Practice
from accounting.office.bank_reconciliation import (
    BankMatch,
    MatchedBookLine,
    ReconciledLine,
    Reconciliation,
    StatementLine,
)
from accounting.office.bank_transactions import BankTransaction, BankTransactionLine, BankTransfer
from accounting.office.bill_totals import ClientBillTotals, ReceivableDue
from accounting.office.bills import (
    Bill,
    BillEvent,
    BillLine,
    CreditNote,
    CreditNoteLine,
    CreditRefund,
    TimeEntry,
)
from accounting.office.purchase_orders import PurchaseOrder, PurchaseOrderLine
from accounting.office.supplier_documents import (
    SupplierCredit,
    SupplierCreditApplication,
    SupplierCreditLine,
    SupplierInvoice,
    SupplierInvoiceLine,
    SupplierPayment,
)
from accounting.office.suppliers import Supplier
from accounting.parties.clients import Client, Matter, RelatedPerson
from accounting.parties.users import LoginThrottle, User
from accounting.sequences import NumberSequence
from accounting.trust.ledger import TrustAccount, TrustLedgerEntry, TrustTransaction
from accounting.trust.reconciliation import (
    TrustReconciliation,
    TrustStatement,
    TrustStatementLine,
    TrustUnpresentedItem,
)
from accounting.trust.settings import TrustSettings
from accounting.trust.transfers import TrustTransferLink

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
