"""Which Xero accounts and tax types each of ours may map to, and which one to suggest.

Pure functions over our chart (accounting.ledger.accounts.Account rows) and Xero's chart
(integrations.xero.chart.XeroChart): no database writes, no Xero calls, so the rules are tested
directly. Rules:
- archived Xero accounts are never offered; Xero accounts without a code are never offered (we
  identify accounts by code: the push sends AccountCode) and are listed as unmappable instead;
- roles with a Xero system account map only to it: receivables -> DEBTORS, payables ->
  CREDITORS, GST collected and paid -> GST, retained earnings -> RETAINEDEARNINGS; no other
  account maps to a system account (Xero refuses lines on them);
- bank -> BANK; income -> REVENUE/OTHERINCOME/SALES; expenses -> EXPENSE/DIRECTCOSTS/OVERHEADS
  (and DEPRECIATN for depreciation); other assets, liabilities and equity -> Xero's same class;
- the suggestion is the compatible account with our code, else with our name (exact, then
  normalised: case, punctuation and "and"/"&" ignored).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from decimal import Decimal

from accounting.ledger.accounts import Account, AccountRole, AccountType
from accounting.ledger.tax import TaxCode
from integrations.xero.chart import XeroAccount, XeroChart

SYSTEM_ACCOUNT_OF_ROLE = {
    AccountRole.ACCOUNTS_RECEIVABLE: "DEBTORS",
    AccountRole.ACCOUNTS_PAYABLE: "CREDITORS",
    AccountRole.GST_COLLECTED: "GST",
    AccountRole.GST_PAID: "GST",
    AccountRole.RETAINED_EARNINGS: "RETAINEDEARNINGS",
}

INCOME_TYPES = frozenset({"REVENUE", "OTHERINCOME", "SALES"})
EXPENSE_TYPES = frozenset({"EXPENSE", "DIRECTCOSTS", "OVERHEADS"})
XERO_TYPES_OF = {
    AccountType.BANK: frozenset({"BANK"}),
    AccountType.REVENUE: INCOME_TYPES,
    AccountType.OTHERINCOME: INCOME_TYPES,
    AccountType.EXPENSE: EXPENSE_TYPES,
    AccountType.DIRECTCOSTS: EXPENSE_TYPES,
    AccountType.OVERHEADS: EXPENSE_TYPES,
    AccountType.DEPRECIATN: EXPENSE_TYPES | {"DEPRECIATN"},
}
# Xero's Class by type, for answers that leave Class out.
XERO_CLASS_OF_TYPE = {
    **dict.fromkeys(("BANK", "CURRENT", "FIXED", "NONCURRENT", "PREPAYMENT", "INVENTORY"), "ASSET"),
    **dict.fromkeys(("CURRLIAB", "TERMLIAB", "LIABILITY", "PAYGLIABILITY", "SUPERANNUATIONLIABILITY",
                     "WAGESPAYABLELIABILITY"), "LIABILITY"),
    "EQUITY": "EQUITY",
    **dict.fromkeys(("REVENUE", "OTHERINCOME", "SALES"), "REVENUE"),
    **dict.fromkeys(("EXPENSE", "DIRECTCOSTS", "OVERHEADS", "DEPRECIATN", "SUPERANNUATIONEXPENSE",
                     "WAGESEXPENSE"), "EXPENSE"),
}
NO_CODE_REASON = ("It has no code: Practice Ledger identifies accounts by code. In Xero, open "
                  "Accounting > Chart of accounts, give it a unique code, then refresh the Xero chart.")


def xero_class(account: XeroAccount) -> str:
    return account.account_class or XERO_CLASS_OF_TYPE.get(account.type, "")


def is_compatible(ours: Account, theirs: XeroAccount) -> bool:
    """May our account map to this Xero account? Archived or codeless ones never may."""
    if theirs.archived or not theirs.code:
        return False
    system = SYSTEM_ACCOUNT_OF_ROLE.get(ours.role) if ours.role else None
    if system is not None:
        return theirs.system_account == system
    if theirs.system_account:
        return False
    allowed = XERO_TYPES_OF.get(ours.type)
    if allowed is not None:
        return theirs.type in allowed
    # Other assets, liabilities, equity: Xero's same class, but never a bank account.
    return theirs.type != "BANK" and xero_class(theirs) == ours.type.account_class.name


def choices_for(ours: Account, chart: XeroChart) -> list[XeroAccount]:
    """The Xero accounts our account may map to, by code."""
    return sorted((a for a in chart.accounts if is_compatible(ours, a)), key=lambda a: a.code)


def normalised(name: str) -> str:
    """'Light, Power & Heating' and 'light power and heating' alike."""
    words = re.sub(r"[^a-z0-9]+", " ", name.lower().replace("&", " and ")).split()
    return " ".join(w for w in words if w != "and")


def suggestion_for(ours: Account, chart: XeroChart) -> XeroAccount | None:
    """The compatible account with our code, else our exact name, else our normalised name; a
    role with a system account gets that account whatever its code."""
    choices = choices_for(ours, chart)
    for matches in (lambda a: a.code == ours.code, lambda a: a.name == ours.name,
                    lambda a: normalised(a.name) == normalised(ours.name)):
        found = [a for a in choices if matches(a)]
        if found:
            return found[0]
    if ours.role in SYSTEM_ACCOUNT_OF_ROLE and len(choices) == 1:
        return choices[0]
    return None


class TaxUse(enum.StrEnum):
    """Our tax codes on each side of the books: a bill's GST goes to Xero's OUTPUT, a supplier
    invoice's to INPUT. These are the keys of the tax mapping."""

    GST_ON_INCOME = "gst_on_income"
    GST_ON_EXPENSES = "gst_on_expenses"
    GST_FREE_INCOME = "gst_free_income"
    GST_FREE_EXPENSES = "gst_free_expenses"

    @property
    def tax_code(self) -> TaxCode:
        return TaxCode.GST if self.value.startswith("gst_on") else TaxCode.GST_FREE

    @property
    def label(self) -> str:
        return TAX_USE_LABELS[self]

    @property
    def suggested_tax_type(self) -> str:
        return SUGGESTED_TAX_TYPE[self]


