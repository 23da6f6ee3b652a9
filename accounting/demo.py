"""A demo practice: people, a chart of accounts, clients with matters, and some posted journals.

Used by the README's run command (`flask demo`). The identifiers below pass their checksums; they
are made up, not real people's numbers.
"""

import secrets
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounting.accounts import Account, AccountRole, account_for_role, install_default_chart
from accounting.clients import ClientDetails, add_person, open_matter, save_client
from accounting.journals import LineInput, post
from accounting.practice import get_practice
from accounting.users import Role, User, create_user, find_user_by_email

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
    install_default_chart(session)
    _seed_clients(session, admin, [admin.id, staff.id], today)
    _seed_journals(session, admin, today)
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


def _seed_journals(session, admin, today):
    bank = account_for_role(session, AccountRole.OFFICE_BANK)
    code = {a.code: a for a in session.execute(select(Account)).scalars()}
    start = today - timedelta(days=45)
    entries = [
        ("Owner's capital contributed", [(bank.id, "50000.00"), (code["3-1000"].id, "-50000.00")]),
        ("Office rent for the month", [(code["6-2000"].id, "4200.00"), (bank.id, "-4200.00")]),
        ("Professional indemnity insurance",
         [(code["6-2100"].id, "3850.00"), (code["2-1200"].id, "385.00"),
          (bank.id, "-4235.00")]),
        ("Practising certificates renewed", [(code["6-2200"].id, "1460.00"), (bank.id, "-1460.00")]),
    ]
    for offset, (narration, lines) in enumerate(entries):
        post(session, admin, date=start + timedelta(days=offset * 7), narration=narration,
             lines=[LineInput(account_id, Decimal(amount)) for account_id, amount in lines])


def ensure_admin(session: Session, email: str, password: str, name: str = "Admin") -> User:
    """Create an admin (for `flask create-admin`), refusing an email already in use."""
    return create_user(session, email=email, name=name, password=password, role=Role.ADMIN)
