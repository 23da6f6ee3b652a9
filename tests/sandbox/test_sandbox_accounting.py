"""Accounting API: every operation in scope, validated against Xero's official file, and the
rules Xero enforces (statuses, payments, allocations, balance, batches, filters, trial balance)."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

import pytest

from sandbox.seed import DEMO_ORG, NOCODE_ORG
from tests.sandbox.conftest import Connected

API = "/api.xro/2.0"


# ---------------------------------------------------------------- builders


def contact_id(demo: Connected, name: str = "Ridgeway University") -> str:
    """A seeded contact's id."""
    contacts = demo.get(f"{API}/Contacts").json["Contacts"]
    return next(c["ContactID"] for c in contacts if c["Name"] == name)


def invoice(contact: str, status: str = "AUTHORISED", unit: Any = 100, account: str = "200",
            kind: str = "ACCREC", **extra: Any) -> dict[str, Any]:
    """One invoice element: 1 x unit on `account`, GST by the account's default tax type."""
    return {"Type": kind, "Contact": {"ContactID": contact}, "Date": "2026-11-02",
            "DueDate": "2026-11-30", "Status": status,
            "LineItems": [{"Description": "Professional services", "Quantity": 1,
                           "UnitAmount": unit, "AccountCode": account}], **extra}


def create(demo: Connected, key: str, *elements: dict[str, Any], **query: str) -> list[dict]:
    """PUT a batch with summarizeErrors=false and return the per-element answers."""
    answer = demo.put(f"{API}/{key}", {key: list(elements)},
                      query={"summarizeErrors": "false", **query})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json[key]


def one(demo: Connected, key: str, element: dict[str, Any]) -> dict[str, Any]:
    """Create one element that must succeed."""
    result = create(demo, key, element)[0]
    assert result["StatusAttributeString"] == "OK", result.get("ValidationErrors")
    return result


def errors(result: dict[str, Any]) -> list[str]:
    """The validation messages of one element."""
    return [error["Message"] for error in result.get("ValidationErrors", [])]


def trial_balance(demo: Connected, day: str = "2026-11-30") -> dict[str, tuple[Decimal, ...]]:
    """Account label -> (debit, credit, ytd debit, ytd credit) from Reports/TrialBalance."""
    report = demo.get(f"{API}/Reports/TrialBalance", query={"date": day}).json["Reports"][0]
    rows = {}
    for section in report["Rows"][1:]:
        for row in section["Rows"]:
            cells = row["Cells"]
            rows[cells[0]["Value"]] = tuple(Decimal(cell["Value"]) for cell in cells[1:])
    return rows


def ytd_net(rows: dict[str, tuple[Decimal, ...]], label: str) -> Decimal:
    """Debit-positive YTD balance of one account."""
    debit_credit = rows.get(label, (Decimal(0),) * 4)
    return debit_credit[2] - debit_credit[3]


# ---------------------------------------------------------------- reading settings


def test_organisation_is_the_au_demo_company(demo: Connected) -> None:
    org = demo.get(f"{API}/Organisation").json["Organisations"][0]
    assert (org["Name"], org["OrganisationID"], org["BaseCurrency"], org["Version"]) == (
        "Demo Company (AU)", DEMO_ORG, "AUD", "AU")


def test_envelope_has_xero_fields_and_limit_headers(demo: Connected) -> None:
    answer = demo.get(f"{API}/Accounts")
    assert {"Id", "Status", "ProviderName", "DateTimeUTC"} <= set(answer.json)
    assert answer.json["ProviderName"] == "Practice Ledger"
    assert answer.json["DateTimeUTC"].startswith("/Date(")
    for header in ("X-DayLimit-Remaining", "X-MinLimit-Remaining", "X-AppMinLimit-Remaining"):
        assert int(answer.headers[header]) >= 0


def test_chart_of_accounts_is_the_standard_australian_one(demo: Connected) -> None:
    accounts = {a["Code"]: a for a in demo.get(f"{API}/Accounts").json["Accounts"]}
    assert accounts["090"]["Type"] == "BANK"
    assert accounts["200"]["TaxType"] == "OUTPUT"
    assert accounts["610"]["SystemAccount"] == "DEBTORS"
    assert accounts["800"]["SystemAccount"] == "CREDITORS"
    assert accounts["820"]["SystemAccount"] == "GST"
    assert accounts["960"]["SystemAccount"] == "RETAINEDEARNINGS"
    assert {"OUTPUT", "INPUT", "EXEMPTOUTPUT", "BASEXCLUDED"} <= {
        rate["TaxType"] for rate in demo.get(f"{API}/TaxRates").json["TaxRates"]}
    assert demo.get(f"{API}/Currencies").json["Currencies"][0]["Code"] == "AUD"


