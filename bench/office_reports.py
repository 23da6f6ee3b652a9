"""The bills list and aged receivables over 100,000 posted bills, against a trivial page.

Setup (not measured): 1,000 clients (one per hundred bills) with a matter each; 100,000 bills over
two years, each posted with its journal (Dr Accounts Receivable, Cr income, Cr GST collected) and
stored with its line and its "posted" event; 93% paid in full and 4% by half, 1 to 75 days after
the bill (so the last weeks' bills are still open), each payment posted the same way (Dr bank, Cr
Accounts Receivable) with its "payment" event: about 11,000 bills are owing at the end. Journals,
lines, bills and events go in with bulk INSERTs of the models' tables (as the trial balance
benchmark fills its ledger; post_batch's own speed is what bench/posting.py measures), 5,000 bills
per transaction; then the bills' running totals (accounting/office/bill_totals.py) are computed
from them once, as the migration that added them does.

Measured, through the Flask test client with a signed-in admin, best of thirty after a warm-up, the
pages taken in turn (so a busy moment slows them alike):
`GET /billing/` (first page of the bills list), `GET /reports/aged-receivables`, its ledger check
(fetched by htmx after the page) and one client's aged detail, each against the trivial page
`GET /reports/` (the reports index: login, one user row, a small template) served by the same app
in the same run. Aim: within 5x of the trivial page. Before measuring, the aged report's total is
checked against Accounts Receivable in the ledger.
"""

import random
import time
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert, text

from accounting.base import new_public_id, utcnow
from accounting.ledger.accounts import AccountRole, account_for_role, office_bank_accounts
from accounting.ledger.journals import Journal, JournalLine, JournalStatus
from accounting.ledger.tax import TaxCode, gst_on
from accounting.money import ZERO
from accounting.office import bill_totals
from accounting.office.aged_reports import aged_receivables
from accounting.office.bills import Bill, BillEvent, BillLine, BillStatus, EventKind
from accounting.parties.clients import Client, ClientKind, Matter, MatterStatus
from bench.common import best_of_each, fresh_books, print_table, signed_in_client, sqlite_engine

CHUNK = 5_000
BILLS_PER_CLIENT = 100
AS_AT = date(2026, 11, 20)
START = AS_AT - timedelta(days=730)


def _clients(session, count: int) -> list[int]:
    """`count` clients with one open matter each; returns the matter ids, client i's at index i."""
    clients = [Client(code=f"C{i:05d}", kind=ClientKind.COMPANY, name=f"Bench client {i:05d}")
               for i in range(count)]
    session.add_all(clients)
    session.flush()
    matters = [Matter(number=f"M{i:05d}", client_id=c.id, description="Bench matter",
                      status=MatterStatus.OPEN, opened_on=START) for i, c in enumerate(clients)]
    session.add_all(matters)
    session.flush()
    return [(c.id, m.id) for c, m in zip(clients, matters, strict=True)]


def _plan(count: int, parties, rng: random.Random) -> list[dict]:
    """What each bill is: its client, dates, amounts and the payment it gets (if any)."""
    plans = []
    for i in range(count):
        client_id, matter_id = parties[i % len(parties)]
        on = START + timedelta(days=rng.randrange(730))
        subtotal = Decimal(rng.randrange(10_000, 500_000)) / 100
        gst = gst_on(subtotal, Decimal("10"))
        luck = rng.random()
        paid = (subtotal + gst if luck < 0.93 else
                ((subtotal + gst) / 2).quantize(Decimal("0.01")) if luck < 0.97 else ZERO)
        paid_on = on + timedelta(days=rng.randrange(1, 75))
        if paid_on > AS_AT:  # recent bills: not paid yet
            paid = ZERO
        plans.append({"client_id": client_id, "matter_id": matter_id, "date": on,
                      "due_date": on + timedelta(days=30), "subtotal": subtotal, "gst": gst,
                      "total": subtotal + gst, "paid": paid, "paid_on": paid_on})
    return plans


