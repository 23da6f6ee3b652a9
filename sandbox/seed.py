"""Seeded people, organisations, apps and books: the sandbox's documented starting state.

Ids are fixed so that READMEs, tests and the app's demo configuration can name them.
"""

from __future__ import annotations

from typing import Any

from sandbox.config import redirect_uris
from sandbox.store import Store
from sandbox.xerojson import new_id

DEMO_ORG = "6f1b8a9e-2c4d-4e5f-8a7b-0c1d2e3f4a51"
TRIAL_ORG = "7a2c9b0f-3d5e-4f60-9b8c-1d2e3f4a5b62"
NOCODE_ORG = "8b3d0c1a-4e6f-4071-8c9d-2e3f4a5b6c73"
PRACTICE = "9c4e1d2b-5f70-4182-9dae-3f4a5b6c7d84"

DEMO_PERSON = "demo@example.com"
NO_XPM_PERSON = "bookkeeper@example.com"

# Xero's standard Australian chart (code, name, type, tax type, system account).
AU_CHART: list[tuple[str, str, str, str, str | None]] = [
    ("090", "Business Bank Account", "BANK", "BASEXCLUDED", None),
    ("091", "Business Savings Account", "BANK", "BASEXCLUDED", None),
    ("200", "Sales", "REVENUE", "OUTPUT", None),
    ("260", "Other Revenue", "REVENUE", "OUTPUT", None),
    ("270", "Interest Income", "REVENUE", "EXEMPTOUTPUT", None),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "INPUT", None),
    ("400", "Advertising", "EXPENSE", "INPUT", None),
    ("404", "Bank Fees", "EXPENSE", "EXEMPTEXPENSES", None),
    ("408", "Cleaning", "EXPENSE", "INPUT", None),
    ("412", "Consulting & Accounting", "EXPENSE", "INPUT", None),
    ("416", "Depreciation", "DEPRECIATN", "BASEXCLUDED", None),
    ("420", "Entertainment", "EXPENSE", "BASEXCLUDED", None),
    ("425", "Freight & Courier", "EXPENSE", "INPUT", None),
    ("429", "General Expenses", "EXPENSE", "INPUT", None),
    ("433", "Insurance", "EXPENSE", "INPUT", None),
    ("437", "Interest Expense", "EXPENSE", "EXEMPTEXPENSES", None),
    ("441", "Legal expenses", "EXPENSE", "INPUT", None),
    ("445", "Light, Power, Heating", "EXPENSE", "INPUT", None),
    ("449", "Motor Vehicle Expenses", "EXPENSE", "INPUT", None),
    ("453", "Office Expenses", "EXPENSE", "INPUT", None),
    ("461", "Printing & Stationery", "EXPENSE", "INPUT", None),
    ("469", "Rent", "EXPENSE", "INPUT", None),
    ("473", "Repairs and Maintenance", "EXPENSE", "INPUT", None),
    ("477", "Wages and Salaries", "EXPENSE", "BASEXCLUDED", None),
    ("478", "Superannuation", "EXPENSE", "BASEXCLUDED", None),
    ("485", "Subscriptions", "EXPENSE", "INPUT", None),
    ("489", "Telephone & Internet", "EXPENSE", "INPUT", None),
    ("493", "Travel - National", "EXPENSE", "INPUT", None),
    ("494", "Travel - International", "EXPENSE", "EXEMPTEXPENSES", None),
    ("505", "Income Tax Expense", "EXPENSE", "BASEXCLUDED", None),
    ("610", "Accounts Receivable", "CURRENT", "BASEXCLUDED", "DEBTORS"),
    ("620", "Prepayments", "CURRENT", "BASEXCLUDED", None),
    ("630", "Inventory", "INVENTORY", "BASEXCLUDED", None),
    ("710", "Office Equipment", "FIXED", "INPUT", None),
    ("711", "Less Accumulated Depreciation on Office Equipment", "FIXED", "BASEXCLUDED", None),
    ("720", "Computer Equipment", "FIXED", "INPUT", None),
    ("721", "Less Accumulated Depreciation on Computer Equipment", "FIXED", "BASEXCLUDED", None),
    ("800", "Accounts Payable", "CURRLIAB", "BASEXCLUDED", "CREDITORS"),
    ("801", "Unpaid Expense Claims", "CURRLIAB", "BASEXCLUDED", None),
    ("804", "Wages Payable - Payroll", "CURRLIAB", "BASEXCLUDED", None),
    ("820", "GST", "CURRLIAB", "BASEXCLUDED", "GST"),
    ("825", "PAYG Withholdings Payable", "CURRLIAB", "BASEXCLUDED", None),
    ("826", "Superannuation Payable", "CURRLIAB", "BASEXCLUDED", None),
    ("830", "Income Tax Payable", "CURRLIAB", "BASEXCLUDED", None),
    ("840", "Historical Adjustment", "CURRLIAB", "BASEXCLUDED", "HISTORICAL"),
    ("850", "Suspense", "CURRLIAB", "BASEXCLUDED", None),
    ("860", "Rounding", "CURRLIAB", "BASEXCLUDED", "ROUNDING"),
    ("877", "Tracking Transfers", "CURRLIAB", "BASEXCLUDED", "TRACKINGTRANSFERS"),
    ("880", "Owner A Drawings", "EQUITY", "BASEXCLUDED", None),
    ("881", "Owner A Funds Introduced", "EQUITY", "BASEXCLUDED", None),
    ("900", "Loan", "TERMLIAB", "BASEXCLUDED", None),
    ("960", "Retained Earnings", "EQUITY", "BASEXCLUDED", "RETAINEDEARNINGS"),
    ("970", "Owner A Share Capital", "EQUITY", "BASEXCLUDED", None),
]

