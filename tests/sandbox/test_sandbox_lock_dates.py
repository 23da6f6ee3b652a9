"""Lock dates (FACTS §6.4, §7.1, §7.4) and GET /Organisation/Actions (OpenAPI schema Actions)."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from sandbox.seed import DEMO_ORG
from tests.sandbox.conftest import Connected
from tests.sandbox.test_sandbox_accounting import API, contact_id, create, errors, invoice, one

PERIOD_TEXT = "The document date cannot be before the period lock date, currently set at 31-Oct-2026"
YEAR_TEXT = ("The document date cannot be before the end of year lock date, currently set at "
             "30-Jun-2026")


def _lock(control: FlaskClient, **dates: Any) -> Any:
    return control.post("/_sandbox/lock-dates", json={"tenant_id": DEMO_ORG, **dates})


def _organisation(demo: Connected) -> dict[str, Any]:
    return demo.get(f"{API}/Organisation").json["Organisations"][0]


def test_lock_dates_are_absent_until_set_then_msjson(demo: Connected,
                                                    control: FlaskClient) -> None:
    assert "PeriodLockDate" not in _organisation(demo)
    assert "EndOfYearLockDate" not in _organisation(demo)
    answer = _lock(control, period_lock_date="2026-10-31", end_of_year_lock_date="2026-06-30")
    assert answer.json == {"tenant_id": DEMO_ORG, "period_lock_date": "2026-10-31",
                           "end_of_year_lock_date": "2026-06-30"}
    org = _organisation(demo)
    assert org["PeriodLockDate"] == "/Date(1793404800000+0000)/"
    assert org["EndOfYearLockDate"] == "/Date(1782777600000+0000)/"
    _lock(control, end_of_year_lock_date=None)  # null clears; the other date stays
    assert "EndOfYearLockDate" not in _organisation(demo)
    assert control.get("/_sandbox/lock-dates", query_string={"tenant_id": DEMO_ORG}).json == {
        "tenant_id": DEMO_ORG, "period_lock_date": "2026-10-31", "end_of_year_lock_date": None}


def test_bad_lock_date_or_tenant_is_a_4xx_and_changes_nothing(control: FlaskClient) -> None:
    assert _lock(control, period_lock_date="31/10/2026").status_code == 400
    assert control.post("/_sandbox/lock-dates",
                        json={"tenant_id": "nope", "period_lock_date": None}).status_code == 404
    state = control.get("/_sandbox/lock-dates", query_string={"tenant_id": DEMO_ORG}).json
    assert state["period_lock_date"] is None


def test_inspection_page_shows_the_lock_dates(control: FlaskClient) -> None:
    _lock(control, period_lock_date="2026-10-31")
    page = BeautifulSoup(control.get(f"/_sandbox/org/{DEMO_ORG}").data, "html.parser")
    assert page.find(id="period-lock-date").get_text(strip=True) == "2026-10-31"
    assert page.find(id="end-of-year-lock-date").get_text(strip=True) == "not set"


def test_invoice_on_or_before_the_lock_date_is_refused_with_xeros_text(
        demo: Connected, control: FlaskClient) -> None:
    _lock(control, period_lock_date="2026-10-31")
    cid = contact_id(demo)
    on_the_day, after = create(demo, "Invoices", invoice(cid, Date="2026-10-31"),
                               invoice(cid, Date="2026-11-01"))
    assert errors(on_the_day) == [PERIOD_TEXT]
    assert after["StatusAttributeString"] == "OK"
    # Drafts may still be saved in a locked period, but not authorised there.
    draft = one(demo, "Invoices", invoice(cid, status="DRAFT", Date="2026-10-15"))
    approve = demo.post(f"{API}/Invoices/{draft['InvoiceID']}", {"Status": "AUTHORISED"})
    assert approve.status_code == 400
    assert errors(approve.json["Elements"][0]) == [PERIOD_TEXT]


def test_both_lock_dates_give_both_messages(demo: Connected, control: FlaskClient) -> None:
    _lock(control, period_lock_date="2026-10-31", end_of_year_lock_date="2026-06-30")
    result = create(demo, "Invoices", invoice(contact_id(demo), Date="2026-06-01"))[0]
    assert errors(result) == [PERIOD_TEXT, YEAR_TEXT]


def test_payments_allocations_and_voids_in_a_locked_period_are_refused(
        demo: Connected, control: FlaskClient) -> None:
    cid = contact_id(demo)
    made = one(demo, "Invoices", invoice(cid, Date="2026-10-20"))
    paid = one(demo, "Payments", {"Invoice": {"InvoiceID": made["InvoiceID"]},
                                  "Account": {"Code": "090"}, "Date": "2026-10-21", "Amount": 10})
    note = one(demo, "CreditNotes", {**invoice(cid, Date="2026-11-02", unit=10),
                                     "Type": "ACCRECCREDIT"})
    _lock(control, period_lock_date="2026-10-31")
    late = create(demo, "Payments", {"Invoice": {"InvoiceID": made["InvoiceID"]},
                                     "Account": {"Code": "090"}, "Date": "2026-10-30",
                                     "Amount": 10})[0]
    assert errors(late) == [PERIOD_TEXT]
    undo = demo.post(f"{API}/Payments/{paid['PaymentID']}", {"Status": "DELETED"})
    assert undo.status_code == 400
    allocation = demo.put(f"{API}/CreditNotes/{note['CreditNoteID']}/Allocations",
                          {"Allocations": [{"Amount": 5, "Date": "2026-10-31",
                                            "Invoice": {"InvoiceID": made["InvoiceID"]}}]})
    assert errors(allocation.json["Elements"][0]) == [PERIOD_TEXT]
    void = demo.post(f"{API}/Invoices/{made['InvoiceID']}", {"Status": "VOIDED"})
    assert void.status_code == 400
    assert demo.get(f"{API}/Invoices/{made['InvoiceID']}").json["Invoices"][0]["AmountPaid"] == 10


def test_bank_documents_and_journals_in_a_locked_period_are_refused(
        demo: Connected, control: FlaskClient) -> None:
    _lock(control, end_of_year_lock_date="2026-06-30")
    spend = {"Type": "SPEND", "Contact": {"ContactID": contact_id(demo)}, "Date": "2026-06-30",
             "BankAccount": {"Code": "090"},
             "LineItems": [{"Description": "Stamps", "Quantity": 1, "UnitAmount": 20,
                            "AccountCode": "400"}]}
    assert errors(create(demo, "BankTransactions", spend)[0]) == [YEAR_TEXT]
    transfer = {"FromBankAccount": {"Code": "090"}, "ToBankAccount": {"Code": "091"},
                "Amount": 5, "Date": "2026-05-01"}
    answer = demo.put(f"{API}/BankTransfers", {"BankTransfers": [transfer]})
    assert errors(answer.json["Elements"][0]) == [YEAR_TEXT]
    lines = [{"LineAmount": 10, "AccountCode": "400"}, {"LineAmount": -10, "AccountCode": "200"}]
    journal = {"Narration": "Accrual", "Date": "2026-06-30", "JournalLines": lines}
    assert errors(create(demo, "ManualJournals", {**journal, "Status": "POSTED"})[0]) == [
        YEAR_TEXT]
    draft = one(demo, "ManualJournals", journal)  # a draft journal may be saved there
    post = demo.post(f"{API}/ManualJournals/{draft['ManualJournalID']}", {"Status": "POSTED"})
    assert errors(post.json["Elements"][0]) == [YEAR_TEXT]
    assert one(demo, "BankTransactions", {**spend, "Date": "2026-07-01"})["Status"] == \
        "AUTHORISED"


def test_organisation_actions_answer_xeros_actions_list(demo: Connected) -> None:
    answer = demo.get(f"{API}/Organisation/Actions")
    assert answer.status_code == 200
    assert "Organisations" not in answer.json
    actions = {action["Name"]: action["Status"] for action in answer.json["Actions"]}
    assert actions["CreateApprovedInvoice"] == "ALLOWED"
    assert actions["UseMulticurrency"] == "NOT-ALLOWED"
    assert set(actions.values()) <= {"ALLOWED", "NOT-ALLOWED"}
