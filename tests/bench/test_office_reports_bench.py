"""The office reports benchmark stays runnable on both databases: a few hundred bills, every page 200."""

import pytest

from bench import office_reports


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    return request.getfixturevalue("postgres_server").create_database("bench_office_reports")


def test_the_office_reports_benchmark_runs_on_a_small_book(empty_database):
    rows = office_reports.measure(empty_database, "Books", 300)
    labels = [label for label, _ in rows]
    assert "Books: aged receivables GET /reports/aged-receivables" in labels
    assert all(value.endswith(("ms", "s")) or "/" in value or "x the trivial page)" in value
               for _, value in rows)
