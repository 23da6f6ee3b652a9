"""Control accounts: receivables, payables and GST take postings from their documents only.

A general journal or a receive / spend money line naming one is refused, with a message naming the
document to use instead; the documents themselves (a bill, a supplier invoice, a bank
transaction's own GST line) still post there.
"""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounting.errors import InvalidAccount
from accounting.ledger.accounts import CONTROL_ROLES, AccountRole
from accounting.ledger.journals import Journal, LineInput, post
from accounting.ledger.tax import TaxCode
from accounting.office.bank_transactions import (
    BankTransactionKind,
    MoneyLine,
    record_bank_transaction,
)

JULY = date(2026, 7, 20)


def journal_count(session):
    return session.scalar(select(func.count()).select_from(Journal))


def test_the_control_accounts_are_receivables_payables_and_gst():
    assert set(CONTROL_ROLES) == {AccountRole.ACCOUNTS_RECEIVABLE, AccountRole.ACCOUNTS_PAYABLE,
                                  AccountRole.GST_COLLECTED, AccountRole.GST_PAID}


@pytest.mark.parametrize("code, names", [
    ("1-2000", "1-2000 Accounts Receivable is a control account: record a bill, a credit note or a "
               "payment received instead."),
    ("2-1000", "2-1000 Accounts Payable is a control account: record a supplier invoice"),
    ("2-1100", "2-1100 GST Collected is a control account: GST comes from the tax codes"),
    ("2-1200", "2-1200 GST Paid is a control account: GST comes from the tax codes"),
])
def test_a_general_journal_to_a_control_account_is_refused_naming_the_document(db_session, books, code,
                                                                                 names):
    with pytest.raises(InvalidAccount) as refused:
        post(db_session, books.admin, date=JULY, narration="By hand", lines=[
            LineInput(books.account("6-2000").id, Decimal("10.00")),
            LineInput(books.account(code).id, Decimal("-10.00"))])
    assert refused.value.message.startswith(f"Line 2: {names}")
    assert refused.value.field == "lines-1-account"
    assert journal_count(db_session) == 0


def test_a_general_journal_between_other_accounts_still_posts(db_session, books):
    post(db_session, books.admin, date=JULY, narration="Rent", lines=[
        LineInput(books.account("6-2000").id, Decimal("10.00")),
        LineInput(books.account("1-1000").id, Decimal("-10.00"))])
    assert journal_count(db_session) == 1


@pytest.mark.parametrize("code", ["1-2000", "2-1000", "2-1100", "2-1200"])
def test_a_bank_transaction_line_to_a_control_account_is_refused(db_session, books, code):
    with pytest.raises(InvalidAccount, match="is a control account") as refused:
        record_bank_transaction(
            db_session, books.admin, kind=BankTransactionKind.DEPOSIT,
            bank_account_id=books.account("1-1000").id, date=JULY, lines=[
                MoneyLine(books.account("4-1000").id, Decimal("5.00"), TaxCode.GST_FREE),
                MoneyLine(books.account(code).id, Decimal("5.00"), TaxCode.GST_FREE)])
    assert refused.value.field == "lines-1-account"
    assert journal_count(db_session) == 0


def test_a_bank_transaction_with_gst_still_posts_its_own_gst_line(db_session, books):
    txn = record_bank_transaction(
        db_session, books.admin, kind=BankTransactionKind.WITHDRAWAL,
        bank_account_id=books.account("1-1000").id, date=JULY,
        lines=[MoneyLine(books.account("6-2000").id, Decimal("100.00"), TaxCode.GST)])
    gst_paid = books.account("2-1200").id
    assert [line.amount for line in txn.journal.lines if line.account_id == gst_paid] == [Decimal("10.00")]
