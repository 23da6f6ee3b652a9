"""Organisation, Accounts, Contacts, TrackingCategories, TaxRates and Currencies (FACTS §7.1-§7.3,
§7.10-§7.11)."""

from __future__ import annotations

import re

from sandbox import locks
from sandbox.books import Ctx, Doc, Invalid, accounts, dec, find_contact, forget_accounts
from sandbox.seed import ACCOUNT_CLASS, add_account
from sandbox.xerojson import ms_timestamp, new_id, out_money

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
BSB_AND_NUMBER = re.compile(r"^\d{6}\d{1,10}$")


# ---------------------------------------------------------------- organisation


def render_organisation(ctx: Ctx, org: Doc) -> Doc:
    """The organisation as Xero's Organisation (an AU demo company's settings)."""
    return {
        "OrganisationID": org["OrganisationID"], "APIKey": "", "Name": org["Name"],
        "LegalName": org["LegalName"], "PaysTax": True, "Version": "AU",
        "OrganisationType": "COMPANY", "BaseCurrency": "AUD", "CountryCode": "AU",
        "IsDemoCompany": org["IsDemoCompany"], "OrganisationStatus": "ACTIVE",
        "TaxNumber": "12345678901", "FinancialYearEndDay": 30, "FinancialYearEndMonth": 6,
        "SalesTaxBasis": "ACCRUALS", "SalesTaxPeriod": "QUARTERLY1",
        "DefaultSalesTax": "Tax Exclusive", "DefaultPurchasesTax": "Tax Exclusive",
        "CreatedDateUTC": ms_timestamp(org["CreatedDateUTC"]),
        "OrganisationEntityType": "COMPANY", "Timezone": "AUSEASTERNSTANDARDTIME",
        "ShortCode": org["ShortCode"], "Class": org["Class"], "Edition": "BUSINESS",
        "LineOfBusiness": "Legal services", "Addresses": [], "Phones": [], "ExternalLinks": [],
        "PaymentTerms": {},
        **locks.rendered(org),  # PeriodLockDate / EndOfYearLockDate only when set (FACTS §7.1)
    }


# The key actions of OrganisationActions, as in the OpenAPI example; multicurrency is not allowed
# because the sandbox's organisations are single-currency (currencies() below).
ACTIONS = ("CreateApprovedInvoice", "CreateDraftPurchaseOrder", "CreateApprovedBill",
           "AttachFilesIntoInvoice", "UseMulticurrency", "CreateDraftInvoice",
           "CreateRepeatingInvoice", "CreateRepeatingBill", "CreateSentQuote",
           "CreateInvoicePayment", "CreateApprovedPurchaseOrder", "CreateDraftQuote",
           "CreateDraftBill")


def organisation_actions() -> list[Doc]:
    """GET /Organisation/Actions: Name and Status ALLOWED / NOT-ALLOWED (schema Actions)."""
    return [{"Name": name, "Status": "NOT-ALLOWED" if name == "UseMulticurrency" else "ALLOWED"}
            for name in ACTIONS]


# ---------------------------------------------------------------- accounts


def create_account(ctx: Ctx, element: Doc) -> Doc:
    """PUT /Accounts (one account per request, FACTS §4.2)."""
    name, code, acc_type = element.get("Name"), element.get("Code"), element.get("Type")
    if acc_type not in ACCOUNT_CLASS:
        raise Invalid("Account Type must be valid")  # sandbox wording
    if not name:
        raise Invalid("Please enter a Name.")  # sandbox wording
    if code is not None and (len(str(code)) > 10 or not str(code).strip()):
        raise Invalid("Code must be 10 characters or less")  # sandbox wording
    for account in accounts(ctx):
        if account["Status"] == "DELETED":
            continue
        if account["Name"].lower() == str(name).lower():
            raise Invalid("Please enter a unique Name.")
        if code is not None and account["Code"] == str(code):
            raise Invalid("Please enter a unique Code.")  # UNCONFIRMED text (FACTS §6.4)
    if acc_type == "BANK" and not BSB_AND_NUMBER.match(str(element.get("BankAccountNumber", ""))):
        raise Invalid("The Bank Account Number must contain a 6-digit BSB code and account number")
    tax = element.get("TaxType") or "BASEXCLUDED"
    account = add_account(ctx.store, ctx.org, None if code is None else str(code), str(name),
                          acc_type, tax, None, ctx.now)
    extra = {key: element[key] for key in ("Description", "EnablePaymentsToAccount",
                                           "ShowInExpenseClaims", "BankAccountNumber")
             if key in element}
    account.update(extra)
    ctx.store.put("account", account["AccountID"], account, org=ctx.org)
    forget_accounts(ctx)
    return account


