"""Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL,
and a database built by them holds the demo practice."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

import accounting.models  # noqa: F401
import integrations.models  # noqa: F401
from accounting.base import Base


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    return request.getfixturevalue("postgres_server").create_database("migrated")


def _app_migrated_to(database: str, revision: str = "head"):
    """An app whose empty `database` Alembic took to `revision`, in its app context."""
    from app import create_app
    from extensions import db

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database})
    with app.app_context():
        upgrade(revision=revision)
        yield app
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def migrated_app(empty_database):
    yield from _app_migrated_to(empty_database)


def test_migrations_build_the_schema_the_models_describe(migrated_app):
    from extensions import db

    with db.engine.connect() as conn:
        differences = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert differences == [], "a model changed without a migration: run `flask db migrate`"


def test_a_migrated_database_takes_the_demo_and_downgrades_cleanly(migrated_app):
    from accounting.demo import seed_demo
    from accounting.integrity import find_problems
    from extensions import db

    assert seed_demo(db.session, admin_password="demo-password-1") == "demo-password-1"
    db.session.commit()
    assert find_problems(db.session) == []
    db.session.remove()
    downgrade(revision="base")
    upgrade()


@pytest.fixture
def app_at_0003(empty_database):
    yield from _app_migrated_to(empty_database, "0003")


def test_0004_turns_each_matched_statement_line_into_a_match_and_keeps_reconciliations(app_at_0003):
    """A database with matched and reconciled bank lines upgrades (SQLite rebuilds the referenced
    tables) and its matches survive as one-line groups; downgrading brings them back."""
    from sqlalchemy import text

    from extensions import db

    rows = [
        "INSERT INTO user_account (id, email, name, password_hash, role, active, created_at) "
        "VALUES (1, 'a@example.com', 'A', 'x', 'ADMIN', TRUE, CURRENT_TIMESTAMP)",
        "INSERT INTO account (id, code, name, type, is_bank, description, archived, holds_trust) "
        "VALUES (1, '1-1000', 'Bank', 'BANK', TRUE, '', FALSE, FALSE), "
        "(2, '3-1000', 'Capital', 'EQUITY', FALSE, '', FALSE, FALSE)",
        "INSERT INTO journal (id, number, kind, date, narration, reference, status, posted_at, "
        "reversal_reason, public_id, created_at) VALUES (1, 'GJ-000001', 'general', '2026-07-01', "
        "'Capital', '', 'POSTED', CURRENT_TIMESTAMP, '', 'p1', CURRENT_TIMESTAMP)",
        "INSERT INTO journal_line (id, journal_id, line_no, account_id, date, amount, description) "
        "VALUES (1, 1, 1, 1, '2026-07-01', 10000, ''), (2, 1, 2, 2, '2026-07-01', -10000, '')",
        "INSERT INTO bank_reconciliation (id, bank_account_id, statement_date, opening_balance, "
        "closing_balance, book_balance, created_at, created_by_id) "
        "VALUES (1, 1, '2026-07-01', 0, 10000, 10000, CURRENT_TIMESTAMP, 1)",
        "INSERT INTO bank_statement_line (id, bank_account_id, date, description, amount, journal_line_id, "
        "reconciliation_id, imported_at, source) VALUES "
        "(1, 1, '2026-07-01', 'Capital', 10000, 1, 1, CURRENT_TIMESTAMP, 'a.csv'), "
        "(2, 1, '2026-07-02', 'Fee', -500, NULL, NULL, CURRENT_TIMESTAMP, 'a.csv')",
        "INSERT INTO bank_reconciled_line (journal_line_id, reconciliation_id) VALUES (1, 1)",
    ]
    with db.engine.begin() as conn:
        for statement in rows:
            conn.execute(text(statement))
    db.session.remove()
    upgrade()
    with db.engine.connect() as conn:
        lines = text("SELECT id, match_id IS NOT NULL, fitid FROM bank_statement_line ORDER BY id")
        assert [tuple(row) for row in conn.execute(lines)] == [(1, True, ""), (2, False, "")]
        assert conn.execute(text("SELECT journal_line_id FROM bank_match_line")).scalars().all() == [1]
        assert conn.execute(text("SELECT undo_reason FROM bank_reconciliation")).scalar_one() == ""
    downgrade(revision="0003")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT journal_line_id FROM bank_statement_line ORDER BY id")
                            ).scalars().all() == [1, None]


def test_0005_fills_the_bill_totals_from_the_bills_already_there(migrated_app):
    """Bills written before 0005 (the demo's, kept through a downgrade) get their running totals."""
    from sqlalchemy import text

    from accounting.demo import seed_demo
    from accounting.office.bill_totals import differences
    from extensions import db

    seed_demo(db.session, admin_password="demo-password-1")
    db.session.commit()
    db.session.remove()
    downgrade(revision="0004")
    upgrade()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM client_bill_totals")).scalar_one() > 0
        assert conn.execute(text("SELECT count(*) FROM receivable_due")).scalar_one() > 0
    assert differences(db.session) == []


@pytest.fixture
def app_at_0005(empty_database):
    yield from _app_migrated_to(empty_database, "0005")


def test_0006_encrypts_the_tfns_already_there_and_downgrading_decrypts_them(app_at_0005):
    """A client's TFN written in clear before 0006 is encrypted in place with the app's keys; a
    client without one keeps ''; downgrading puts the digits back."""
    from sqlalchemy import text

    from accounting.parties.clients import Client
    from extensions import db

    blank = ", ".join(["''"] * 13)
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO client (id, code, kind, name, email, phone, fax, physical_street, physical_city, "
            "physical_state, physical_postcode, physical_country, postal_street, postal_city, "
            "postal_state, postal_postcode, postal_country, tfn, abn, acn, archived, created_at) "
            f"VALUES (1, 'C00001', 'COMPANY', 'Acme', {blank}, '123456782', '', '', FALSE, "
            f"CURRENT_TIMESTAMP), (2, 'C00002', 'INDIVIDUAL', 'Brown', {blank}, '', '', '', FALSE, "
            "CURRENT_TIMESTAMP)"
        ))
    db.session.remove()
    upgrade()

    def raw_tfns():
        with db.engine.connect() as conn:
            return conn.execute(text("SELECT tfn FROM client ORDER BY id")).scalars().all()

    encrypted, blank_tfn = raw_tfns()
    assert "123456782" not in encrypted and encrypted.startswith("gAAAAA")
    assert blank_tfn == ""
    assert [db.session.get(Client, n).tfn for n in (1, 2)] == ["123456782", ""]
    db.session.remove()
    downgrade(revision="0005")
    assert raw_tfns() == ["123456782", ""]


