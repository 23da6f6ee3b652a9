"""Trust to office transfers paying bills, interest, statutory deposits and controlled money."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from accounting.errors import (
    AlreadyUndone,
    InvalidAmount,
    InvalidReversal,
    LedgerError,
    MatterClosed,
    WouldOverdraw,
)
from accounting.ledger.accounts import Account
from accounting.ledger.journals import JournalLine
from accounting.office import billing as billing_module
from accounting.office.billing import get_bill
from accounting.office.bills import Bill, BillEvent
from accounting.parties.clients import MatterStatus
from accounting.trust.accounts import controlled_accounts
from accounting.trust.interest import InterestShare, proportional_shares, record_interest
from accounting.trust.ledger import (
    TrustKind,
    TrustStatus,
    TrustTransaction,
    matter_balance,
    statutory_deposit_balance,
    trust_position,
)
from accounting.trust.posting import record_receipt
from accounting.trust.reports import account_ledger
from accounting.trust.settings import get_trust_settings, save_trust_settings
from accounting.trust.statutory import lodge_statutory_deposit, statutory_ledger, withdraw_statutory_deposit
from accounting.trust.transfers import (
    TransferLine,
    TrustTransferLink,
    reverse_trust_transfer,
    transfer_candidates,
    transfer_for_payment,
    transfer_to_office,
)
from tests.support import outcomes, run_at_once
from tests.trust_support import Trust

JULY = date(2026, 7, 1)
D = Decimal


@pytest.fixture
def trust(books):
    return Trust(books, commit_receipts=True)


def lines_of(transaction):
    return [(line.account.code, f"{line.amount:.2f}") for line in transaction.journal.lines]


def agrees(trust):
    position = trust_position(trust.s, trust.account)
    assert position.agrees, position
    return position


# ---- Transfer to office --------------------------------------------------------------------------


def test_a_transfer_to_office_draws_on_the_matter_and_pays_its_bill_in_the_same_step(trust):
    trust.receive("2000.00")
    bill = trust.bill()
    [transfer] = trust.transfer((bill, "600.00"))
    trust.s.commit()
    assert transfer.number == "T-000001" and transfer.kind is TrustKind.TRANSFER_TO_OFFICE
    assert transfer.bill_id == bill.id and transfer.authority == "Costs agreement cl. 9"
    assert transfer.party == "My Practice"
    assert transfer.journal.kind == TrustKind.TRANSFER_TO_OFFICE.journal_kind
    assert transfer.journal.number.startswith("TO-")
    assert lines_of(transfer) == [("2-2000", "600.00"), ("1-1100", "-600.00")]
    assert [entry.amount for entry in transfer.entries] == [D("-600.00")]
    payment = trust.s.scalar(select(BillEvent).where(BillEvent.bill_id == bill.id,
                                                     BillEvent.kind == "payment"))
    assert payment.reference == "T-000001" and payment.amount == D("600.00")
    assert [(line.account.code, line.amount) for line in payment.journal.lines] == [
        ("1-1000", D("600.00")), ("1-2000", D("-600.00"))]
    assert bill.owed == D("500.00") and bill.display_status == "part_paid"
    assert trust.balance() == D("1400.00")
    assert trust.s.scalar(select(TrustTransferLink.bill_event_id)) == payment.id
    assert transfer_for_payment(trust.s, payment.id) is transfer
    agrees(trust)


def test_a_batch_pays_several_matters_bills_at_once(trust):
    trust.receive("1100.00")
    trust.receive("300.00", matter=trust.estate)
    lease_bill, estate_bill = trust.bill(), trust.bill("500.00", matter=trust.estate)
    transfers = trust.transfer((lease_bill, "1100.00"), (estate_bill, "300.00"))
    trust.s.commit()
    assert [t.number for t in transfers] == ["T-000001", "T-000002"]
    assert lease_bill.display_status == "paid" and estate_bill.owed == D("250.00")
    assert (trust.balance(trust.lease), trust.balance(trust.estate)) == (D("0.00"), D("0.00"))
    agrees(trust)


def test_the_candidates_suggest_what_each_bill_owes_up_to_what_the_matter_still_holds(trust):
    trust.receive("1500.00")
    first, second = trust.bill(), trust.bill("500.00")
    trust.bill("100.00", matter=trust.estate)  # the estate holds nothing: not a candidate
    trust.bill(approve=False)                   # drafts are never offered
    [candidate] = transfer_candidates(trust.s, trust.account)
    assert candidate.matter.id == trust.lease.id and candidate.balance == D("1500.00")
    assert candidate.bills == [(first, D("1100.00")), (second, D("400.00"))]


@pytest.mark.parametrize(("case", "message"), [
    ("draft", "is a draft"),
    ("other_matter", "not a bill of that matter"),
    ("more_than_owed", r"more than is owed \(\$?1,100.00 owing\)"),
    ("more_than_held", r"overdraw matter .* 1,000.00 is available"),
    ("no_authority", "authority"),
    ("zero", "more than zero"),
    ("voided", "voided"),
    ("closed", "is closed"),
])
def test_a_bad_transfer_is_refused_and_saves_nothing(trust, case, message):
    trust.receive("1000.00")
    trust.receive("5000.00", matter=trust.estate)
    bill = trust.bill(approve=case != "draft")
    amount, values, matter_id = "500.00", {}, trust.lease.id
    if case == "other_matter":
        matter_id = trust.estate.id
    if case == "more_than_owed":
        trust.receive("1000.00")
        amount = "1100.01"
    if case == "more_than_held":
        amount = "1000.01"
    if case == "no_authority":
        values["authority"] = "  "
    if case == "zero":
        amount = "0"
    if case == "voided":
        billing_module.void_bill(trust.s, None, bill, on=JULY, reason="Test correction")
        trust.s.commit()
    if case == "closed":
        trust.lease.status = MatterStatus.CLOSED
        trust.s.commit()
    before = (trust.count(TrustTransaction), trust.count(BillEvent), trust.count(JournalLine))
    with pytest.raises(LedgerError, match=message) as refused:
        transfer_to_office(trust.s, None, trust_account_id=trust.account.id, date=JULY,
                           authority=values.get("authority", "Signed"),
                           lines=[TransferLine(bill.id, amount, "rows-0-amount", matter_id)])
    assert refused.value.field in ("rows-0-amount", "authority")
    trust.s.rollback()
    assert (trust.count(TrustTransaction), trust.count(BillEvent), trust.count(JournalLine)) == before
    agrees(trust)


@pytest.mark.parametrize(("case", "named"), [
    ("more_than_owed", WouldOverdraw),
    ("more_than_held", WouldOverdraw),
    ("closed", MatterClosed),
])
def test_a_refused_transfer_is_its_named_error(trust, case, named):
    trust.receive("2100.00")
    bill = trust.bill("2000.00" if case == "more_than_held" else "1000.00")  # owes 2,200.00 or 1,100.00
    amount = {"more_than_owed": "1100.01", "more_than_held": "2100.01"}.get(case, "500.00")
    if case == "closed":
        trust.lease.status = MatterStatus.CLOSED
        trust.s.commit()
    with pytest.raises(named) as refused:
        trust.transfer((bill, amount))
    assert refused.value.field == "rows-0-amount"


def test_a_batch_with_one_bad_row_saves_nothing_and_names_the_bill_and_field(trust):
    trust.receive("1100.00")
    trust.receive("300.00", matter=trust.estate)
    lease_bill, estate_bill = trust.bill(), trust.bill("500.00", matter=trust.estate)
    before = (trust.count(TrustTransaction), trust.count(BillEvent), trust.count(JournalLine))
    with pytest.raises(WouldOverdraw, match=f"{estate_bill.number}: that would overdraw") as refused:
        trust.transfer((lease_bill, "1100.00"), (estate_bill, "300.01"))
    assert refused.value.field == "rows-1-amount"
    trust.s.rollback()
    assert (trust.count(TrustTransaction), trust.count(BillEvent), trust.count(JournalLine)) == before
    assert get_bill(trust.s, lease_bill.id).owed == D("1100.00")


def test_two_rows_of_one_matter_cannot_together_spend_more_than_it_holds(trust):
    trust.receive("1500.00")
    first, second = trust.bill(), trust.bill()
    with pytest.raises(WouldOverdraw, match=r"400.00 is available") as refused:
        trust.transfer((first, "1100.00"), (second, "400.01"))
    assert refused.value.field == "rows-1-amount"


def test_a_transfer_cannot_pay_the_same_bill_twice_in_one_batch(trust):
    trust.receive("1500.00")
    bill = trust.bill()
    with pytest.raises(LedgerError, match="twice"):
        trust.transfer((bill, "100.00"), (bill, "100.00"))


def test_an_unknown_office_bank_is_refused(trust, books):
    trust.receive("1500.00")
    bill = trust.bill()
    with pytest.raises(LedgerError, match="office bank") as refused:
        trust.transfer((bill, "100.00"), office_bank_account_id=books.account("1-1100").id)
    assert refused.value.field == "office_bank_account"


def test_reversing_a_transfer_undoes_both_the_trust_and_the_office_side(trust):
    trust.receive("2000.00")
    bill = trust.bill()
    [transfer] = trust.transfer((bill, "600.00"))
    trust.s.commit()
    payment = trust.s.scalar(select(BillEvent).where(BillEvent.kind == "payment"))
    with pytest.raises(LedgerError, match=r"came from trust \(T-000001\).*reverse T-000001"):
        billing_module.undo_event(trust.s, trust.books.admin, payment.id, date=JULY, reason="Oops")
    trust.s.rollback()
    [reversal] = reverse_trust_transfer(trust.s, trust.books.admin, transfer.id, date=JULY,
                                        reason="Wrong bill")
    trust.s.commit()
    assert reversal.kind is TrustKind.REVERSAL and transfer.status is TrustStatus.REVERSED
    assert lines_of(reversal) == [("2-2000", "-600.00"), ("1-1100", "600.00")]
    assert trust.balance() == D("2000.00")
    assert get_bill(trust.s, bill.id).owed == D("1100.00")
    undone = trust.s.scalar(select(BillEvent).where(BillEvent.kind == "undone"))
    assert [(line.account.code, line.amount) for line in undone.journal.lines] == [
        ("1-1000", D("-600.00")), ("1-2000", D("600.00"))]
    agrees(trust)
    with pytest.raises(AlreadyUndone, match="already been reversed"):
        reverse_trust_transfer(trust.s, None, transfer.id, date=JULY, reason="Again")


# ---- Interest ------------------------------------------------------------------------------------


def test_interest_to_matters_credits_each_share(trust):
    trust.receive("1000.00")
    [interest] = record_interest(
        trust.s, None, trust_account_id=trust.account.id, date=JULY, amount="3.00", destination="matters",
        shares=[InterestShare(trust.lease.id, "2.00", "s0"), InterestShare(trust.estate.id, "1.00", "s1")])
    trust.s.commit()
    assert interest.number == "I-000001" and interest.journal.number.startswith("TI-")
    assert lines_of(interest) == [("1-1100", "3.00"), ("2-2000", "-2.00"), ("2-2000", "-1.00")]
    assert (trust.balance(trust.lease), trust.balance(trust.estate)) == (D("1002.00"), D("1.00"))
    agrees(trust)


def test_interest_shares_must_add_up_to_the_interest(trust):
    with pytest.raises(InvalidAmount, match="add up to") as refused:
        record_interest(trust.s, None, trust_account_id=trust.account.id, date=JULY, amount="3.00",
                        destination="matters", shares=[InterestShare(trust.lease.id, "2.00", "s0")])
    assert refused.value.field == "s0"


def test_interest_to_the_practice_comes_in_and_leaves_trust_at_once(trust):
    trust.receive("1000.00")
    interest, payout = record_interest(trust.s, None, trust_account_id=trust.account.id, date=JULY,
                                       amount="4.50", destination="practice")
    trust.s.commit()
    assert lines_of(interest) == [("1-1100", "4.50"), ("4-3000", "-4.50")]
    assert payout.kind is TrustKind.TRANSFER_TO_OFFICE and payout.reference == interest.number
    assert lines_of(payout) == [("1-1000", "4.50"), ("1-1100", "-4.50")]
    assert payout.entries == [] and interest.entries == []
    assert agrees(trust).cash_book == D("1000.00")


def test_interest_to_the_statutory_body_passes_through_its_payable(trust):
    interest, payout = record_interest(trust.s, None, trust_account_id=trust.account.id, date=JULY,
                                       amount="7.00", destination="statutory")
    trust.s.commit()
    payable = trust.s.scalar(select(Account).where(Account.name.like("Payable to %")))
    assert payable.code == "2-2190" and payable.name == "Payable to Law Society of New South Wales"
    assert lines_of(interest) == [("1-1100", "7.00"), ("2-2190", "-7.00")]
    assert payout.kind is TrustKind.PAYMENT and lines_of(payout) == [("2-2190", "7.00"), ("1-1100", "-7.00")]
    assert payout.party == "Law Society of New South Wales"
    agrees(trust)


def test_reversing_interest_reverses_its_payout_too(trust):
    interest, payout = record_interest(trust.s, None, trust_account_id=trust.account.id, date=JULY,
                                       amount="4.50", destination="practice")
    trust.s.commit()
    with pytest.raises(InvalidReversal, match="reverse the interest"):
        reverse_trust_transfer(trust.s, None, payout.id, date=JULY, reason="Bank error")
    reversals = reverse_trust_transfer(trust.s, None, interest.id, date=JULY, reason="Bank error")
    trust.s.commit()
    assert [r.reverses_id for r in reversals] == [payout.id, interest.id]
    assert agrees(trust).cash_book == D("0.00")


# ---- Statutory deposits --------------------------------------------------------------------------


def test_a_statutory_deposit_moves_cash_into_the_deposit_and_leaves_matters_alone(trust):
    trust.receive("10000.00")
    deposit = lodge_statutory_deposit(trust.s, None, trust_account_id=trust.account.id, date=JULY,
                                      amount="4000.00", reference="LS 1")
    trust.s.commit()
    assert deposit.number == "D-000001" and deposit.journal.number.startswith("SD-")
    account = trust.account.statutory_account
    assert (account.code, account.name, account.holds_trust) == (
        "1-1190", "Statutory Deposit — Law Society of New South Wales", True)
    assert lines_of(deposit) == [("1-1190", "4000.00"), ("1-1100", "-4000.00")]
    assert deposit.entries == [] and trust.balance() == D("10000.00")
    assert agrees(trust).cash_book == D("10000.00")
    withdrawal = withdraw_statutory_deposit(trust.s, None, trust_account_id=trust.account.id, date=JULY,
                                            amount="1500.00")
    trust.s.commit()
    assert withdrawal.number == "W-000001"
    assert lines_of(withdrawal) == [("1-1100", "1500.00"), ("1-1190", "-1500.00")]
    assert statutory_deposit_balance(trust.s, trust.account) == D("2500.00")
    ledger = statutory_ledger(trust.s, trust.account)
    assert [(t.number, change, running) for t, change, running in ledger] == [
        ("D-000001", D("4000.00"), D("4000.00")), ("W-000001", D("-1500.00"), D("2500.00"))]
    agrees(trust)


def test_a_deposit_is_limited_by_the_cash_book_and_a_withdrawal_by_the_deposit(trust):
    trust.receive("100.00")
    with pytest.raises(WouldOverdraw, match="holds \\$?100.00"):
        lodge_statutory_deposit(trust.s, None, trust_account_id=trust.account.id, date=JULY, amount="100.01")
    trust.s.rollback()
    lodge_statutory_deposit(trust.s, None, trust_account_id=trust.account.id, date=JULY, amount="60.00")
    trust.s.commit()
    with pytest.raises(WouldOverdraw, match="holds \\$?60.00"):
        withdraw_statutory_deposit(trust.s, None, trust_account_id=trust.account.id, date=JULY,
                                   amount="60.01")


def test_statutory_deposits_are_only_offered_where_the_jurisdiction_requires_them(trust):
    save_trust_settings(trust.s, None, jurisdiction="QLD", interest_destination="matters",
                        statutory_authority="")
    trust.receive("100.00")
    with pytest.raises(LedgerError, match="Queensland does not require"):
        lodge_statutory_deposit(trust.s, None, trust_account_id=trust.account.id, date=JULY, amount="10.00")
    assert get_trust_settings(trust.s).authority == "Queensland Law Society"


def test_bad_settings_are_refused(trust):
    with pytest.raises(LedgerError) as refused:
        save_trust_settings(trust.s, None, jurisdiction="XX", interest_destination="matters",
                            statutory_authority="")
    assert refused.value.field == "jurisdiction"
    with pytest.raises(LedgerError) as refused:
        save_trust_settings(trust.s, None, jurisdiction="VIC", interest_destination="moon",
                            statutory_authority="")
    assert refused.value.field == "interest_destination"


# ---- Controlled money ----------------------------------------------------------------------------


def test_controlled_money_lists_its_accounts_and_its_own_ledger(trust):
    controlled = trust.controlled()
    record_receipt(trust.s, None, trust_account_id=controlled.id, matter_id=trust.estate.id, date=JULY,
                   amount=D("250.00"), payer="Bo", method="eft")
    trust.s.commit()
    assert controlled_accounts(trust.s) == [(controlled, D("250.00"))]
    assert [(t.number, change, running) for t, change, running in account_ledger(trust.s, controlled)] == [
        ("R-000001", D("250.00"), D("250.00"))]


# ---- Concurrency ---------------------------------------------------------------------------------


def test_two_transfers_for_the_same_bill_at_once_cannot_overpay_or_overdraw(app, trust):
    trust.receive("1500.00")
    bill = trust.bill()
    account_id, bill_id = trust.account.id, bill.id

    def transfer(session):
        transfer_to_office(session, None, trust_account_id=account_id, date=JULY, authority="Signed",
                           lines=[TransferLine(bill_id, "800.00")])

    results = outcomes(run_at_once(app, transfer, transfer))
    assert results.count("ok") == 1, results
    refusal = next(r for r in results if r != "ok")
    assert "more than is owed" in refusal or "700.00 is available" in refusal, refusal
    trust.s.rollback()
    trust.s.expire_all()
    assert trust.balance() == D("700.00")
    assert trust.s.get(Bill, bill_id).applied == D("800.00")
    agrees(trust)


def test_interest_on_controlled_money_goes_to_its_matter(trust):
    controlled = trust.controlled()
    with pytest.raises(LedgerError, match="belongs to its client") as refused:
        record_interest(trust.s, None, trust_account_id=controlled.id, date=JULY, amount="1.00",
                        destination="practice")
    assert refused.value.field == "destination"
    [interest] = record_interest(trust.s, None, trust_account_id=controlled.id, date=JULY, amount="1.00",
                                 destination="matters", shares=[InterestShare(trust.estate.id, "1.00", "s")])
    assert matter_balance(trust.s, controlled, trust.estate.id) == D("1.00")
    assert trust_position(trust.s, controlled).agrees


def test_reversing_a_deposit_never_overdraws_the_deposit_nor_a_withdrawal_the_bank(trust):
    trust.receive("100.00")
    deposit = lodge_statutory_deposit(trust.s, None, trust_account_id=trust.account.id, date=JULY,
                                      amount="80.00")
    withdrawal = withdraw_statutory_deposit(trust.s, None, trust_account_id=trust.account.id, date=JULY,
                                            amount="50.00")
    trust.s.commit()
    with pytest.raises(WouldOverdraw, match="deposit holds \\$?30.00"):
        reverse_trust_transfer(trust.s, None, deposit.id, date=JULY, reason="Wrong")
    trust.s.rollback()
    [reversal] = reverse_trust_transfer(trust.s, None, withdrawal.id, date=JULY, reason="Wrong")
    assert lines_of(reversal) == [("1-1100", "-50.00"), ("1-1190", "50.00")]
    agrees(trust)


def test_two_batches_over_the_same_matters_in_opposite_orders_neither_deadlock_nor_overdraw(app, trust):
    trust.receive("1000.00")
    trust.receive("1000.00", matter=trust.estate)
    lease_bill, estate_bill = trust.bill("800.00"), trust.bill("800.00", matter=trust.estate)
    account_id = trust.account.id

    def batch(*bill_ids):
        return lambda session: transfer_to_office(
            session, None, trust_account_id=account_id, date=JULY, authority="Signed",
            lines=[TransferLine(bill_id, "600.00", f"rows-{i}-amount") for i, bill_id in enumerate(bill_ids)])

    results = outcomes(run_at_once(app, batch(lease_bill.id, estate_bill.id),
                                   batch(estate_bill.id, lease_bill.id)))
    assert results.count("ok") == 1, results
    trust.s.rollback()
    trust.s.expire_all()
    assert (trust.balance(trust.lease), trust.balance(trust.estate)) == (D("400.00"), D("400.00"))
    agrees(trust)


@pytest.mark.parametrize(("balances", "amount", "shares"), [
    ({1: D("100"), 2: D("200")}, D("3.00"), {1: D("1.00"), 2: D("2.00")}),
    ({1: D("1"), 2: D("1"), 3: D("1")}, D("0.10"), {1: D("0.04"), 2: D("0.03"), 3: D("0.03")}),
    ({1: D("0"), 2: D("5")}, D("0.07"), {2: D("0.07")}),
    ({1: D("0")}, D("1.00"), {}),
])
def test_interest_is_shared_by_balance_to_the_cent(balances, amount, shares):
    assert proportional_shares(balances, amount) == shares
    assert sum(shares.values(), D("0")) in (amount, D("0"))
