"""The trust tests' builder: the general trust account and two matters of two clients, with helpers to
receive and pay trust money, bill a matter, transfer to office and enter a bank statement.

The `trust` fixture in tests/conftest.py makes one; a test file that needs more (a second account, a
signed-in client, receipts committed as they are made) overrides that fixture.
"""

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from accounting.ledger.tax import TaxCode
from accounting.office.billing import approve_bill, create_bill
from accounting.office.bills import BillLineInput
from accounting.parties.clients import ClientDetails, open_matter, save_client
from accounting.trust.accounts import create_trust_account, ensure_default_trust_account
from accounting.trust.ledger import TrustTransaction, matter_balance
from accounting.trust.posting import record_payment, record_receipt
from accounting.trust.reconciliation import save_statement
from accounting.trust.transfers import TransferLine, transfer_to_office

JULY = date(2026, 7, 1)
D = Decimal


class Trust:
    """Builders: the general trust account (`account`), Acme Pty Ltd's `lease` and Bo Smith's `estate`.

    With `commit_receipts`, each receipt is committed as it is made (as a request would); otherwise the
    test commits when it needs to.
    """

    def __init__(self, books, *, commit_receipts=False):
        self.books, self.s = books, books.session
        self.commit_receipts = commit_receipts
        self.account = ensure_default_trust_account(self.s)
        acme = save_client(self.s, books.admin, ClientDetails(kind="company", name="Acme Pty Ltd"))
        bo = save_client(self.s, books.admin, ClientDetails(kind="individual", name="Bo Smith"))
        self.lease = open_matter(self.s, books.admin, acme, description="Lease", responsible_id=None,
                                 opened_on=JULY)
        self.estate = open_matter(self.s, books.admin, bo, description="Estate", responsible_id=None,
                                  opened_on=JULY)
        self.s.commit()

    def receive(self, amount, matter=None, on=JULY, payer="Acme Pty Ltd", account=None):
        receipt = record_receipt(self.s, self.books.admin, trust_account_id=(account or self.account).id,
                                 matter_id=(matter or self.lease).id, date=on, amount=D(amount),
                                 payer=payer, method="eft")
        if self.commit_receipts:
            self.s.commit()
        return receipt

    def pay(self, amount, matter=None, on=JULY, session=None):
        return record_payment(session or self.s, self.books.admin, trust_account_id=self.account.id,
                              matter_id=(matter or self.lease).id, date=on, amount=D(amount),
                              payee="Vendor's solicitors", method="eft", authority="Signed authority 3 Jul",
                              description="Settlement funds")

    def controlled(self):
        """The estate's controlled money account (1-1150), committed."""
        account = create_trust_account(self.s, self.books.admin, code="1-1150", name="Controlled: Bo estate",
                                       kind="controlled", matter_id=self.estate.id)
        self.s.commit()
        return account

    def bill(self, rate="1000.00", matter=None, approve=True):
        """A bill of `rate` + GST 10% (so 1000.00 makes a bill of 1100.00), committed."""
        line = BillLineInput("Advice", D("1"), D(rate), self.books.account("4-1000").id, TaxCode.GST)
        bill = create_bill(self.s, self.books.admin, matter_id=(matter or self.lease).id, date=JULY,
                           lines=[line])
        if approve:
            approve_bill(self.s, self.books.admin, bill)
        self.s.commit()
        return bill

    def transfer(self, *lines, session=None, **values):
        """Transfer to office paying each (bill, amount) of `lines`."""
        values = dict(trust_account_id=self.account.id, date=JULY, authority="Costs agreement cl. 9") | values
        return transfer_to_office(session or self.s, self.books.admin,
                                  lines=[TransferLine(bill.id, amount, f"rows-{i}-amount")
                                         for i, (bill, amount) in enumerate(lines)], **values)

    def statement(self, opening, closing, typed, **kwargs):
        """A bank statement of the trust account, its lines typed as "date, description, amount"."""
        return save_statement(self.s, self.books.admin, trust_account_id=self.account.id,
                              opening=opening, closing=closing, typed=typed, **kwargs)

    def balance(self, matter=None):
        return matter_balance(self.s, self.account, (matter or self.lease).id)

    def count(self, model=TrustTransaction):
        return self.s.scalar(select(func.count()).select_from(model))
