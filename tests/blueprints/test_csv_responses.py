"""The one way pages answer with CSV: cells safe from spreadsheet formulas, plain amounts, a 400 for
a filter the figures cannot be made from."""

import csv
import io
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from accounting.errors import LedgerError
from blueprints.csv_responses import (
    csv_amount,
    csv_response,
    csv_text,
    history_csv,
    refused_as_text,
)


@pytest.mark.parametrize("typed", ["=SUM(A1:A9)", "+61 2 9555 0101", "-1", "@cmd", "\tx", "\rx"])
def test_free_text_that_a_spreadsheet_would_run_is_quoted(typed):
    assert csv_text(typed) == "'" + typed


@pytest.mark.parametrize("typed", ["", "Margaret Chen", "Fees: 1 = 2", "O'Brien", "3 Elm Avenue"])
def test_other_free_text_is_left_as_typed(typed):
    assert csv_text(typed) == typed


def test_amounts_are_two_decimal_numbers_and_none_is_an_empty_cell():
    assert csv_amount(Decimal("1234.5")) == "1234.50"
    assert csv_amount(Decimal("-0.10")) == "-0.10"
    assert csv_amount(None) == ""


def test_a_csv_response_is_a_download_of_the_rows():
    rows = [["Code", "Account"], ["1-1000", "Cash, at bank"]]
    response = csv_response("trial-balance-2026-07-20.csv", rows)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="trial-balance-2026-07-20.csv"'
    assert list(csv.reader(io.StringIO(response.get_data(as_text=True)))) == rows


def test_a_refused_filter_is_a_400_with_the_message_as_plain_text():
    response = refused_as_text(LedgerError("“x” is not a date: use the form YYYY-MM-DD.", "as_at"))
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "“x” is not a date: use the form YYYY-MM-DD."


def test_a_history_csv_has_one_row_per_event_with_free_text_guarded():
    rows = [
        SimpleNamespace(date=date(2026, 7, 1), what="Approved", details="", amount=None, by="Ada Admin",
                        journal=SimpleNamespace(number="J-0001")),
        SimpleNamespace(date=date(2026, 7, 2), what="Payment", details="=HYPERLINK(1)",
                        amount=Decimal("110"), by="Stu Staff", journal=None),
    ]
    response = history_csv("history-INV-0001.csv", rows)
    assert response.headers["Content-Disposition"] == 'attachment; filename="history-INV-0001.csv"'
    assert list(csv.reader(io.StringIO(response.get_data(as_text=True)))) == [
        ["Date", "What", "Details", "Amount", "By", "Journal"],
        ["2026-07-01", "Approved", "", "", "Ada Admin", "J-0001"],
        ["2026-07-02", "Payment", "'=HYPERLINK(1)", "110.00", "Stu Staff", ""],
    ]
