"""How a failed element is echoed back: what the client sent, cut down to values Xero's schema
(and the SDK's strict models) accept, plus a zero id and its ValidationErrors (FACTS §6.2).

Junk a client sent (a number where a date belongs, an unknown enum) is dropped from the echo
rather than repeated, so a client can always parse the answer and read the messages.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sandbox.xerojson import ZERO_ID, parse_date

TEXT_FIELDS = ("Reference", "InvoiceNumber", "CreditNoteNumber", "Narration", "Name", "Code",
               "ContactNumber", "EmailAddress", "FirstName", "LastName", "Description", "Url",
               "BankAccountNumber")
DATE_FIELDS = ("Date", "DueDate")
NUMBER_FIELDS = ("Amount", "Quantity", "UnitAmount", "LineAmount", "TaxAmount")
DOCUMENT_STATUSES = {"DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED"}
ACCOUNT_TYPES = {"BANK", "CURRENT", "CURRLIAB", "DEPRECIATN", "DIRECTCOSTS", "EQUITY", "EXPENSE",
                 "FIXED", "INVENTORY", "LIABILITY", "NONCURRENT", "OTHERINCOME", "OVERHEADS",
                 "PREPAYMENT", "REVENUE", "SALES", "TERMLIAB", "PAYG"}
# The enums of each resource's schema, keyed by its id field: an echo may only carry these.
ENUMS_BY_RESOURCE: dict[str, dict[str, set[str]]] = {
    "InvoiceID": {"Type": {"ACCREC", "ACCPAY"}, "Status": DOCUMENT_STATUSES},
    "CreditNoteID": {"Type": {"ACCRECCREDIT", "ACCPAYCREDIT"}, "Status": DOCUMENT_STATUSES},
    "BankTransactionID": {"Type": {"RECEIVE", "SPEND"},
                          "Status": {"AUTHORISED", "DELETED", "VOIDED"}},
    "PaymentID": {"Status": {"AUTHORISED", "DELETED"}},
    "BankTransferID": {"Status": {"AUTHORISED", "DELETED"}},
    "ManualJournalID": {"Status": {"DRAFT", "POSTED", "DELETED", "VOIDED", "ARCHIVED"}},
    "AccountID": {"Type": ACCOUNT_TYPES, "Status": {"ACTIVE", "ARCHIVED", "DELETED"}},
    "ContactID": {"ContactStatus": {"ACTIVE", "ARCHIVED", "GDPRREQUEST"}},
    "TrackingCategoryID": {"Status": {"ACTIVE", "ARCHIVED", "DELETED"}},
}
COMMON_ENUMS = {"LineAmountTypes": {"Exclusive", "Inclusive", "NoTax"}}
# Xero's file marks these fields required even in answers; an echo that lost them (junk input)
# gets neutral values so that it still parses.
REQUIRED_DEFAULTS: dict[str, dict[str, Any]] = {
    "BankTransactionID": {"Type": "SPEND", "LineItems": [], "BankAccount": {}},
    "BankTransferID": {"FromBankAccount": {}, "ToBankAccount": {}, "Amount": 0},
    "ManualJournalID": {"Narration": ""},
    "AllocationID": {"Amount": 0, "Invoice": {}, "Date": "/Date(0+0000)/"},
}


REFERENCES = ("Contact", "Invoice", "CreditNote", "Account", "BankAccount", "FromBankAccount",
              "ToBankAccount")
REFERENCE_KEYS = ("ContactID", "Name", "ContactNumber", "InvoiceID", "InvoiceNumber",
                  "CreditNoteID", "CreditNoteNumber", "AccountID", "Code")
LINE_LISTS = ("LineItems", "JournalLines")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _valid_date(value: Any) -> bool:
    try:
        parse_date(value)
    except (ValueError, TypeError, OverflowError, OSError):
        return False
    return isinstance(value, str)


def _acceptable(key: str, value: Any, enums: dict[str, set[str]]) -> bool:
    """Whether a top-level value may be echoed: the right type, a known enum, a real date."""
    if key in TEXT_FIELDS:
        return isinstance(value, str)
    if key in NUMBER_FIELDS:
        return _is_number(value)
    if key in DATE_FIELDS:
        return _valid_date(value)
    return key in enums and isinstance(value, str) and value in enums[key]


def _scalars(source: dict[str, Any], enums: dict[str, set[str]]) -> dict[str, Any]:
    return {key: value for key, value in source.items() if _acceptable(key, value, enums)}


def _guid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def _keep_text(key: str, value: Any) -> bool:
    """Text, and for *ID fields a real GUID (the schema says format: uuid)."""
    return isinstance(value, str) and (not key.endswith("ID") or _guid(value))


def _reference(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    kept = {key: value[key] for key in REFERENCE_KEYS if _keep_text(key, value.get(key))}
    return kept or None


def _line(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {}
    kept = _scalars(value, {})
    for key in ("AccountCode", "TaxType", "AccountID"):
        if _keep_text(key, value.get(key)):
            kept[key] = value[key]
    return kept


def echo(element: dict[str, Any], id_field: str, error_flag: str,
         messages: list[str]) -> dict[str, Any]:
    """The failed element as it goes back to the client."""
    enums = {**COMMON_ENUMS, **ENUMS_BY_RESOURCE.get(id_field, {})}
    out = _scalars(element, enums)
    for key in REFERENCES:
        reference = _reference(element.get(key))
        if reference is not None:
            out[key] = reference
    for key in LINE_LISTS:
        if isinstance(element.get(key), list):
            out[key] = [_line(item) for item in element[key]]
    out[id_field] = element[id_field] if _keep_text(id_field, element.get(id_field)) else ZERO_ID
    for key, value in REQUIRED_DEFAULTS.get(id_field, {}).items():
        out.setdefault(key, value)
    out[error_flag] = True
    out["ValidationErrors"] = [{"Message": message} for message in messages]
    return out
