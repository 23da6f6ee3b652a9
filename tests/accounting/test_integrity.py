"""The ledger integrity check finds what bypassed post(), and records its outcome."""

from decimal import Decimal

from sqlalchemy import select, update

from accounting.audit import AuditEvent
from accounting.integrity import check_ledger
from accounting.journals import JournalLine


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