# Australian GST tax rates (TaxType, name, rate %, report tax type).
AU_TAX_RATES: list[tuple[str, str, str, str]] = [
    ("OUTPUT", "GST on Income", "10.0000", "OUTPUT"),
    ("INPUT", "GST on Expenses", "10.0000", "INPUT"),
    ("CAPEXINPUT", "GST on Capital", "10.0000", "INPUT"),
    ("EXEMPTOUTPUT", "GST Free Income", "0.0000", "OUTPUT"),
    ("EXEMPTEXPENSES", "GST Free Expenses", "0.0000", "INPUT"),
    ("EXEMPTCAPITAL", "GST Free Capital", "0.0000", "INPUT"),
    ("EXEMPTEXPORT", "GST Free Exports", "0.0000", "OUTPUT"),
    ("INPUTTAXED", "Input Taxed", "0.0000", "INPUT"),
    ("BASEXCLUDED", "BAS Excluded", "0.0000", "NONE"),
    ("GSTONIMPORTS", "GST on Imports", "0.0000", "GSTONIMPORTS"),
]

ACCOUNT_CLASS = {
    "BANK": "ASSET", "CURRENT": "ASSET", "FIXED": "ASSET", "INVENTORY": "ASSET",
    "NONCURRENT": "ASSET", "PREPAYMENT": "ASSET",
    "CURRLIAB": "LIABILITY", "LIABILITY": "LIABILITY", "TERMLIAB": "LIABILITY", "PAYG": "LIABILITY",
    "EQUITY": "EQUITY",
    "REVENUE": "REVENUE", "SALES": "REVENUE", "OTHERINCOME": "REVENUE",
    "EXPENSE": "EXPENSE", "DIRECTCOSTS": "EXPENSE", "OVERHEADS": "EXPENSE", "DEPRECIATN": "EXPENSE",
}


def _org(org_id: str, name: str, org_class: str, short_code: str) -> dict[str, Any]:
    return {
        "OrganisationID": org_id, "Name": name, "LegalName": name, "Class": org_class,
        "ShortCode": short_code, "IsDemoCompany": org_class == "DEMO",
    }


ORGANISATIONS = [
    _org(DEMO_ORG, "Demo Company (AU)", "DEMO", "!sbx01"),
    _org(TRIAL_ORG, "Trial Practice (AU)", "TRIAL", "!sbx02"),
    _org(NOCODE_ORG, "Nocode Legal Pty Ltd", "STANDARD", "!sbx03"),
]

PEOPLE = [
    {"email": DEMO_PERSON, "name": "Demo User", "orgs": [DEMO_ORG, TRIAL_ORG, NOCODE_ORG],
     "practice": PRACTICE},
    {"email": NO_XPM_PERSON, "name": "Bea Bookkeeper", "orgs": [DEMO_ORG, TRIAL_ORG],
     "practice": None},
]

APP_SCOPES = (
    "openid profile email offline_access accounting.transactions accounting.transactions.read "
    "accounting.settings accounting.settings.read accounting.contacts accounting.contacts.read "
    "accounting.reports.read accounting.journals.read accounting.invoices accounting.payments "
    "accounting.banktransactions accounting.manualjournals accounting.reports.trialbalance.read "
    "practicemanager practicemanager.read practicemanager.client practicemanager.client.read "
    "practicemanager.job practicemanager.job.read"
)

CUSTOM_CONNECTION_SCOPES = (
    "accounting.transactions accounting.settings accounting.contacts accounting.reports.read "
    "accounting.journals.read"
)


def seed(store: Store, config: dict[str, Any], now: float) -> None:
    """Write the documented starting state into an empty store."""
    with store.transaction():
        apply_credentials(store, config)
        for org in ORGANISATIONS:
            _seed_org(store, org, now)
        _seed_nocode_accounts(store, now)
        _seed_demo_contacts(store, now)
        _seed_practice(store, now)


def apply_credentials(store: Store, config: dict[str, Any]) -> None:
    """Apps and people from the configuration; run at every start, so SANDBOX_CLIENT_ID & co.
    take effect on an existing database too."""
    _seed_apps(store, config)
    for person in PEOPLE:
        store.put("person", person["email"], {**person, "password": config["DEMO_PASSWORD"]})