def test_0006_run_again_after_being_cut_short_encrypts_nothing_twice(app_at_0005):
    """Some TFNs already tokens (a SQLite run cut short) and some still digits: each ends up one
    token deep, and downgrading gives back every TFN's digits."""
    from sqlalchemy import text

    from accounting.encryption import encrypt
    from extensions import db

    blank = ", ".join(["''"] * 13)
    columns = ("id, code, kind, name, email, phone, fax, physical_street, physical_city, physical_state, "
               "physical_postcode, physical_country, postal_street, postal_city, postal_state, "
               "postal_postcode, postal_country, tfn, abn, acn, archived, created_at")
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # SQLite never held VARCHAR(9) to nine characters
            conn.execute(text("ALTER TABLE client ALTER COLUMN tfn TYPE TEXT"))
        conn.execute(text(
            f"INSERT INTO client ({columns}) VALUES "
            f"(1, 'C00001', 'COMPANY', 'Acme', {blank}, :token, '', '', FALSE, CURRENT_TIMESTAMP), "
            f"(2, 'C00002', 'COMPANY', 'Brown', {blank}, '876543210', '', '', FALSE, CURRENT_TIMESTAMP)"
        ), {"token": encrypt("123456782")})
    db.session.remove()
    upgrade()
    downgrade(revision="0005")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT tfn FROM client ORDER BY id")).scalars().all() == [
            "123456782", "876543210"]