def test_where_filter_and_case_insensitive_paths(demo: Connected) -> None:
    banks = demo.get(f"{API}/accounts", query={"where": 'Type=="BANK" AND Status=="ACTIVE"'})
    assert {a["Code"] for a in banks.json["Accounts"]} == {"090", "091"}


def test_an_organisation_holds_accounts_without_a_code(connect: Any) -> None:
    nocode = connect(tenants=[NOCODE_ORG])
    accounts = nocode.get(f"{API}/Accounts").json["Accounts"]
    without = [a for a in accounts if "Code" not in a]
    assert {a["Name"] for a in without} == {"Trust Account", "Sundry Legal Outlays"}


def test_create_account_and_unique_name(demo: Connected) -> None:
    created = demo.put(f"{API}/Accounts", {"Code": "4100", "Name": "Trust Interest",
                                           "Type": "REVENUE"})
    assert created.status_code == 200
    assert created.json["Accounts"][0]["Class"] == "REVENUE"
    again = demo.put(f"{API}/Accounts", {"Code": "4101", "Name": "Trust Interest",
                                         "Type": "REVENUE"})
    assert again.status_code == 400
    assert again.json["Elements"][0]["ValidationErrors"][0]["Message"] == (
        "Please enter a unique Name.")


def test_bank_account_needs_bsb_and_number(demo: Connected) -> None:
    refused = demo.put(f"{API}/Accounts", {"Code": "095", "Name": "Trust Bank", "Type": "BANK",
                                           "BankAccountNumber": "1234"})
    assert refused.json["Elements"][0]["ValidationErrors"][0]["Message"] == (
        "The Bank Account Number must contain a 6-digit BSB code and account number")
    accepted = demo.put(f"{API}/Accounts", {"Code": "095", "Name": "Trust Bank", "Type": "BANK",
                                            "BankAccountNumber": "062000123456"})
    assert accepted.status_code == 200


def test_archive_an_account_then_lines_cannot_use_it(demo: Connected) -> None:
    account = demo.put(f"{API}/Accounts", {"Code": "4200", "Name": "Old Fees",
                                           "Type": "REVENUE"}).json["Accounts"][0]
    archived = demo.post(f"{API}/Accounts/{account['AccountID']}",
                         {"Accounts": [{"Status": "ARCHIVED"}]})
    assert archived.json["Accounts"][0]["Status"] == "ARCHIVED"
    result = create(demo, "Invoices", invoice(contact_id(demo), account="4200"))[0]
    assert errors(result) == ["Account code '4200' has been archived, or has been deleted. Each "
                              "line item must reference a valid account."]


# ---------------------------------------------------------------- contacts


def test_contacts_create_get_update_and_unique_name(demo: Connected) -> None:
    made = one(demo, "Contacts", {"Name": "Acme Law", "EmailAddress": "a@acme.example",
                                  "ContactNumber": "C-1"})
    fetched = demo.get(f"{API}/Contacts/{made['ContactID']}").json["Contacts"][0]
    assert fetched["Name"] == "Acme Law"
    dup = create(demo, "Contacts", {"Name": "Acme Law"}, {"Name": "Other", "ContactNumber": "C-1"},
                 {"Name": "Bad Mail", "EmailAddress": "nope"})
    assert errors(dup[0]) == ["The contact name Acme Law is already assigned to another contact. "
                              "The contact name must be unique across all active contacts."]
    assert errors(dup[1]) == ["Another contact has this contact number. Please enter a different "
                              "contact number."]
    assert errors(dup[2]) == ["Email address must be valid."]
    assert dup[0]["HasValidationErrors"] is True
    updated = demo.post(f"{API}/Contacts/{made['ContactID']}",
                        {"Contacts": [{"EmailAddress": "b@acme.example"}]})
    assert updated.json["Contacts"][0]["EmailAddress"] == "b@acme.example"
    upsert = demo.post(f"{API}/Contacts", {"Contacts": [{"Name": "Acme Law", "Website": "x"}]})
    assert upsert.json["Contacts"][0]["ContactID"] == made["ContactID"]


def test_contacts_paged_and_searched(demo: Connected) -> None:
    paged = demo.get(f"{API}/Contacts", query={"page": "1", "pageSize": "2"}).json
    assert paged["pagination"] == {"page": 1, "pageSize": 2, "pageCount": 2, "itemCount": 3}
    assert len(paged["Contacts"]) == 2


# ---------------------------------------------------------------- invoices


