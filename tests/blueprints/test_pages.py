"""What views read from the query string: the page number (one cap for the house) and date filters."""

from datetime import date

import pytest
from flask import Flask

from accounting.errors import LedgerError
from accounting.lookup import MAX_PAGE
from blueprints.pages import date_arg, page_number

TODAY = date(2026, 7, 20)


@pytest.fixture
def query():
    """query("?page=2") -> a request context with that query string."""
    app = Flask(__name__)
    return lambda string: app.test_request_context(f"/{string}")


@pytest.mark.parametrize(("string", "page"), [
    ("", 1), ("?page=3", 3), ("?page=0", 1), ("?page=-4", 1), ("?page=junk", 1), ("?page=2.5", 1),
    (f"?page={MAX_PAGE}", MAX_PAGE), (f"?page={MAX_PAGE + 1}", MAX_PAGE), ("?page=" + "9" * 40, MAX_PAGE),
])
def test_the_page_number_runs_from_1_to_the_one_cap_and_junk_means_page_1(query, string, page):
    with query(string):
        assert page_number() == page


@pytest.mark.parametrize(("string", "day"), [
    ("", TODAY), ("?as_at=", TODAY), ("?as_at=%20%20", TODAY), ("?as_at=2026-06-30", date(2026, 6, 30)),
    ("?as_at=%202026-06-30%20", date(2026, 6, 30)),
])
def test_a_date_filter_is_an_iso_date_or_the_default_when_blank(query, string, day):
    with query(string):
        assert date_arg("as_at", TODAY) == day


@pytest.mark.parametrize(("typed", "why"), [("notadate", "use the form YYYY-MM-DD"),
                                            ("30/06/2026", "use the form YYYY-MM-DD"),
                                            ("2026-02-30", "there is no such day")])
def test_a_date_filter_that_is_not_a_date_is_refused_beside_the_filter(query, typed, why):
    with query(f"?as_at={typed}"), pytest.raises(LedgerError) as refused:
        date_arg("as_at", TODAY)
    assert refused.value.field == "as_at"
    assert refused.value.message == f"“{typed}” is not a date: {why}."
