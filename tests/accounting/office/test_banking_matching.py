"""Bank reconciliation completeness: grouped matches (one statement line to several book entries and
several to one), deleting a wrongly imported statement line, refusing a statement imported twice
(OFX FITID), undoing the latest reconciliation, and no GST while the practice is not registered.

The books each test starts from:

    date     book entry (office bank 1-1000)        statement line
    20 Jul   DEP-00001 receipt  100.00               20 Jul DEPOSIT 600.00  (one deposit of three receipts)
    20 Jul   DEP-00002 receipt  200.00
    21 Jul   DEP-00003 receipt  300.00
"""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accounting.audit import AuditEvent
from accounting.errors import LedgerError
from accounting.ledger.accounts import Account
from accounting.ledger.journals import Journal
from accounting.ledger.practice import get_practice
from accounting.ledger.tax import NOT_REGISTERED as GST_NOT_REGISTERED
from accounting.ledger.tax import TaxCode
from accounting.office.bank_reconciliation import (
    BankMatch,
    MatchedBookLine,
    ReconciledLine,
    Reconciliation,
    StatementLine,
    delete_statement_line,
    import_statement,
    match,
    reconciliation_history,
    reconciliation_report,
    reconciliation_state,
    save_reconciliation,
    undo_reconciliation,
    unmatch,
)
from accounting.office.bank_transactions import MoneyLine, record_bank_transaction
from accounting.office.statement_files import parse_statement
from tests.support import outcomes, run_at_once

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "banking"
JULY = date(2026, 7, 31)


def receipt(books, amount, on=date(2026, 7, 20), tax=TaxCode.GST_FREE):
    """A GST-free deposit of `amount`; returns its journal line on the office bank."""
    bank = books.account("1-1000")
    txn = record_bank_transaction(books.session, books.admin, kind="deposit", bank_account_id=bank.id,
                                  date=on, contact="Client",
                                  lines=[MoneyLine(books.account("4-1000").id, Decimal(amount), tax)])
    return next(x for x in txn.journal.lines if x.account_id == bank.id)


def statement(books, *rows, name="july.csv"):
    data = "Date,Description,Amount\n" + "".join(f"{d},{text},{amount}\n" for d, text, amount in rows)
    return import_statement(books.session, books.admin, books.account("1-1000").id, name,
                            data.encode()).lines


@pytest.fixture
def three_receipts(books):
    entries = [receipt(books, "100.00"), receipt(books, "200.00"),
               receipt(books, "300.00", on=date(2026, 7, 21))]
    [deposit] = statement(books, ("2026-07-21", "DEPOSIT", "600.00"))
    return books.account("1-1000"), deposit, entries


