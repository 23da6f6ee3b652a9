"""The running balance rule: no matter's trust ledger ends any day below zero, so money out is
checked against the balance on its date and on every later date, and check-ledger reports any day."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from accounting.errors import WouldOverdraw
from accounting.integrity import find_problems
from accounting.trust.ledger import TrustLedgerEntry, lowest_balance_from, overdrawn_days
from accounting.trust.posting import record_trust_journal, reverse_trust_transaction

D = Decimal
JULY_1, JULY_10, JULY_20 = date(2026, 7, 1), date(2026, 7, 10), date(2026, 7, 20)


def test_a_payment_dated_before_the_receipt_that_funds_it_is_refused_naming_the_day(trust):
    trust.receive("100.00", on=JULY_10)
    with pytest.raises(WouldOverdraw) as refused:
        trust.pay("10.00", on=JULY_1)
    assert "01 Jul 2026" in refused.value.message and "0.00 is available" in refused.value.message
    assert overdrawn_days(trust.s, trust.account) == []


def test_a_payment_after_a_later_payment_spent_the_money_is_refused_on_the_later_day(trust):
    trust.receive("100.00", on=JULY_1)
    trust.pay("80.00", on=JULY_20)
    with pytest.raises(WouldOverdraw) as refused:
        trust.pay("30.00", on=JULY_10)  # 100 on 10 July, but only 20 left from 20 July
    assert "20.00 is available" in refused.value.message and "20 Jul 2026" in refused.value.message
    trust.pay("20.00", on=JULY_10)
    assert lowest_balance_from(trust.s, trust.account, trust.lease.id, JULY_1) == (JULY_20, D("0.00"))


def test_reversing_a_receipt_whose_money_was_paid_out_later_is_refused(trust):
    receipt = trust.receive("100.00", on=JULY_1)
    trust.pay("60.00", on=JULY_10)
    with pytest.raises(WouldOverdraw, match="40.00 is available"):
        reverse_trust_transaction(trust.s, trust.books.admin, receipt.id, date=JULY_1, reason="bounced")


def test_a_backdated_journal_that_would_leave_a_later_day_negative_is_refused(trust):
    trust.receive("100.00", on=JULY_1)
    trust.pay("100.00", on=JULY_20)
    with pytest.raises(WouldOverdraw, match="20 Jul 2026"):
        record_trust_journal(trust.s, trust.books.admin, trust_account_id=trust.account.id,
                             from_matter_id=trust.lease.id, to_matter_id=trust.estate.id, date=JULY_10,
                             amount="1.00", authority="Letter", description="Costs")


def test_money_received_later_does_not_fund_an_earlier_day(trust):
    trust.receive("100.00", on=JULY_20)
    assert lowest_balance_from(trust.s, trust.account, trust.lease.id, JULY_1) == (JULY_1, D("0"))
    assert lowest_balance_from(trust.s, trust.account, trust.lease.id, JULY_20) == (JULY_20, D("100.00"))


def test_check_ledger_reports_a_matter_negative_on_a_day_though_positive_now(trust):
    trust.receive("100.00", on=JULY_1)
    payment = trust.pay("50.00", on=JULY_10)
    trust.s.flush()
    assert find_problems(trust.s) == []
    # A manual edit behind the rules' back: the payment moved before the receipt.
    trust.s.execute(update(TrustLedgerEntry).where(TrustLedgerEntry.transaction_id == payment.id)
                    .values(date=JULY_1 - timedelta(days=1)))
    problems = find_problems(trust.s)
    assert f"Matter {trust.lease.number} is overdrawn in {trust.account.name} at the end of 30 Jun 2026 " \
           "(-50.00)." in problems