TAX_USE_LABELS = {
    TaxUse.GST_ON_INCOME: "GST on income (bills, credit notes)",
    TaxUse.GST_ON_EXPENSES: "GST on expenses (supplier invoices, bank spend)",
    TaxUse.GST_FREE_INCOME: "GST-free income",
    TaxUse.GST_FREE_EXPENSES: "GST-free expenses",
}
SUGGESTED_TAX_TYPE = {
    TaxUse.GST_ON_INCOME: "OUTPUT",
    TaxUse.GST_ON_EXPENSES: "INPUT",
    TaxUse.GST_FREE_INCOME: "EXEMPTOUTPUT",
    TaxUse.GST_FREE_EXPENSES: "EXEMPTEXPENSES",
}
# Our enum has no input-taxed or BAS-excluded code; when it gains them they map to INPUTTAXED and
# BASEXCLUDED (the suggestion), added here.


def our_rate(use: TaxUse, gst_rate: Decimal) -> Decimal:
    return gst_rate if use.tax_code is TaxCode.GST else Decimal(0)


@dataclass(frozen=True)
class RateComparison:
    """Our rate beside Xero's for one tax use, and the warning when they differ."""

    ours: Decimal
    xeros: Decimal | None

    @property
    def warning(self) -> str:
        if self.xeros is None:
            return "Xero has no active tax rate of this type."
        if self.xeros != self.ours:
            return (f"Xero's rate is {self.xeros.normalize():f} %, ours is "
                    f"{self.ours.normalize():f} %: Xero would compute different tax.")
        return ""


def compare_rate(use: TaxUse, tax_type: str, chart: XeroChart, gst_rate: Decimal) -> RateComparison:
    rate = chart.tax_rate(tax_type)
    return RateComparison(our_rate(use, gst_rate),
                          rate.effective_rate if rate is not None and rate.active else None)


def tax_choices(chart: XeroChart) -> list[str]:
    """Active Xero tax types, any of which a tax use may map to."""
    return [t.tax_type for t in chart.tax_rates if t.active]