def test_invoice_totals_with_gst_exclusive_and_inclusive(demo: Connected) -> None:
    cid = contact_id(demo)
    exclusive = one(demo, "Invoices", invoice(cid, unit=100))
    assert (exclusive["SubTotal"], exclusive["TotalTax"], exclusive["Total"]) == (100, 10, 110)
    inclusive = one(demo, "Invoices", invoice(cid, unit=110, LineAmountTypes="Inclusive"))
    assert (inclusive["SubTotal"], inclusive["TotalTax"], inclusive["Total"]) == (100, 10, 110)
    assert exclusive["InvoiceNumber"] != inclusive["InvoiceNumber"]
    assert exclusive["AmountDue"] == 110


def test_batch_with_summarize_errors_false_answers_per_element(demo: Connected) -> None:
    cid = contact_id(demo)
    results = create(demo, "Invoices", invoice(cid), invoice(cid, account="999"),
                     invoice(cid, account="090"), {"Type": "ACCREC", "LineItems": []},
                     invoice(cid, kind="NOPE"))
    assert [r["StatusAttributeString"] for r in results] == ["OK", "ERROR", "ERROR", "ERROR",
                                                             "ERROR"]
    assert errors(results[1]) == ["Account code '999' is not a valid code for this document."]
    assert errors(results[2]) == ["Account code '090' is not a valid code for this document."]
    assert errors(results[3]) == ["The Contact must contain at least 1 of the following elements "
                                  "to identify the contact: Name, ContactID, ContactNumber"]
    assert errors(results[4]) == ["Invoice not of valid type for creation"]
    assert results[1]["InvoiceID"] == "00000000-0000-0000-0000-000000000000"
    assert len(demo.get(f"{API}/Invoices").json["Invoices"]) == 1


def test_summarised_batch_is_a_400_validation_exception(demo: Connected) -> None:
    cid = contact_id(demo)
    answer = demo.put(f"{API}/Invoices", {"Invoices": [invoice(cid, account="999")]})
    assert answer.status_code == 400
    assert answer.json["Type"] == "ValidationException"
    assert answer.json["ErrorNumber"] == 10
    assert answer.json["Message"] == "A validation exception occurred"


def test_accrec_invoice_number_must_be_unique(demo: Connected) -> None:
    cid = contact_id(demo)
    one(demo, "Invoices", invoice(cid, InvoiceNumber="INV-9"))
    again = create(demo, "Invoices", invoice(cid, InvoiceNumber="INV-9"))[0]
    assert errors(again) == ["Invoice # must be unique."]
    bill = one(demo, "Invoices", invoice(cid, kind="ACCPAY", account="400", InvoiceNumber="B1"))
    assert one(demo, "Invoices", invoice(cid, kind="ACCPAY", account="400",
                                         InvoiceNumber="B1"))["InvoiceID"] != bill["InvoiceID"]


def test_new_contact_name_on_an_invoice_creates_the_contact(demo: Connected) -> None:
    made = one(demo, "Invoices", {**invoice(""), "Contact": {"Name": "Walk-in Client"}})
    assert made["Contact"]["Name"] == "Walk-in Client"
    assert contact_id(demo, "Walk-in Client") == made["Contact"]["ContactID"]


def test_draft_can_be_authorised_then_voided(demo: Connected) -> None:
    draft = one(demo, "Invoices", invoice(contact_id(demo), status="DRAFT"))
    path = f"{API}/Invoices/{draft['InvoiceID']}"
    assert demo.post(path, {"Invoices": [{"Status": "SUBMITTED"}]}).json["Invoices"][0][
        "Status"] == "SUBMITTED"
    assert demo.post(path, {"Status": "AUTHORISED"}).json["Invoices"][0]["Status"] == "AUTHORISED"
    voided = demo.post(path, {"Invoices": [{"Status": "VOIDED"}]})
    assert voided.json["Invoices"][0]["Status"] == "VOIDED"
    again = demo.post(path, {"Invoices": [{"Status": "AUTHORISED"}]})
    assert again.status_code == 400
    assert again.json["Elements"][0]["ValidationErrors"][0]["Message"] == (
        "Invoice not of valid status for modification")


def test_authorised_cannot_be_deleted_and_draft_can(demo: Connected) -> None:
    cid = contact_id(demo)
    authorised = one(demo, "Invoices", invoice(cid))
    refused = demo.post(f"{API}/Invoices/{authorised['InvoiceID']}", {"Status": "DELETED"})
    assert refused.status_code == 400
    draft = one(demo, "Invoices", invoice(cid, status="DRAFT"))
    deleted = demo.post(f"{API}/Invoices/{draft['InvoiceID']}",
                        {"InvoiceNumber": draft["InvoiceNumber"], "Status": "DELETED"})
    assert deleted.json["Invoices"][0]["Status"] == "DELETED"


