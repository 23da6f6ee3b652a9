"""BankTransactions (RECEIVE/SPEND), BankTransfers and ManualJournals (FACTS §7.7-§7.9)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.books import (
    ZERO,
    Ctx,
    Doc,
    Invalid,
    account_ref,
    dec,
    document_date,
    line_amount_types,
    mark_contact,
    price_lines,
    resolve_contact,
    s,
    split_tax,
    tax_rate,
)
from sandbox.documents import render_line
from sandbox.locks import check_unlocked
from sandbox.xerojson import money, ms_date, ms_timestamp, new_id, out_money

BANK_TYPES = ("RECEIVE", "SPEND")


def _bank_account(ctx: Ctx, ref: Any) -> Doc:
    account = account_ref(ctx, ref if isinstance(ref, dict) else {})
    if account is None or account["Type"] != "BANK" or account["Status"] != "ACTIVE":
        code = (ref or {}).get("Code") if isinstance(ref, dict) else None
        if code:
            raise Invalid(f"Account code '{code}' is not a valid code for this document.")
        raise Invalid("Account could not be found.")
    return account


# ---------------------------------------------------------------- bank transactions


def create_bank_transaction(ctx: Ctx, element: Doc) -> Doc:
    """PUT /BankTransactions element (RECEIVE or SPEND money)."""
    if element.get("Type") not in BANK_TYPES:
        # Transfer and pre/overpayment types are made by other endpoints (sandbox wording).
        raise Invalid("Bank transaction type must be RECEIVE or SPEND")
    bank = _bank_account(ctx, element.get("BankAccount"))
    contact = resolve_contact(ctx, element.get("Contact"))
    mark_contact(ctx, contact, element["Type"])
    lat = line_amount_types(element.get("LineAmountTypes"))
    lines, totals = price_lines(ctx, element.get("LineItems"), lat, "bank", True)
    day = document_date(element.get("Date"), ctx.today())
    check_unlocked(ctx, day)
    txn = {
        "BankTransactionID": new_id(), "Type": element["Type"], "ContactID": contact["ContactID"],
        "BankAccountID": bank["AccountID"], "Date": day,
        "Reference": element.get("Reference"), "Status": "AUTHORISED", "LineAmountTypes": lat,
        "Lines": lines, **totals, "IsReconciled": bool(element.get("IsReconciled")),
        "Url": element.get("Url"), "UpdatedDateUTC": ctx.now,
    }
    ctx.store.put("banktransaction", txn["BankTransactionID"], txn, org=ctx.org)
    return txn


def update_bank_transaction(ctx: Ctx, existing: Doc, element: Doc) -> Doc:
    """POST /BankTransactions/{id}: deleting (Status DELETED) or editing reference/reconciled."""
    if existing["Status"] != "AUTHORISED":
        raise Invalid("This Bank Transaction cannot be modified as it has been deleted")
    check_unlocked(ctx, existing["Date"])
    txn = {**existing, "UpdatedDateUTC": ctx.now}
    status = element.get("Status", existing["Status"])
    if status not in ("AUTHORISED", "DELETED"):
        raise Invalid(f"'{status}' is not a valid status for a bank transaction")
    txn["Status"] = status
    for key in ("Reference", "IsReconciled", "Url"):
        if key in element:
            txn[key] = element[key]
    ctx.store.put("banktransaction", txn["BankTransactionID"], txn, org=ctx.org)
    return txn


def render_bank_transaction(ctx: Ctx, txn: Doc, with_lines: bool = True) -> Doc:
    """A stored bank transaction as Xero's BankTransaction."""
    account = ctx.store.get("account", txn["BankAccountID"]) or {}
    contact = ctx.store.get("contact", txn["ContactID"]) or {}
    out: Doc = {
        "BankTransactionID": txn["BankTransactionID"], "Type": txn["Type"],
        "Contact": {"ContactID": txn["ContactID"], "Name": contact.get("Name")},
        "BankAccount": {"AccountID": account.get("AccountID"), "Code": account.get("Code"),
                        "Name": account.get("Name")},
        "Date": ms_date(txn["Date"]), "DateString": f"{txn['Date']}T00:00:00",
        "Status": txn["Status"], "LineAmountTypes": txn["LineAmountTypes"],
        "SubTotal": out_money(txn["SubTotal"]), "TotalTax": out_money(txn["TotalTax"]),
        "Total": out_money(txn["Total"]), "IsReconciled": txn["IsReconciled"],
        "CurrencyCode": "AUD", "UpdatedDateUTC": ms_timestamp(txn["UpdatedDateUTC"]),
        "HasAttachments": False,
    }
    if txn.get("Reference") is not None:
        out["Reference"] = txn["Reference"]
    if with_lines:
        out["LineItems"] = [render_line(line) for line in txn["Lines"]]
    return out


# ---------------------------------------------------------------- bank transfers