@pytest.fixture
def app_at_0006(empty_database):
    yield from _app_migrated_to(empty_database, "0006")


def test_0008_turns_each_supplier_lines_gst_free_flag_into_its_tax_code_and_back(app_at_0006):
    """Supplier invoice, credit note and purchase order lines written before 0008 get the tax code
    their GST-free flag meant (GST_FREE or GST); downgrading gives the flags back."""
    from sqlalchemy import text

    from extensions import db

    rows = [
        "INSERT INTO account (id, code, name, type, is_bank, description, archived, holds_trust) "
        "VALUES (1, '6-2400', 'Stationery', 'EXPENSE', FALSE, '', FALSE, FALSE)",
        "INSERT INTO journal (id, number, kind, date, narration, reference, status, posted_at, "
        "reversal_reason, public_id, created_at) VALUES (1, 'VE-000001', 'vendor_credit', '2026-07-01', "
        "'Credit', '', 'POSTED', CURRENT_TIMESTAMP, '', 'j1', CURRENT_TIMESTAMP)",
        "INSERT INTO supplier (id, name, abn, email, phone, address) "
        "VALUES (1, 'Officeworks', '', '', '', '')",
        "INSERT INTO supplier_invoice (id, number, supplier_id, supplier_ref, date, due_date, status, total, "
        "paid, credited, public_id, created_at) VALUES (1, 'SI-00001', 1, 'A1', '2026-07-01', "
        "'2026-07-31', 'DRAFT', 0, 0, 0, 'i1', CURRENT_TIMESTAMP)",
        "INSERT INTO supplier_credit (id, number, supplier_id, supplier_ref, date, status, total, applied, "
        "journal_id, public_id, created_at) VALUES (1, 'SC-00001', 1, 'C1', '2026-07-01', 'OPEN', 0, 0, 1, "
        "'c1', CURRENT_TIMESTAMP)",
        "INSERT INTO purchase_order (id, number, supplier_id, date, status) "
        "VALUES (1, 'PO-00001', 1, '2026-07-01', 'DRAFT')",
        "INSERT INTO supplier_invoice_line (id, invoice_id, line_no, description, account_id, amount, "
        "gst_free, gst_amount) VALUES (1, 1, 1, 'Paper', 1, 10000, FALSE, 1000), "
        "(2, 1, 2, 'Stamps', 1, 500, TRUE, 0)",
        "INSERT INTO supplier_credit_line (id, credit_id, line_no, description, account_id, amount, "
        "gst_free, gst_amount) VALUES (1, 1, 1, 'Stamps back', 1, 500, TRUE, 0), "
        "(2, 1, 2, 'Paper back', 1, 2000, FALSE, 200)",
        "INSERT INTO purchase_order_line (id, order_id, line_no, description, quantity, unit_price, "
        "account_id, gst_free, amount, gst_amount) VALUES (1, 1, 1, 'Toner', 200, 5000, 1, FALSE, 10000, "
        "1000), (2, 1, 2, 'Postage', 100, 300, 1, TRUE, 300, 0)",
    ]
    with db.engine.begin() as conn:
        for statement in rows:
            conn.execute(text(statement))
    db.session.remove()
    tables = ("supplier_invoice_line", "supplier_credit_line", "purchase_order_line")

    def column(name):
        with db.engine.connect() as conn:
            return [conn.execute(text(f"SELECT {name} FROM {table} ORDER BY id")).scalars().all()
                    for table in tables]

    upgrade()
    assert column("tax") == [["GST", "GST_FREE"], ["GST_FREE", "GST"], ["GST", "GST_FREE"]]
    downgrade(revision="0006")
    assert [[bool(flag) for flag in flags] for flags in column("gst_free")] == [
        [False, True], [True, False], [False, True]]