def test_draft_may_lack_an_account_but_authorising_needs_one(demo: Connected) -> None:
    element = invoice(contact_id(demo), status="DRAFT")
    del element["LineItems"][0]["AccountCode"]
    draft = one(demo, "Invoices", element)
    refused = demo.post(f"{API}/Invoices/{draft['InvoiceID']}", {"Status": "AUTHORISED"})
    assert refused.json["Elements"][0]["ValidationErrors"][0]["Message"] == (
        "Account code must be specified")


def test_unknown_tax_type_uses_xeros_message(demo: Connected) -> None:
    element = invoice(contact_id(demo))
    element["LineItems"][0]["TaxType"] = "GST on Income"
    assert errors(create(demo, "Invoices", element)[0]) == [
        "The TaxType code GST on Income does not exist or cannot be used for this type of "
        "transaction."]


def test_unpaged_invoice_list_has_no_lines_paged_has(demo: Connected) -> None:
    one(demo, "Invoices", invoice(contact_id(demo)))
    assert "LineItems" not in demo.get(f"{API}/Invoices").json["Invoices"][0]
    paged = demo.get(f"{API}/Invoices", query={"page": "1"}).json
    assert paged["Invoices"][0]["LineItems"][0]["AccountCode"] == "200"
    assert paged["pagination"]["itemCount"] == 1


def test_invoice_filters(demo: Connected) -> None:
    cid = contact_id(demo)
    first = one(demo, "Invoices", invoice(cid))
    one(demo, "Invoices", invoice(cid, status="DRAFT"))
    assert [i["InvoiceID"] for i in demo.get(f"{API}/Invoices", query={
        "IDs": first["InvoiceID"]}).json["Invoices"]] == [first["InvoiceID"]]
    assert len(demo.get(f"{API}/Invoices", query={"Statuses": "DRAFT"}).json["Invoices"]) == 1
    assert len(demo.get(f"{API}/Invoices", query={"where": 'Type=="ACCREC"'}).json[
        "Invoices"]) == 2


# ---------------------------------------------------------------- payments


def test_payment_marks_invoice_paid_and_deleting_it_reverts(demo: Connected) -> None:
    made = one(demo, "Invoices", invoice(contact_id(demo)))
    payment = one(demo, "Payments", {"Invoice": {"InvoiceID": made["InvoiceID"]},
                                     "Account": {"Code": "090"}, "Date": "2026-11-10",
                                     "Amount": 110})
    assert payment["PaymentType"] == "ACCRECPAYMENT"
    path = f"{API}/Invoices/{made['InvoiceID']}"
    paid = demo.get(path).json["Invoices"][0]
    assert (paid["Status"], paid["AmountDue"], paid["AmountPaid"]) == ("PAID", 0, 110)
    assert demo.get(f"{API}/Payments/{payment['PaymentID']}").json["Payments"][0]["Amount"] == 110
    deleted = demo.post(f"{API}/Payments/{payment['PaymentID']}", {"Status": "DELETED"})
    assert deleted.json["Payments"][0]["Status"] == "DELETED"
    assert demo.get(path).json["Invoices"][0]["Status"] == "AUTHORISED"


def test_payment_rules_use_xeros_messages(demo: Connected) -> None:
    cid = contact_id(demo)
    draft = one(demo, "Invoices", invoice(cid, status="DRAFT"))
    authorised = one(demo, "Invoices", invoice(cid))
    results = create(demo, "Payments",
                     {"Invoice": {"InvoiceID": draft["InvoiceID"]}, "Account": {"Code": "090"},
                      "Amount": 1},
                     {"Invoice": {"InvoiceID": authorised["InvoiceID"]},
                      "Account": {"Code": "090"}, "Amount": 111},
                     {"Invoice": {"InvoiceID": authorised["InvoiceID"]},
                      "Account": {"Code": "999"}, "Amount": 1})
    assert errors(results[0]) == ["Payments can only be made against authorised documents."]
    assert errors(results[1]) == ["Payment amount exceeds the amount outstanding on this "
                                  "document"]
    assert errors(results[2]) == ["Account could not be found."]
    assert results[0]["HasValidationErrors"] is True


def test_part_paid_invoice_cannot_be_voided(demo: Connected) -> None:
    made = one(demo, "Invoices", invoice(contact_id(demo)))
    one(demo, "Payments", {"Invoice": {"InvoiceID": made["InvoiceID"]},
                           "Account": {"Code": "090"}, "Amount": 10})
    refused = demo.post(f"{API}/Invoices/{made['InvoiceID']}", {"Status": "VOIDED"})
    assert refused.json["Elements"][0]["ValidationErrors"][0]["Message"] == (
        "This document cannot be edited as it has a payment or credit note allocated to it.")


