"""Fixtures for the push: the practice connected to the sandbox's Demo Company and mapped to its
chart (the suggestions, as the mapping page applies them), with builders for clients, bills and
payments dated today (the connection is made today: anything earlier is "before the connection")."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest


class BudgetClock:
    """time.time, moved on by the seconds the drains were told to sleep."""

    def __init__(self) -> None:
        self.slept = 0.0

    def advance(self, seconds: float) -> None:
        self.slept += seconds

    def __call__(self) -> float:
        return time.time() + self.slept


@dataclass
class Pushing:
    """The connected, mapped practice and builders over it."""

    session: object
    books: object
    tenant_id: str
    live: object
    clients: dict = field(default_factory=dict)
    # The call budget's time: real time plus every second a drain "slept" (tests do not wait).
    clock: BudgetClock = field(default_factory=lambda: BudgetClock())

    @property
    def today(self) -> date:
        return date.today()

    def client(self, name: str = "Acme Pty Ltd"):
        from accounting.parties.clients import ClientDetails, open_matter, save_client

        if name not in self.clients:
            client = save_client(self.session, self.books.admin,
                                 ClientDetails(kind="company", name=name))
            matter = open_matter(self.session, self.books.admin, client, description="Advice",
                                 responsible_id=None, opened_on=self.today)
            self.clients[name] = (client, matter)
        return self.clients[name]

    def bill(self, *lines: tuple[str, str, str], client: str = "Acme Pty Ltd", commit=True):
        """Approve a bill of (account code, amount, tax code) lines."""
        from accounting.ledger.tax import TaxCode
        from accounting.office.billing import approve_bill, create_bill
        from accounting.office.bills import BillLineInput

        _, matter = self.client(client)
        lines = lines or (("4-1000", "1000.00", "gst"),)
        bill = create_bill(self.session, self.books.admin, matter_id=matter.id, date=self.today,
                           lines=[BillLineInput(f"Work on {code}", Decimal("1"), Decimal(amount),
                                                self.books.account(code).id, TaxCode(tax))
                                  for code, amount, tax in lines])
        approve_bill(self.session, self.books.admin, bill)
        if commit:
            self.session.commit()
        return bill

    def credit_note(self, *lines: tuple[str, str, str], client: str = "Acme Pty Ltd", commit=True):
        """Issue a credit note of (account code, amount, tax code) lines."""
        from accounting.ledger.tax import TaxCode
        from accounting.office.bills import BillLineInput
        from accounting.office.credit_notes import create_credit_note

        party, _ = self.client(client)
        lines = lines or (("4-1000", "200.00", "gst"),)
        note = create_credit_note(self.session, self.books.admin, client_id=party.id,
                                  date=self.today, reference="Fee reduction",
                                  lines=[BillLineInput(f"Credit on {code}", Decimal("1"),
                                                       Decimal(amount), self.books.account(code).id,
                                                       TaxCode(tax)) for code, amount, tax in lines])
        if commit:
            self.session.commit()
        return note

    def pay(self, bill, amount: str = "100.00"):
        from accounting.ledger.accounts import AccountRole, account_for_role
        from accounting.office.billing import record_payment

        payment = record_payment(self.session, self.books.admin, bill.id, amount=Decimal(amount),
                                 date=self.today, bank_account_id=account_for_role(
                                     self.session, AccountRole.OFFICE_BANK).id,
                                 reference="EFT")
        self.session.commit()
        return payment

    def api(self):
        from integrations.xero.client import accounting_api

        return accounting_api(self.session)[0]

    def drain(self, **settings):
        from integrations.ratelimit import DatabaseBudget
        from integrations.xero.drain import DrainSettings, drain_outbox

        settings.setdefault("budget", DatabaseBudget(self.session.get_bind(), clock=self.clock))
        sleep = settings.pop("sleep", lambda seconds: None)
        settings["sleep"] = lambda seconds: (self.clock.advance(seconds), sleep(seconds))
        settings.setdefault("backoff", (0.0, 0.0))
        return drain_outbox(self.session, self.api(), self.tenant_id, DrainSettings(**settings))

    def invoices(self, *numbers: str):
        """The sandbox's invoices with these numbers (paged, so with their lines)."""
        return self.api().get_invoices(self.tenant_id, invoice_numbers=list(numbers),
                                       page=1).invoices

    def send_and_crash(self, stage):
        """A drain that sends the batch of `stage`'s waiting rows and "dies" before recording
        Xero's answer: the rows stay SENDING under the batch's key."""
        from integrations.xero.drain import DrainReport, DrainSettings, _Drain

        drain = _Drain(self.session, self.api(), self.tenant_id,
                       DrainSettings(sleep=lambda s: None), DrainReport())
        drain.cut_off_at_lock_date()
        drain.push_new_contacts()
        rows = [row for row in self.outbox() if row.kind == stage.KIND]
        elements = [stage.build(self.session, self.tenant_id, row) for row in rows]
        key = drain._claim(rows, stage.KIND)
        stage.send(self.api(), self.tenant_id, elements, key)
        self.session.rollback()

    def outbox(self):
        from sqlalchemy import select

        from integrations.xero.outbox import OutboxRow

        self.session.expire_all()
        return list(self.session.execute(select(OutboxRow).order_by(OutboxRow.id)).scalars())


# What the suggestions cannot guess (Demo Company's codes differ from ours).
OUR_ACCOUNTS_IN_DEMO_COMPANY = {"4-1000": "200", "4-2000": "260", "1-1000": "090",
                                # the supplier tests' expense accounts
                                "6-2400": "453", "5-1000": "429"}


@pytest.fixture
def pushing(app, db_session, books, connected, live_sandbox) -> Pushing:
    """Connected to Demo Company, every account and tax use mapped to its suggestion."""
    from integrations.mapping import apply_suggestions, map_account
    from integrations.xero.chart import read_chart
    from integrations.xero.client import accounting_api

    api, tenant_id = accounting_api(db_session)
    chart = read_chart(api, tenant_id)
    by_code = {account.code: account.account_id for account in chart.accounts}
    for ours, theirs in OUR_ACCOUNTS_IN_DEMO_COMPANY.items():
        map_account(db_session, books.admin, tenant_id, books.account(ours).id, by_code[theirs],
                    chart)
    apply_suggestions(db_session, books.admin, tenant_id, chart)
    db_session.commit()
    return Pushing(db_session, books, tenant_id, live_sandbox)
