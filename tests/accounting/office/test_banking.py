"""Banking rules: the exact journal lines of deposits, withdrawals and transfers, their refusals,
statement parsing, matching and the reconciliation that saves only when it balances."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accounting.errors import InvalidAccount, LedgerError, PeriodLocked, TransactionLocked
from accounting.ledger.accounts import Account, AccountType, office_bank_accounts
from accounting.ledger.journals import Journal, JournalLine
from accounting.ledger.practice import get_practice
from accounting.ledger.tax import TaxCode, gst_on
from accounting.office.bank_reconciliation import (
    ReconciledLine,
    StatementLine,
    import_statement,
    match,
    reconciliation_report,
    reconciliation_state,
    register,
    save_reconciliation,
    unmatch,
)
from accounting.office.bank_transactions import (
    BankStatus,
    BankTransactionKind,
    MoneyLine,
    book_balances,
    record_bank_transaction,
    reverse_bank_transaction,
    transfer,
)
from accounting.office.statement_files import parse_statement
from tests.support import outcomes, run_at_once

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "banking"
JULY = date(2026, 7, 20)


def lines_of(journal):
    return [(line.account.code, str(line.amount)) for line in journal.lines]


def second_bank(books):
    account = Account(code="1-1050", name="Office Savings", type=AccountType.BANK, is_bank=True)
    books.session.add(account)
    books.session.flush()
    return account


def deposit(books, *lines, kind=BankTransactionKind.DEPOSIT, on=JULY, contact="Smith"):
    return record_bank_transaction(
        books.session, books.admin, kind=kind, bank_account_id=books.account("1-1000").id, date=on,
        contact=contact, reference="R1",
        lines=[MoneyLine(books.account(code).id, Decimal(amount), tax, "") for code, amount, tax in lines])


def test_gst_is_rounded_half_up_to_the_cent():
    assert gst_on(Decimal("10.05"), Decimal("10")) == Decimal("1.01")  # 1.005 -> 1.01
    assert gst_on(Decimal("10.04"), Decimal("10")) == Decimal("1.00")
    assert gst_on(Decimal("100.00"), Decimal("12.5")) == Decimal("12.50")


def test_office_bank_accounts_leave_out_the_trust_bank_and_archived_ones(books):
    savings = second_bank(books)
    assert [a.code for a in office_bank_accounts(books.session)] == ["1-1000", "1-1050"]
    savings.archived = True
    assert [a.code for a in office_bank_accounts(books.session)] == ["1-1000"]


def test_a_deposit_posts_dr_bank_cr_income_and_gst_collected(books):
    txn = deposit(books, ("4-1000", "1000.00", TaxCode.GST), ("4-3000", "5.55", TaxCode.GST_FREE))
    assert txn.number == "DEP-00001" and txn.total == Decimal("1105.55") and txn.gst == Decimal("100.00")
    assert lines_of(txn.journal) == [("1-1000", "1105.55"), ("4-1000", "-1000.00"),
                                     ("4-3000", "-5.55"), ("2-1100", "-100.00")]
    assert txn.journal.kind == "deposit" and txn.journal.reference == "DEP-00001"


def test_a_withdrawal_posts_cr_bank_dr_expense_and_gst_paid(books):
    txn = deposit(books, ("6-2000", "500.00", TaxCode.GST), ("6-2600", "10.00", TaxCode.GST_FREE),
                  kind=BankTransactionKind.WITHDRAWAL)
    assert txn.number == "WDL-00001"
    assert lines_of(txn.journal) == [("1-1000", "-560.00"), ("6-2000", "500.00"), ("6-2600", "10.00"),
                                     ("2-1200", "50.00")]


def test_a_gst_free_deposit_has_no_gst_line(books):
    txn = deposit(books, ("3-1000", "200.00", TaxCode.GST_FREE))
    assert lines_of(txn.journal) == [("1-1000", "200.00"), ("3-1000", "-200.00")]


@pytest.mark.parametrize(("lines", "field"), [
    ([], "lines"),
    ([("4-1000", "0.00", TaxCode.GST)], "lines-0-amount"),
    ([("4-1000", "-5.00", TaxCode.GST)], "lines-0-amount"),
    ([("1-1000", "5.00", TaxCode.GST)], "lines-0-account"),
])
def test_bad_deposits_are_refused_and_post_nothing(books, lines, field):
    with pytest.raises(LedgerError) as refused:
        deposit(books, *lines)
    assert refused.value.field == field
    books.session.rollback()
    assert books.session.scalar(select(func.count()).select_from(Journal)) == 0


def test_a_deposit_into_the_trust_bank_or_an_archived_account_is_refused(books):
    with pytest.raises(InvalidAccount, match="not an office bank account"):
        record_bank_transaction(books.session, books.admin, kind="deposit",
                                bank_account_id=books.account("1-1100").id, date=JULY,
                                lines=[MoneyLine(books.account("4-1000").id, Decimal("1"))])
    books.account("4-1000").archived = True
    with pytest.raises(InvalidAccount) as refused:
        deposit(books, ("4-1000", "10.00", TaxCode.GST))
    assert refused.value.field == "lines-0-account"


def test_a_deposit_before_the_lock_date_is_refused(books):
    get_practice(books.session).lock_date = date(2026, 8, 1)
    with pytest.raises(PeriodLocked):
        deposit(books, ("4-1000", "10.00", TaxCode.GST))


def test_reversing_a_deposit_posts_the_negated_journal_once(books):
    txn = deposit(books, ("4-1000", "100.00", TaxCode.GST))
    reversal = reverse_bank_transaction(books.session, books.admin, txn, date=JULY, reason="Wrong account")
    assert txn.status == BankStatus.REVERSED and txn.reversal_journal_id == reversal.id
    assert lines_of(reversal) == [("1-1000", "-110.00"), ("4-1000", "100.00"), ("2-1100", "10.00")]
    with pytest.raises(LedgerError, match="already been reversed"):
        reverse_bank_transaction(books.session, books.admin, txn, date=JULY, reason="again")


def test_a_locked_deposit_is_not_reversed(books):
    txn = deposit(books, ("4-1000", "100.00", TaxCode.GST))
    txn.lock("Pushed to Xero")
    with pytest.raises(TransactionLocked, match="Pushed to Xero"):
        reverse_bank_transaction(books.session, books.admin, txn, date=JULY, reason="x")


def test_a_transfer_posts_dr_to_bank_cr_from_bank(books):
    savings = second_bank(books)
    moved = transfer(books.session, books.admin, from_account_id=books.account("1-1000").id,
                     to_account_id=savings.id, date=JULY, amount=Decimal("250.00"), reference="T")
    assert moved.number == "TRF-00001"
    assert lines_of(moved.journal) == [("1-1050", "250.00"), ("1-1000", "-250.00")]


def test_bad_transfers_are_refused(books):
    savings, office = second_bank(books), books.account("1-1000")
    cases = [
        (dict(from_account_id=office.id, to_account_id=office.id, amount=Decimal("1")), "to_account",
         "different"),
        (dict(from_account_id=office.id, to_account_id=savings.id, amount=Decimal("0")), "amount", "above"),
        (dict(from_account_id=office.id, to_account_id=savings.id, amount=Decimal("-1")), "amount", "above"),
        (dict(from_account_id=office.id, to_account_id=books.account("1-1100").id, amount=Decimal("1")),
         "to_account", "not an office bank"),
        (dict(from_account_id=books.account("6-2000").id, to_account_id=savings.id, amount=Decimal("1")),
         "from_account", "not an office bank"),
    ]
    for kwargs, field, message in cases:
        with pytest.raises(LedgerError, match=message) as refused:
            transfer(books.session, books.admin, date=JULY, **kwargs)
        assert refused.value.field == field
    savings.archived = True
    with pytest.raises(InvalidAccount, match="archived"):
        transfer(books.session, books.admin, from_account_id=office.id, to_account_id=savings.id,
                 date=JULY, amount=Decimal("1"))
    savings.archived = False
    get_practice(books.session).lock_date = date(2026, 8, 1)
    with pytest.raises(PeriodLocked):
        transfer(books.session, books.admin, from_account_id=office.id, to_account_id=savings.id,
                 date=JULY, amount=Decimal("1"))


def test_the_register_runs_a_balance_across_pages_and_from_a_start_date(books):
    for day, amount in ((1, "100"), (2, "-30"), (3, "50")):
        books.journal({"1-1000": amount, "3-1000": str(-Decimal(amount))}, on=date(2026, 7, day))
    rows, total, opening = register(books.session, books.account("1-1000"), page=2, per_page=2)
    assert total == 3 and opening == Decimal("70.00") and [r.balance for r in rows] == [Decimal("120.00")]
    rows, total, opening = register(books.session, books.account("1-1000"), start=date(2026, 7, 2))
    assert total == 2 and opening == Decimal("100.00")
    assert [r.balance for r in rows] == [Decimal("70.00"), Decimal("120.00")]
    assert book_balances(books.session, [books.account("1-1000").id])[books.account("1-1000").id] == \
        Decimal("120.00")


@pytest.mark.parametrize("name", ["statement.csv", "statement_debit_credit.csv", "statement.ofx"])
def test_statements_in_csv_and_ofx_read_the_same_lines(name):
    lines = parse_statement(name, (FIXTURES / name).read_bytes())
    assert [(line.date, line.amount) for line in lines] == [
        (date(2026, 7, 20), Decimal("1100.00")), (date(2026, 7, 21), Decimal("-550.00"))]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("unknown_columns.csv", (FIXTURES / "unknown_columns.csv").read_bytes(), "Unknown column: Category"),
    ("not_a_statement.pdf", (FIXTURES / "not_a_statement.pdf").read_bytes(), "not a CSV or OFX"),
    ("s.csv", b"Date,Amount\n31/13/2026,5.00\n", "Row 2: \u201c31/13/2026\u201d is not a date"),
    ("s.csv", b"Date,Amount\n2026-07-01,five\n", "Row 2: \u201cfive\u201d is not an amount"),
    ("s.csv", b"Description\nx\n", "needs date and amount"),
    ("s.csv", b"Date,Amount\n", "no lines"),
    ("s.csv", b"\xff\xfe\x00bin", "not a CSV"),
    ("s.ofx", b"hello, this is not ofx", "not an OFX statement"),
    ("s.csv", b"", "Choose a statement file"),
])
def test_bad_statement_files_are_refused_clearly(name, data, message):
    with pytest.raises(LedgerError, match=message):
        parse_statement(name, data)


def test_common_header_spellings_and_bracketed_negatives_are_read():
    lines = parse_statement("s.csv", b"Posted Date,Details,Value\n01/07/2026,Fee,(12.50)\n")
    assert lines[0].amount == Decimal("-12.50") and lines[0].description == "Fee"


def reconcile_fixture(books):
    """A deposit of 1,100 and a withdrawal of 550 in the books; the CSV statement shows both."""
    dep = deposit(books, ("4-1000", "1000.00", TaxCode.GST))
    wdl = deposit(books, ("6-2000", "500.00", TaxCode.GST), kind=BankTransactionKind.WITHDRAWAL,
                  on=date(2026, 7, 21))
    bank = books.account("1-1000")
    statement = import_statement(books.session, books.admin, bank.id, "statement.csv",
                                 (FIXTURES / "statement.csv").read_bytes()).lines
    bank_line = {t.number: next(x for x in t.journal.lines if x.account_id == bank.id) for t in (dep, wdl)}
    return bank, statement, bank_line["DEP-00001"], bank_line["WDL-00001"]


def test_suggestions_pair_same_amounts_on_nearby_dates(books):
    bank, statement, dep_line, wdl_line = reconcile_fixture(books)
    state = reconciliation_state(books.session, bank)
    assert state.suggestions == {statement[0].id: dep_line, statement[1].id: wdl_line}


def test_a_reconciliation_saves_only_when_it_balances_and_marks_the_book_lines(books):
    bank, statement, dep_line, wdl_line = reconcile_fixture(books)
    match(books.session, books.admin, bank, statement[0].id, dep_line.id)
    with pytest.raises(LedgerError, match="does not balance") as refused:
        save_reconciliation(books.session, books.admin, bank, statement_date=date(2026, 7, 31),
                            closing_balance=Decimal("550.00"))
    assert refused.value.field == "closing_balance"
    match(books.session, books.admin, bank, statement[1].id, wdl_line.id)
    done = save_reconciliation(books.session, books.admin, bank, statement_date=date(2026, 7, 31),
                               closing_balance=Decimal("550.00"))
    reconciled = set(books.session.scalars(select(ReconciledLine.journal_line_id)))
    assert reconciled == {dep_line.id, wdl_line.id}
    assert done.opening_balance == Decimal("0.00") and done.book_balance == Decimal("550.00")
    report = reconciliation_report(books.session, done)
    assert report.unpresented == [] and report.difference == Decimal("0.00")
    # The next reconciliation opens at the last closing balance.
    assert reconciliation_state(books.session, bank).opening == Decimal("550.00")
    with pytest.raises(LedgerError, match="already reconciled"):
        unmatch(books.session, books.admin, bank, statement[0].id)


def test_unpresented_items_explain_the_book_balance(books):
    bank, statement, dep_line, wdl_line = reconcile_fixture(books)
    match(books.session, books.admin, bank, statement[0].id, dep_line.id)
    done = save_reconciliation(books.session, books.admin, bank, statement_date=date(2026, 7, 20),
                               closing_balance=Decimal("1100.00"))
    # The withdrawal (21 July) is after the statement date: not unpresented at 20 July.
    assert reconciliation_report(books.session, done).unpresented == []
    done.statement_date = date(2026, 7, 31)
    done.book_balance = Decimal("550.00")
    report = reconciliation_report(books.session, done)
    assert [line.id for line in report.unpresented] == [wdl_line.id]
    assert report.difference == Decimal("0.00")


def test_matching_refuses_other_amounts_other_accounts_and_double_matches(books):
    bank, statement, dep_line, wdl_line = reconcile_fixture(books)
    with pytest.raises(LedgerError, match="amounts differ"):
        match(books.session, books.admin, bank, statement[0].id, wdl_line.id)
    gst_line = next(x for x in dep_line.journal.lines if x.account_id != bank.id)
    with pytest.raises(LedgerError, match="not on this bank account"):
        match(books.session, books.admin, bank, statement[0].id, gst_line.id)
    match(books.session, books.admin, bank, statement[0].id, dep_line.id)
    with pytest.raises(LedgerError, match="already matched"):
        match(books.session, books.admin, bank, statement[0].id, dep_line.id)
    extra = StatementLine(bank_account_id=bank.id, date=JULY, description="dup", amount=Decimal("1100.00"))
    books.session.add(extra)
    books.session.flush()
    with pytest.raises(LedgerError, match="already matched to another"):
        match(books.session, books.admin, bank, extra.id, dep_line.id)
    unmatch(books.session, books.admin, bank, statement[0].id)
    assert statement[0].match_id is None


def test_a_reconciliation_needs_matched_lines_and_a_date_not_before_the_last(books):
    bank, statement, dep_line, _ = reconcile_fixture(books)
    with pytest.raises(LedgerError, match="Match at least one"):
        save_reconciliation(books.session, books.admin, bank, statement_date=JULY,
                            closing_balance=Decimal("0"))
    match(books.session, books.admin, bank, statement[0].id, dep_line.id)
    save_reconciliation(books.session, books.admin, bank, statement_date=JULY,
                        closing_balance=Decimal("1100.00"))
    with pytest.raises(LedgerError, match="choose that date or later"):
        save_reconciliation(books.session, books.admin, bank, statement_date=date(2026, 7, 1),
                            closing_balance=Decimal("1100.00"))


def test_two_people_matching_the_same_statement_line_at_once_match_it_once(app, books):
    bank, statement, dep_line, _ = reconcile_fixture(books)
    other = JournalLine  # a second book line of the same amount, so both requests could succeed
    books.journal({"1-1000": "1100.00", "3-1000": "-1100.00"})
    second = books.session.scalars(select(other).where(other.account_id == bank.id,
                                                       other.id != dep_line.id,
                                                       other.amount == Decimal("1100.00"))).one()
    books.session.commit()
    ids = (statement[0].id, dep_line.id, second.id, bank.id)

    def match_to(book_id):
        return lambda session: match(session, None, session.get(Account, ids[3]), ids[0], book_id)

    results = outcomes(run_at_once(app, match_to(ids[1]), match_to(ids[2])))
    assert sorted(results)[0].startswith("That statement line is already matched")
    assert results.count("ok") == 1


def test_a_statement_imported_twice_keeps_each_line_once_but_keeps_equal_lines_within_a_file(books):
    bank = books.account("1-1000").id
    twice = b"Date,Description,Amount\n2026-07-01,Coffee,-4.50\n2026-07-01,Coffee,-4.50\n"
    assert len(import_statement(books.session, books.admin, bank, "a.csv", twice).lines) == 2
    again = import_statement(books.session, books.admin, bank, "a.ofx",
                             (FIXTURES / "statement.ofx").read_bytes())
    assert (len(again.lines), len(again.skipped)) == (2, 0)
    overlap = import_statement(books.session, books.admin, bank, "b.csv",
                               twice + b"2026-07-02,Coffee,-4.50\n")
    assert (len(overlap.lines), len(overlap.skipped)) == (1, 2)
    assert books.session.scalar(select(func.count()).select_from(StatementLine)) == 5


def test_two_people_saving_the_same_reconciliation_at_once_save_it_once(app, books):
    from accounting.office.bank_reconciliation import Reconciliation

    bank, statement, dep_line, _ = reconcile_fixture(books)
    match(books.session, books.admin, bank, statement[0].id, dep_line.id)
    books.session.commit()
    bank_id = bank.id

    def save(session):
        save_reconciliation(session, None, session.get(Account, bank_id), statement_date=JULY,
                            closing_balance=Decimal("1100.00"))

    results = outcomes(run_at_once(app, save, save))
    assert results.count("ok") == 1, results
    books.session.rollback()
    assert books.session.scalar(select(func.count()).select_from(Reconciliation)) == 1


def test_a_transfer_is_reversed_by_moving_the_money_back(books):
    savings = second_bank(books)
    moved = transfer(books.session, books.admin, from_account_id=books.account("1-1000").id,
                     to_account_id=savings.id, date=JULY, amount=Decimal("75.00"))
    reversal = reverse_bank_transaction(books.session, books.admin, moved, date=JULY, reason="Wrong way")
    assert lines_of(reversal) == [("1-1050", "-75.00"), ("1-1000", "75.00")]
    assert moved.status == BankStatus.REVERSED and moved.reversal_journal_id == reversal.id


def test_a_deposit_whose_journal_was_reversed_elsewhere_shows_reversed_and_is_not_reversed_again(books):
    from accounting.ledger.journals import reverse

    txn = deposit(books, ("4-1000", "10.00", TaxCode.GST_FREE))
    reverse(books.session, books.admin, txn.journal, date=JULY, reason="From the journal page")
    assert txn.shown_status == "reversed"
    with pytest.raises(LedgerError, match="already been reversed"):
        reverse_bank_transaction(books.session, books.admin, txn, date=JULY, reason="again")