def test_single_payment_by_post(demo: Connected) -> None:
    made = one(demo, "Invoices", invoice(contact_id(demo)))
    answer = demo.post(f"{API}/Payments", {"Invoice": {"InvoiceID": made["InvoiceID"]},
                                           "Account": {"Code": "090"}, "Amount": 5})
    assert answer.status_code == 200
    assert answer.json["Payments"][0]["Invoice"]["InvoiceID"] == made["InvoiceID"]


# ---------------------------------------------------------------- credit notes


def test_credit_note_allocation_and_its_rules(demo: Connected) -> None:
    cid = contact_id(demo)
    made = one(demo, "Invoices", invoice(cid))
    note = one(demo, "CreditNotes", {"Type": "ACCRECCREDIT", "Contact": {"ContactID": cid},
                                     "Date": "2026-11-03", "Status": "AUTHORISED",
                                     "LineItems": [{"Description": "Discount", "Quantity": 1,
                                                    "UnitAmount": 20, "AccountCode": "200"}]})
    assert note["Total"] == 22 and note["RemainingCredit"] == 22
    path = f"{API}/CreditNotes/{note['CreditNoteID']}/Allocations"
    too_much = demo.put(path, {"Allocations": [{"Amount": 23, "Date": "2026-11-04",
                                                "Invoice": {"InvoiceID": made["InvoiceID"]}}]},
                        query={"summarizeErrors": "false"})
    assert errors(too_much.json["Allocations"][0]) == [
        "Credit Note cannot be allocated as amount is greater than amount outstanding"]
    done = demo.put(path, {"Allocations": [{"Amount": 22, "Date": "2026-11-04",
                                            "Invoice": {"InvoiceID": made["InvoiceID"]}}]})
    allocation = done.json["Allocations"][0]
    assert allocation["Amount"] == 22
    after = demo.get(f"{API}/CreditNotes/{note['CreditNoteID']}").json["CreditNotes"][0]
    assert (after["Status"], after["RemainingCredit"]) == ("PAID", 0)
    inv = demo.get(f"{API}/Invoices/{made['InvoiceID']}").json["Invoices"][0]
    assert (inv["AmountCredited"], inv["AmountDue"]) == (22, 88)
    removed = demo.call("DELETE", f"{path}/{allocation['AllocationID']}")
    assert removed.json["IsDeleted"] is True
    assert demo.get(f"{API}/CreditNotes/{note['CreditNoteID']}").json["CreditNotes"][0][
        "RemainingCredit"] == 22


def test_credit_note_cannot_go_to_a_bill(demo: Connected) -> None:
    cid = contact_id(demo)
    bill = one(demo, "Invoices", invoice(cid, kind="ACCPAY", account="400"))
    note = one(demo, "CreditNotes", {"Type": "ACCRECCREDIT", "Contact": {"ContactID": cid},
                                     "Status": "AUTHORISED", "LineItems": [
                                         {"Description": "x", "Quantity": 1, "UnitAmount": 5,
                                          "AccountCode": "200"}]})
    answer = demo.put(f"{API}/CreditNotes/{note['CreditNoteID']}/Allocations",
                      {"Allocations": [{"Amount": 1, "Date": "2026-11-04",
                                        "Invoice": {"InvoiceID": bill["InvoiceID"]}}]})
    assert answer.status_code == 400
    assert answer.json["Elements"][0]["ValidationErrors"][0]["Message"] == (
        "Credit Note cannot be allocated to an incorrect invoice type")


# ---------------------------------------------------------------- banking and journals


def test_bank_transactions_receive_spend_and_delete(demo: Connected) -> None:
    cid = contact_id(demo)
    received = one(demo, "BankTransactions", {
        "Type": "RECEIVE", "Contact": {"ContactID": cid}, "BankAccount": {"Code": "090"},
        "Date": "2026-11-05", "LineItems": [{"Description": "Fee", "Quantity": 1,
                                             "UnitAmount": 55, "AccountCode": "200"}]})
    assert received["Total"] == 60.5
    spent = create(demo, "BankTransactions", {
        "Type": "SPEND", "Contact": {"ContactID": cid}, "BankAccount": {"Code": "200"},
        "LineItems": [{"Description": "x", "UnitAmount": 1, "AccountCode": "400"}]})[0]
    assert errors(spent) == ["Account code '200' is not a valid code for this document."]
    path = f"{API}/BankTransactions/{received['BankTransactionID']}"
    assert demo.get(path).json["BankTransactions"][0]["Type"] == "RECEIVE"
    assert demo.post(path, {"BankTransactions": [{"Status": "DELETED"}]}).json[
        "BankTransactions"][0]["Status"] == "DELETED"
    assert demo.get(f"{API}/BankTransactions", query={"page": "1"}).json["pagination"][
        "itemCount"] == 1


