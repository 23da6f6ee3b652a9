"""The trial balance benchmark stays runnable on both databases: a few thousand lines."""

import pytest
from sqlalchemy import create_engine

from bench import trial_balance


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    return request.getfixturevalue("postgres_server").create_database("bench_trial_balance")


def test_the_trial_balance_benchmark_runs_on_a_small_ledger(empty_database):
    engine = create_engine(empty_database)
    label = engine.dialect.name
    rows = dict(trial_balance.measure(engine, label, 2_000, repeats=1))
    engine.dispose()
    assert rows[f"{label}: trial balance over 2,000 lines"].endswith(" ms")
    assert rows[f"{label}: bare sum over all lines (baseline)"].endswith(" ms")
    assert rows[f"{label}: ratio trial balance / bare sum"].endswith("x")
