"""A demo practice: people, a chart of accounts, clients with matters, and some posted journals.

Used by the README's run command (`flask demo`). The identifiers below pass their checksums; they
are made up, not real people's numbers.
"""

import secrets
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounting.ledger.accounts import Account, AccountRole, account_for_role, install_default_chart
from accounting.ledger.journals import LineInput, post
from accounting.ledger.practice import get_practice
from accounting.ledger.tax import TaxCode
from accounting.office import billing
from accounting.office.bank_transactions import BankTransactionKind, MoneyLine, record_bank_transaction
from accounting.office.supplier_invoices import (
    InvoiceDetails,
    InvoiceLineInput,
    approve_invoice,
    create_invoice,
    pay_invoice,
)
from accounting.office.suppliers import SupplierDetails, save_supplier
from accounting.office.work_in_progress import bill_from_entries, record_entry
from accounting.parties.clients import ClientDetails, Matter, add_person, open_matter, save_client
from accounting.parties.users import Role, User, create_user, find_user_by_email
from accounting.trust import posting as trust_posting
from accounting.trust.accounts import ensure_default_trust_account

ADMIN_EMAIL = "admin@example.com"
STAFF_EMAIL = "staff@example.com"

DEMO_CLIENTS = [
    (ClientDetails(kind="individual", name="Margaret Chen", email="margaret.chen@example.com",
                   phone="0412 555 101", tfn="123456782", physical_street="14 Harbour St",
                   physical_city="Sydney", physical_state="NSW", physical_postcode="2000"),
     [], ["Purchase of 3 Elm Avenue, Newtown", "Will and powers of attorney"]),
    (ClientDetails(kind="company", name="Bayside Constructions Pty Ltd",
                   email="accounts@bayside.example.com", phone="02 9555 0199",
                   fax="02 9555 0198", abn="51824753556", acn="004085616",
                   physical_street="Unit 4, 88 Parramatta Rd", physical_city="Camperdown",
                   physical_state="NSW", physical_postcode="2050",
                   postal_street="PO Box 331", postal_city="Camperdown", postal_state="NSW",
                   postal_postcode="1450"),
     [("Alan Brooks", "director"), ("Sue Brooks", "secretary")],
     ["Contract dispute with Harbour Steel", "Commercial lease renewal"]),
    (ClientDetails(kind="trust", name="The Okafor Family Trust", abn="83914571673",
                   tfn="876543210", physical_city="Melbourne", physical_state="VIC",
                   physical_postcode="3000"),
     [("Okafor Nominees Pty Ltd", "trustee"), ("Chidi Okafor", "beneficiary")],
     ["Trust deed variation"]),
    (ClientDetails(kind="partnership", name="Nguyen & Patel Dental", abn="90749288305",
                   email="practice@np-dental.example.com", physical_city="Brisbane",
                   physical_state="QLD", physical_postcode="4000"),
     [("Dr Linh Nguyen", "partner"), ("Dr Ravi Patel", "partner")],
     ["Partnership agreement review"]),
    (ClientDetails(kind="super_fund", name="Walsh Superannuation Fund", abn="46297207511",
                   tfn="459599230", physical_city="Perth", physical_state="WA",
                   physical_postcode="6000"),
     [("Walsh Super Pty Ltd", "trustee"), ("Brendan Walsh", "member")],
     ["SMSF property acquisition"]),
    (ClientDetails(kind="sole_trader", name="Priya Raman (Raman Design)", abn="41352780530",
                   tfn="138173118", email="priya@ramandesign.example.com",
                   physical_city="Adelaide", physical_state="SA", physical_postcode="5000"),
     [], ["Debt recovery: Kestrel Media"]),
]


