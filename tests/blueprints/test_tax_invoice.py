"""The printed bill is a tax invoice: the practice's legal name, ABN and payment details, the
client's address (physical when there is no postal one) and, at $1,000 or more, the client's ABN."""

from sqlalchemy import select

from accounting.demo import seed_demo
from accounting.office.bills import Bill
from tests.support import html, text_of


def demo_bill(client, db_session, client_name):
    seed_demo(db_session, admin_password="demo-password-1")
    db_session.commit()
    client.submit("/login", {"email": "admin@example.com", "password": "demo-password-1"})
    bills = db_session.scalars(select(Bill).order_by(Bill.id)).all()
    return next(b for b in bills if b.client.name == client_name and b.number)


def test_the_printed_bill_shows_the_practice_abn_and_how_to_pay(client, db_session):
    bill = demo_bill(client, db_session, "Bayside Constructions Pty Ltd")
    page = html(client.get(f"/billing/{bill.id}/print"))
    assert text_of(page.find("h2")) == "Tax invoice"
    practice = text_of(page.find(class_="practice-details"))
    assert "Harbour & Vine Lawyers Pty Ltd" in practice and "ABN 53 004 085 616" in practice
    paying = text_of(page.find(class_="payment-details"))
    assert "062-000" in paying and "12345678" in paying and bill.number in paying
    to = text_of(page.find(class_="client-address"))
    assert "ABN 51 824 753 556" in to  # a bill of 1,709.40 names the client's ABN
    assert "PO Box 331" in to and "Parramatta Rd" not in to  # postal first


def test_a_client_without_a_postal_address_shows_the_physical_one(client, db_session):
    bill = demo_bill(client, db_session, "Margaret Chen")
    to = text_of(html(client.get(f"/billing/{bill.id}/print")).find(class_="client-address"))
    assert "14 Harbour St" in to and "Sydney NSW 2000" in to
