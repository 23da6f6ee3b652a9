"""integrations/xero/chart.py against the live sandbox: the organisation, accounts and tax rates
of Demo Company, Trial Practice and Nocode Legal as plain dataclasses, in three calls."""

from __future__ import annotations

from decimal import Decimal

from xero_python.accounting import AccountingApi

from integrations.xero.chart import NewAccount, create_account, read_chart
from sandbox.seed import DEMO_ORG, NOCODE_ORG, TRIAL_ORG


def test_demo_company_chart(xero_api: AccountingApi) -> None:
    chart = read_chart(xero_api, DEMO_ORG)
    org = chart.organisation
    assert org.name == "Demo Company (AU)"
    assert org.base_currency == "AUD"
    assert org.org_class == "DEMO" and org.is_demo_or_trial
    assert org.period_lock_date is None and org.end_of_year_lock_date is None

    bank = next(a for a in chart.accounts if a.code == "090")
    assert (bank.name, bank.type, bank.archived) == ("Business Bank Account", "BANK", False)
    receivable = next(a for a in chart.accounts if a.code == "610")
    assert receivable.system_account == "DEBTORS"
    assert chart.account(receivable.account_id) == receivable

    output = chart.tax_rate("OUTPUT")
    assert output is not None and output.effective_rate == Decimal("10")
    assert isinstance(output.effective_rate, Decimal)
    assert chart.tax_rate("EXEMPTOUTPUT").effective_rate == Decimal(0)
    assert chart.codeless_accounts == ()


def test_trial_practice_is_a_trial(xero_api: AccountingApi) -> None:
    org = read_chart(xero_api, TRIAL_ORG).organisation
    assert org.org_class == "TRIAL" and org.is_demo_or_trial


def test_nocode_legal_lists_its_codeless_accounts(xero_api: AccountingApi) -> None:
    codeless = read_chart(xero_api, NOCODE_ORG).codeless_accounts
    assert sorted(a.name for a in codeless) == ["Sundry Legal Outlays", "Trust Account"]
    assert all(a.code == "" and a.label == a.name for a in codeless)


def test_read_chart_makes_three_calls(xero_api: AccountingApi) -> None:
    calls: list[str] = []
    original = xero_api.api_client.call_api

    def counting(resource_path, *args, **kwargs):
        calls.append(resource_path.rsplit("/", 1)[-1])
        return original(resource_path, *args, **kwargs)

    xero_api.api_client.call_api = counting
    read_chart(xero_api, DEMO_ORG)
    assert calls == ["Organisation", "Accounts", "TaxRates"]


def test_create_account_adds_it_to_the_chart(xero_api: AccountingApi) -> None:
    created = create_account(xero_api, DEMO_ORG,
                             NewAccount("095", "Trust Account", "BANK", "06200012345678"))
    assert (created.code, created.type, created.archived) == ("095", "BANK", False)
    again = read_chart(xero_api, DEMO_ORG)
    assert again.account(created.account_id).bank_account_number == "06200012345678"
