"""integrations/mapping.py and suggest.py: compatibility, suggestions, refusals, refresh,
completeness and forgetting another organisation's mappings (on SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from integrations.mapping import (
    AccountMapping,
    MappingError,
    TaxMapping,
    apply_suggestions,
    completeness,
    forget_mappings,
    held_back_by_missing_mapping,
    map_account,
    map_tax,
    stale_mappings,
)
from integrations.suggest import TaxUse, choices_for, compare_rate, normalised, suggestion_for
from integrations.xero.chart import XeroAccount
from tests.integrations.xero_charts import archived, demo_chart, without

TENANT = "6f1b8a9e-2c4d-4e5f-8a7b-0c1d2e3f4a51"
OTHER = "7a2c9b0f-3d5e-4f60-9b8c-1d2e3f4a5b62"


def test_choices_are_limited_to_compatible_types(books) -> None:
    chart = demo_chart()
    codes = lambda ours: {a.code for a in choices_for(books.account(ours), chart)}  # noqa: E731
    assert codes("1-1000") == {"090", "091"}
    assert codes("1-2000") == {"610"}  # receivables: the DEBTORS system account only
    assert codes("2-1000") == {"800"}
    assert codes("2-1100") == codes("2-1200") == {"820"}
    income = codes("4-1000")
    assert {"200", "260", "270"} <= income and not income & {"090", "400", "610"}
    expenses = codes("6-2000")
    assert {"400", "469"} <= expenses and "310" in expenses and "416" not in expenses
    liabilities = codes("2-1300")
    assert "825" in liabilities and not liabilities & {"800", "820", "860", "877", "090"}


def test_archived_and_codeless_accounts_are_never_offered(books) -> None:
    codeless = XeroAccount("id-x", "", "Trust Account", "BANK", "ASSET", "ACTIVE")
    chart = archived(demo_chart(extra=[codeless]), "091")
    assert [a.code for a in choices_for(books.account("1-1000"), chart)] == ["090"]


def test_suggestion_by_code_then_name(books) -> None:
    chart = demo_chart()
    assert suggestion_for(books.account("1-2000"), chart).code == "610"
    assert suggestion_for(books.account("6-2000"), chart).code == "469"  # "Rent" by name
    # "Telephone and Internet" finds "Telephone & Internet" by normalised name.
    assert suggestion_for(books.account("6-2500"), chart).code == "489"
    assert normalised("Light, Power & Heating") == normalised("light power and heating")
    assert suggestion_for(books.account("1-1100"), chart) is None  # no trust bank in Xero


def test_map_account_refuses_incompatible_archived_and_unknown(books) -> None:
    chart = archived(demo_chart(), "091")
    bank = books.account("1-1000")
    for xero_id, words in (("id-400", "EXPENSE"), ("id-091", "archived"), ("nope", "not in")):
        with pytest.raises(MappingError, match=words):
            map_account(books.session, books.admin, TENANT, bank.id, xero_id, chart)
    with pytest.raises(MappingError):
        map_tax(books.session, books.admin, TENANT, TaxUse.GST_ON_INCOME, "MADEUP", chart)
    assert books.session.scalar(select(func.count()).select_from(AccountMapping)) == 0


def test_suggestions_then_completeness_and_held_back(books) -> None:
    chart = demo_chart()
    mapped = apply_suggestions(books.session, books.admin, TENANT, chart)
    books.session.commit()
    state = completeness(books.session, TENANT)
    assert mapped == state.accounts_mapped + state.taxes_mapped
    assert state.taxes_mapped == 4 and not state.missing_taxes
    assert not state.complete
    missing_codes = {m.account.code for m in state.missing}
    assert {"1-1100", "2-2000", "2-2100"} <= missing_codes
    trust_bank = next(m for m in state.missing if m.account.code == "1-1100")
    assert "trust receipt" in trust_bank.message and "1-1100 Trust Bank Account" in trust_bank.message
    receivable, trust = books.account("1-2000"), books.account("1-1100")
    assert held_back_by_missing_mapping(books.session, TENANT, [receivable.id]) == []
    assert held_back_by_missing_mapping(books.session, TENANT, [receivable.id, trust.id]) == [
        "1-1100 Trust Bank Account is not mapped to a Xero account."]
    taxes = {row.tax_use: row.xero_tax_type for row in books.session.scalars(select(TaxMapping))}
    assert taxes == {"gst_on_income": "OUTPUT", "gst_on_expenses": "INPUT",
                     "gst_free_income": "EXEMPTOUTPUT", "gst_free_expenses": "EXEMPTEXPENSES"}


def test_rates_compared_with_a_warning_when_they_differ() -> None:
    chart = demo_chart()
    assert compare_rate(TaxUse.GST_ON_INCOME, "OUTPUT", chart, Decimal("10.00")).warning == ""
    warning = compare_rate(TaxUse.GST_ON_INCOME, "EXEMPTOUTPUT", chart, Decimal("10.00")).warning
    assert "Xero's rate is 0 %, ours is 10 %" in warning


def test_refresh_flags_deleted_archived_and_recoded_accounts(books) -> None:
    chart = demo_chart()
    apply_suggestions(books.session, books.admin, TENANT, chart)
    later = archived(without(chart, "469"), "489")
    later = replace(later, accounts=tuple(replace(a, code="611") if a.code == "610" else a
                                          for a in later.accounts))
    problems = {s.account.code: s.problem for s in stale_mappings(books.session, TENANT, later)}
    assert "deleted" in problems["6-2000"]
    assert "archived" in problems["6-2500"]
    assert "from 610 to 611" in problems["1-2000"]
    assert stale_mappings(books.session, TENANT, chart) == []


def test_forget_mappings_keeps_only_the_given_tenant(books) -> None:
    chart = demo_chart()
    apply_suggestions(books.session, books.admin, TENANT, chart)
    apply_suggestions(books.session, books.admin, OTHER, chart)
    kept = books.session.scalar(select(func.count()).select_from(AccountMapping)
                                .where(AccountMapping.tenant_id == TENANT))
    removed = forget_mappings(books.session, keep_tenant_id=TENANT)
    assert removed == kept + 4
    tenants = set(books.session.scalars(select(AccountMapping.tenant_id)))
    assert tenants == {TENANT}
    assert set(books.session.scalars(select(TaxMapping.tenant_id))) == {TENANT}