def create_bank_transfer(ctx: Ctx, element: Doc) -> Doc:
    """PUT /BankTransfers element: money between two of the organisation's bank accounts."""
    source = _bank_account(ctx, element.get("FromBankAccount"))
    target = _bank_account(ctx, element.get("ToBankAccount"))
    if source["AccountID"] == target["AccountID"]:
        raise Invalid("The From and To bank accounts must be different")  # sandbox wording
    try:
        amount = money(element.get("Amount"))
    except ValueError as exc:
        raise Invalid("Amount must be greater than zero") from exc  # sandbox wording
    if amount <= 0:
        raise Invalid("Amount must be greater than zero")
    day = document_date(element.get("Date"), ctx.today())
    check_unlocked(ctx, day)
    transfer = {
        "BankTransferID": new_id(), "FromAccountID": source["AccountID"],
        "ToAccountID": target["AccountID"], "Amount": s(amount), "Date": day,
        "Reference": element.get("Reference"), "Status": "AUTHORISED",
        "FromBankTransactionID": new_id(), "ToBankTransactionID": new_id(),
        "FromIsReconciled": bool(element.get("FromIsReconciled")),
        "ToIsReconciled": bool(element.get("ToIsReconciled")), "CreatedDateUTC": ctx.now,
    }
    ctx.store.put("banktransfer", transfer["BankTransferID"], transfer, org=ctx.org)
    return transfer


def update_bank_transfer(ctx: Ctx, existing: Doc, element: Doc) -> Doc:
    """POST /BankTransfers/{id} {"Status":"DELETED"}: the only change the API allows (PR822)."""
    if element.get("Status") != "DELETED" or existing["Status"] != "AUTHORISED":
        raise Invalid("Bank transfers can only be deleted")  # sandbox wording
    check_unlocked(ctx, existing["Date"])
    transfer = {**existing, "Status": "DELETED"}
    ctx.store.put("banktransfer", transfer["BankTransferID"], transfer, org=ctx.org)
    return transfer


def render_bank_transfer(ctx: Ctx, transfer: Doc, with_lines: bool = True) -> Doc:
    """A stored transfer as Xero's BankTransfer."""

    def side(account_id: str) -> Doc:
        account = ctx.store.get("account", account_id) or {}
        return {"AccountID": account_id, "Code": account.get("Code"), "Name": account.get("Name")}

    out: Doc = {
        "BankTransferID": transfer["BankTransferID"],
        "FromBankAccount": side(transfer["FromAccountID"]),
        "ToBankAccount": side(transfer["ToAccountID"]), "Amount": out_money(transfer["Amount"]),
        "Date": ms_date(transfer["Date"]), "CurrencyRate": 1.0,
        "FromBankTransactionID": transfer["FromBankTransactionID"],
        "ToBankTransactionID": transfer["ToBankTransactionID"],
        "FromIsReconciled": transfer["FromIsReconciled"],
        "ToIsReconciled": transfer["ToIsReconciled"], "HasAttachments": False,
        "CreatedDateUTC": ms_timestamp(transfer["CreatedDateUTC"]), "Status": transfer["Status"],
    }
    if transfer.get("Reference") is not None:
        out["Reference"] = transfer["Reference"]
    return out


def transfer_legs(ctx: Ctx, with_lines: bool = True) -> list[Doc]:
    """The SPEND-TRANSFER / RECEIVE-TRANSFER bank transactions Xero shows for each transfer.

    They are views of the transfer (its ledger effect is posted once, from the transfer)."""
    legs = []
    for transfer in ctx.store.all("banktransfer", org=ctx.org):
        for side, kind in (("From", "SPEND-TRANSFER"), ("To", "RECEIVE-TRANSFER")):
            account = ctx.store.get("account", transfer[f"{side}AccountID"]) or {}
            leg: Doc = {
                "BankTransactionID": transfer[f"{side}BankTransactionID"], "Type": kind,
                "BankAccount": {"AccountID": account.get("AccountID"),
                                "Code": account.get("Code"), "Name": account.get("Name")},
                "Date": ms_date(transfer["Date"]), "Status": transfer["Status"],
                "LineAmountTypes": "NoTax", "SubTotal": out_money(transfer["Amount"]),
                "TotalTax": 0.0, "Total": out_money(transfer["Amount"]),
                "IsReconciled": transfer[f"{side}IsReconciled"], "CurrencyCode": "AUD",
                "UpdatedDateUTC": ms_timestamp(transfer["CreatedDateUTC"]),
                "HasAttachments": False,
            }
            if with_lines:
                leg["LineItems"] = []
            legs.append(leg)
    return legs


# ---------------------------------------------------------------- manual journals