def update_account(ctx: Ctx, existing: Doc, element: Doc) -> Doc:
    """POST /Accounts/{id}: rename, re-code, archive (Status ARCHIVED) or restore."""
    account = {**existing, "UpdatedDateUTC": ctx.now}
    for key in ("Name", "Code", "Description", "TaxType", "EnablePaymentsToAccount", "Status"):
        if key in element:
            account[key] = element[key]
    if account["Status"] not in ("ACTIVE", "ARCHIVED"):
        raise Invalid("Account status must be ACTIVE or ARCHIVED")  # sandbox wording
    if account["Status"] == "ARCHIVED" and existing.get("SystemAccount"):
        raise Invalid("System accounts cannot be archived")  # sandbox wording
    ctx.store.put("account", account["AccountID"], account, org=ctx.org)
    forget_accounts(ctx)
    return account


def render_account(ctx: Ctx, account: Doc, with_lines: bool = True) -> Doc:
    """A stored account as Xero's Account (Code absent when the account has none)."""
    out = {key: account.get(key) for key in (
        "AccountID", "Code", "Name", "Type", "TaxType", "Status", "Class", "SystemAccount",
        "EnablePaymentsToAccount", "BankAccountNumber", "BankAccountType", "Description")}
    out.update({"CurrencyCode": "AUD", "ShowInExpenseClaims": False, "HasAttachments": False,
                "ReportingCode": "", "AddToWatchlist": False,
                "UpdatedDateUTC": ms_timestamp(account["UpdatedDateUTC"])})
    return out


# ---------------------------------------------------------------- contacts


def _check_contact(ctx: Ctx, element: Doc, contact_id: str | None) -> None:
    name = element.get("Name")
    for other in ctx.store.all("contact", org=ctx.org):
        if other["ContactID"] == contact_id or other["ContactStatus"] != "ACTIVE":
            continue
        if name and other["Name"] == name:
            raise Invalid(f"The contact name {name} is already assigned to another contact. The "
                          "contact name must be unique across all active contacts.")
        number = element.get("ContactNumber")
        if number and other.get("ContactNumber") == number:
            raise Invalid("Another contact has this contact number. Please enter a different "
                          "contact number.")
    email = element.get("EmailAddress")
    if email and not EMAIL.match(str(email)):
        raise Invalid("Email address must be valid.")
    if element.get("ContactStatus") not in (None, "ACTIVE", "ARCHIVED"):
        raise Invalid("ContactStatus must be ACTIVE or ARCHIVED")  # sandbox wording


CONTACT_FIELDS = ("Name", "ContactNumber", "AccountNumber", "FirstName", "LastName",
                  "EmailAddress", "CompanyNumber", "TaxNumber", "Addresses", "Phones",
                  "ContactPersons", "Website", "ContactStatus", "BankAccountDetails")


def create_contact(ctx: Ctx, element: Doc) -> Doc:
    """PUT /Contacts element (Name and ContactNumber must be unique among active contacts)."""
    if not element.get("Name"):
        raise Invalid("The contact name must be specified")  # sandbox wording
    _check_contact(ctx, element, None)
    contact = {"ContactID": new_id(), "ContactStatus": "ACTIVE", "UpdatedDateUTC": ctx.now}
    contact.update({key: element[key] for key in CONTACT_FIELDS if key in element})
    ctx.store.put("contact", contact["ContactID"], contact, org=ctx.org)
    return contact


def find_contact_for_update(ctx: Ctx, element: Doc) -> Doc | None:
    """POST /Contacts upserts by ContactID, ContactNumber or Name."""
    return find_contact(ctx, element)


def update_contact(ctx: Ctx, existing: Doc, element: Doc) -> Doc:
    """POST /Contacts/{id} element."""
    _check_contact(ctx, element, existing["ContactID"])
    contact = {**existing, "UpdatedDateUTC": ctx.now}
    contact.update({key: element[key] for key in CONTACT_FIELDS if key in element})
    ctx.store.put("contact", contact["ContactID"], contact, org=ctx.org)
    return contact


def _balances(ctx: Ctx, contact_id: str) -> Doc:
    from sandbox.documents import amount_due

    owed = {"ACCREC": dec(0), "ACCPAY": dec(0)}
    for invoice in ctx.store.all("invoice", org=ctx.org):
        if invoice["ContactID"] == contact_id and invoice["Status"] == "AUTHORISED":
            owed[invoice["Type"]] += amount_due(invoice)
    return {"AccountsReceivable": {"Outstanding": out_money(owed["ACCREC"]), "Overdue": 0.0},
            "AccountsPayable": {"Outstanding": out_money(owed["ACCPAY"]), "Overdue": 0.0}}


