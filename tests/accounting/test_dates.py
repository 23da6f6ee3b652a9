"""Dates within reason: no date before 1900 anywhere, trust money not after today, other documents
at most a year ahead."""

from datetime import date, timedelta

import pytest

from accounting.dates import check_document_date, check_not_ancient, check_trust_date, parse_date
from accounting.errors import LedgerError
from accounting.trust.ledger import TrustTransaction

TODAY = date(2026, 12, 3)


def test_the_rules_themselves():
    assert check_trust_date(TODAY, today=TODAY) == TODAY
    with pytest.raises(LedgerError, match="after today"):
        check_trust_date(TODAY + timedelta(days=1), today=TODAY)
    assert check_document_date(date(2027, 12, 3), today=TODAY) == date(2027, 12, 3)
    with pytest.raises(LedgerError, match="a year from today"):
        check_document_date(date(2027, 12, 5), today=TODAY)
    for check in (check_not_ancient, check_trust_date, check_document_date):
        with pytest.raises(LedgerError, match="from 01 Jan 1900"):
            check(date(1899, 12, 31))


def test_trust_money_dated_tomorrow_or_before_1900_is_refused_and_nothing_is_written(trust):
    for when in (date.today() + timedelta(days=1), date(2125, 1, 1), date(1, 1, 1)):
        with pytest.raises(LedgerError) as refused:
            trust.receive("100.00", on=when)
        assert refused.value.field == "date"
    assert trust.s.query(TrustTransaction).count() == 0


def test_a_journal_more_than_a_year_ahead_or_before_1900_is_refused(books):
    for when in (date.today() + timedelta(days=400), date(1899, 1, 1)):
        with pytest.raises(LedgerError) as refused:
            books.journal({"1-1000": "1.00", "3-1000": "-1.00"}, on=when)
        assert refused.value.field == "date"
    books.journal({"1-1000": "1.00", "3-1000": "-1.00"}, on=date.today() + timedelta(days=300))


@pytest.mark.parametrize("typed, message", [
    ("", "Enter a date"), ("0001-01-01", "from 01 Jan 1900"), ("9999-12-31", "no later than"),
    ("2026-02-30", "is not a date"), ("２０２６-01-01", "is not a date"), ("2026-1-1", "is not a date"),
    ("20260101", "is not a date"), ("2026-01-01\x00", "is not a date"), ("x" * 5000, "is not a date"),
])
def test_a_typed_date_is_iso_ascii_within_reason(typed, message):
    with pytest.raises(LedgerError, match=message):
        parse_date(typed, "on")


def test_a_good_typed_date_is_read():
    assert parse_date(" 2026-07-01 ") == date(2026, 7, 1)
    assert parse_date("9998-12-31") == date(9998, 12, 31)