def _journal_lines(ctx: Ctx, lines_in: Any, lat: str) -> list[Doc]:
    if not isinstance(lines_in, list) or len(lines_in) < 2:
        raise Invalid("A manual journal must have at least two journal lines")  # sandbox wording
    lines = []
    for raw in lines_in:
        raw = raw if isinstance(raw, dict) else {}
        account = account_ref(ctx, None, raw.get("AccountCode"), raw.get("AccountID"))
        label = raw.get("AccountCode") or raw.get("AccountID")
        if account is None or account["Type"] == "BANK" or account.get("SystemAccount") in {
                "DEBTORS", "CREDITORS", "RETAINEDEARNINGS"} or account["Status"] != "ACTIVE":
            raise Invalid(f"Account code '{label}' is not a valid code for this document.")
        try:
            amount = money(raw.get("LineAmount"))
        except ValueError as exc:
            raise Invalid("Line amount must be specified") from exc  # sandbox wording
        tax_type = raw.get("TaxType") or account["TaxType"]
        rate = tax_rate(ctx, tax_type)
        if rate is None:
            raise Invalid(f"The TaxType code {tax_type} does not exist or cannot be used for "
                          "this type of transaction.")
        net, tax = split_tax(abs(amount), rate, lat)
        sign = Decimal(1) if amount >= 0 else Decimal(-1)
        lines.append({"AccountID": account["AccountID"], "AccountCode": account["Code"],
                      "Description": raw.get("Description"), "TaxType": tax_type,
                      "LineAmount": s(amount), "Net": s(sign * net), "TaxAmount": s(sign * tax),
                      "Tracking": raw.get("Tracking") or []})
    return lines


def _check_balanced(lines: list[Doc]) -> None:
    debits = sum((dec(line["Net"]) + dec(line["TaxAmount"]) for line in lines
                  if dec(line["LineAmount"]) > 0), ZERO)
    credits = sum((dec(line["Net"]) + dec(line["TaxAmount"]) for line in lines
                   if dec(line["LineAmount"]) < 0), ZERO)
    if debits + credits != 0:
        raise Invalid(f"The total debits ({s(debits)}) must equal total credits ({s(credits)})")


def create_manual_journal(ctx: Ctx, element: Doc) -> Doc:
    """PUT /ManualJournals element: balanced lines, DRAFT (default) or POSTED."""
    if not element.get("Narration"):
        raise Invalid("Narration must be specified")  # sandbox wording
    status = element.get("Status") or "DRAFT"
    if status not in ("DRAFT", "POSTED"):
        raise Invalid("Manual journal not of valid status for creation")  # sandbox wording
    lat = line_amount_types(element.get("LineAmountTypes"), default="NoTax")
    lines = _journal_lines(ctx, element.get("JournalLines"), lat)
    _check_balanced(lines)
    day = document_date(element.get("Date"), ctx.today())
    if status == "POSTED":  # draft journals may be saved in a locked period (sandbox/locks.py)
        check_unlocked(ctx, day)
    journal = {
        "ManualJournalID": new_id(), "Narration": element["Narration"],
        "Date": day, "Status": status,
        "LineAmountTypes": lat, "Lines": lines, "Url": element.get("Url"),
        "ShowOnCashBasisReports": element.get("ShowOnCashBasisReports", True),
        "UpdatedDateUTC": ctx.now,
    }
    ctx.store.put("manualjournal", journal["ManualJournalID"], journal, org=ctx.org)
    return journal


JOURNAL_TRANSITIONS = {"DRAFT": {"DRAFT", "POSTED", "DELETED"}, "POSTED": {"POSTED", "VOIDED"}}


def update_manual_journal(ctx: Ctx, existing: Doc, element: Doc) -> Doc:
    """POST /ManualJournals/{id}: DRAFT->POSTED/DELETED, POSTED->VOIDED (FACTS §7.9)."""
    status = element.get("Status") or existing["Status"]
    if status not in JOURNAL_TRANSITIONS.get(existing["Status"], set()):
        raise Invalid("Manual journal not of valid status for modification")  # sandbox wording
    if "POSTED" in (existing["Status"], status):
        check_unlocked(ctx, existing["Date"])
    journal = {**existing, "Status": status, "UpdatedDateUTC": ctx.now}
    if "Narration" in element:
        journal["Narration"] = element["Narration"]
    if existing["Status"] == "DRAFT" and "JournalLines" in element:
        lat = line_amount_types(element.get("LineAmountTypes") or existing["LineAmountTypes"])
        journal["Lines"] = _journal_lines(ctx, element["JournalLines"], lat)
        _check_balanced(journal["Lines"])
    ctx.store.put("manualjournal", journal["ManualJournalID"], journal, org=ctx.org)
    return journal


def render_manual_journal(ctx: Ctx, journal: Doc, with_lines: bool = True) -> Doc:
    """A stored journal as Xero's ManualJournal."""
    out: Doc = {
        "ManualJournalID": journal["ManualJournalID"], "Narration": journal["Narration"],
        "Date": ms_date(journal["Date"]), "Status": journal["Status"],
        "LineAmountTypes": journal["LineAmountTypes"],
        "ShowOnCashBasisReports": journal["ShowOnCashBasisReports"], "HasAttachments": False,
        "UpdatedDateUTC": ms_timestamp(journal["UpdatedDateUTC"]),
    }
    if journal.get("Url"):
        out["Url"] = journal["Url"]
    if with_lines:
        out["JournalLines"] = [{
            "LineAmount": out_money(line["LineAmount"]), "AccountCode": line["AccountCode"],
            "AccountID": line["AccountID"], "Description": line["Description"],
            "TaxType": line["TaxType"], "TaxAmount": out_money(line["TaxAmount"]),
            "Tracking": line["Tracking"], "IsBlank": False,
        } for line in journal["Lines"]]
    return out