def _seed_apps(store: Store, config: dict[str, Any]) -> None:
    store.put("app", config["CLIENT_ID"], {
        "client_id": config["CLIENT_ID"], "client_secret": config["CLIENT_SECRET"],
        "name": config["APP_NAME"], "redirect_uris": redirect_uris(config),
        "scopes": APP_SCOPES.split(), "custom_org": None,
    })
    store.put("app", config["PKCE_CLIENT_ID"], {
        "client_id": config["PKCE_CLIENT_ID"], "client_secret": None,
        "name": f"{config['APP_NAME']} (PKCE)", "redirect_uris": redirect_uris(config),
        "scopes": APP_SCOPES.split(), "custom_org": None,
    })
    store.put("app", config["CUSTOM_CLIENT_ID"], {
        "client_id": config["CUSTOM_CLIENT_ID"], "client_secret": config["CUSTOM_CLIENT_SECRET"],
        "name": f"{config['APP_NAME']} (custom connection)", "redirect_uris": [],
        "scopes": CUSTOM_CONNECTION_SCOPES.split(), "custom_org": DEMO_ORG,
    })


def _seed_org(store: Store, org: dict[str, Any], now: float) -> None:
    body = {**org, "CreatedDateUTC": now}
    store.put("organisation", org["OrganisationID"], body, org=org["OrganisationID"])
    for code, name, acc_type, tax, system in AU_CHART:
        add_account(store, org["OrganisationID"], code, name, acc_type, tax, system, now)
    for tax_type, name, rate, report in AU_TAX_RATES:
        store.put("taxrate", f"{org['OrganisationID']}:{tax_type}", {
            "TaxType": tax_type, "Name": name, "Rate": rate, "ReportTaxType": report,
        }, org=org["OrganisationID"])


def add_account(
    store: Store, org: str, code: str | None, name: str, acc_type: str, tax: str,
    system: str | None, now: float, account_id: str | None = None,
) -> dict[str, Any]:
    """Create one chart-of-accounts entry (used by the seed and by PUT /Accounts)."""
    account = {
        "AccountID": account_id or new_id(), "Code": code, "Name": name, "Type": acc_type,
        "TaxType": tax, "Status": "ACTIVE", "Class": ACCOUNT_CLASS[acc_type],
        "SystemAccount": system, "EnablePaymentsToAccount": False,
        "BankAccountNumber": None, "Description": None, "UpdatedDateUTC": now,
    }
    if acc_type == "BANK":
        account["BankAccountType"] = "BANK"
        account["BankAccountNumber"] = "062000" + (code or "0").rjust(8, "0")
    store.put("account", account["AccountID"], account, org=org)
    return account


def _seed_nocode_accounts(store: Store, now: float) -> None:
    # The case the app must explain to its user: an account Xero holds without a code.
    add_account(store, NOCODE_ORG, None, "Trust Account", "BANK", "BASEXCLUDED", None, now)
    add_account(store, NOCODE_ORG, None, "Sundry Legal Outlays", "EXPENSE", "INPUT", None, now)


def _seed_demo_contacts(store: Store, now: float) -> None:
    for name, email in [("Ridgeway University", "accounts@ridgeway.example"),
                        ("City Agency", "hello@cityagency.example"),
                        ("Bayside Club", "treasurer@bayside.example")]:
        contact_id = new_id()
        store.put("contact", contact_id, {
            "ContactID": contact_id, "Name": name, "EmailAddress": email,
            "ContactStatus": "ACTIVE", "UpdatedDateUTC": now,
        }, org=DEMO_ORG)


def _seed_practice(store: Store, now: float) -> None:
    store.put("practice", PRACTICE, {"UUID": PRACTICE, "Name": "Demo Practice"}, org=PRACTICE)
    for uuid_, name in [("1f0e2d3c-4b5a-4697-8a1b-0c2d3e4f5a61", "Annual Accounts"),
                        ("2a1f3e4d-5c6b-47a8-9b2c-1d3e4f5a6b72", "Tax Return"),
                        ("3b2a4f5e-6d7c-48b9-8c3d-2e4f5a6b7c83", "Bookkeeping")]:
        store.put("xpm_task", uuid_, {"UUID": uuid_, "Name": name, "Description": ""},
                  org=PRACTICE)
    client_uuid = "4c3b5a6f-7e8d-49ca-9d4e-3f5a6b7c8d94"
    store.put("xpm_client", client_uuid, {
        "UUID": client_uuid, "Name": "Acme Holdings Pty Ltd", "Email": "office@acme.example",
        "IsArchived": "No", "IsDeleted": "No", "BusinessStructure": "Company",
        "Contacts": [], "Modified": now,
    }, org=PRACTICE)
    store.put("xpm_job", "J000001", {
        "ID": "J000001", "UUID": "5d4c6b7a-8f9e-4adb-8e5f-4a6b7c8d9ea5",
        "Name": "Annual Accounts 2026", "Description": "", "State": "In Progress",
        "StartDate": "2026-07-01", "DueDate": "2026-12-15", "ClientUUID": client_uuid,
    }, org=PRACTICE)