def fill_bills(engine, count: int, seed: int = 11) -> float:
    """Write `count` posted bills (and their payments) with their journals; returns seconds taken."""
    started = time.perf_counter()
    session, admin = fresh_books(engine)
    receivable = account_for_role(session, AccountRole.ACCOUNTS_RECEIVABLE).id
    gst_collected = account_for_role(session, AccountRole.GST_COLLECTED).id
    fees = account_for_role(session, AccountRole.PROFESSIONAL_FEES).id
    bank = office_bank_accounts(session)[0].id
    parties = _clients(session, max(1, count // BILLS_PER_CLIENT))
    session.commit()
    plans = _plan(count, parties, random.Random(seed))
    accounts = {"ar": receivable, "gst": gst_collected, "fees": fees, "bank": bank}
    admin_id, next_journal = admin.id, 1
    for first in range(0, count, CHUNK):
        next_journal = _write_chunk(session, admin_id, plans[first:first + CHUNK], accounts, first + 1,
                                    next_journal)
        session.commit()
    bill_totals.rebuild(session)  # the bills' running totals, as a migration fills them
    session.commit()
    if engine.dialect.name == "postgresql":  # ids were given: move the sequences past them
        for table in ("bill", "bill_event", "journal"):
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"(SELECT max(id) FROM {table}))"))
        session.commit()
    session.close()
    return time.perf_counter() - started


def _journals(session, admin_id: int, entries: list[tuple], first_id: int, prefix: str, kind: str) -> None:
    """Balanced journals straight into the tables (as `trial_balance.fill_ledger` does): one
    (date, reference, narration, [(account, amount), ...]) per journal, ids from `first_id`."""
    now = utcnow()
    session.execute(insert(Journal.__table__), [{
        "id": first_id + i, "number": f"{prefix}{first_id + i:07d}", "kind": kind, "date": on,
        "narration": narration, "reference": reference, "status": JournalStatus.POSTED,
        "posted_by_id": admin_id, "posted_at": now, "public_id": new_public_id(), "reversal_reason": "",
    } for i, (on, reference, narration, _) in enumerate(entries)])
    session.execute(insert(JournalLine.__table__), [{
        "journal_id": first_id + i, "line_no": n + 1, "account_id": account_id, "date": on,
        "amount": amount, "description": ""}
        for i, (on, _, _, lines) in enumerate(entries) for n, (account_id, amount) in enumerate(lines)])


def _write_chunk(session, admin_id: int, plans: list[dict], accounts: dict, first_id: int,
                 next_journal: int) -> int:
    """One chunk's bills with their journals, lines, events and payments (Core inserts with ids
    given: executemany, no per-row round trips). Returns the next free journal id."""
    bill_ids = range(first_id, first_id + len(plans))
    numbers = [f"INV-{bill_id:06d}" for bill_id in bill_ids]
    bill_journals = range(next_journal, next_journal + len(plans))
    _journals(session, admin_id, [(
        p["date"], number, f"Bill {number} (bench)",
        [(accounts["ar"], p["total"]), (accounts["fees"], -p["subtotal"]), (accounts["gst"], -p["gst"])])
        for p, number in zip(plans, numbers, strict=True)], next_journal, "BI-", "bill")
    paying = [(bill_id, p, number) for bill_id, p, number in zip(bill_ids, plans, numbers, strict=True)
              if p["paid"]]
    payment_journals = range(bill_journals.stop, bill_journals.stop + len(paying))
    _journals(session, admin_id, [(
        p["paid_on"], number, f"Payment of {number} (bench)",
        [(accounts["bank"], p["paid"]), (accounts["ar"], -p["paid"])]) for _, p, number in paying],
        bill_journals.stop, "BP-", "bill_payment")
    session.execute(insert(Bill.__table__), [{
        "id": bill_id, "number": number, "client_id": p["client_id"], "matter_id": p["matter_id"],
        "date": p["date"], "due_date": p["due_date"], "reference": "", "status": BillStatus.POSTED,
        "subtotal": p["subtotal"], "gst": p["gst"], "total": p["total"], "applied": p["paid"],
        "journal_id": journal_id, "public_id": new_public_id(),
    } for bill_id, p, number, journal_id in zip(bill_ids, plans, numbers, bill_journals, strict=True)])
    session.execute(insert(BillLine.__table__), [{
        "bill_id": bill_id, "line_no": 1, "description": "Professional services", "quantity": Decimal("1"),
        "rate": p["subtotal"], "account_id": accounts["fees"], "tax": TaxCode.GST,
        "amount": p["subtotal"], "gst": p["gst"]} for bill_id, p in zip(bill_ids, plans, strict=True)])
    now = utcnow()
    events = [{"bill_id": bill_id, "kind": EventKind.POSTED, "date": p["date"], "amount": p["total"],
               "reference": "", "journal_id": journal_id, "bank_account_id": None, "user_id": admin_id,
               "at": now} for bill_id, p, journal_id in zip(bill_ids, plans, bill_journals, strict=True)]
    events += [{"bill_id": bill_id, "kind": EventKind.PAYMENT, "date": p["paid_on"], "amount": p["paid"],
                "reference": "", "journal_id": journal_id, "bank_account_id": accounts["bank"],
                "user_id": admin_id, "at": now}
               for (bill_id, p, _), journal_id in zip(paying, payment_journals, strict=True)]
    session.execute(insert(BillEvent.__table__), events)
    return payment_journals.stop


