"""integrations/checks.py: basis, currency, demo/trial, lock dates, trust accounts and codeless
accounts, each a named result with a message; creating the missing trust accounts in the sandbox."""

from __future__ import annotations

from datetime import date

from xero_python.accounting import AccountingApi

from accounting.ledger.practice import Basis, get_practice
from accounting.trust.accounts import ensure_default_trust_account
from integrations.checks import (
    check_basis,
    check_codeless,
    check_currency,
    check_demo_or_trial,
    check_lock_dates,
    check_trust_accounts,
    create_missing_trust_accounts,
    missing_trust_accounts,
    push_cutoff,
    run_checks,
)
from integrations.mapping import account_mappings
from integrations.xero.chart import XeroAccount, read_chart
from sandbox.seed import DEMO_ORG, NOCODE_ORG
from tests.integrations.xero_charts import demo_chart

TENANT = DEMO_ORG


def test_accrual_passes_and_cash_fails(books) -> None:
    assert check_basis(books.session).ok
    get_practice(books.session).basis = Basis.CASH
    check = check_basis(books.session)
    assert check.blocks_push and "cash basis" in check.message and "Accrual" in check.what_to_do


def test_currency_must_match(books) -> None:
    assert check_currency(books.session, demo_chart()).ok
    check = check_currency(books.session, demo_chart(currency="NZD"))
    assert check.blocks_push and "NZD" in check.message and "AUD" in check.message


def test_demo_and_trial_are_warned_about() -> None:
    for org_class in ("DEMO", "TRIAL"):
        check = check_demo_or_trial(demo_chart(org_class=org_class))
        assert check.warning and not check.blocks_push and "mapping every account" in check.message
    assert check_demo_or_trial(demo_chart(org_class="STANDARD")).ok


def test_lock_dates_are_shown_and_set_the_cutoff() -> None:
    assert check_lock_dates(demo_chart()).ok and push_cutoff(demo_chart()) is None
    chart = demo_chart(period_lock=date(2026, 6, 30))
    check = check_lock_dates(chart)
    assert "30 Jun 2026" in check.message and check.warning
    assert push_cutoff(chart) == date(2026, 6, 30)


def test_missing_trust_accounts_are_named_with_codes_and_types(books) -> None:
    missing = missing_trust_accounts(books.session, TENANT, demo_chart())
    assert [(n.code, n.type) for n in missing] == [
        ("1-1100", "BANK"), ("2-2000", "CURRLIAB"), ("2-2100", "CURRLIAB")]
    check = check_trust_accounts(books.session, TENANT, demo_chart())
    assert check.blocks_push and "1-1100 Trust Bank Account (BANK)" in check.message


def test_codeless_accounts_are_listed_with_the_reason() -> None:
    codeless = XeroAccount("id-x", "", "Trust Account", "BANK", "ASSET", "ACTIVE")
    check = check_codeless(demo_chart(extra=[codeless]))
    assert "Trust Account" in check.message and "identifies accounts by code" in check.message
    assert check_codeless(demo_chart()).ok


def test_run_checks_against_nocode_legal(books, xero_api: AccountingApi) -> None:
    checks = {c.name: c for c in run_checks(books.session, NOCODE_ORG,
                                            read_chart(xero_api, NOCODE_ORG))}
    assert checks["Accrual basis"].ok and checks["One currency"].ok
    assert "Sundry Legal Outlays" in checks["Account codes"].message


def test_create_missing_trust_accounts_in_the_sandbox(books, xero_api: AccountingApi) -> None:
    chart = read_chart(xero_api, DEMO_ORG)
    created, skipped = create_missing_trust_accounts(books.session, books.admin, xero_api,
                                                     DEMO_ORG, chart)
    assert created == ["2-2000 Trust Liability", "2-2100 Trust Transfers Clearing"]
    assert len(skipped) == 1 and "BSB and account number" in skipped[0]

    trust = ensure_default_trust_account(books.session)
    trust.bsb, trust.account_number = "062000", "12345678"
    books.session.commit()
    created, skipped = create_missing_trust_accounts(books.session, books.admin, xero_api,
                                                     DEMO_ORG, read_chart(xero_api, DEMO_ORG))
    assert (created, skipped) == (["1-1100 Trust Bank Account"], [])
    again = read_chart(xero_api, DEMO_ORG)
    assert {a.code for a in again.accounts} >= {"1-1100", "2-2000", "2-2100"}
    assert check_trust_accounts(books.session, DEMO_ORG, again).ok
    mapped = account_mappings(books.session, DEMO_ORG)
    assert mapped[books.account("1-1100").id].xero_code == "1-1100"
