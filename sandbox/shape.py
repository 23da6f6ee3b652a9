"""Request elements are checked for JSON types before any rule runs, as Xero's model binding does:
text fields take text (numbers are read as text), amounts take numbers, flags take booleans,
references take objects and line collections take lists of objects. Anything else fails the
element with a ValidationError (sandbox wording: Xero's text for these cases is not recorded).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.books import Doc, Invalid

TEXT = {"Type", "Status", "LineAmountTypes", "Reference", "Url", "InvoiceNumber",
        "CreditNoteNumber", "Narration", "Name", "Code", "Description", "BankAccountNumber",
        "TaxType", "AccountCode", "AccountID", "ContactID", "ContactNumber", "InvoiceID",
        "CreditNoteID", "PaymentID", "BankTransactionID", "BankTransferID", "ManualJournalID",
        "TrackingCategoryID", "TrackingOptionID", "EmailAddress", "FirstName", "LastName",
        "CompanyNumber", "TaxNumber", "Website", "ContactStatus", "AccountNumber", "Date",
        "DueDate", "Option", "AddressLine1", "AddressLine2", "City", "Region", "PostalCode",
        "Country", "PhoneNumber", "PhoneAreaCode", "PhoneCountryCode", "BankAccountDetails"}
FLAGS = {"SentToContact", "IsReconciled", "EnablePaymentsToAccount", "ShowOnCashBasisReports",
         "FromIsReconciled", "ToIsReconciled", "ShowInExpenseClaims", "IncludeInEmails"}
AMOUNTS = {"Quantity", "UnitAmount", "LineAmount", "TaxAmount", "Amount", "DiscountRate"}
REFERENCES = {"Contact", "Invoice", "CreditNote", "Account", "BankAccount", "FromBankAccount",
              "ToBankAccount"}
LISTS = {"LineItems", "JournalLines", "Tracking", "Addresses", "Phones", "ContactPersons"}
CHOICES = {"AddressType": {"POBOX", "STREET", "DELIVERY"},
           "PhoneType": {"DEFAULT", "DDI", "MOBILE", "FAX", "OFFICE"}}


def _bad(key: str) -> Invalid:
    return Invalid(f"'{key}' has an invalid value")


def _text(key: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise _bad(key)
    return value if isinstance(value, str) else str(value)


def _amount(key: str, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise _bad(key)
    return value


def _value(key: str, value: Any) -> Any:
    if value is None:
        return None
    if key in TEXT:
        return _text(key, value)
    if key in AMOUNTS:
        return _amount(key, value)
    if key in FLAGS:
        if not isinstance(value, bool):
            raise _bad(key)
        return value
    if key in CHOICES:
        if value not in CHOICES[key] if isinstance(value, str) else True:
            raise _bad(key)
        return value
    if key in REFERENCES:
        if not isinstance(value, dict):
            raise _bad(key)
        return normalise(value)
    if key in LISTS:
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise _bad(key)
        return [normalise(item) for item in value]
    return value


def normalise(element: Doc) -> Doc:
    """The element with its known fields type-checked (and numbers-as-text read as text)."""
    return {key: _value(key, value) for key, value in element.items()}
