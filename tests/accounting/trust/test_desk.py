"""The trust desk: closing a trust account only when it holds nothing (accounting/trust/accounts.py),
and a matter's balances across trust accounts."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from accounting.audit import AuditEvent
from accounting.errors import LedgerError, MatterClosed, NotFound
from accounting.trust.accounts import (
    account_history,
    close_trust_account,
    create_trust_account,
    reopen_trust_account,
    trust_accounts,
)
from accounting.trust.ledger import TrustTransaction, matter_trust_balances
from accounting.trust.posting import record_payment, reverse_trust_transaction
from tests.support import outcomes, run_at_once

JULY = date(2026, 7, 1)
D = Decimal


@pytest.fixture
def trust(trust):
    """The shared builder with a second, empty trust account."""
    trust.second = create_trust_account(trust.s, trust.books.admin, code="1-1110", name="Second Trust")
    trust.s.commit()
    return trust


def test_an_empty_trust_account_closes_and_takes_no_more_money(trust):
    closed = close_trust_account(trust.s, trust.books.admin, trust.second.id)
    assert closed.closed and trust.second not in trust_accounts(trust.s)
    assert trust.second in trust_accounts(trust.s, include_closed=True)
    event = trust.s.scalar(select(AuditEvent).where(AuditEvent.action == "closed"))
    assert "1-1110 Second Trust closed" in event.summary
    with pytest.raises(LedgerError, match="Second Trust is closed") as refused:
        trust.receive("10.00", account=trust.second)
    assert refused.value.field == "trust_account"
    with pytest.raises(LedgerError, match="already closed"):
        close_trust_account(trust.s, None, trust.second.id)


def test_an_account_holding_money_does_not_close_until_it_is_paid_out(trust):
    trust.receive("40.00", account=trust.second)
    trust.receive("2.50", account=trust.second, matter=trust.estate)
    with pytest.raises(LedgerError, match=r"still holds 42\.50 for 2 matters"):
        close_trust_account(trust.s, None, trust.second.id)
    assert not trust.second.closed
    record_payment(trust.s, None, trust_account_id=trust.second.id, matter_id=trust.lease.id, date=JULY,
                   amount=D("40.00"), payee="Acme", method="eft", authority="Signed", description="Refund")
    with pytest.raises(LedgerError, match=r"still holds 2\.50 for 1 matter:"):
        close_trust_account(trust.s, None, trust.second.id)
    estates = trust.s.scalar(select(TrustTransaction).where(TrustTransaction.number == "R-000002"))
    reverse_trust_transaction(trust.s, None, estates.id, date=JULY, reason="Wrong account")
    assert close_trust_account(trust.s, None, trust.second.id).closed


def test_closing_an_unknown_account_is_not_found(trust):
    with pytest.raises(NotFound):
        close_trust_account(trust.s, None, 99999)
    with pytest.raises(NotFound):
        close_trust_account(trust.s, None, "junk")


def test_a_matters_balances_are_listed_per_trust_account_in_code_order(trust):
    assert matter_trust_balances(trust.s, trust.lease.id) == []
    trust.receive("100.00", account=trust.second)
    trust.receive("25.00")
    assert matter_trust_balances(trust.s, trust.lease.id) == [(trust.account, D("25.00")),
                                                              (trust.second, D("100.00"))]
    assert matter_trust_balances(trust.s, trust.estate.id) == []


def test_a_matters_controlled_money_account_is_listed_even_before_money_arrives(trust):
    controlled = create_trust_account(trust.s, None, code="1-1120", name="Controlled Estate",
                                      kind="controlled", matter_id=trust.estate.id)
    assert matter_trust_balances(trust.s, trust.estate.id) == [(controlled, D("0.00"))]




def test_two_admins_closing_one_account_at_once_close_it_once(app, trust):
    account_id = trust.second.id

    def close(session):
        close_trust_account(session, None, account_id)

    results = outcomes(run_at_once(app, close, close))
    assert sorted(results) == ["Second Trust is already closed.", "ok"], results
    trust.s.rollback()
    closings = trust.s.scalars(select(AuditEvent).where(AuditEvent.action == "closed")).all()
    assert len(closings) == 1


# ---- Reopening a closed account -----------------------------------------------------------------


def test_a_closed_account_reopens_with_a_reason_its_history_keeps(trust):
    close_trust_account(trust.s, trust.books.admin, trust.second.id)
    reopened = reopen_trust_account(trust.s, trust.books.admin, trust.second.id,
                                    "  Settlement funds for the Smith estate arrive here  ")
    assert not reopened.closed and trust.second in trust_accounts(trust.s)
    history = [(e.action, e.user_id, e.summary) for e in account_history(trust.s, trust.second)]
    assert history == [
        ("created", trust.books.admin.id, "General trust account 1-1110 Second Trust opened"),
        ("closed", trust.books.admin.id, "General trust account 1-1110 Second Trust closed"),
        ("reopened", trust.books.admin.id, "General trust account 1-1110 Second Trust reopened: "
                                           "Settlement funds for the Smith estate arrive here")]
    assert trust.receive("10.00", account=trust.second).amount == D("10.00")


@pytest.mark.parametrize(("reason", "message"), [
    ("", "Enter the reason for reopening it."),
    ("   ", "Enter the reason for reopening it."),
    ("x" * 301, "Keep the reason for reopening it under 300 characters."),
])
def test_reopening_needs_a_reason(trust, reason, message):
    close_trust_account(trust.s, None, trust.second.id)
    trust.s.commit()
    with pytest.raises(LedgerError, match=message) as refused:
        reopen_trust_account(trust.s, trust.books.admin, trust.second.id, reason)
    assert refused.value.field == "reason"
    trust.s.rollback()
    assert trust.second.closed


def test_only_a_closed_account_reopens_and_only_by_an_admin(trust):
    with pytest.raises(LedgerError, match="Second Trust is open: only a closed trust account can be"):
        reopen_trust_account(trust.s, trust.books.admin, trust.second.id, "Why not")
    close_trust_account(trust.s, None, trust.second.id)
    with pytest.raises(LedgerError, match="Only an admin"):
        reopen_trust_account(trust.s, trust.books.staff, trust.second.id, "Staff want it")
    with pytest.raises(NotFound):
        reopen_trust_account(trust.s, trust.books.admin, 9999, "No such account")
    assert trust.second.closed
    assert [e.action for e in account_history(trust.s, trust.second)] == ["created", "closed"]


def test_controlled_money_reopens_only_while_its_matter_is_open(trust):
    controlled = create_trust_account(trust.s, None, code="1-1120", name="Controlled Estate",
                                      kind="controlled", matter_id=trust.estate.id)
    close_trust_account(trust.s, None, controlled.id)
    trust.estate.status = "closed"
    trust.s.commit()
    with pytest.raises(MatterClosed, match=f"{trust.estate.number}, which is closed: reopen the matter"):
        reopen_trust_account(trust.s, None, controlled.id, "More funds")
    trust.s.rollback()
    trust.estate.status = "open"
    assert not reopen_trust_account(trust.s, None, controlled.id, "More funds").closed


def test_two_admins_reopening_one_account_at_once_reopen_it_once(app, trust):
    close_trust_account(trust.s, None, trust.second.id)
    trust.s.commit()
    account_id = trust.second.id

    def reopen(session):
        reopen_trust_account(session, None, account_id, "Needed again")

    results = outcomes(run_at_once(app, reopen, reopen))
    assert sorted(results) == ["Second Trust is open: only a closed trust account can be reopened.", "ok"]
    trust.s.rollback()
    reopenings = trust.s.scalars(select(AuditEvent).where(AuditEvent.action == "reopened")).all()
    assert len(reopenings) == 1
