"""Reports/TrialBalance, computed from the ledger postings of everything the sandbox holds.

Columns as Xero's: Debit/Credit are the movement of the month to the report date; YTD Debit/Credit
are the balance since the start of the financial year (1 July in AU) for revenue and expense
accounts and since inception for balance-sheet accounts, with earlier years' profit rolled into
Retained Earnings so the YTD columns balance.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sandbox.books import ZERO, Ctx, Doc, accounts, balances, s, system_account
from sandbox.xerojson import ms_timestamp

SECTIONS = (("Revenue", "REVENUE"), ("Expenses", "EXPENSE"), ("Assets", "ASSET"),
            ("Liabilities", "LIABILITY"), ("Equity", "EQUITY"))
PROFIT_CLASSES = {"REVENUE", "EXPENSE"}


def _fy_start(as_at: date) -> date:
    year = as_at.year if as_at.month >= 7 else as_at.year - 1
    return date(year, 7, 1)


def _cell(value: str, account_id: str | None) -> Doc:
    cell: Doc = {"Value": value}
    if account_id:
        cell["Attributes"] = [{"Value": account_id, "Id": "account"}]
    return cell


def _sides(amount: Decimal) -> tuple[Decimal, Decimal]:
    return (amount, ZERO) if amount > 0 else (ZERO, -amount)


def _ytd(ctx: Ctx, as_at: date) -> dict[str, Decimal]:
    """YTD balances: profit accounts this financial year, balance sheet since inception."""
    fy = _fy_start(as_at).isoformat()
    every = balances(ctx, as_at.isoformat())
    this_year = balances(ctx, as_at.isoformat(), since=fy)
    classes = {account["AccountID"]: account["Class"] for account in accounts(ctx)}
    ytd, earlier_profit = {}, ZERO
    for account_id, amount in every.items():
        if classes.get(account_id) in PROFIT_CLASSES:
            ytd[account_id] = this_year.get(account_id, ZERO)
            earlier_profit += amount - ytd[account_id]
        else:
            ytd[account_id] = amount
    if earlier_profit:
        retained = system_account(ctx, "RETAINEDEARNINGS")["AccountID"]
        ytd[retained] = ytd.get(retained, ZERO) + earlier_profit
    return ytd


def trial_balance(ctx: Ctx, as_at: date) -> Doc:
    """The TrialBalance report as Xero's ReportWithRow."""
    month = balances(ctx, as_at.isoformat(), since=as_at.replace(day=1).isoformat())
    ytd = _ytd(ctx, as_at)
    org = ctx.store.get("organisation", ctx.org) or {"Name": ""}
    totals = [ZERO, ZERO, ZERO, ZERO]
    rows: list[Doc] = [{"RowType": "Header", "Cells": [
        {"Value": "Account"}, {"Value": "Debit"}, {"Value": "Credit"},
        {"Value": "YTD Debit"}, {"Value": "YTD Credit"}]}]
    for title, account_class in SECTIONS:
        section_rows = []
        for account in accounts(ctx):
            account_id = account["AccountID"]
            if account["Class"] != account_class or (not month.get(account_id)
                                                     and not ytd.get(account_id)):
                continue
            values = [*_sides(month.get(account_id, ZERO)), *_sides(ytd.get(account_id, ZERO))]
            totals = [a + b for a, b in zip(totals, values, strict=True)]
            label = f"{account['Name']} ({account['Code']})" if account["Code"] else account["Name"]
            section_rows.append({"RowType": "Row", "Cells": [
                _cell(label, account_id), *(_cell(s(v), account_id) for v in values)]})
        rows.append({"RowType": "Section", "Title": title, "Rows": section_rows})
    rows.append({"RowType": "Section", "Title": "", "Rows": [{"RowType": "SummaryRow", "Cells": [
        {"Value": "Total"}, *({"Value": s(v)} for v in totals)]}]})
    stamp = as_at.strftime("%-d %B %Y")
    report: dict[str, Any] = {
        "ReportID": "TrialBalance", "ReportName": "Trial Balance", "ReportType": "TrialBalance",
        "ReportTitles": ["Trial Balance", org["Name"], f"As at {stamp}"], "ReportDate": stamp,
        "UpdatedDateUTC": ms_timestamp(ctx.now), "Fields": [], "Rows": rows,
    }
    return report
