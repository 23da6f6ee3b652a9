"""The bank reconcile page at 10,000 open statement lines, against the trivial page.

An import may bring up to 10,000 lines (accounting/office/statement_files.MAX_STATEMENT_LINES), and
a practice that imports but seldom matches piles them up: the page must stay usable. The book holds
BOOK_ENTRIES unreconciled receipts, so every statement row's "match to" choice has options to draw.
"""

import random
import time
from datetime import date, timedelta
from decimal import Decimal

from bench.common import best_of_each, fresh_books, print_table, signed_in_client, sqlite_engine

BOOK_ENTRIES = 50
START = date(2026, 1, 1)
BASELINE = "trivial page GET /reports/ (baseline)"
ROUNDS, SMOKE_ROUNDS, SMOKE_LINES = 10, 3, 1_000


def fill(engine, lines: int, seed: int = 5) -> tuple[int, float]:
    """The practice, BOOK_ENTRIES receipts into the office bank and `lines` open statement lines;
    returns (bank account id, seconds taken)."""
    from sqlalchemy import select

    from accounting.ledger.accounts import Account
    from accounting.ledger.journals import LineInput, post
    from accounting.office.bank_reconciliation import StatementLine

    started = time.perf_counter()
    session, admin = fresh_books(engine)
    bank = session.scalar(select(Account).where(Account.code == "1-1000"))
    income = session.scalar(select(Account).where(Account.code == "3-1000"))
    rng = random.Random(seed)
    for number in range(BOOK_ENTRIES):
        amount = Decimal(rng.randint(1_000, 500_000)) / 100
        post(session, admin, date=START + timedelta(days=number), narration=f"Receipt {number}",
             lines=[LineInput(bank.id, amount), LineInput(income.id, -amount)])
    session.add_all(
        StatementLine(bank_account_id=bank.id, date=START + timedelta(days=n % 330),
                      description=f"CARD PAYMENT {n}", amount=-Decimal(rng.randint(100, 90_000)) / 100,
                      source="bench.csv")
        for n in range(lines))
    session.commit()
    bank_id = bank.id
    session.close()
    return bank_id, time.perf_counter() - started


def measure(url: str, lines: int) -> list[tuple[str, str]]:
    """Fill the empty database at `url`, then time the reconcile page; returns the figures."""
    from sqlalchemy import create_engine

    from app import create_app
    from extensions import db

    engine = create_engine(url)
    bank_id, setup = fill(engine, lines)
    engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 32,
                      "SERVER_NAME": None})
    client = signed_in_client(app)
    page = f"/banking/accounts/{bank_id}/reconcile"
    size = len(client.get(page).get_data())
    best = best_of_each(client, {BASELINE: "/reports/", "reconcile page": page},
                 ROUNDS if lines > SMOKE_LINES else SMOKE_ROUNDS)
    with app.app_context():
        db.engine.dispose()
    ratio = best["reconcile page"] / best[BASELINE]
    return [
        (f"setup ({lines:,} statement lines, {BOOK_ENTRIES} book entries)", f"{setup:,.1f} s"),
        (BASELINE, f"{best[BASELINE] * 1000:,.1f} ms"),
        ("reconcile page GET", f"{best['reconcile page'] * 1000:,.1f} ms  ({ratio:,.1f}x the "
                               "trivial page)"),
        ("reconcile page size", f"{size / 1024:,.0f} KiB"),
    ]


def run(lines: int) -> None:
    """SQLite: the reconcile page over `lines` open statement lines."""
    rows = measure(str(sqlite_engine("reconcile-page").url), lines)
    print_table(f"Reconcile page at {lines:,} statement lines against the trivial page", rows)
