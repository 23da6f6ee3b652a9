"""Trust reports: the client ledger per matter, the cash book and the trust trial balance."""

from datetime import date
from decimal import Decimal

import pytest

from accounting.errors import LedgerError
from accounting.parties.clients import open_matter
from accounting.trust.posting import record_trust_journal, reverse_trust_transaction
from accounting.trust.reports import cash_book, matter_ledger, trust_ledger, trust_trial_balance
from tests.trust_support import JULY

D = Decimal
AUG = date(2026, 8, 1)


def books_of_july(trust):
    """Lease: +1500 (2 Jul), -400 (10 Jul), -300 to Estate (12 Jul); Estate: +200 (3 Jul) reversed 4 Aug."""
    trust.receive("1500.00", on=date(2026, 7, 2))
    estate_receipt = trust.receive("200.00", matter=trust.estate, on=date(2026, 7, 3), payer="Bo Smith")
    trust.pay("400.00", on=date(2026, 7, 10))
    record_trust_journal(trust.s, None, trust_account_id=trust.account.id, from_matter_id=trust.lease.id,
                         to_matter_id=trust.estate.id, date=date(2026, 7, 12), amount=D("300.00"),
                         authority="Email 11 Jul", description="Estate costs")
    reverse_trust_transaction(trust.s, None, estate_receipt.id, date=date(2026, 8, 4), reason="Dishonoured")


def test_a_matters_ledger_has_opening_entries_running_balance_and_closing(trust):
    books_of_july(trust)
    ledger = matter_ledger(trust.s, trust.account, trust.lease, date(2026, 7, 5), date(2026, 7, 31))
    assert ledger.opening == D("1500.00")
    assert [(r.transaction.number, r.withdrawal, r.deposit, r.balance) for r in ledger.rows] == [
        ("P-000001", D("400.00"), None, D("1100.00")), ("J-000001", D("300.00"), None, D("800.00"))]
    assert ledger.closing == D("800.00") and ledger.total_withdrawals == D("700.00")
    estate = matter_ledger(trust.s, trust.account, trust.estate, JULY, date(2026, 8, 31))
    assert [(r.transaction.number, r.balance) for r in estate.rows] == [
        ("R-000002", D("200.00")), ("J-000001", D("500.00")), ("X-000001", D("300.00"))]


def test_a_period_that_ends_before_it_starts_is_refused(trust):
    with pytest.raises(LedgerError, match="ends .* before it starts") as refused:
        matter_ledger(trust.s, trust.account, trust.lease, AUG, JULY)
    assert refused.value.field == "from"


def test_the_trust_ledger_has_every_matter_with_money_or_movement_and_totals(trust):
    books_of_july(trust)
    quiet = open_matter(trust.s, None, trust.lease.client, description="Quiet", responsible_id=None,
                        opened_on=JULY)  # never had money: not in the ledger
    book = trust_ledger(trust.s, trust.account, date(2026, 7, 5), date(2026, 8, 31))
    assert [ledger.matter.number for ledger in book.ledgers] == [trust.lease.number, trust.estate.number]
    lease, estate = book.ledgers
    assert lease.opening == D("1500.00") and estate.opening == D("200.00")
    assert [(r.transaction.number, r.withdrawal, r.deposit, r.balance) for r in lease.rows] == [
        ("P-000001", D("400.00"), None, D("1100.00")), ("J-000001", D("300.00"), None, D("800.00"))]
    assert [(r.transaction.number, r.balance) for r in estate.rows] == [
        ("J-000001", D("500.00")), ("X-000001", D("300.00"))]
    assert (book.opening, book.total_withdrawals, book.total_deposits, book.closing) == (
        D("1700.00"), D("900.00"), D("300.00"), D("1100.00"))
    assert quiet.id not in {ledger.matter.id for ledger in book.ledgers}
    # Each matter's part is its own matter ledger, to the cent.
    alone = matter_ledger(trust.s, trust.account, trust.lease, date(2026, 7, 5), date(2026, 8, 31))
    assert [(r.transaction.number, r.balance) for r in alone.rows] == [
        (r.transaction.number, r.balance) for r in lease.rows]


def test_a_matter_with_a_balance_but_no_movement_is_in_the_trust_ledger(trust):
    books_of_july(trust)
    book = trust_ledger(trust.s, trust.account, date(2026, 9, 1), date(2026, 9, 30))
    shown = [(ledger.matter.number, ledger.opening, ledger.rows, ledger.closing) for ledger in book.ledgers]
    assert shown == [(trust.lease.number, D("800.00"), [], D("800.00")),
                     (trust.estate.number, D("300.00"), [], D("300.00"))]
    with pytest.raises(LedgerError, match="before it starts"):
        trust_ledger(trust.s, trust.account, AUG, JULY)


def test_the_cash_book_has_receipts_and_payments_with_reversals_on_the_side_they_affect(trust):
    books_of_july(trust)
    book = cash_book(trust.s, trust.account, date(2026, 7, 3), date(2026, 8, 31))
    assert book.opening == D("1500.00")
    assert [(i.transaction.number, i.amount) for i in book.receipts] == [("R-000002", D("200.00"))]
    assert [(i.transaction.number, i.amount) for i in book.payments] == [
        ("P-000001", D("-400.00")), ("X-000001", D("-200.00"))]  # the journal moves no cash
    assert (book.total_receipts, book.total_payments, book.closing) == (
        D("200.00"), D("600.00"), D("1100.00"))


def test_the_trial_balance_lists_matters_with_money_and_agrees_with_cash_book_and_liability(trust):
    books_of_july(trust)
    july = trust_trial_balance(trust.s, trust.account, date(2026, 7, 31))
    assert [(r.matter.client.name, r.balance) for r in july.rows] == [
        ("Acme Pty Ltd", D("800.00")), ("Bo Smith", D("500.00"))]
    assert july.total == july.cash_book == july.position.liability == D("1300.00") and july.agrees
    august = trust_trial_balance(trust.s, trust.account, date(2026, 8, 31))
    assert august.total == D("1100.00") and august.agrees
    assert trust_trial_balance(trust.s, trust.account, date(2026, 6, 30)).rows == []