def test_0007_marks_the_bill_payments_trust_made_with_their_transfer_and_downgrades(migrated_app):
    """A payment made by a transfer from trust before 0007 (kept through a downgrade) gets its
    transfer's number from the transfer link; a payment into the office bank keeps none."""
    from datetime import date
    from decimal import Decimal

    from sqlalchemy import inspect, text

    from accounting.ledger.accounts import AccountRole, account_for_role, install_default_chart
    from accounting.ledger.practice import get_practice
    from accounting.ledger.tax import TaxCode
    from accounting.office.billing import approve_bill, create_bill, record_payment
    from accounting.office.bills import BillLineInput
    from accounting.parties.clients import ClientDetails, open_matter, save_client
    from accounting.trust.accounts import ensure_default_trust_account
    from accounting.trust.posting import record_receipt
    from accounting.trust.transfers import TransferLine, link_of, transfer_to_office
    from extensions import db

    s, july = db.session, date(2026, 7, 1)
    get_practice(s)
    install_default_chart(s)
    trust_account = ensure_default_trust_account(s)
    client = save_client(s, None, ClientDetails(kind="company", name="Acme Pty Ltd"))
    matter = open_matter(s, None, client, description="Lease", responsible_id=None, opened_on=july)
    record_receipt(s, None, trust_account_id=trust_account.id, matter_id=matter.id, date=july,
                   amount=Decimal("500.00"), payer="Acme Pty Ltd", method="eft")
    fees = account_for_role(s, AccountRole.PROFESSIONAL_FEES).id
    bill = create_bill(s, None, matter_id=matter.id, date=july,
                       lines=[BillLineInput("Advice", Decimal("1"), Decimal("1000.00"), fees, TaxCode.GST)])
    approve_bill(s, None, bill)
    [transfer] = transfer_to_office(s, None, trust_account_id=trust_account.id, date=july,
                                    authority="Signed", lines=[TransferLine(bill.id, "400.00")])
    office = record_payment(s, None, bill.id, amount=Decimal("100.00"), date=july,
                            bank_account_id=account_for_role(s, AccountRole.OFFICE_BANK).id)
    s.commit()
    trust_paid, office_paid, number = link_of(s, transfer.id).bill_event_id, office.id, transfer.number
    s.remove()
    downgrade(revision="0006")
    with db.engine.connect() as conn:
        assert "trust_transfer" not in {c["name"] for c in inspect(conn).get_columns("bill_event")}
    upgrade()

    with db.engine.connect() as conn:
        paid = conn.execute(text("SELECT id, trust_transfer FROM bill_event WHERE kind = 'PAYMENT' "
                                 "ORDER BY id")).all()
    assert [tuple(row) for row in paid] == [(trust_paid, number), (office_paid, None)]
    assert number == "T-000001"


@pytest.fixture
def app_at_0008(empty_database):
    yield from _app_migrated_to(empty_database, "0008")


def test_0009_adds_the_xero_connection_with_encrypted_tokens_and_downgrades(app_at_0008):
    """The connection table arrives empty, takes a row whose tokens are stored encrypted, and
    downgrading removes it."""
    from datetime import UTC, datetime

    from sqlalchemy import inspect, text

    from extensions import db
    from integrations.connection import Connection, ConnectionKind

    assert "integration_connection" not in inspect(db.engine).get_table_names()
    upgrade(revision="0009")
    db.session.add(Connection(kind=ConnectionKind.XERO, tenant_id="t-1", tenant_name="Demo",
                              access_token="access-secret", refresh_token="refresh-secret",
                              access_token_expires_at=datetime(2026, 12, 3, tzinfo=UTC)))
    db.session.commit()
    stored = db.session.execute(text("SELECT refresh_token FROM integration_connection")).scalar()
    assert stored.startswith("gAAAAA") and "refresh-secret" not in stored
    assert db.session.execute(db.select(Connection)).scalar_one().refresh_token == "refresh-secret"
    db.session.remove()
    downgrade(revision="0008")
    assert "integration_connection" not in inspect(db.engine).get_table_names()