def test_bank_transfer_create_list_and_delete(demo: Connected) -> None:
    transfer = demo.put(f"{API}/BankTransfers", {"BankTransfers": [{
        "FromBankAccount": {"Code": "090"}, "ToBankAccount": {"Code": "091"}, "Amount": 250,
        "Date": "2026-11-06"}]}).json["BankTransfers"][0]
    assert transfer["Status"] == "AUTHORISED"
    assert len(demo.get(f"{API}/BankTransfers").json["BankTransfers"]) == 1
    path = f"{API}/BankTransfers/{transfer['BankTransferID']}"
    assert demo.get(path).json["BankTransfers"][0]["Amount"] == 250
    assert demo.post(path, {"Status": "DELETED"}).json["BankTransfers"][0]["Status"] == "DELETED"
    assert demo.get(f"{API}/BankTransfers").json["BankTransfers"] == []
    assert len(demo.get(f"{API}/BankTransfers", query={"includeDeleted": "true"}).json[
        "BankTransfers"]) == 1


def test_manual_journal_must_balance(demo: Connected) -> None:
    lines = [{"LineAmount": 100, "AccountCode": "400"}, {"LineAmount": -10, "AccountCode": "200"}]
    refused = create(demo, "ManualJournals", {"Narration": "Oops", "JournalLines": lines})[0]
    assert errors(refused) == ["The total debits (100.00) must equal total credits (-10.00)"]
    posted = one(demo, "ManualJournals", {"Narration": "Reclass", "Status": "POSTED",
                                          "Date": "2026-11-07", "JournalLines": [
                                              {"LineAmount": 100, "AccountCode": "400"},
                                              {"LineAmount": -100, "AccountCode": "429"}]})
    assert posted["LineAmountTypes"] == "NoTax"
    path = f"{API}/ManualJournals/{posted['ManualJournalID']}"
    assert demo.get(path).json["ManualJournals"][0]["Narration"] == "Reclass"
    assert demo.post(path, {"ManualJournals": [{"Status": "VOIDED"}]}).json["ManualJournals"][0][
        "Status"] == "VOIDED"


def test_tracking_categories_and_options(demo: Connected) -> None:
    category = demo.put(f"{API}/TrackingCategories", {"Name": "Matter Type"}).json[
        "TrackingCategories"][0]
    option = demo.put(f"{API}/TrackingCategories/{category['TrackingCategoryID']}/Options",
                      {"Name": "Litigation"})
    assert option.json["Options"][0]["Name"] == "Litigation"
    listed = demo.get(f"{API}/TrackingCategories").json["TrackingCategories"]
    assert listed[0]["Options"][0]["Name"] == "Litigation"
    demo.put(f"{API}/TrackingCategories", {"Name": "Region"})
    third = demo.put(f"{API}/TrackingCategories", {"Name": "Office"})
    assert third.status_code == 400


# ---------------------------------------------------------------- trial balance


def test_trial_balance_follows_everything_posted(demo: Connected) -> None:
    cid = contact_id(demo)
    sale = one(demo, "Invoices", invoice(cid, unit=1000))                   # AR 1100 / 200 / GST
    one(demo, "Invoices", invoice(cid, kind="ACCPAY", account="469", unit=200))  # rent bill
    one(demo, "Payments", {"Invoice": {"InvoiceID": sale["InvoiceID"]},
                           "Account": {"Code": "090"}, "Amount": 1100, "Date": "2026-11-10"})
    one(demo, "BankTransactions", {"Type": "SPEND", "Contact": {"ContactID": cid},
                                   "BankAccount": {"Code": "090"}, "Date": "2026-11-11",
                                   "LineItems": [{"Description": "Fees", "UnitAmount": 15,
                                                  "AccountCode": "404"}]})
    demo.put(f"{API}/BankTransfers", {"BankTransfers": [{"FromBankAccount": {"Code": "090"},
                                                         "ToBankAccount": {"Code": "091"},
                                                         "Amount": 500, "Date": "2026-11-12"}]})
    one(demo, "Invoices", invoice(cid, status="DRAFT", unit=999))        # drafts post nothing
    rows = trial_balance(demo)
    assert ytd_net(rows, "Sales (200)") == Decimal("-1000")
    assert ytd_net(rows, "Rent (469)") == Decimal("200")
    assert ytd_net(rows, "Accounts Receivable (610)") == Decimal("0")
    assert ytd_net(rows, "Accounts Payable (800)") == Decimal("-220")
    assert ytd_net(rows, "GST (820)") == Decimal("-80")
    assert ytd_net(rows, "Business Bank Account (090)") == Decimal("585")
    assert ytd_net(rows, "Business Savings Account (091)") == Decimal("500")
    assert ytd_net(rows, "Bank Fees (404)") == Decimal("15")
    debit, credit, ytd_debit, ytd_credit = rows["Total"]
    assert debit == credit and ytd_debit == ytd_credit


