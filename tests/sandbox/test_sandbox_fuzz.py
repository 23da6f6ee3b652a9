"""Schema-driven fuzzing (hypothesis): whatever a client sends to an operation in scope, the
sandbox answers 200 or 400 (never a server error), and its answer validates against Xero's file."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sandbox.conftest import Connected

API = "/api.xro/2.0"
FIELDS = {
    "Invoices": ["Type", "Contact", "LineItems", "Date", "DueDate", "Status", "LineAmountTypes",
                 "InvoiceNumber", "Reference", "InvoiceID"],
    "CreditNotes": ["Type", "Contact", "LineItems", "Date", "Status", "CreditNoteNumber"],
    "Payments": ["Invoice", "CreditNote", "Account", "Date", "Amount", "Reference", "Code"],
    "BankTransactions": ["Type", "Contact", "LineItems", "BankAccount", "Date", "Reference",
                         "Status", "IsReconciled"],
    "BankTransfers": ["FromBankAccount", "ToBankAccount", "Amount", "Date", "Reference"],
    "ManualJournals": ["Narration", "JournalLines", "Date", "Status", "LineAmountTypes"],
    "Contacts": ["Name", "ContactNumber", "EmailAddress", "FirstName", "ContactStatus"],
    "Accounts": ["Code", "Name", "Type", "BankAccountNumber", "TaxType", "Description"],
    "TrackingCategories": ["Name", "Status"],
}
PLAUSIBLE = st.sampled_from([
    "ACCREC", "ACCPAY", "ACCRECCREDIT", "RECEIVE", "SPEND", "AUTHORISED", "DRAFT", "POSTED",
    "DELETED", "Exclusive", "Inclusive", "NoTax", "2026-11-01", "/Date(1793491200000+0000)/",
    "200", "090", "400", "OUTPUT", "INPUT", "BANK", "REVENUE", 0, 1, 10.5, -3, 1e12,
    {"Name": "Fuzz Client"}, {"Code": "090"}, {"Code": "091"}, {"Code": "200"},
    {"InvoiceID": "00000000-0000-0000-0000-000000000000"},
    [{"Description": "x", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"}],
    [{"LineAmount": 5, "AccountCode": "400"}, {"LineAmount": -5, "AccountCode": "429"}],
])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**9, 10**9)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner,
                                                                 max_size=3),
    max_leaves=6)


def elements(key: str) -> st.SearchStrategy[list[dict[str, Any]]]:
    """1-3 elements whose keys are the resource's fields and values plausible or junk."""
    element = st.dictionaries(st.sampled_from(FIELDS[key]), PLAUSIBLE | JSON, max_size=7)
    return st.lists(element, min_size=1, max_size=3)


@pytest.fixture(autouse=True)
def unlimited(sandbox_app: Flask) -> None:
    """Many examples share one sandbox: lift the per-minute limit so 429s don't mask answers."""
    sandbox_app.extensions["sandbox"].config.update(LIMIT_MINUTE=10**6, LIMIT_DAY=10**6)


FUZZ = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _batch(demo: Connected, key: str, batch: list[dict[str, Any]], summarize: str) -> None:
    path = f"{API}/{key}"
    body = batch[0] if key in ("Accounts", "TrackingCategories") else {key: batch}
    answer = demo.put(path, body, query={"summarizeErrors": summarize})
    assert answer.status_code in (200, 400), answer.get_data(as_text=True)[:500]


@FUZZ
@given(batch=elements("Invoices"))
def test_fuzz_invoices(demo: Connected, batch: list[dict[str, Any]]) -> None:
    _batch(demo, "Invoices", batch, "false")


@FUZZ
@given(batch=elements("CreditNotes"))
def test_fuzz_credit_notes(demo: Connected, batch: list[dict[str, Any]]) -> None:
    _batch(demo, "CreditNotes", batch, "true")


@FUZZ
@given(batch=elements("Payments"))
def test_fuzz_payments(demo: Connected, batch: list[dict[str, Any]]) -> None:
    _batch(demo, "Payments", batch, "false")


@FUZZ
@given(batch=elements("BankTransactions"))
def test_fuzz_bank_transactions(demo: Connected, batch: list[dict[str, Any]]) -> None:
    _batch(demo, "BankTransactions", batch, "false")


@FUZZ
@given(batch=elements("BankTransfers"))
def test_fuzz_bank_transfers(demo: Connected, batch: list[dict[str, Any]]) -> None:
    _batch(demo, "BankTransfers", batch, "false")


@FUZZ
@given(batch=elements("ManualJournals"))
def test_fuzz_manual_journals(demo: Connected, batch: list[dict[str, Any]]) -> None:
    _batch(demo, "ManualJournals", batch, "false")


@FUZZ
@given(batch=elements("Contacts"))
def test_fuzz_contacts(demo: Connected, batch: list[dict[str, Any]]) -> None:
    _batch(demo, "Contacts", batch, "False")


@FUZZ
@given(batch=elements("Accounts"))
def test_fuzz_accounts(demo: Connected, batch: list[dict[str, Any]]) -> None:
    _batch(demo, "Accounts", batch, "true")


@FUZZ
@given(batch=elements("TrackingCategories"))
def test_fuzz_tracking_categories(demo: Connected, batch: list[dict[str, Any]]) -> None:
    _batch(demo, "TrackingCategories", batch, "true")


@FUZZ
@given(where=st.text(max_size=40), page=st.text(max_size=4), ids=st.text(max_size=20))
def test_fuzz_list_queries(demo: Connected, where: str, page: str, ids: str) -> None:
    answer = demo.get(f"{API}/Invoices", query={"where": where, "page": page, "IDs": ids})
    assert answer.status_code in (200, 400)


@FUZZ
@given(body=JSON)
def test_fuzz_any_json_body(demo: Connected, body: Any) -> None:
    for key in ("Invoices", "Contacts", "Payments"):
        answer = demo.put(f"{API}/{key}", body, query={"summarizeErrors": "false"})
        assert answer.status_code in (200, 400)