def _pages(app, first_client: int, rounds: int) -> dict[str, float]:
    client = signed_in_client(app)
    as_at = AS_AT.isoformat()
    with app.app_context():
        from extensions import db

        total = aged_receivables(db.session, AS_AT, with_ledger=False).total
        db.session.remove()
    pages = {
        BASELINE: "/reports/",
        "bills list GET /billing/": "/billing/",
        "aged receivables GET /reports/aged-receivables": f"/reports/aged-receivables?as_at={as_at}",
        "its ledger check (htmx, after the page)":
            f"/reports/aged-receivables/ledger-check?as_at={as_at}&total={total}",
        "one client's aged detail": f"/reports/aged-receivables/{first_client}?as_at={as_at}",
    }
    return best_of_each(client, pages, rounds)


BASELINE = "trivial page GET /reports/ (baseline)"
ROUNDS = 30
# A book under SMOKE_BILLS is a smoke run (--quick, the tests), not figures to record: fewer rounds.
SMOKE_BILLS, SMOKE_ROUNDS = 10_000, 5


def _rows(label: str, best: dict[str, float]) -> list[tuple[str, str]]:
    baseline = best[BASELINE]
    rows = []
    for name, seconds in best.items():
        ratio = "" if name == BASELINE else f"  ({seconds / baseline:,.1f}x the trivial page)"
        rows.append((f"{label}: {name}", f"{seconds * 1000:,.1f} ms{ratio}"))
    return rows


def measure(url: str, label: str, count: int) -> list[tuple[str, str]]:
    """Fill the empty database at `url` with `count` bills, then time the pages; returns the figures."""
    from sqlalchemy import create_engine

    from app import create_app
    from extensions import db

    engine = create_engine(url)
    setup = fill_bills(engine, count)
    # A live database's tables are vacuumed and analysed by autovacuum; bulk-loaded ones are not yet
    # (PostgreSQL's index-only scans need the visibility map VACUUM sets).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 32, "SERVER_NAME": None})
    with app.app_context():
        report = aged_receivables(db.session, AS_AT)
        assert report.difference == ZERO, "the aged report must equal Accounts Receivable"
        first_client = report.rows[0].party_id
        db.session.remove()
    rows = [(f"{label}: setup ({count:,} bills and their journals, bulk inserts)", f"{setup:,.1f} s"),
            (f"{label}: clients owing / report total", f"{len(report.rows):,} / {report.total:,.2f}")]
    rows += _rows(label, _pages(app, first_client, ROUNDS if count >= SMOKE_BILLS else SMOKE_ROUNDS))
    with app.app_context():
        db.engine.dispose()
    engine.dispose()
    return rows


def run(count: int, postgres_url: str | None = None) -> None:
    """SQLite, then PostgreSQL at `postgres_url` (an empty database) unless it is None."""
    rows = measure(str(sqlite_engine("office-reports").url), "SQLite", count)
    if postgres_url:
        rows += measure(postgres_url, "PostgreSQL", count)
    print_table(f"Bills list and aged receivables over {count:,} bills (aim: within 5x)", rows)
