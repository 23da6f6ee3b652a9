"""Overpayments and prepayments ([OAS-ACC] Overpayment / Prepayment, FACTS §7.5-§7.7).

Made by `PUT /BankTransactions` with Type RECEIVE-/SPEND-OVERPAYMENT or RECEIVE-/SPEND-PREPAYMENT:
the bank transaction carries the new object's `OverpaymentID` / `PrepaymentID`, and the object
(AUTHORISED) holds a credit for the contact. It is used up by allocations to invoices of its side
(`PUT /Overpayments/{id}/Allocations`, ACCREC for RECEIVE-, ACCPAY for SPEND-) and by refunds
(`PUT /Payments` with `"Overpayment"` / `"Prepayment"`), and becomes PAID when nothing remains.

The sandbox's model of the ledger (Xero's journals for these are not in FACTS.md): the money sits
in Accounts Receivable (RECEIVE-) or Accounts Payable (SPEND-) until used, so an allocation moves
nothing between accounts and a refund moves it back out of the bank. An overpayment's lines may
name only that control account (or none); a prepayment's lines are priced like any bank
transaction's, for show, and post to the control account too.
"""

from __future__ import annotations

from typing import Any

from sandbox.books import (
    Ctx,
    Doc,
    Invalid,
    account_ref,
    document_date,
    price_lines,
    s,
    system_account,
)
from sandbox.documents import (
    INVOICE,
    OVERPAYMENT,
    PREPAYMENT,
    Kind,
    amount_due,
    apply_money,
    contact_stub,
    find_document,
    render_dates,
    render_invoice,
    render_line,
)
from sandbox.locks import check_unlocked
from sandbox.xerojson import money, ms_date, ms_timestamp, new_id, out_money

KIND_OF_TYPE = {doc_type: kind for kind in (OVERPAYMENT, PREPAYMENT) for doc_type in kind.types}
CONTROL = {"RECEIVE": "DEBTORS", "SPEND": "CREDITORS"}
INVOICE_TYPE = {"RECEIVE": "ACCREC", "SPEND": "ACCPAY"}


def _side(doc_type: str) -> str:
    return doc_type.split("-")[0]


def priced_lines(ctx: Ctx, doc_type: str, lines_in: Any, lat: str) -> tuple[list[Doc], Doc, str]:
    """The lines, totals and LineAmountTypes of a new overpayment or prepayment."""
    if KIND_OF_TYPE[doc_type] is PREPAYMENT:
        lines, totals = price_lines(ctx, lines_in, lat, "bank", True)
        return lines, totals, lat
    control = system_account(ctx, CONTROL[_side(doc_type)])
    bare = []
    for raw in lines_in if isinstance(lines_in, list) else []:
        raw = raw if isinstance(raw, dict) else {}
        named = raw.get("AccountCode") or raw.get("AccountID")
        account = account_ref(ctx, None, raw.get("AccountCode"), raw.get("AccountID"))
        if named and (account is None or account["AccountID"] != control["AccountID"]):
            # Sandbox wording: an overpayment is a credit on the contact, not income or expense.
            raise Invalid(f"Account code '{named}' is not a valid code for this document.")
        bare.append({k: v for k, v in raw.items() if k not in ("AccountCode", "AccountID")})
    lines, totals = price_lines(ctx, bare or lines_in, "NoTax", "bank", False)
    for line in lines:
        line.update(AccountID=control["AccountID"], AccountCode=control["Code"], TaxType="NONE")
    return lines, totals, "NoTax"


def create_for(ctx: Ctx, txn: Doc) -> Doc:
    """Store the overpayment or prepayment a new bank transaction makes; returns its id field
    and value for the bank transaction."""
    kind = KIND_OF_TYPE[txn["Type"]]
    doc = {
        kind.id_field: new_id(), "Type": txn["Type"], "ContactID": txn["ContactID"],
        "Date": txn["Date"], "Status": "AUTHORISED", "LineAmountTypes": txn["LineAmountTypes"],
        "Lines": txn["Lines"], "SubTotal": txn["SubTotal"], "TotalTax": txn["TotalTax"],
        "Total": txn["Total"], "AmountPaid": "0.00", "AmountCredited": "0.00",
        "Reference": txn.get("Reference"), "BankTransactionID": txn["BankTransactionID"],
        "UpdatedDateUTC": ctx.now, "CurrencyCode": "AUD",
    }
    ctx.store.put(kind.kind, doc[kind.id_field], doc, org=ctx.org)
    return {kind.id_field: doc[kind.id_field]}


# ---------------------------------------------------------------- allocations


