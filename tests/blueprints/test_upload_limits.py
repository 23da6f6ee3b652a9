"""Upload limits: a request body over MAX_CONTENT_LENGTH gets a clear 413 page, and one import takes
at most MAX_STATEMENT_LINES statement lines; a refused upload stores nothing."""

import gc
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from accounting.office.bank_reconciliation import StatementLine
from accounting.office.statement_files import MAX_STATEMENT_LINES
from tests.support import html, text_of


def _upload(client, bank_id, data, name="statement.csv"):
    return client.submit(f"/banking/accounts/{bank_id}/statement",
                         {"statement": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _csv(lines: int) -> bytes:
    start = date(2026, 1, 1)
    rows = [f"{start + timedelta(days=n % 300)},PAYMENT {n},-{n % 97 + 1}.00" for n in range(lines)]
    return ("Date,Description,Amount\n" + "\n".join(rows) + "\n").encode()


def _stored(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(StatementLine))


def test_the_app_limits_the_request_body(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 6 * 1024 * 1024


# Werkzeug leaves the temporary file of an upload it stopped at the limit for the garbage collector;
# collected here, so its ResourceWarning is this test's and is known, not the next test's surprise.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_a_body_over_the_limit_gets_a_clear_413_page(client, auth, books, db_session):
    auth.login()
    bank = books.account("1-1000")
    response = _upload(client, bank.id, b"x" * (6 * 1024 * 1024 + 1))
    assert response.status_code == 413
    page = html(response)
    assert page.find("h1").get_text(strip=True) == "Too large"
    assert "at most 5 MB" in text_of(page.find("main"))
    assert _stored(db_session) == 0
    del response, page
    gc.collect()


def test_a_statement_with_too_many_lines_is_refused_and_nothing_is_stored(client, auth, books,
                                                                          db_session):
    auth.login()
    bank = books.account("1-1000")
    response = _upload(client, bank.id, _csv(MAX_STATEMENT_LINES + 1))
    assert response.status_code == 422
    assert f"import at most {MAX_STATEMENT_LINES:,}" in text_of(html(response))
    assert _stored(db_session) == 0


def test_a_statement_at_the_line_limit_is_imported(client, auth, books, db_session):
    auth.login()
    bank = books.account("1-1000")
    assert _upload(client, bank.id, _csv(MAX_STATEMENT_LINES)).status_code == 303
    assert _stored(db_session) == MAX_STATEMENT_LINES
