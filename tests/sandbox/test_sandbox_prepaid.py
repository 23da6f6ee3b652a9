"""Overpayments and prepayments: made by PUT /BankTransactions, read at /Overpayments and
/Prepayments, allocated to invoices, refunded by payments, and seen in the trial balance.
Answers are validated against Xero's official OpenAPI file by the `demo` fixture."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

import pytest

from tests.sandbox.conftest import Connected
from tests.sandbox.test_sandbox_accounting import (
    API,
    contact_id,
    create,
    errors,
    invoice,
    one,
    trial_balance,
    ytd_net,
)

BANK, AR, AP = "Business Bank Account (090)", "Accounts Receivable (610)", "Accounts Payable (800)"


def received(demo: Connected, doc_type: str, amount: Any = 500, **line: Any) -> dict[str, Any]:
    """A RECEIVE-/SPEND- OVERPAYMENT or PREPAYMENT of `amount` (one line) into account 090."""
    return one(demo, "BankTransactions", {
        "Type": doc_type, "Contact": {"ContactID": contact_id(demo)}, "Date": "2026-11-03",
        "BankAccount": {"Code": "090"}, "Reference": "Client money on account",
        "LineItems": [{"Description": "On account", "Quantity": 1, "UnitAmount": amount,
                       **line}]})


def credit_of(demo: Connected, key: str, doc_id: str) -> dict[str, Any]:
    return demo.get(f"{API}/{key}/{doc_id}").json[key][0]


def test_an_overpayment_is_made_by_a_bank_transaction_and_held_in_receivables(
        demo: Connected) -> None:
    txn = received(demo, "RECEIVE-OVERPAYMENT")
    assert txn["Type"] == "RECEIVE-OVERPAYMENT" and txn["Total"] == 500
    listed = demo.get(f"{API}/Overpayments").json["Overpayments"]
    assert [o["OverpaymentID"] for o in listed] == [txn["OverpaymentID"]]
    overpayment = credit_of(demo, "Overpayments", txn["OverpaymentID"])
    assert (overpayment["Status"], overpayment["RemainingCredit"], overpayment["Type"]) == (
        "AUTHORISED", 500, "RECEIVE-OVERPAYMENT")
    assert overpayment["LineItems"][0]["AccountCode"] == "610"
    rows = trial_balance(demo)
    assert (ytd_net(rows, BANK), ytd_net(rows, AR)) == (Decimal(500), Decimal(-500))


def test_an_overpayment_line_may_not_name_an_income_account(demo: Connected) -> None:
    refused = create(demo, "BankTransactions", {
        "Type": "RECEIVE-OVERPAYMENT", "Contact": {"ContactID": contact_id(demo)},
        "BankAccount": {"Code": "090"},
        "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 5,
                       "AccountCode": "200"}]})[0]
    assert errors(refused) == ["Account code '200' is not a valid code for this document."]
    assert demo.get(f"{API}/Overpayments").json["Overpayments"] == []


def test_allocate_an_overpayment_then_refund_the_rest(demo: Connected) -> None:
    txn = received(demo, "RECEIVE-OVERPAYMENT")
    bill = one(demo, "Invoices", invoice(contact_id(demo)))  # 100 + GST = 110
    path = f"{API}/Overpayments/{txn['OverpaymentID']}/Allocations"
    allocated = demo.put(path, {"Allocations": [{"Amount": 110, "Date": "2026-11-04",
                                                 "Invoice": {"InvoiceID": bill["InvoiceID"]}}]},
                         query={"summarizeErrors": "false"}).json["Allocations"][0]
    assert allocated["StatusAttributeString"] == "OK"
    paid = demo.get(f"{API}/Invoices/{bill['InvoiceID']}").json["Invoices"][0]
    assert (paid["Status"], paid["AmountCredited"], paid["AmountDue"]) == ("PAID", 110, 0)
    assert [(o["OverpaymentID"], o["AppliedAmount"]) for o in paid["Overpayments"]] == [
        (txn["OverpaymentID"], 110)]
    assert credit_of(demo, "Overpayments", txn["OverpaymentID"])["RemainingCredit"] == 390
    refund = one(demo, "Payments", {"Overpayment": {"OverpaymentID": txn["OverpaymentID"]},
                                    "Account": {"Code": "090"}, "Date": "2026-11-05",
                                    "Amount": 390})
    assert refund["PaymentType"] == "AROVERPAYMENTPAYMENT"
    used = credit_of(demo, "Overpayments", txn["OverpaymentID"])
    assert (used["Status"], used["RemainingCredit"]) == ("PAID", 0)
    rows = trial_balance(demo)
    assert (ytd_net(rows, BANK), ytd_net(rows, AR)) == (Decimal(110), Decimal(0))


def test_allocations_are_refused_beyond_the_credit_or_to_the_wrong_side(
        demo: Connected) -> None:
    txn = received(demo, "RECEIVE-OVERPAYMENT", amount=50)
    sale = one(demo, "Invoices", invoice(contact_id(demo)))
    purchase = one(demo, "Invoices", invoice(contact_id(demo), kind="ACCPAY", account="400"))
    path = f"{API}/Overpayments/{txn['OverpaymentID']}/Allocations"
    answers = demo.put(path, {"Allocations": [
        {"Amount": 60, "Date": "2026-11-04", "Invoice": {"InvoiceID": sale["InvoiceID"]}},
        {"Amount": 10, "Date": "2026-11-04", "Invoice": {"InvoiceID": purchase["InvoiceID"]}},
    ]}, query={"summarizeErrors": "false"}).json["Allocations"]
    assert [errors(a) for a in answers] == [
        ["Overpayment cannot be allocated as amount is greater than amount outstanding"],
        ["Overpayment cannot be allocated to an incorrect invoice type"]]
    assert credit_of(demo, "Overpayments", txn["OverpaymentID"])["RemainingCredit"] == 50


def test_deleting_an_allocation_gives_the_credit_back(demo: Connected) -> None:
    txn = received(demo, "RECEIVE-OVERPAYMENT")
    sale = one(demo, "Invoices", invoice(contact_id(demo)))
    path = f"{API}/Overpayments/{txn['OverpaymentID']}/Allocations"
    allocation = demo.put(path, {"Allocations": [{
        "Amount": 20, "Date": "2026-11-04", "Invoice": {"InvoiceID": sale["InvoiceID"]}}]}).json[
        "Allocations"][0]
    gone = demo.call("DELETE", f"{path}/{allocation['AllocationID']}")
    assert gone.status_code == 200 and gone.json["IsDeleted"] is True
    assert credit_of(demo, "Overpayments", txn["OverpaymentID"])["RemainingCredit"] == 500
    assert demo.get(f"{API}/Invoices/{sale['InvoiceID']}").json["Invoices"][0][
        "AmountDue"] == 110


def test_a_prepayment_is_priced_like_its_lines_and_allocated(demo: Connected) -> None:
    txn = received(demo, "RECEIVE-PREPAYMENT", amount=100, AccountCode="200")
    assert (txn["SubTotal"], txn["TotalTax"], txn["Total"]) == (100, 10, 110)
    prepayment = credit_of(demo, "Prepayments", txn["PrepaymentID"])
    assert (prepayment["RemainingCredit"], prepayment["Reference"]) == (
        110, "Client money on account")
    sale = one(demo, "Invoices", invoice(contact_id(demo)))
    demo.put(f"{API}/Prepayments/{txn['PrepaymentID']}/Allocations", {"Allocations": [{
        "Amount": 110, "Date": "2026-11-04", "Invoice": {"InvoiceID": sale["InvoiceID"]}}]})
    assert credit_of(demo, "Prepayments", txn["PrepaymentID"])["Status"] == "PAID"
    rows = trial_balance(demo)
    assert (ytd_net(rows, BANK), ytd_net(rows, AR)) == (Decimal(110), Decimal(0))


def test_a_supplier_overpayment_sits_in_payables(demo: Connected) -> None:
    txn = received(demo, "SPEND-OVERPAYMENT", amount=80)
    rows = trial_balance(demo)
    assert (ytd_net(rows, BANK), ytd_net(rows, AP)) == (Decimal(-80), Decimal(80))
    assert credit_of(demo, "Overpayments", txn["OverpaymentID"])["Type"] == "SPEND-OVERPAYMENT"


def test_a_bank_transaction_that_made_an_overpayment_cannot_be_edited(demo: Connected) -> None:
    txn = received(demo, "RECEIVE-OVERPAYMENT")
    refused = demo.post(f"{API}/BankTransactions/{txn['BankTransactionID']}",
                        {"BankTransactions": [{"Status": "DELETED"}]},
                        query={"summarizeErrors": "false"}).json["BankTransactions"][0]
    assert refused["StatusAttributeString"] == "ERROR"
    assert demo.get(f"{API}/BankTransactions/{txn['BankTransactionID']}").json[
        "BankTransactions"][0]["Status"] == "AUTHORISED"


PREPAID_OPERATIONS = {
    ("GET", "/api.xro/2.0/Overpayments"), ("GET", "/api.xro/2.0/Overpayments/{id}"),
    ("PUT", "/api.xro/2.0/Overpayments/{id}/Allocations"),
    ("DELETE", "/api.xro/2.0/Overpayments/{id}/Allocations/{id}"),
    ("GET", "/api.xro/2.0/Prepayments/{id}"), ("PUT", "/api.xro/2.0/Prepayments/{id}/Allocations"),
}


def test_every_prepaid_operation_was_validated_against_the_official_file(
        demo: Connected, request: pytest.FixtureRequest) -> None:
    """Defined last so it runs last (see the same test in test_sandbox_accounting.py)."""
    main_argv = getattr(request.config, "workerinput", {}).get("mainargv", [])
    whole_file_per_worker = "loadfile" in main_argv or "--dist=loadfile" in main_argv
    if os.environ.get("PYTEST_XDIST_WORKER") and not whole_file_per_worker:
        pytest.skip("coverage is counted per process: run with --dist loadfile or without -n")
    assert demo.specs is not None
    missing = PREPAID_OPERATIONS - demo.specs.checked
    assert not missing, sorted(missing)
