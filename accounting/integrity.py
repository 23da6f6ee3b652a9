"""Ledger integrity: the checks an auditor would run over the whole ledger.

`post()` already refuses anything unbalanced, so these find only what bypassed it (a manual SQL
edit, a bug, a restored backup). Run nightly by huey and on demand with `flask check-ledger`.
"""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounting.audit import record
from accounting.ledger.journals import Journal, JournalLine
from accounting.money import ZERO, format_money
from accounting.office import bill_totals
from accounting.parties.clients import Matter
from accounting.trust.accounts import trust_accounts
from accounting.trust.ledger import overdrawn_days, trust_position


def find_problems(session: Session) -> list[str]:
    """Every broken invariant in the ledger, as sentences; an empty list means all is well."""
    problems = []
    unbalanced = session.execute(
        select(Journal.number, func.sum(JournalLine.amount))
        .join(JournalLine, JournalLine.journal_id == Journal.id)
        .group_by(Journal.id, Journal.number)
        .having(func.sum(JournalLine.amount) != 0)
    ).all()
    problems += [f"{number} does not balance (off by {format_money(total)})."
                 for number, total in unbalanced]
    short = session.execute(
        select(Journal.number)
        .outerjoin(JournalLine, JournalLine.journal_id == Journal.id)
        .group_by(Journal.id, Journal.number)
        .having(func.count(JournalLine.id) < 2)
    ).scalars().all()
    problems += [f"{number} has fewer than two lines." for number in short]
    misdated = session.execute(
        select(Journal.number).join(JournalLine, JournalLine.journal_id == Journal.id)
        .where(JournalLine.date != Journal.date).distinct()
    ).scalars().all()
    problems += [f"{number} has lines dated differently from the journal." for number in misdated]
    total = session.execute(select(func.sum(JournalLine.amount))).scalar() or ZERO
    if total != ZERO:
        problems.append(f"The trial balance is off by {format_money(total)}.")
    return problems + trust_problems(session) + bill_totals.differences(session)


def trust_problems(session: Session) -> list[str]:
    """Trust money: no matter below zero at the end of any day; ledgers, cash book and liability agree."""
    problems = []
    for account in trust_accounts(session, include_closed=True):
        for matter_id, day, balance in overdrawn_days(session, account):
            number = session.get(Matter, matter_id).number
            problems.append(f"Matter {number} is overdrawn in {account.name} at the end of "
                            f"{day:%d %b %Y} ({format_money(balance)}).")
        position = trust_position(session, account)
        if not position.agrees:
            problems.append(
                f"{account.name} does not agree: matters {format_money(position.matters)}, cash book "
                f"{format_money(position.cash_book)}, liability {format_money(position.liability)}.")
    return problems


def check_ledger(session: Session) -> list[str]:
    """Run every check and record the outcome in the audit log."""
    problems = find_problems(session)
    summary = ("Ledger integrity check: all journals balance."
               if not problems else "Ledger integrity check FAILED: " + " ".join(problems))
    record(session, None, "checked", "ledger", None, summary)
    session.flush()
    return problems
