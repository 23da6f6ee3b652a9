"""The ledger integrity check finds what bypassed post(), and records its outcome."""

from datetime import date
from decimal import Decimal

from sqlalchemy import select, update

from accounting.audit import AuditEvent
from accounting.integrity import check_ledger
from accounting.ledger.journals import JournalLine


def test_a_clean_ledger_passes_and_the_check_is_logged(books, db_session):
    books.journal({"1-1000": "100.00", "3-1000": "-100.00"})
    assert check_ledger(db_session) == []
    event = db_session.execute(select(AuditEvent).where(AuditEvent.action == "checked")).scalar_one()
    assert "all journals balance" in event.summary


def test_a_line_changed_behind_the_engines_back_is_reported(books, db_session):
    journal = books.journal({"1-1000": "100.00", "3-1000": "-100.00"})
    db_session.execute(update(JournalLine).where(JournalLine.journal_id == journal.id,
                                                 JournalLine.line_no == 1).values(amount=Decimal("123.45")))
    problems = check_ledger(db_session)
    assert f"{journal.number} does not balance (off by 23.45)." in problems
    assert "The trial balance is off by 23.45." in problems


def test_trust_ledgers_that_disagree_with_the_cash_book_are_reported(books):
    from sqlalchemy import update

    from accounting.integrity import find_problems
    from accounting.parties.clients import ClientDetails, open_matter, save_client
    from accounting.trust.accounts import ensure_default_trust_account
    from accounting.trust.ledger import TrustLedgerEntry
    from accounting.trust.posting import record_receipt

    account = ensure_default_trust_account(books.session)
    client = save_client(books.session, books.admin, ClientDetails(kind="company", name="Acme Pty Ltd"))
    matter = open_matter(books.session, books.admin, client, description="Lease", responsible_id=None,
                         opened_on=date(2026, 7, 1))
    record_receipt(books.session, None, trust_account_id=account.id, matter_id=matter.id,
                   date=date(2026, 7, 1), amount=Decimal("100.00"), payer="Acme", method="eft")
    assert find_problems(books.session) == []
    books.session.execute(update(TrustLedgerEntry).values(amount=Decimal("-5.00")))  # a bad manual edit
    problems = find_problems(books.session)
    assert any("overdrawn" in p and "-5.00" in p for p in problems)
    assert any("does not agree" in p for p in problems)
