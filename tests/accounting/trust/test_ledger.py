"""The trust core: receipts, payments, journals, reversals and the rules that guard them."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounting.errors import (
    AlreadyUndone,
    InvalidAccount,
    InvalidReversal,
    LedgerError,
    MatterClosed,
    PeriodLocked,
    WouldOverdraw,
)
from accounting.ledger.journals import LineInput, post
from accounting.trust.accounts import close_trust_account, create_trust_account, ensure_default_trust_account
from accounting.trust.ledger import (
    TrustAccount,
    TrustKind,
    TrustLedgerEntry,
    TrustStatus,
    TrustTransaction,
    get_trust_account,
    matter_balance,
    trust_position,
)
from accounting.trust.posting import (
    record_payment,
    record_receipt,
    record_trust_journal,
    reverse_trust_transaction,
)
from accounting.trust.statutory import lodge_statutory_deposit
from tests.support import outcomes, run_at_once

JULY = date(2026, 7, 1)
D = Decimal


def lines_of(transaction):
    return [(line.account.code, f"{line.amount:.2f}") for line in transaction.journal.lines]


def test_the_charts_trust_bank_becomes_the_general_trust_account_once(trust, books):
    assert trust.account.account.code == "1-1100" and trust.account.liability_account.code == "2-2000"
    assert ensure_default_trust_account(books.session) is trust.account


def test_a_receipt_posts_trust_bank_against_liability_and_credits_the_matter(trust):
    receipt = trust.receive("1500.00")
    assert receipt.number == "R-000001" and receipt.kind is TrustKind.RECEIPT
    assert receipt.journal.number.startswith("TR-") and receipt.journal.kind == "trust_receipt"
    assert lines_of(receipt) == [("1-1100", "1500.00"), ("2-2000", "-1500.00")]
    assert trust.balance() == D("1500.00")
    assert trust_position(trust.s, trust.account).agrees


def test_a_payment_draws_on_the_matter_and_may_never_overdraw_it(trust):
    trust.receive("1000.00")
    payment = trust.pay("400.00")
    assert lines_of(payment) == [("2-2000", "400.00"), ("1-1100", "-400.00")]
    assert trust.balance() == D("600.00")
    trust.s.commit()
    with pytest.raises(WouldOverdraw, match=r"overdraw .*600\.00 is available") as refused:
        trust.pay("600.01")
    assert refused.value.field == "amount"
    trust.s.rollback()
    assert trust.s.scalar(select(func.count()).select_from(TrustTransaction)) == 2
    assert trust.balance() == D("600.00")


def test_one_matters_money_never_pays_for_another(trust):
    trust.receive("1000.00", matter=trust.lease)
    with pytest.raises(WouldOverdraw, match="0.00 is available"):
        trust.pay("1.00", matter=trust.estate)


def test_a_trust_journal_moves_money_between_matters_with_authority(trust):
    trust.receive("300.00")
    journal = record_trust_journal(trust.s, trust.books.admin, trust_account_id=trust.account.id,
                                   from_matter_id=trust.lease.id, to_matter_id=trust.estate.id, date=JULY,
                                   amount=D("120.00"), authority="Client email 2 Jul",
                                   description="Costs of the estate")
    assert lines_of(journal) == [("2-2000", "120.00"), ("2-2000", "-120.00")]
    assert (trust.balance(trust.lease), trust.balance(trust.estate)) == (D("180.00"), D("120.00"))
    with pytest.raises(LedgerError, match="two different matters"):
        record_trust_journal(trust.s, None, trust_account_id=trust.account.id, from_matter_id=trust.lease.id,
                             to_matter_id=trust.lease.id, date=JULY, amount=D("1"), authority="x",
                             description="y")
    with pytest.raises(WouldOverdraw, match="180.00 is available"):
        record_trust_journal(trust.s, None, trust_account_id=trust.account.id, from_matter_id=trust.lease.id,
                             to_matter_id=trust.estate.id, date=JULY, amount=D("180.01"), authority="x",
                             description="y")


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"amount": D("0")}, "amount", "more than zero"),
    ({"amount": D("-5")}, "amount", "more than zero"),
    ({"payer": "  "}, "party", "who the money is from"),
    ({"method": "barter"}, "method", "how the money moved"),
    ({"matter_id": 99999}, "matter", "Choose a matter"),
])
def test_a_bad_receipt_is_refused_and_saves_nothing(trust, change, field, message):
    values = dict(trust_account_id=trust.account.id, matter_id=trust.lease.id, date=JULY,
                  amount=D("10.00"), payer="Acme", method="eft") | change
    with pytest.raises(LedgerError, match=message) as refused:
        record_receipt(trust.s, None, **values)
    assert refused.value.field == field
    trust.s.rollback()
    assert trust.s.scalar(select(func.count()).select_from(TrustTransaction)) == 0


def test_a_closed_matter_takes_no_payment(trust):
    trust.receive("50.00")
    trust.lease.status = "closed"
    with pytest.raises(MatterClosed, match="closed") as refused:
        trust.pay("10.00")
    assert refused.value.field == "matter"


def test_a_payment_needs_its_authority(trust):
    trust.receive("50.00")
    with pytest.raises(LedgerError, match="authority") as refused:
        record_payment(trust.s, None, trust_account_id=trust.account.id, matter_id=trust.lease.id, date=JULY,
                       amount=D("10"), payee="X", method="eft", authority="", description="Fees")
    assert refused.value.field == "authority"


def test_nothing_is_dated_in_a_reconciled_period(trust):
    trust.account.reconciled_to = date(2026, 7, 31)
    with pytest.raises(PeriodLocked, match="reconciled to 31 Jul 2026"):
        trust.receive("10.00", on=date(2026, 7, 31))
    assert trust.receive("10.00", on=date(2026, 8, 1)).date == date(2026, 8, 1)


def test_a_reversal_negates_the_journal_and_the_ledger_and_is_never_reversed(trust):
    receipt = trust.receive("200.00")
    reversal = reverse_trust_transaction(trust.s, trust.books.admin, receipt.id, date=date(2026, 7, 2),
                                         reason="Cheque dishonoured")
    assert reversal.number == "X-000001" and reversal.reverses is receipt
    assert lines_of(reversal) == [("1-1100", "-200.00"), ("2-2000", "200.00")]
    assert receipt.status is TrustStatus.REVERSED and trust.balance() == D("0.00")
    with pytest.raises(InvalidReversal, match="never reversed"):
        reverse_trust_transaction(trust.s, None, reversal.id, date=date(2026, 7, 2), reason="again")
    with pytest.raises(AlreadyUndone, match="already been reversed"):
        reverse_trust_transaction(trust.s, None, receipt.id, date=date(2026, 7, 2), reason="again")


def test_reversing_a_receipt_whose_money_was_paid_out_is_an_overdraw(trust):
    receipt = trust.receive("200.00")
    trust.pay("150.00")
    with pytest.raises(WouldOverdraw, match="50.00 is available"):
        reverse_trust_transaction(trust.s, None, receipt.id, date=JULY, reason="Dishonoured")


def test_office_postings_cannot_touch_trust_accounts(trust, books):
    with pytest.raises(InvalidAccount, match="trust money"):
        post(books.session, books.admin, date=JULY, narration="Sneaky", lines=[
            LineInput(books.account("1-1000").id, D("5")), LineInput(books.account("1-1100").id, D("-5"))])


def test_controlled_money_has_its_own_accounts_and_only_its_matter(trust, books):
    controlled = create_trust_account(books.session, books.admin, code="1-1150", name="Controlled - Acme",
                                      kind="controlled", matter_id=trust.lease.id, bsb="062000",
                                      account_number="1234 5678")
    assert controlled.account.holds_trust and controlled.liability_account.holds_trust
    assert controlled.liability_account.code == "1-1150L" and controlled.bsb == "062-000"
    record_receipt(books.session, None, trust_account_id=controlled.id, matter_id=trust.lease.id, date=JULY,
                   amount=D("90"), payer="Acme", method="cheque")
    with pytest.raises(LedgerError, match="controlled money for one matter"):
        record_receipt(books.session, None, trust_account_id=controlled.id, matter_id=trust.estate.id,
                       date=JULY, amount=D("90"), payer="Bo", method="cheque")
    assert trust_position(books.session, controlled).agrees
    assert matter_balance(books.session, trust.account, trust.lease.id) == D("0.00")


def test_receipt_numbers_have_no_gaps_when_a_receipt_is_refused(trust):
    trust.receive("10.00")
    trust.s.commit()
    with pytest.raises(PeriodLocked):
        trust.account.reconciled_to = date(2026, 7, 31)
        trust.receive("10.00")
    trust.s.rollback()
    assert trust.receive("10.00", on=date(2026, 8, 1)).number == "R-000002"


def test_two_people_paying_out_of_one_matter_at_once_cannot_overdraw_it(app, trust):
    trust.receive("100.00")
    trust.s.commit()
    account_id, matter_id = trust.account.id, trust.lease.id

    def pay(session):
        record_payment(session, None, trust_account_id=get_trust_account(session, account_id).id,
                       matter_id=matter_id, date=JULY, amount=D("70.00"), payee="X", method="eft",
                       authority="Signed", description="Disbursement")

    results = outcomes(run_at_once(app, pay, pay))
    assert results.count("ok") == 1, results
    assert "30.00 is available" in next(r for r in results if r != "ok")
    trust.s.rollback()
    assert trust.balance() == D("30.00")
    assert trust.s.scalar(select(func.count()).select_from(TrustLedgerEntry)) == 2


def test_money_lodged_as_a_statutory_deposit_cannot_be_paid_out_of_the_bank(trust):
    trust.receive("1000.00")
    lodge_statutory_deposit(trust.s, None, trust_account_id=trust.account.id, date=JULY, amount="700.00",
                            reference="LS 1")
    trust.s.commit()
    with pytest.raises(WouldOverdraw, match=r"has 300\.00 in the bank.*withdraw from the deposit"):
        trust.pay("300.01")
    trust.s.rollback()
    assert trust.pay("300.00").amount == D("300.00")
    assert trust_position(trust.s, trust.account).agrees


def test_a_receipt_racing_the_close_of_its_account_never_lands_in_a_closed_account(app, trust, books):
    second = create_trust_account(books.session, books.admin, code="1-1110", name="Second Trust")
    books.session.commit()
    account_id, matter_id = second.id, trust.lease.id

    def receive(session):
        record_receipt(session, None, trust_account_id=account_id, matter_id=matter_id, date=JULY,
                       amount=D("10.00"), payer="Acme", method="eft")

    results = outcomes(run_at_once(app, receive, lambda s: close_trust_account(s, None, account_id)))
    books.session.rollback()
    closed = books.session.get(TrustAccount, account_id).closed
    landed = books.session.scalar(select(func.count()).select_from(TrustTransaction)
                                  .where(TrustTransaction.trust_account_id == account_id))
    assert (closed, landed) in {(True, 0), (False, 1)}, results
