"""Trial balance over 1,000,000 journal lines, on SQLite and PostgreSQL.

Baseline, measured in the same run on the same table: one bare pass summing every amount
(`SELECT sum(amount) FROM journal_line`), the least any report over every line must pay. The ratio
says what the date filter, grouping by account and building the report add on top. Each is the
best of ten, taken in turn, so that a busy moment on a shared machine slows both alike.
"""

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from accounting.ledger.accounts import Account
from accounting.ledger.journals import Journal, JournalLine
from accounting.ledger.reports import trial_balance
from bench.common import fresh_books, print_table, sqlite_engine, stopwatch

BATCH = 20_000


def fill_ledger(engine, lines: int) -> None:
    """Write lines/2 two-line balanced journals straight into the tables (setup, not measured)."""
    session, admin = fresh_books(engine)
    account_ids = session.execute(select(Account.id)).scalars().all()
    admin_id = admin.id
    session.close()
    rng = random.Random(7)
    start = date(2024, 7, 1)
    posted_at = datetime.now(UTC)
    journals = lines // 2
    with engine.begin() as conn:
        for first in range(0, journals, BATCH):
            count = min(BATCH, journals - first)
            conn.execute(insert(Journal), [{
                "id": first + i + 1, "number": f"BJ-{first + i + 1:07d}", "kind": "general",
                "date": start + timedelta(days=(first + i) % 700), "narration": "Bench",
                "posted_by_id": admin_id, "posted_at": posted_at,
            } for i in range(count)])
            rows = []
            for i in range(count):
                journal_id = first + i + 1
                day = start + timedelta(days=(first + i) % 700)
                amount = rng.randrange(1, 1_000_000)
                debit, credit = rng.sample(account_ids, 2)
                rows.append({"journal_id": journal_id, "line_no": 1, "account_id": debit,
                             "date": day, "amount": amount})
                rows.append({"journal_id": journal_id, "line_no": 2, "account_id": credit,
                             "date": day, "amount": -amount})
            conn.execute(insert(JournalLine.__table__), rows)  # raw cents: bypass the Money type


def measure(engine, label: str, lines: int, repeats: int = 10) -> list[tuple[str, str]]:
    fill_ledger(engine, lines)
    # As bench/office_reports.py: a live database is vacuumed by autovacuum, and PostgreSQL's
    # index-only scans need the visibility map VACUUM sets; left alone, autovacuum may run mid-measure.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
    session = Session(engine)
    results: dict[str, float] = {}
    scan, report = [], []
    for _ in range(repeats):
        with stopwatch(results, "scan"):
            session.execute(select(func.sum(JournalLine.__table__.c.amount))).scalar_one()
        scan.append(results["scan"])
        with stopwatch(results, "tb"):
            tb = trial_balance(session, date(2026, 12, 31))
        report.append(results["tb"])
    assert tb.total_debit == tb.total_credit, "the trial balance must balance"
    session.close()
    best_scan, best_tb = min(scan), min(report)
    return [
        (f"{label}: trial balance over {lines:,} lines", f"{best_tb * 1000:,.1f} ms"),
        (f"{label}: bare sum over all lines (baseline)", f"{best_scan * 1000:,.1f} ms"),
        (f"{label}: ratio trial balance / bare sum", f"{best_tb / best_scan:,.1f}x"),
    ]


def run(lines: int, postgres_url: str | None = None) -> None:
    """SQLite, then PostgreSQL at `postgres_url` (an empty database) unless it is None."""
    from sqlalchemy import create_engine

    rows = measure(sqlite_engine("trial-balance"), "SQLite", lines)
    if postgres_url:
        postgres = create_engine(postgres_url)
        rows += measure(postgres, "PostgreSQL", lines)
        postgres.dispose()
    print_table("Trial balance", rows)