def seed_demo(session: Session, admin_password: str | None = None,
              today: date | None = None) -> str | None:
    """Fill an empty database with the demo practice; returns the admin password it set.

    Returns None and changes nothing when the admin already exists (the demo was seeded before).
    """
    if find_user_by_email(session, ADMIN_EMAIL) is not None:
        return None
    today = today or date.today()
    password = admin_password or secrets.token_urlsafe(9)
    admin = create_user(session, email=ADMIN_EMAIL, name="Avery Admin", password=password,
                        role=Role.ADMIN)
    staff = create_user(session, email=STAFF_EMAIL, name="Sam Staff",
                        password=secrets.token_urlsafe(12), role=Role.STAFF)
    practice = get_practice(session)
    practice.name = "Harbour & Vine Lawyers"
    _set_invoice_details(practice)
    install_default_chart(session)
    _seed_clients(session, admin, [admin.id, staff.id], today)
    _seed_journals(session, admin, today)
    _seed_billing(session, admin, today)
    _seed_suppliers(session, admin, today)
    _seed_trust(session, admin, today)
    return password


def _seed_clients(session, admin, responsible_ids, today):
    for index, (details, people, matters) in enumerate(DEMO_CLIENTS):
        client = save_client(session, admin, details)
        for name, role in people:
            add_person(session, admin, client, name=name, role=role)
        for description in matters:
            open_matter(session, admin, client, description=description,
                        responsible_id=responsible_ids[index % 2],
                        opened_on=today - timedelta(days=60 - index * 5))


def _set_invoice_details(practice) -> None:
    """What the demo's tax invoices print: the practice's legal name, ABN and how to pay."""
    practice.legal_name = "Harbour & Vine Lawyers Pty Ltd"
    practice.abn = "53004085616"
    practice.address = "Level 3, 20 Bond Street\nSydney NSW 2000"
    practice.phone = "02 9555 0100"
    practice.email = "accounts@harbourvine.example.com"
    practice.bank_account_name = "Harbour & Vine Lawyers Pty Ltd"
    practice.bsb = "062000"
    practice.bank_account_number = "12345678"
    practice.payment_reference = "your bill number"


def _seed_journals(session, admin, today):
    """Capital, rent and certificates by general journal; the insurance (with GST) and the bank's
    interest (input-taxed) as spend / receive money, since GST reaches the GST accounts only
    through a document's tax code (GST is a control account)."""
    bank = account_for_role(session, AccountRole.OFFICE_BANK)
    code = {a.code: a for a in session.execute(select(Account)).scalars()}
    start = today - timedelta(days=45)
    entries = [
        (0, "Owner's capital contributed", [(bank.id, "50000.00"), (code["3-1000"].id, "-50000.00")]),
        (7, "Office rent for the month", [(code["6-2000"].id, "4200.00"), (bank.id, "-4200.00")]),
        (21, "Practising certificates renewed", [(code["6-2200"].id, "1460.00"), (bank.id, "-1460.00")]),
    ]
    for days, narration, lines in entries:
        post(session, admin, date=start + timedelta(days=days), narration=narration,
             lines=[LineInput(account_id, Decimal(amount)) for account_id, amount in lines])
    record_bank_transaction(
        session, admin, kind=BankTransactionKind.WITHDRAWAL, bank_account_id=bank.id,
        date=start + timedelta(days=14), contact="LawCover", reference="Policy PI-2026",
        lines=[MoneyLine(code["6-2100"].id, Decimal("3850.00"), TaxCode.GST,
                         "Professional indemnity insurance")])
    record_bank_transaction(
        session, admin, kind=BankTransactionKind.DEPOSIT, bank_account_id=bank.id,
        date=start + timedelta(days=30), contact="Westpac", reference="Interest",
        lines=[MoneyLine(code["4-3000"].id, Decimal("18.45"), TaxCode.INPUT_TAXED,
                         "Interest on the office account")])


def _matters(session) -> list[Matter]:
    return list(session.scalars(select(Matter).order_by(Matter.id)))


