"""Where the sandbox used to differ from Xero in ways a push would not notice (issue #14): fields
Xero drops, rounding, upserts by number, the request size limit, warnings, edits of bank
transactions and If-Modified-Since in HTTP-date form. Answers are validated against the official
OpenAPI file by the `demo` fixture."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from email.utils import format_datetime
from typing import Any

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


def test_reference_is_dropped_from_bills_as_xero_does(demo: Connected) -> None:
    # Xero's spec: Invoice.Reference is "ACCREC only"; a bill's reference is its InvoiceNumber.
    cid = contact_id(demo)
    bill = one(demo, "Invoices", invoice(cid, kind="ACCPAY", account="400",
                                         InvoiceNumber="SUP-77", Reference="ignored"))
    sale = one(demo, "Invoices", invoice(cid, Reference="Matter 12"))
    assert "Reference" not in bill
    assert "Reference" not in demo.get(f"{API}/Invoices/{bill['InvoiceID']}").json[
        "Invoices"][0]
    assert sale["Reference"] == "Matter 12"


def test_post_upsert_by_number_matches_within_the_type_only(demo: Connected) -> None:
    cid = contact_id(demo)
    bill = one(demo, "Invoices", invoice(cid, kind="ACCPAY", account="400",
                                         InvoiceNumber="INV-0900", unit=50))
    answer = demo.post(f"{API}/Invoices", {"Invoices": [invoice(cid, InvoiceNumber="INV-0900",
                                                                unit=70)]},
                       query={"summarizeErrors": "false"})
    sale = answer.json["Invoices"][0]
    assert sale["StatusAttributeString"] == "OK"
    assert sale["InvoiceID"] != bill["InvoiceID"] and sale["Type"] == "ACCREC"
    kept = demo.get(f"{API}/Invoices/{bill['InvoiceID']}").json["Invoices"][0]
    assert (kept["Type"], kept["SubTotal"]) == ("ACCPAY", 50)


def test_unit_amount_is_rounded_to_two_places_without_unitdp(demo: Connected) -> None:
    cid = contact_id(demo)
    line = {"Description": "Photocopies", "Quantity": 3, "UnitAmount": 0.3333,
            "AccountCode": "200", "TaxType": "OUTPUT"}
    two = one(demo, "Invoices", {**invoice(cid), "LineItems": [line]})
    assert (two["LineItems"][0]["UnitAmount"], two["LineItems"][0]["LineAmount"]) == (0.33, 0.99)
    four = create(demo, "Invoices", {**invoice(cid), "LineItems": [line]}, unitdp="4")[0]
    assert (four["LineItems"][0]["UnitAmount"], four["LineItems"][0]["LineAmount"]) == (
        0.3333, 1.0)


def test_a_request_over_three_and_a_half_megabytes_is_refused(demo: Connected) -> None:
    cid = contact_id(demo)
    padding = "x" * 4000
    elements = [invoice(cid, Reference=padding) for _ in range(900)]
    assert len(json.dumps({"Invoices": elements})) > 3_500_000
    before = len(demo.get(f"{API}/Invoices").json["Invoices"])
    refused = demo.client.put(f"{API}/Invoices", data=json.dumps({"Invoices": elements}),
                              headers=demo.headers(), content_type="application/json")
    assert refused.status_code == 413
    assert "3.5" in refused.get_data(as_text=True)
    assert len(demo.get(f"{API}/Invoices").json["Invoices"]) == before


def test_a_journal_line_with_an_unknown_code_is_saved_as_draft_with_a_warning(
        demo: Connected) -> None:
    lines = [{"LineAmount": 100, "AccountCode": "476", "Description": "Unknown"},
             {"LineAmount": -100, "AccountCode": "400"}]
    saved = create(demo, "ManualJournals", {"Narration": "Typo", "Status": "POSTED",
                                           "JournalLines": lines})[0]
    assert saved["StatusAttributeString"] == "WARNING"
    assert saved["Status"] == "DRAFT"
    assert [w["Message"] for w in saved["Warnings"]] == [
        "Account code '476' has been removed as it does not match a recognised account."]
    assert "AccountCode" not in saved["JournalLines"][0]
    stored = demo.get(f"{API}/ManualJournals/{saved['ManualJournalID']}").json[
        "ManualJournals"][0]
    assert stored["Status"] == "DRAFT"


def test_warnings_show_in_summarised_mode_too(demo: Connected) -> None:
    lines = [{"LineAmount": 5, "AccountCode": "999"}, {"LineAmount": -5, "AccountCode": "400"}]
    answer = demo.put(f"{API}/ManualJournals", {"ManualJournals": [
        {"Narration": "Typo", "JournalLines": lines}]})
    assert answer.status_code == 200
    journal = answer.json["ManualJournals"][0]
    assert journal["Warnings"][0]["Message"].startswith("Account code '999' has been removed")


def test_a_journal_with_a_blank_account_line_cannot_be_posted(demo: Connected) -> None:
    lines = [{"LineAmount": 5, "AccountCode": "999"}, {"LineAmount": -5, "AccountCode": "400"}]
    saved = create(demo, "ManualJournals", {"Narration": "Typo", "JournalLines": lines})[0]
    path = f"{API}/ManualJournals/{saved['ManualJournalID']}"
    refused = demo.post(path, {"ManualJournals": [{"Status": "POSTED"}]},
                        query={"summarizeErrors": "false"}).json["ManualJournals"][0]
    assert refused["StatusAttributeString"] == "ERROR"
    assert demo.get(path).json["ManualJournals"][0]["Status"] == "DRAFT"


def test_clean_elements_stay_ok_beside_a_warned_one(demo: Connected) -> None:
    good = [{"LineAmount": 5, "AccountCode": "404"}, {"LineAmount": -5, "AccountCode": "400"}]
    bad = [{"LineAmount": 5, "AccountCode": "999"}, {"LineAmount": -5, "AccountCode": "400"}]
    answers = create(demo, "ManualJournals", {"Narration": "Good", "JournalLines": good},
                     {"Narration": "Warned", "JournalLines": bad})
    assert [a["StatusAttributeString"] for a in answers] == ["OK", "WARNING"]
    assert "Warnings" not in answers[0]


def spend(demo: Connected, **extra: Any) -> dict[str, Any]:
    """One SPEND of 100 + GST from the business bank account."""
    return one(demo, "BankTransactions", {
        "Type": "SPEND", "Contact": {"ContactID": contact_id(demo)}, "Date": "2026-11-05",
        "BankAccount": {"Code": "090"}, **extra,
        "LineItems": [{"Description": "Courier", "Quantity": 1, "UnitAmount": 100,
                       "AccountCode": "429"}]})


def test_a_post_that_changes_a_bank_transactions_lines_applies_them(demo: Connected) -> None:
    txn = spend(demo)
    path = f"{API}/BankTransactions/{txn['BankTransactionID']}"
    changed = demo.post(path, {"BankTransactions": [{
        "LineItems": [{"Description": "Courier and parking", "Quantity": 2, "UnitAmount": 75,
                       "AccountCode": "449"}], "Date": "2026-11-06"}]},
        query={"summarizeErrors": "false"}).json["BankTransactions"][0]
    assert changed["StatusAttributeString"] == "OK"
    stored = demo.get(path).json["BankTransactions"][0]
    assert (stored["SubTotal"], stored["TotalTax"], stored["Total"]) == (150, 15, 165)
    assert stored["LineItems"][0]["AccountCode"] == "449"
    assert stored["Date"] == "/Date(1793923200000+0000)/"  # 2026-11-06


def test_a_bad_line_edit_of_a_bank_transaction_changes_nothing(demo: Connected) -> None:
    txn = spend(demo)
    path = f"{API}/BankTransactions/{txn['BankTransactionID']}"
    refused = demo.post(path, {"BankTransactions": [{"LineItems": [
        {"Description": "?", "Quantity": 1, "UnitAmount": 5, "AccountCode": "NOPE"}]}]},
        query={"summarizeErrors": "false"}).json["BankTransactions"][0]
    assert errors(refused) == ["Account code 'NOPE' is not a valid code for this document."]
    assert demo.get(path).json["BankTransactions"][0]["Total"] == 110


def test_if_modified_since_in_http_date_form_is_honoured(demo: Connected, control: Any) -> None:
    one(demo, "Contacts", {"Name": "Before"})
    control.post("/_sandbox/clock", json={"advance_seconds": 120})
    now = datetime.fromisoformat(control.get("/_sandbox/clock").json["now_iso"])
    control.post("/_sandbox/clock", json={"advance_seconds": 5})
    one(demo, "Contacts", {"Name": "After"})
    header = format_datetime(now, usegmt=True)  # e.g. "Thu, 03 Dec 2026 10:00:00 GMT"
    changed = demo.get(f"{API}/Contacts", **{"If-Modified-Since": header}).json["Contacts"]
    assert [c["Name"] for c in changed] == ["After"]


def credit_note(demo: Connected, kind: str, unit: Any, account: str,
                **extra: Any) -> dict[str, Any]:
    """An AUTHORISED credit note of one line."""
    element = invoice(contact_id(demo), kind=kind, unit=unit, account=account, **extra)
    element.pop("DueDate")
    return one(demo, "CreditNotes", element)


def allocate(demo: Connected, note: dict[str, Any], target: dict[str, Any], amount: Any) -> None:
    """Apply `amount` of a credit note to an invoice."""
    answer = demo.put(f"{API}/CreditNotes/{note['CreditNoteID']}/Allocations",
                      {"Allocations": [{"Amount": amount, "Date": "2026-11-08",
                                        "Invoice": {"InvoiceID": target["InvoiceID"]}}]})
    assert answer.status_code == 200, answer.get_data(as_text=True)


def pay(demo: Connected, target: dict[str, Any], amount: Any,
        key: str = "Invoice") -> dict[str, Any]:
    """Pay (or refund) a document from the business bank account."""
    id_field = "InvoiceID" if key == "Invoice" else "CreditNoteID"
    return one(demo, "Payments", {key: {id_field: target[id_field]}, "Amount": amount,
                                  "Account": {"Code": "090"}, "Date": "2026-11-09"})


def test_trial_balance_follows_credits_refunds_write_offs_voids_and_deletions(
        demo: Connected) -> None:
    """The books the push's stateful test builds, by hand:

    | what                                         | 200  | 400 | 404 | 469 | 820 | 610 | 090  |
    | sale A 1000 + GST, credit 200 + GST applied  | -800 |     |     |     | -80 | 880 |      |
    | write-off of A (credit on 400, NoTax) 100    |      | 100 |     |     |     |-100 |      |
    | A paid 780                                   |      |     |     |     |     |-780 | 780  |
    | credit B 50 + GST refunded                   |  50  |     |     |     |  5  |  0  | -55  |
    | sale C voided; sale D paid then unpaid       | -100 |     |     |     | -10 | 110 |      |
    | sale E 110 GST inclusive                     | -100 |     |     |     | -10 | 110 |      |
    | rent 200 + GST, supplier credit 50 + GST, 165 paid |  |  |  | 150 |  15 |     | -165 |
    | journal 400 / 404 30 posted; another voided  |      |  30 | -30 |     |     |     |      |
    """
    cid = contact_id(demo)
    sale_a = one(demo, "Invoices", invoice(cid, unit=1000))
    allocate(demo, credit_note(demo, "ACCRECCREDIT", 200, "200"), sale_a, 220)
    allocate(demo, credit_note(demo, "ACCRECCREDIT", 100, "400", LineAmountTypes="NoTax"),
             sale_a, 100)
    pay(demo, sale_a, 780)
    pay(demo, credit_note(demo, "ACCRECCREDIT", 50, "200"), 55, key="CreditNote")
    sale_c = one(demo, "Invoices", invoice(cid, unit=300))
    demo.post(f"{API}/Invoices/{sale_c['InvoiceID']}", {"Status": "VOIDED"})
    payment = pay(demo, one(demo, "Invoices", invoice(cid, unit=100)), 110)
    demo.post(f"{API}/Payments/{payment['PaymentID']}", {"Status": "DELETED"})
    one(demo, "Invoices", invoice(cid, unit=110, LineAmountTypes="Inclusive"))
    rent = one(demo, "Invoices", invoice(cid, kind="ACCPAY", unit=200, account="469"))
    supplier_credit = credit_note(demo, "ACCPAYCREDIT", 50, "469")
    allocate(demo, supplier_credit, rent, 55)
    pay(demo, rent, 165)
    lines = [{"LineAmount": 30, "AccountCode": "400"}, {"LineAmount": -30, "AccountCode": "404"}]
    one(demo, "ManualJournals", {"Narration": "Reclass", "Status": "POSTED",
                                 "Date": "2026-11-07", "JournalLines": lines})
    voided = one(demo, "ManualJournals", {"Narration": "Oops", "Status": "POSTED",
                                          "Date": "2026-11-07", "JournalLines": lines})
    demo.post(f"{API}/ManualJournals/{voided['ManualJournalID']}", {"Status": "VOIDED"})
    rows = trial_balance(demo)
    expected = {"Sales (200)": -950, "Advertising (400)": 130, "Bank Fees (404)": -30,
                "Rent (469)": 150, "GST (820)": -80, "Accounts Receivable (610)": 220,
                "Accounts Payable (800)": 0, "Business Bank Account (090)": 560}
    assert {label: ytd_net(rows, label) for label in expected} == {
        label: Decimal(amount) for label, amount in expected.items()}
    debit, credit, ytd_debit, ytd_credit = rows["Total"]
    assert (debit, ytd_debit) == (credit, ytd_credit)
    assert set(rows) - {"Total"} <= set(expected)