def events(books, action):
    return [e.summary for e in books.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def count(books, model):
    return books.session.scalar(select(func.count()).select_from(model))


# ---- One statement line to several book entries, several to one -------------------------------


def test_one_deposit_matches_the_three_receipts_it_holds_and_reconciles(books, three_receipts):
    bank, deposit, entries = three_receipts
    group = match(books.session, books.admin, bank, [deposit.id], [e.id for e in entries])
    assert [s.id for s in group.statement_lines] == [deposit.id]
    assert {j.id for j in deposit.journal_lines} == {e.id for e in entries}
    state = reconciliation_state(books.session, bank)
    assert state.matched_total == Decimal("600.00") and state.unmatched_book == []
    assert "DEP-00001 100.00, DEP-00002 200.00, DEP-00003 300.00" in events(books, "matched")[0]
    done = save_reconciliation(books.session, books.admin, bank, statement_date=JULY,
                               closing_balance=Decimal("600.00"))
    assert set(books.session.scalars(select(ReconciledLine.journal_line_id))) == {e.id for e in entries}
    assert reconciliation_report(books.session, done).difference == Decimal("0.00")


def test_book_entries_that_do_not_add_up_are_refused_with_the_difference(books, three_receipts):
    bank, deposit, entries = three_receipts
    with pytest.raises(LedgerError) as refused:
        match(books.session, books.admin, bank, deposit.id, [entries[0].id, entries[2].id])
    assert refused.value.field == "journal_line"
    assert refused.value.message == (
        "They do not add up: the 2 book entries chosen add up to 400.00, the statement line shows "
        "600.00 (difference 200.00). Choose entries that add up exactly.")
    books.session.rollback()
    assert count(books, BankMatch) == 0 and count(books, MatchedBookLine) == 0


def test_several_statement_lines_match_one_book_entry(books):
    entry = receipt(books, "1100.00")
    lines = statement(books, ("2026-07-20", "CHEQUE 1", "600.00"), ("2026-07-22", "CHEQUE 2", "500.00"))
    bank = books.account("1-1000")
    wrong = receipt(books, "1000.00")
    with pytest.raises(LedgerError, match="the book entry chosen is 1,000.00, the statement "
                                          r"lines add up to 1,100.00 \(difference 100.00\)"):
        match(books.session, books.admin, bank, [s.id for s in lines], wrong.id)
    match(books.session, books.admin, bank, [s.id for s in lines], [entry.id])
    assert [j.id for j in lines[1].journal_lines] == [entry.id]
    # A group is reconciled whole: with its second line after the closing date it waits.
    with pytest.raises(LedgerError, match="Match at least one"):
        save_reconciliation(books.session, books.admin, bank, statement_date=date(2026, 7, 21),
                            closing_balance=Decimal("600.00"))
    save_reconciliation(books.session, books.admin, bank, statement_date=JULY,
                        closing_balance=Decimal("1100.00"))
    assert {s.reconciliation_id is not None for s in lines} == {True}


def test_unmatching_any_line_of_a_group_undoes_the_whole_group(books):
    entry = receipt(books, "1100.00")
    lines = statement(books, ("2026-07-20", "CHEQUE 1", "600.00"), ("2026-07-22", "CHEQUE 2", "500.00"))
    bank = books.account("1-1000")
    match(books.session, books.admin, bank, [s.id for s in lines], entry.id)
    unmatch(books.session, books.admin, bank, lines[1].id)
    assert [s.match_id for s in lines] == [None, None]
    assert count(books, BankMatch) == 0 and count(books, MatchedBookLine) == 0
    assert reconciliation_state(books.session, bank).unmatched_book == [entry]
    assert "CHEQUE 1" in events(books, "unmatched")[0] and "CHEQUE 2" in events(books, "unmatched")[0]
    with pytest.raises(LedgerError, match="not matched"):
        unmatch(books.session, books.admin, bank, lines[0].id)


@pytest.mark.parametrize(("statement_ids", "book_ids", "field", "message"), [
    ([], "entries", "statement_line", "Choose a statement line."),
    ("deposit", [], "journal_line", "Choose a book entry to match."),
    (["x"], "entries", "statement_line", "Choose a statement line."),
    ("deposit", ["0"], "journal_line", "Choose a book entry to match."),
    ("deposit", [str(2**40)], "journal_line", "Choose a book entry to match."),
    (["999999"], "entries", "statement_line", "not on this account's statement"),
    ("deposit", ["999999"], "journal_line", "not on this bank account"),
    ("deposit", "income", "journal_line", "not on this bank account"),
])
def test_bad_match_requests_are_refused(books, three_receipts, statement_ids, book_ids, field, message):
    bank, deposit, entries = three_receipts
    income = next(x for x in entries[0].journal.lines if x.account_id != bank.id)
    named = {"deposit": [deposit.id], "entries": [e.id for e in entries], "income": [income.id]}
    with pytest.raises(LedgerError, match=message) as refused:
        match(books.session, books.admin, bank,
              *(named.get(ids, ids) if isinstance(ids, str) else ids for ids in (statement_ids, book_ids)))
    assert refused.value.field == field


def test_a_book_entry_in_one_group_cannot_join_another_and_repeated_ids_count_once(books, three_receipts):
    bank, deposit, entries = three_receipts
    [other] = statement(books, ("2026-07-20", "OTHER", "100.00"), name="other.csv")
    match(books.session, books.admin, bank, other.id, [entries[0].id, entries[0].id])
    with pytest.raises(LedgerError, match="already matched to another"):
        match(books.session, books.admin, bank, deposit.id, [e.id for e in entries])
    with pytest.raises(LedgerError, match="already matched; unmatch it first"):
        match(books.session, books.admin, bank, other.id, entries[1].id)


# ---- Deleting a statement line, importing a statement twice ------------------------------------


def test_an_unmatched_statement_line_is_deleted_with_its_reason_logged(books, three_receipts):
    bank, deposit, _ = three_receipts
    delete_statement_line(books.session, books.admin, bank, deposit.id, "  Imported twice  ")
    assert count(books, StatementLine) == 0
    assert events(books, "deleted") == [
        "Statement line 21 Jul 2026 DEPOSIT 600.00 of 1-1000 Office Cheque Account (from july.csv) "
        "deleted: Imported twice"]


def test_deleting_a_matched_or_reconciled_line_or_without_a_reason_is_refused(books, three_receipts):
    bank, deposit, entries = three_receipts
    with pytest.raises(LedgerError, match="Give the reason") as refused:
        delete_statement_line(books.session, books.admin, bank, deposit.id, "   ")
    assert refused.value.field == "reason"
    with pytest.raises(LedgerError, match="under 300"):
        delete_statement_line(books.session, books.admin, bank, deposit.id, "x" * 301)
    match(books.session, books.admin, bank, deposit.id, [e.id for e in entries])
    with pytest.raises(LedgerError, match="matched to the books: unmatch it first"):
        delete_statement_line(books.session, books.admin, bank, deposit.id, "dup")
    save_reconciliation(books.session, books.admin, bank, statement_date=JULY,
                        closing_balance=Decimal("600.00"))
    with pytest.raises(LedgerError, match="in the reconciliation to 31 Jul 2026: it cannot be deleted"):
        delete_statement_line(books.session, books.admin, bank, deposit.id, "dup")
    savings = Account(code="1-1050", name="Savings", type="bank", is_bank=True)
    books.session.add(savings)
    books.session.flush()
    with pytest.raises(LedgerError, match="not on this account's statement"):
        delete_statement_line(books.session, books.admin, savings, deposit.id, "dup")
    assert count(books, StatementLine) == 1 and events(books, "deleted") == []


def test_a_statement_whose_every_line_is_imported_is_refused_and_saves_nothing(books):
    bank = books.account("1-1000").id
    data = (FIXTURES / "statement.csv").read_bytes()
    import_statement(books.session, books.admin, bank, "statement.csv", data)
    already = r"Every line of statement.csv \(2\) is already imported"
    with pytest.raises(LedgerError, match=already) as refused:
        import_statement(books.session, books.admin, bank, "statement.csv", data)
    assert refused.value.field == "statement"
    assert count(books, StatementLine) == 2 and len(events(books, "imported")) == 1


def test_ofx_lines_are_known_by_their_fitid(books):
    bank = books.account("1-1000").id
    data = (FIXTURES / "statement.ofx").read_bytes()
    assert [p.fitid for p in parse_statement("s.ofx", data)] == ["A1", "A2"]
    assert [p.fitid for p in parse_statement("s.csv", (FIXTURES / "statement.csv").read_bytes())] == ["", ""]
    import_statement(books.session, books.admin, bank, "statement.ofx", data)
    # The bank re-sends A1 with a new description, and a new A3 on the same day as A1.
    again = data.replace(b"<NAME>DEPOSIT SMITH", b"<NAME>DEPOSIT J SMITH").replace(
        b"<FITID>A2", b"<FITID>A3")
    result = import_statement(books.session, books.admin, bank, "statement2.ofx", again)
    assert [(s.fitid, s.amount) for s in result.lines] == [("A3", Decimal("-550.00"))]
    assert [p.fitid for p in result.skipped] == ["A1"]
    assert "(1 already imported, skipped)" in events(books, "imported")[-1]


# ---- Undoing a reconciliation ------------------------------------------------------------------


def reconciled_twice(books):
    first_entry, second_entry = receipt(books, "100.00"), receipt(books, "50.00", on=date(2026, 8, 3))
    first, second = statement(books, ("2026-07-20", "A", "100.00"), ("2026-08-03", "B", "50.00"))
    bank = books.account("1-1000")
    match(books.session, books.admin, bank, first.id, first_entry.id)
    match(books.session, books.admin, bank, second.id, second_entry.id)
    july = save_reconciliation(books.session, books.admin, bank, statement_date=JULY,
                               closing_balance=Decimal("100.00"))
    august = save_reconciliation(books.session, books.admin, bank, statement_date=date(2026, 8, 31),
                                 closing_balance=Decimal("150.00"))
    return bank, july, august, second, second_entry


def test_undoing_the_latest_reconciliation_reopens_its_lines_keeps_matches_and_history(books):
    bank, july, august, line, entry = reconciled_twice(books)
    undo_reconciliation(books.session, books.admin, august, reason="Closing balance misread")
    assert august.undone_at is not None and august.undone_by_id == books.admin.id
    assert august.undo_reason == "Closing balance misread" and august.status == "undone"
    assert line.reconciliation_id is None and [j.id for j in line.journal_lines] == [entry.id]
    assert books.session.get(ReconciledLine, entry.id) is None
    assert [r.id for r in reconciliation_history(books.session, bank)] == [august.id, july.id]
    state = reconciliation_state(books.session, bank)
    assert state.opening == Decimal("100.00") and state.matched_total == Decimal("50.00")
    assert events(books, "undone") == [
        "Reconciliation of 1-1000 Office Cheque Account to 31 Aug 2026 at 150.00 undone (1 statement "
        "lines open again): Closing balance misread"]
    assert count(books, Journal) == 2  # the books themselves are not touched
    # July is now the latest: it can be undone too, and August's lines can be reconciled again.
    redone = save_reconciliation(books.session, books.admin, bank, statement_date=date(2026, 8, 31),
                                 closing_balance=Decimal("150.00"))
    assert redone.opening_balance == Decimal("100.00")


def test_only_the_latest_reconciliation_is_undone_by_an_admin_with_a_reason(books):
    bank, july, august, *_ = reconciled_twice(books)
    with pytest.raises(LedgerError, match="Only the most recent reconciliation of 1-1000 Office Cheque "
                                          "Account can be undone: the one to 31 Aug 2026"):
        undo_reconciliation(books.session, books.admin, july, reason="x")
    with pytest.raises(LedgerError, match="Only an admin"):
        undo_reconciliation(books.session, books.staff, august, reason="x")
    with pytest.raises(LedgerError, match="Give the reason") as refused:
        undo_reconciliation(books.session, books.admin, august, reason=" ")
    assert refused.value.field == "reason"
    undo_reconciliation(books.session, books.admin, august, reason="wrong")
    with pytest.raises(LedgerError, match="already undone"):
        undo_reconciliation(books.session, books.admin, august, reason="again")
    assert july.undone_at is None and count(books, ReconciledLine) == 1


# ---- GST registration --------------------------------------------------------------------------


def test_an_unregistered_practice_cannot_charge_or_claim_gst_on_bank_transactions(books):
    get_practice(books.session).gst_registered = False
    for kind in ("deposit", "withdrawal"):
        with pytest.raises(LedgerError) as refused:
            rent = books.account("6-2000").id
            record_bank_transaction(books.session, books.admin, kind=kind,
                                    bank_account_id=books.account("1-1000").id, date=JULY,
                                    lines=[MoneyLine(rent, Decimal("10"), TaxCode.GST_FREE),
                                           MoneyLine(rent, Decimal("10"), TaxCode.GST)])
        assert (refused.value.message, refused.value.field) == (GST_NOT_REGISTERED, "lines-1-tax")
        assert GST_NOT_REGISTERED == ("The practice is not registered for GST (Admin > Practice "
                                      "settings): choose GST-free.")
    books.session.rollback()
    assert count(books, Journal) == 0
    get_practice(books.session).gst_registered = False
    entry = receipt(books, "10.00")  # GST-free is fine
    assert [x.amount for x in entry.journal.lines] == [Decimal("10.00"), Decimal("-10.00")]


# ---- Two people at once (PostgreSQL) -----------------------------------------------------------


def test_two_people_grouping_the_same_book_entry_at_once_group_it_once(app, books, three_receipts):
    bank, deposit, entries = three_receipts
    [other] = statement(books, ("2026-07-20", "OTHER", "600.00"), name="other.csv")
    books.session.commit()
    ids = [deposit.id, other.id], [e.id for e in entries], bank.id

    def match_line(i):
        return lambda session: match(session, None, session.get(Account, ids[2]), ids[0][i], ids[1])

    results = outcomes(run_at_once(app, match_line(0), match_line(1)))
    assert results.count("ok") == 1, results
    assert "That book entry is already matched to another statement line." in results
    books.session.rollback()
    assert count(books, BankMatch) == 1 and count(books, MatchedBookLine) == 3


def test_two_admins_undoing_the_same_reconciliation_at_once_undo_it_once(app, books):
    bank, july, august, *_ = reconciled_twice(books)
    books.session.commit()
    august_id = august.id

    def undo(i):
        return lambda session: undo_reconciliation(session, None, session.get(Reconciliation, august_id),
                                                   reason=f"try {i}")

    results = outcomes(run_at_once(app, undo(0), undo(1)))
    assert results.count("ok") == 1, results
    assert any(r.startswith("This reconciliation was already undone") for r in results), results
    books.session.rollback()
    assert len(events(books, "undone")) == 1


def test_deleting_a_line_while_another_person_matches_it_does_one_or_the_other(app, books, three_receipts):
    bank, deposit, entries = three_receipts
    books.session.commit()
    ids = deposit.id, [e.id for e in entries], bank.id

    def match_it(session):
        match(session, None, session.get(Account, ids[2]), ids[0], ids[1])

    def delete_it(session):
        delete_statement_line(session, None, session.get(Account, ids[2]), ids[0], "duplicate")

    results = outcomes(run_at_once(app, match_it, delete_it))
    assert results.count("ok") == 1, results
    refusal = next(r for r in results if r != "ok")
    assert refusal in ("That statement line is matched to the books: unmatch it first.",
                       "That statement line is not on this account's statement.")
    books.session.rollback()
    assert (count(books, StatementLine), count(books, BankMatch)) in {(1, 1), (0, 0)}


def test_the_same_statement_imported_twice_at_once_is_stored_once(app, books):
    bank_id = books.account("1-1000").id
    data = (FIXTURES / "statement.ofx").read_bytes()
    books.session.commit()

    def import_it(session):
        import_statement(session, None, bank_id, "statement.ofx", data)

    results = outcomes(run_at_once(app, import_it, import_it))
    assert results.count("ok") == 1, results
    books.session.rollback()
    assert count(books, StatementLine) == 2