def _seed_billing(session, admin, today):
    """Work in progress on each matter; some billed, one part paid, one paid in full."""
    bank = account_for_role(session, AccountRole.OFFICE_BANK)
    start = today - timedelta(days=40)
    for index, matter in enumerate(_matters(session)[:6]):
        entries = [
            record_entry(session, admin, matter_id=matter.id, kind="time", on=start + timedelta(days=index),
                         person_id=admin.id, description=description, hours=Decimal(hours),
                         rate=Decimal("420.00"))
            for description, hours in (("Initial conference and advice", "1.5"),
                                       ("Drafting and correspondence", "2.2"))]
        if index >= 4:
            continue  # left unbilled: work in progress to bill in the demo
        bill = bill_from_entries(session, admin, matter_id=matter.id, entry_ids=[e.id for e in entries],
                                 date=start + timedelta(days=index + 7))
        billing.approve_bill(session, admin, bill)
        if index == 0:
            billing.record_payment(session, admin, bill.id, amount=bill.total, bank_account_id=bank.id,
                                   date=bill.date + timedelta(days=5), reference="EFT")
        elif index == 1:
            billing.record_payment(session, admin, bill.id, amount=Decimal("500.00"),
                                   bank_account_id=bank.id, date=bill.date + timedelta(days=9),
                                   reference="Part payment")


def _seed_suppliers(session, admin, today):
    code = {a.code: a for a in session.execute(select(Account)).scalars()}
    bank = account_for_role(session, AccountRole.OFFICE_BANK)
    when = today - timedelta(days=30)
    for index, (name, account, description, amount) in enumerate((
            ("InfoTrack Pty Ltd", "5-1100", "Title and company searches", "186.40"),
            ("Officeworks", "6-2400", "Stationery and toner", "242.90"),
            ("LawCover", "6-2100", "Run-off cover instalment", "1250.00"))):
        supplier = save_supplier(session, admin,
                                 SupplierDetails(name=name, default_account_id=code[account].id))
        dated = when + timedelta(days=index * 3)
        invoice = create_invoice(session, admin, InvoiceDetails(
            supplier_id=supplier.id, supplier_ref=f"INV-{4410 + index}", date=dated,
            due_date=dated + timedelta(days=30),
            lines=[InvoiceLineInput(description, Decimal(amount), code[account].id)]))
        approve_invoice(session, admin, invoice)
        if index == 0:
            pay_invoice(session, admin, invoice.id, bank_account_id=bank.id,
                        date=invoice.date + timedelta(days=4), amount=invoice.total, reference="EFT")


def _seed_trust(session, admin, today):
    """Money in trust for three matters: deposits held, a settlement paid out, a journal between matters."""
    account = ensure_default_trust_account(session)
    matters = _matters(session)
    start = today - timedelta(days=35)
    receipts = ((matters[0], "Margaret Chen", "85000.00", "Deposit for 3 Elm Avenue"),
                (matters[2], "Bayside Constructions Pty Ltd", "12000.00", "Funds for expert reports"),
                (matters[4], "The Okafor Family Trust", "3300.00", "Costs in advance"))
    for offset, (matter, payer, amount, description) in enumerate(receipts):
        trust_posting.record_receipt(
            session, admin, trust_account_id=account.id, matter_id=matter.id,
            date=start + timedelta(days=offset), amount=Decimal(amount), payer=payer, method="eft",
            description=description)
    trust_posting.record_payment(
        session, admin, trust_account_id=account.id, matter_id=matters[0].id,
        date=start + timedelta(days=10), amount=Decimal("8500.00"), payee="Vendor's agent",
        method="eft", authority="Contract of sale, clause 3", description="Deposit to agent")
    trust_posting.record_trust_journal(
        session, admin, trust_account_id=account.id, from_matter_id=matters[2].id,
        to_matter_id=matters[3].id, date=start + timedelta(days=12), amount=Decimal("2000.00"),
        authority="Alan Brooks, email of the day", description="Funds for the lease matter")


def ensure_admin(session: Session, email: str, password: str, name: str = "Admin") -> User:
    """Create an admin (for `flask create-admin`), refusing an email already in use."""
    return create_user(session, email=email, name=name, password=password, role=Role.ADMIN)