def test_trial_balance_as_at_an_earlier_date_excludes_later_postings(demo: Connected) -> None:
    one(demo, "Invoices", invoice(contact_id(demo), unit=100))
    assert "Sales (200)" not in trial_balance(demo, "2026-11-01")
    assert ytd_net(trial_balance(demo, "2026-11-02"), "Sales (200)") == Decimal("-100")


# ---------------------------------------------------------------- coverage of the official file


IN_SCOPE = {
    ("GET", "/api.xro/2.0/Organisation"), ("GET", "/api.xro/2.0/Accounts"),
    ("PUT", "/api.xro/2.0/Accounts"), ("POST", "/api.xro/2.0/Accounts/{id}"),
    ("GET", "/api.xro/2.0/Contacts"), ("PUT", "/api.xro/2.0/Contacts"),
    ("POST", "/api.xro/2.0/Contacts"), ("GET", "/api.xro/2.0/Contacts/{id}"),
    ("POST", "/api.xro/2.0/Contacts/{id}"),
    ("GET", "/api.xro/2.0/Invoices"), ("PUT", "/api.xro/2.0/Invoices"),
    ("GET", "/api.xro/2.0/Invoices/{id}"), ("POST", "/api.xro/2.0/Invoices/{id}"),
    ("GET", "/api.xro/2.0/Payments/{id}"), ("PUT", "/api.xro/2.0/Payments"),
    ("POST", "/api.xro/2.0/Payments"), ("POST", "/api.xro/2.0/Payments/{id}"),
    ("PUT", "/api.xro/2.0/CreditNotes"), ("GET", "/api.xro/2.0/CreditNotes/{id}"),
    ("PUT", "/api.xro/2.0/CreditNotes/{id}/Allocations"),
    ("DELETE", "/api.xro/2.0/CreditNotes/{id}/Allocations/{id}"),
    ("PUT", "/api.xro/2.0/BankTransactions"), ("GET", "/api.xro/2.0/BankTransactions"),
    ("GET", "/api.xro/2.0/BankTransactions/{id}"), ("POST", "/api.xro/2.0/BankTransactions/{id}"),
    ("PUT", "/api.xro/2.0/BankTransfers"), ("GET", "/api.xro/2.0/BankTransfers"),
    ("GET", "/api.xro/2.0/BankTransfers/{id}"), ("POST", "/api.xro/2.0/BankTransfers/{id}"),
    ("PUT", "/api.xro/2.0/ManualJournals"), ("GET", "/api.xro/2.0/ManualJournals/{id}"),
    ("POST", "/api.xro/2.0/ManualJournals/{id}"),
    ("GET", "/api.xro/2.0/TrackingCategories"), ("PUT", "/api.xro/2.0/TrackingCategories"),
    ("PUT", "/api.xro/2.0/TrackingCategories/{id}/Options"),
    ("GET", "/api.xro/2.0/TaxRates"), ("GET", "/api.xro/2.0/Currencies"),
    ("GET", "/api.xro/2.0/Reports/TrialBalance"),
}


def test_every_operation_in_scope_was_validated_against_the_official_file(
        demo: Connected, request: pytest.FixtureRequest) -> None:
    """Defined last so it runs last: the tests above validated each answer as they went.

    Coverage is counted per process, so under pytest-xdist the module must stay on one worker
    (`--dist loadfile`, as ./test runs it).
    """
    main_argv = getattr(request.config, "workerinput", {}).get("mainargv", [])
    whole_file_per_worker = "loadfile" in main_argv or "--dist=loadfile" in main_argv
    if os.environ.get("PYTEST_XDIST_WORKER") and not whole_file_per_worker:
        pytest.skip("coverage is counted per process: run with --dist loadfile or without -n")
    assert demo.specs is not None
    missing = IN_SCOPE - demo.specs.checked
    assert not missing, sorted(missing)


# ---------------------------------------------------------------- more reading rules