def allocate(ctx: Ctx, kind: Kind, credit: Doc, element: Doc) -> Doc:
    """PUT /Overpayments|Prepayments/{id}/Allocations element: use credit against an invoice."""
    if credit["Status"] != "AUTHORISED":
        raise Invalid(f"{kind.word} cannot be allocated as it is not authorised")  # sandbox wording
    ref = element.get("Invoice") if isinstance(element.get("Invoice"), dict) else {}
    invoice = find_document(ctx, INVOICE, ref) if ref else None
    if invoice is None:
        raise Invalid("An existing Invoice with the specified InvoiceID could not be found")
    if invoice["Type"] != INVOICE_TYPE[_side(credit["Type"])]:
        raise Invalid(f"{kind.word} cannot be allocated to an incorrect invoice type")
    if invoice["Status"] == "PAID":
        raise Invalid("The invoice you are trying to allocate to has already been paid off")
    if invoice["Status"] != "AUTHORISED":
        raise Invalid("Payments can only be made against authorised documents.")
    try:
        amount = money(element.get("Amount"))
    except ValueError as exc:
        raise Invalid("Allocation amount must be greater than zero") from exc  # sandbox wording
    if amount <= 0 or amount > amount_due(credit) or amount > amount_due(invoice):
        raise Invalid(f"{kind.word} cannot be allocated as amount is greater than amount "
                      "outstanding")  # modelled on the credit-note text
    day = document_date(element.get("Date"), ctx.today())
    check_unlocked(ctx, day)
    allocation = {"AllocationID": new_id(), "DocKind": kind.kind, "DocID": credit[kind.id_field],
                  "InvoiceID": invoice["InvoiceID"], "Amount": s(amount), "Date": day,
                  "IsDeleted": False}
    ctx.store.put("prepaidallocation", allocation["AllocationID"], allocation, org=ctx.org)
    apply_money(ctx, kind, credit, "AmountCredited", amount, day)
    apply_money(ctx, INVOICE, invoice, "AmountCredited", amount, day)
    return allocation


def delete_allocation(ctx: Ctx, kind: Kind, allocation: Doc) -> Doc:
    """DELETE .../Allocations/{AllocationID}: the credit and the invoice get the money back."""
    check_unlocked(ctx, allocation["Date"])
    allocation = {**allocation, "IsDeleted": True}
    ctx.store.put("prepaidallocation", allocation["AllocationID"], allocation, org=ctx.org)
    for doc_kind, doc_id in ((kind, allocation["DocID"]), (INVOICE, allocation["InvoiceID"])):
        doc = ctx.store.get(doc_kind.kind, doc_id)
        apply_money(ctx, doc_kind, doc, "AmountCredited", -money(allocation["Amount"]),
               allocation["Date"])
    return allocation


def allocations_of(ctx: Ctx, doc_id: str) -> list[Doc]:
    """The live allocations of one overpayment or prepayment."""
    return [a for a in ctx.store.all("prepaidallocation", org=ctx.org)
            if a["DocID"] == doc_id and not a["IsDeleted"]]


# ---------------------------------------------------------------- rendering


def render_allocation(ctx: Ctx, allocation: Doc, with_documents: bool = True) -> Doc:
    """An allocation as Xero's Allocation (with the invoice and the credit when answering PUT)."""
    kind = OVERPAYMENT if allocation["DocKind"] == "overpayment" else PREPAYMENT
    invoice = ctx.store.get("invoice", allocation["InvoiceID"]) or {}
    out: Doc = {"AllocationID": allocation["AllocationID"],
                "Amount": out_money(allocation["Amount"]), "Date": ms_date(allocation["Date"]),
                "Invoice": {"InvoiceID": allocation["InvoiceID"],
                            "InvoiceNumber": invoice.get("InvoiceNumber") or ""},
                "IsDeleted": allocation["IsDeleted"]}
    if with_documents:
        credit = ctx.store.get(kind.kind, allocation["DocID"]) or {}
        out["Invoice"] = render_invoice(ctx, invoice, with_lines=False)
        out[kind.word] = {kind.id_field: allocation["DocID"], "Type": credit.get("Type"),
                          "RemainingCredit": out_money(s(amount_due(credit))),
                          "Status": credit.get("Status")}
    return out


def _render(ctx: Ctx, kind: Kind, doc: Doc, with_lines: bool) -> Doc:
    payments = [{"PaymentID": p["PaymentID"], "Date": ms_date(p["Date"]),
                 "Amount": out_money(p["Amount"]), "Reference": p.get("Reference"),
                 "HasAccount": True, "HasValidationErrors": False}
                for p in ctx.store.where("payment", "DocID", doc[kind.id_field])
                if p["Status"] == "AUTHORISED"]
    out: Doc = {
        kind.id_field: doc[kind.id_field], "ID": doc[kind.id_field], "Type": doc["Type"],
        "Contact": contact_stub(ctx, doc["ContactID"]), **render_dates(doc),
        "Status": doc["Status"], "LineAmountTypes": doc["LineAmountTypes"],
        "SubTotal": out_money(doc["SubTotal"]), "TotalTax": out_money(doc["TotalTax"]),
        "Total": out_money(doc["Total"]), "UpdatedDateUTC": ms_timestamp(doc["UpdatedDateUTC"]),
        "CurrencyCode": doc["CurrencyCode"], "CurrencyRate": 1.0,
        "RemainingCredit": out_money(s(amount_due(doc))),
        "AppliedAmount": out_money(doc["AmountCredited"]),
        "Allocations": [render_allocation(ctx, a, with_documents=False)
                        for a in allocations_of(ctx, doc[kind.id_field])],
        "Payments": payments, "HasAttachments": False,
    }
    if doc.get("Reference") is not None:
        out["Reference"] = doc["Reference"]
    if with_lines:
        out["LineItems"] = [render_line(line) for line in doc["Lines"]]
    return out


def render_overpayment(ctx: Ctx, doc: Doc, with_lines: bool = True) -> Doc:
    """A stored overpayment as Xero's Overpayment."""
    return _render(ctx, OVERPAYMENT, doc, with_lines)


def render_prepayment(ctx: Ctx, doc: Doc, with_lines: bool = True) -> Doc:
    """A stored prepayment as Xero's Prepayment."""
    return _render(ctx, PREPAYMENT, doc, with_lines)
