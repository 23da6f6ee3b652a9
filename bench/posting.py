"""Posting 100,000 journals through the engine, against a bare insert of the same rows.

Engine: `accounting.ledger.journals.post_batch`, every invariant checked (balance, accounts, lock date,
cents, no general journal on an account holding trust money), numbers taken from the sequence, audit
lines written; 1,000 journals per transaction. The journals spread over the chart's office accounts:
trust accounts take only trust journal kinds.
Baseline: SQLAlchemy Core `insert()` of the very same journal and line rows, prepared in advance,
also 1,000 journals per transaction, on the same SQLite file layout, in the same run.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select

from accounting.ledger.journals import Journal, JournalEntry, JournalLine, post_batch
from bench.common import fresh_books, office_account_ids, print_table, sqlite_engine, stopwatch

CHUNK = 1_000


def entries(count: int, account_ids: list[int]) -> list[JournalEntry]:
    """`count` balanced two-line journals over `account_ids`, amounts varying to the cent."""
    from accounting.ledger.journals import LineInput

    start = date(2026, 7, 1)
    result = []
    for i in range(count):
        amount = Decimal(1 + (i * 7919) % 500_000) / 100
        debit = account_ids[i % len(account_ids)]
        credit = account_ids[(i * 3 + 1) % len(account_ids)]
        if debit == credit:
            credit = account_ids[(i * 3 + 2) % len(account_ids)]
        result.append(JournalEntry(
            date=start + timedelta(days=i % 300), narration=f"Bench journal {i}",
            lines=[LineInput(debit, amount), LineInput(credit, -amount)],
        ))
    return result


def run_engine(engine, count: int) -> float:
    session, admin = fresh_books(engine)
    account_ids = office_account_ids(session)
    work = entries(count, account_ids)
    results: dict[str, float] = {}
    with stopwatch(results, "engine"):
        for first in range(0, count, CHUNK):
            post_batch(session, admin, work[first:first + CHUNK])
            session.commit()
    posted = session.execute(select(func.count()).select_from(Journal)).scalar_one()
    assert posted == count, f"posted {posted} of {count}"
    session.close()
    return results["engine"]


def run_baseline(engine, count: int) -> float:
    session, admin = fresh_books(engine)
    account_ids = office_account_ids(session)
    admin_id = admin.id
    session.close()
    now = datetime.now(UTC)
    journals, lines = [], []
    for i, entry in enumerate(entries(count, account_ids)):
        journals.append({"id": i + 1, "number": f"GJ-{i + 1:06d}", "kind": "general",
                         "date": entry.date, "narration": entry.narration,
                         "posted_by_id": admin_id, "posted_at": now})
        lines += [{"journal_id": i + 1, "line_no": n + 1, "account_id": line.account_id,
                   "date": entry.date, "amount": line.amount, "description": ""}
                  for n, line in enumerate(entry.lines)]
    results: dict[str, float] = {}
    with stopwatch(results, "bare"):
        for first in range(0, count, CHUNK):
            with engine.begin() as conn:
                conn.execute(insert(Journal), journals[first:first + CHUNK])
                conn.execute(insert(JournalLine), lines[first * 2:(first + CHUNK) * 2])
    return results["bare"]


def measure(count: int, engine, baseline_engine) -> list[tuple[str, str]]:
    """Post `count` journals through the engine into `engine`'s database and insert the same rows
    bare into `baseline_engine`'s (two empty databases); returns the figures."""
    engine_seconds = run_engine(engine, count)
    bare_seconds = run_baseline(baseline_engine, count)
    engine_rate, bare_rate = count / engine_seconds, count / bare_seconds
    return [
        ("engine (post_batch)", f"{engine_rate:,.0f} journals/s ({engine_seconds:.1f} s)"),
        ("bare Core insert (baseline)", f"{bare_rate:,.0f} journals/s ({bare_seconds:.1f} s)"),
        ("engine / bare rate", f"{engine_rate / bare_rate:.2f} (aim: at least 0.33)"),
    ]


def run(count: int) -> None:
    rows = measure(count, sqlite_engine("posting"), sqlite_engine("posting-baseline"))
    print_table(f"Posting {count:,} journals into SQLite", rows)