def render_contact(ctx: Ctx, contact: Doc, with_lines: bool = True) -> Doc:
    """A stored contact as Xero's Contact."""
    out = {key: contact[key] for key in CONTACT_FIELDS if key in contact}
    out.update({
        "ContactID": contact["ContactID"], "ContactStatus": contact["ContactStatus"],
        "IsSupplier": bool(contact.get("IsSupplier")),
        "IsCustomer": bool(contact.get("IsCustomer")), "HasAttachments": False,
        "HasValidationErrors": False, "ContactGroups": [], "ContactPersons":
        contact.get("ContactPersons", []), "Addresses": contact.get("Addresses", []),
        "Phones": contact.get("Phones", []),
        "UpdatedDateUTC": ms_timestamp(contact["UpdatedDateUTC"]),
    })
    if with_lines:
        out["Balances"] = _balances(ctx, contact["ContactID"])
    return out


# ---------------------------------------------------------------- tracking categories


def create_tracking_category(ctx: Ctx, element: Doc) -> Doc:
    """PUT /TrackingCategories {"Name": ...}: at most 2 active categories (FACTS §7.10)."""
    name = element.get("Name")
    if not name or len(str(name)) > 100:
        raise Invalid("Tracking category name must be between 1 and 100 characters")
    existing = ctx.store.all("tracking", org=ctx.org)
    if any(cat["Name"] == name and cat["Status"] != "DELETED" for cat in existing):
        raise Invalid("Please enter a unique Name.")
    if sum(cat["Status"] == "ACTIVE" for cat in existing) >= 2:
        raise Invalid("You can only have 2 active tracking categories")  # sandbox wording
    category = {"TrackingCategoryID": new_id(), "Name": name, "Status": "ACTIVE", "Options": []}
    ctx.store.put("tracking", category["TrackingCategoryID"], category, org=ctx.org)
    return category


def add_tracking_option(ctx: Ctx, category: Doc, element: Doc) -> Doc:
    """PUT /TrackingCategories/{id}/Options {"Name": ...}."""
    name = element.get("Name")
    if not name or len(str(name)) > 100:
        raise Invalid("Tracking option name must be between 1 and 100 characters")
    if any(option["Name"] == name for option in category["Options"]):
        raise Invalid("Please enter a unique Name.")
    option = {"TrackingOptionID": new_id(), "Name": name, "Status": "ACTIVE"}
    updated = {**category, "Options": [*category["Options"], option]}
    ctx.store.put("tracking", category["TrackingCategoryID"], updated, org=ctx.org)
    return option


def update_tracking_category(ctx: Ctx, existing: Doc, element: Doc) -> Doc:
    """POST /TrackingCategories/{id}: rename or archive."""
    category = {**existing}
    for key in ("Name", "Status"):
        if key in element:
            category[key] = element[key]
    ctx.store.put("tracking", category["TrackingCategoryID"], category, org=ctx.org)
    return category


def render_tracking_category(ctx: Ctx, category: Doc, with_lines: bool = True) -> Doc:
    """A stored tracking category as Xero's TrackingCategory."""
    return {"TrackingCategoryID": category["TrackingCategoryID"], "Name": category["Name"],
            "Status": category["Status"],
            "Options": [{**option, "HasValidationErrors": False, "IsDeleted": False,
                         "IsArchived": option["Status"] == "ARCHIVED",
                         "IsActive": option["Status"] == "ACTIVE"}
                        for option in category["Options"]]}


# ---------------------------------------------------------------- tax rates and currencies


def render_tax_rate(ctx: Ctx, rate: Doc, with_lines: bool = True) -> Doc:
    """A seeded AU tax rate as Xero's TaxRate."""
    percent = float(dec(rate["Rate"]))
    return {"Name": rate["Name"], "TaxType": rate["TaxType"], "Status": "ACTIVE",
            "ReportTaxType": rate["ReportTaxType"], "CanApplyToAssets": True,
            "CanApplyToEquity": True, "CanApplyToExpenses": True, "CanApplyToLiabilities": True,
            "CanApplyToRevenue": True, "DisplayTaxRate": percent, "EffectiveRate": percent,
            "TaxComponents": [{"Name": "GST", "Rate": percent, "IsCompound": False,
                               "IsNonRecoverable": False}]}


def currencies() -> list[Doc]:
    """The organisation's currencies (AU demo companies are single-currency)."""
    return [{"Code": "AUD", "Description": "Australian Dollar"}]