def test_invoice_can_be_fetched_by_its_number(demo: Connected) -> None:
    made = one(demo, "Invoices", invoice(contact_id(demo)))
    fetched = demo.get(f"{API}/Invoices/{made['InvoiceNumber']}").json["Invoices"][0]
    assert fetched["InvoiceID"] == made["InvoiceID"]


def test_if_modified_since_returns_only_later_changes(demo: Connected, control: Any) -> None:
    one(demo, "Contacts", {"Name": "Before"})
    control.post("/_sandbox/clock", json={"advance_seconds": 120})
    now = control.get("/_sandbox/clock").json["now_iso"]
    control.post("/_sandbox/clock", json={"advance_seconds": 5})
    one(demo, "Contacts", {"Name": "After"})
    changed = demo.get(f"{API}/Contacts", **{"If-Modified-Since": now}).json["Contacts"]
    assert [c["Name"] for c in changed] == ["After"]


def test_earlier_years_profit_rolls_into_retained_earnings(demo: Connected) -> None:
    cid = contact_id(demo)
    last_year = invoice(cid, unit=300)
    last_year.update(Date="2026-03-01", DueDate="2026-03-31")
    one(demo, "Invoices", last_year)
    one(demo, "Invoices", invoice(cid, unit=100))
    rows = trial_balance(demo)
    assert ytd_net(rows, "Sales (200)") == Decimal("-100")
    assert ytd_net(rows, "Retained Earnings (960)") == Decimal("-300")
    assert rows["Total"][2] == rows["Total"][3]


def test_no_code_accounts_work_by_account_id_and_show_by_name(connect: Any) -> None:
    nocode = connect(tenants=[NOCODE_ORG])
    accounts = {a["Name"]: a for a in nocode.get(f"{API}/Accounts").json["Accounts"]}
    trust, outlays = accounts["Trust Account"], accounts["Sundry Legal Outlays"]
    contact = one(nocode, "Contacts", {"Name": "Client A"})
    one(nocode, "BankTransactions", {
        "Type": "SPEND", "Contact": {"ContactID": contact["ContactID"]},
        "BankAccount": {"AccountID": trust["AccountID"]}, "Date": "2026-11-05",
        "LineItems": [{"Description": "Search fee", "UnitAmount": 110,
                       "AccountID": outlays["AccountID"]}], "LineAmountTypes": "Inclusive"})
    rows = trial_balance(nocode)
    assert ytd_net(rows, "Sundry Legal Outlays") == Decimal("100")
    assert ytd_net(rows, "Trust Account") == Decimal("-110")


def test_bank_transfers_show_as_transfer_bank_transactions(demo: Connected) -> None:
    transfer = demo.put(f"{API}/BankTransfers", {"BankTransfers": [{
        "FromBankAccount": {"Code": "090"}, "ToBankAccount": {"Code": "091"}, "Amount": 75,
        "Date": "2026-11-06"}]}).json["BankTransfers"][0]
    listed = demo.get(f"{API}/BankTransactions").json["BankTransactions"]
    assert {(t["Type"], t["Total"]) for t in listed} == {("SPEND-TRANSFER", 75),
                                                         ("RECEIVE-TRANSFER", 75)}
    leg = demo.get(f"{API}/BankTransactions/{transfer['FromBankTransactionID']}")
    assert leg.json["BankTransactions"][0]["BankAccount"]["Code"] == "090"
    assert "Xero-Correlation-Id" in leg.headers
    rows = trial_balance(demo)
    assert ytd_net(rows, "Business Savings Account (091)") == Decimal("75")


def test_a_paid_invoice_cannot_be_edited(demo: Connected) -> None:
    made = one(demo, "Invoices", invoice(contact_id(demo)))
    one(demo, "Payments", {"Invoice": {"InvoiceID": made["InvoiceID"]},
                           "Account": {"Code": "090"}, "Amount": 110})
    refused = demo.post(f"{API}/Invoices/{made['InvoiceID']}", {"Reference": "changed"})
    assert refused.json["Elements"][0]["ValidationErrors"][0]["Message"] == (
        "This document cannot be edited as it has a payment or credit note allocated to it.")


def test_absurd_dates_are_validation_errors(demo: Connected) -> None:
    for day in ("/Date(999999999999999999)/", "2026-02-30", "soon"):
        result = create(demo, "Invoices", invoice(contact_id(demo), Date=day))[0]
        assert result["StatusAttributeString"] == "ERROR"


def test_contacts_search_term(demo: Connected) -> None:
    found = demo.get(f"{API}/Contacts", query={"searchTerm": "ridgeway"}).json["Contacts"]
    assert [c["Name"] for c in found] == ["Ridgeway University"]
