"""The reconcile page benchmark stays runnable: a few statement lines, both pages 200, figures out."""

from bench import reconcile_page


def test_the_reconcile_page_benchmark_runs_on_a_few_lines(tmp_path):
    rows = dict(reconcile_page.measure(f"sqlite:///{tmp_path / 'bench.sqlite3'}", 30))
    assert rows["reconcile page GET"].endswith("x the trivial page)")
    assert rows["reconcile page size"].endswith("KiB")
