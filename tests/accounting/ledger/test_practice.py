"""Practice settings: defaults, the rules that span fields, the audit trail, the lock date."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from accounting.audit import AuditEvent
from accounting.errors import LedgerError, PeriodLocked
from accounting.ledger.practice import Basis, get_practice, parse_rate, update_practice


def settings(**overrides) -> dict:
    values = {"name": "Smith & Co", "base_currency": "AUD", "basis": "accrual",
              "gst_registered": True, "gst_rate": "10", "fy_start_month": 7, "fy_start_day": 1,
              "lock_date": None}
    values.update(overrides)
    return values


def test_a_new_practice_has_the_australian_defaults(db_session):
    practice = get_practice(db_session)
    assert practice.base_currency == "AUD" and practice.basis == Basis.ACCRUAL
    assert practice.gst_registered and practice.gst_rate == Decimal("10.00")
    assert practice.fy_start_label == "1 July" and practice.lock_date is None
    assert get_practice(db_session) is practice


def test_changes_are_saved_and_audited_with_what_changed(db_session, books):
    practice = get_practice(db_session)
    changes = update_practice(db_session, books.admin, practice, **settings(
        basis="cash", gst_rate="12.5", lock_date=date(2026, 6, 30)))
    assert practice.basis == Basis.CASH and practice.gst_rate == Decimal("12.50")
    assert changes == ["name My Practice → Smith & Co", "basis accrual → cash",
                       "GST rate 10.00 → 12.50", "lock date none → 30 Jun 2026"]
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "practice")).one()
    assert event.user_id == books.admin.id
    assert event.summary == "Practice settings: " + "; ".join(changes)


def test_saving_without_changes_writes_no_audit_line(db_session, books):
    practice = get_practice(db_session)
    update_practice(db_session, books.admin, practice, **settings())
    assert update_practice(db_session, books.admin, practice, **settings()) == []
    assert len(db_session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "practice")).all()) == 1


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"name": " "}, "name", "Enter the practice's name"),
    ({"name": "x" * 121}, "name", "at most 120"),
    ({"base_currency": "BTC"}, "base_currency", "listed currencies"),
    ({"basis": "hybrid"}, "basis", "accrual or cash"),
    ({"gst_rate": "abc"}, "gst_rate", "not a percentage"),
    ({"gst_rate": "Infinity"}, "gst_rate", "not a percentage"),
    ({"gst_rate": "10.001"}, "gst_rate", "two decimals"),
    ({"gst_rate": "100.01"}, "gst_rate", "between 0 and 100"),
    ({"gst_rate": "-0.01"}, "gst_rate", "between 0 and 100"),
    ({"fy_start_month": 13}, "fy_start_month", "Choose a month"),
    ({"fy_start_month": 4, "fy_start_day": 31}, "fy_start_day", "April has no day 31"),
    ({"fy_start_month": 2, "fy_start_day": 29}, "fy_start_day", "February has no day 29"),
    ({"fy_start_day": 0}, "fy_start_day", "July has no day 0"),
])
def test_bad_settings_are_refused_and_nothing_changes(db_session, books, values, field, message):
    practice = get_practice(db_session)
    with pytest.raises(LedgerError, match=message) as refused:
        update_practice(db_session, books.admin, practice, **settings(**values))
    assert refused.value.field == field
    assert practice.name == "My Practice" and practice.gst_rate == Decimal("10.00")


@pytest.mark.parametrize(("text", "rate"), [("0", "0.00"), ("100", "100.00"), ("12.5", "12.50"),
                                            (" 15 %", "15.00"), (Decimal("7.25"), "7.25")])
def test_rates_are_exact_percentages(text, rate):
    assert parse_rate(text) == Decimal(rate)


def test_the_financial_year_start(db_session):
    practice = get_practice(db_session)
    assert practice.financial_year_start(date(2026, 6, 30)) == date(2025, 7, 1)
    assert practice.financial_year_start(date(2026, 7, 1)) == date(2026, 7, 1)


def test_nothing_is_posted_before_the_lock_date(db_session, books):
    practice = get_practice(db_session)
    update_practice(db_session, books.admin, practice, **settings(lock_date=date(2026, 7, 1)))
    db_session.commit()
    with pytest.raises(PeriodLocked, match="locked before 01 Jul 2026"):
        books.journal({"1-1000": "100.00", "3-1000": "-100.00"}, on=date(2026, 6, 30))
    db_session.rollback()
    journal = books.journal({"1-1000": "100.00", "3-1000": "-100.00"}, on=date(2026, 7, 1))
    assert journal.date == date(2026, 7, 1)
