"""The office reports benchmark stays runnable: a few hundred bills, every page 200."""

from bench import office_reports


def test_the_office_reports_benchmark_runs_on_a_small_book(tmp_path):
    rows = office_reports.measure(f"sqlite:///{tmp_path / 'bench.sqlite3'}", "SQLite", 300)
    labels = [label for label, _ in rows]
    assert "SQLite: aged receivables GET /reports/aged-receivables" in labels
    assert all(value.endswith(("ms", "s")) or "/" in value or "x the trivial page)" in value
               for _, value in rows)
