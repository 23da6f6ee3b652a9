"""Invoices (ACCREC/ACCPAY), credit notes, their payments and allocations (FACTS §7.4-§7.6).

Status rules: create as DRAFT (default), SUBMITTED or AUTHORISED; DRAFT/SUBMITTED may become
DRAFT, SUBMITTED, AUTHORISED or DELETED; AUTHORISED may become VOIDED only while nothing is paid
or allocated; PAID is set by the sandbox when AmountDue reaches zero and reverts to AUTHORISED if a
payment is deleted; VOIDED and DELETED are terminal.
"""

from __future__ import annotations

from decimal import Decimal

from sandbox.books import (
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
)
from sandbox.locks import check_unlocked
from sandbox.xerojson import iso_date_string, money, ms_date, ms_timestamp, new_id, out_money

INVOICE_TYPES = ("ACCREC", "ACCPAY")
CREDIT_TYPES = ("ACCRECCREDIT", "ACCPAYCREDIT")
CREATE_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED")
TRANSITIONS = {
    "DRAFT": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "SUBMITTED": {"SUBMITTED", "AUTHORISED", "DRAFT", "DELETED"},
    "AUTHORISED": {"AUTHORISED", "VOIDED"},
    "PAID": {"PAID"},
    "VOIDED": set(),
    "DELETED": set(),
}
ALLOCATED_TEXT = ("This document cannot be edited as it has a payment or credit note allocated "
                  "to it.")
# Statuses whose documents are in the ledger, and so are held by a lock date.
POSTED = ("AUTHORISED", "PAID", "VOIDED")
PAYMENT_TYPES = {"ACCREC": "ACCRECPAYMENT", "ACCPAY": "ACCPAYPAYMENT",
                 "ACCRECCREDIT": "ARCREDITPAYMENT", "ACCPAYCREDIT": "APCREDITPAYMENT"}


class Kind:
    """What differs between invoices and credit notes."""

    def __init__(self, kind: str, types: tuple[str, ...], id_field: str, number_field: str,
                 prefix: str, word: str) -> None:
        self.kind, self.types, self.id_field = kind, types, id_field
        self.number_field, self.prefix, self.word = number_field, prefix, word


INVOICE = Kind("invoice", INVOICE_TYPES, "InvoiceID", "InvoiceNumber", "INV-", "Invoice")
CREDIT = Kind("creditnote", CREDIT_TYPES, "CreditNoteID", "CreditNoteNumber", "CN-", "Credit Note")


# ---------------------------------------------------------------- create and update


def create_invoice(ctx: Ctx, element: Doc) -> Doc:
    """PUT /Invoices element."""
    return _create(ctx, INVOICE, element)


def create_credit_note(ctx: Ctx, element: Doc) -> Doc:
    """PUT /CreditNotes element."""
    return _create(ctx, CREDIT, element)


def _create(ctx: Ctx, kind: Kind, element: Doc) -> Doc:
    if element.get("Type") not in kind.types:
        raise Invalid(f"{kind.word} not of valid type for creation")
    status = element.get("Status") or "DRAFT"
    if status not in CREATE_STATUSES:
        raise Invalid(f"{kind.word} not of valid status for creation")
    doc = {kind.id_field: new_id(), "Type": element["Type"], "Status": status,
           "AmountPaid": "0.00", "AmountCredited": "0.00", "SentToContact": False,
           "FullyPaidOnDate": None, "CurrencyCode": "AUD"}
    doc.update(_fields(ctx, kind, element, doc, creating=True))
    if status in POSTED:
        check_unlocked(ctx, doc["Date"])
    ctx.store.put(kind.kind, doc[kind.id_field], doc, org=ctx.org)
    return doc


def _fields(ctx: Ctx, kind: Kind, element: Doc, doc: Doc, creating: bool) -> Doc:
    """The editable fields of a document, validated and priced."""
    status = element.get("Status") or doc["Status"]
    updates: Doc = {"UpdatedDateUTC": ctx.now}
    if creating or "Contact" in element:
        contact = resolve_contact(ctx, element.get("Contact"))
        updates["ContactID"] = contact["ContactID"]
        mark_contact(ctx, contact, doc["Type"])
    if creating or "Date" in element:
        updates["Date"] = document_date(element.get("Date"), ctx.today())
    if creating or "DueDate" in element:
        updates["DueDate"] = document_date(element.get("DueDate"), "") or None
    for key in ("Reference", "Url", "SentToContact"):
        if key in element:
            updates[key] = element[key]
    updates[kind.number_field] = _number(ctx, kind, element, doc)
    # Always re-priced: a status change to AUTHORISED must re-check the lines' accounts.
    lat = line_amount_types(element.get("LineAmountTypes") or doc.get("LineAmountTypes"))
    lines_in = element.get("LineItems", doc.get("RawLines"))
    lines, totals = price_lines(ctx, lines_in, lat, "document", status == "AUTHORISED")
    pairs = zip(lines_in, lines, strict=True)
    raw = [{**item, "LineItemID": line["LineItemID"]} for item, line in pairs
           if isinstance(item, dict)]
    updates.update({"LineAmountTypes": lat, "Lines": lines, "RawLines": raw, **totals})
    return updates


def _number(ctx: Ctx, kind: Kind, element: Doc, doc: Doc) -> str | None:
    """ACCREC numbers are unique and auto-generated; ACCPAY numbers are free text (FACTS §7.4)."""
    number = element.get(kind.number_field, doc.get(kind.number_field))
    receivable = doc["Type"] in ("ACCREC", "ACCRECCREDIT")
    if receivable and not number:
        return f"{kind.prefix}{ctx.store.next_number(kind.kind, ctx.org):04d}"
    if receivable and number != doc.get(kind.number_field):
        for other in ctx.store.all(kind.kind, org=ctx.org):
            if other.get(kind.number_field) == number and other["Type"] == doc["Type"]:
                raise Invalid(f"{kind.word} # must be unique.")
    return number


def find_document(ctx: Ctx, kind: Kind, element: Doc) -> Doc | None:
    """An existing document named by id or number (for POST upserts)."""
    if element.get(kind.id_field):
        return ctx.store.get(kind.kind, str(element[kind.id_field]), org=ctx.org)
    number = element.get(kind.number_field)
    if number:
        for doc in ctx.store.all(kind.kind, org=ctx.org):
            if doc.get(kind.number_field) == number:
                return doc
    return None


def update_invoice(ctx: Ctx, existing: Doc, element: Doc) -> Doc:
    """POST /Invoices/{id} element."""
    return _update(ctx, INVOICE, existing, element)


def update_credit_note(ctx: Ctx, existing: Doc, element: Doc) -> Doc:
    """POST /CreditNotes/{id} element."""
    return _update(ctx, CREDIT, existing, element)


def _has_money_applied(doc: Doc) -> bool:
    return dec(doc.get("AmountPaid", "0")) != 0 or dec(doc.get("AmountCredited", "0")) != 0


def _update(ctx: Ctx, kind: Kind, existing: Doc, element: Doc) -> Doc:
    old, new = existing["Status"], element.get("Status") or existing["Status"]
    if new not in TRANSITIONS[old]:
        text = f"{kind.word} not of valid status for modification"
        if old == "PAID" or (old == "AUTHORISED" and _has_money_applied(existing)):
            raise Invalid(f"{text} {ALLOCATED_TEXT}")
        raise Invalid(text)
    edits = set(element) - {"Status", kind.id_field, kind.number_field, "Type"}
    if old in ("AUTHORISED", "PAID") and _has_money_applied(existing) and (new != old or edits):
        raise Invalid(ALLOCATED_TEXT)
    doc = {**existing, "Status": new}
    if new not in ("DELETED", "VOIDED"):
        doc.update(_fields(ctx, kind, element, doc, creating=False))
    # A posted document in a locked period can't change, nor can one be posted into it.
    check_unlocked(ctx, existing["Date"] if old in POSTED else None,
                   doc["Date"] if new in POSTED else None)
    doc["UpdatedDateUTC"] = ctx.now
    ctx.store.put(kind.kind, doc[kind.id_field], doc, org=ctx.org)
    return doc


# ---------------------------------------------------------------- payments


def _payment_target(ctx: Ctx, element: Doc) -> tuple[Kind, Doc]:
    if isinstance(element.get("CreditNote"), dict):
        doc = find_document(ctx, CREDIT, element["CreditNote"])
        if doc is None:
            raise Invalid("An existing Credit Note with the specified CreditNoteID could not be "
                          "found")
        return CREDIT, doc
    ref = element.get("Invoice") if isinstance(element.get("Invoice"), dict) else {}
    if element.get("InvoiceNumber"):
        ref = {"InvoiceNumber": element["InvoiceNumber"]}
    doc = find_document(ctx, INVOICE, ref) if ref else None
    if doc is None:
        # Modelled on Xero's credit-note wording; the invoice text is UNCONFIRMED.
        raise Invalid("An existing Invoice with the specified InvoiceID could not be found")
    return INVOICE, doc


def amount_due(doc: Doc) -> Decimal:
    """What is still owed on an invoice, or still unused on a credit note."""
    return dec(doc["Total"]) - dec(doc["AmountPaid"]) - dec(doc["AmountCredited"])


def create_payment(ctx: Ctx, element: Doc) -> Doc:
    """PUT/POST /Payments element: pays an authorised invoice or refunds a credit note."""
    kind, doc = _payment_target(ctx, element)
    account = account_ref(ctx, element.get("Account"), element.get("Code"))
    if account is None or account["Status"] != "ACTIVE":
        raise Invalid("Account could not be found.")
    if account["Type"] != "BANK" and not account.get("EnablePaymentsToAccount"):
        raise Invalid("Payments can only be made to bank accounts or accounts with payments "
                      "enabled.")  # sandbox wording
    if doc["Status"] != "AUTHORISED":
        raise Invalid("Payments can only be made against authorised documents.")
    try:
        amount = money(element.get("Amount"))
    except ValueError as exc:
        raise Invalid("Payment amount must be greater than zero") from exc  # sandbox wording
    if amount <= 0:
        raise Invalid("Payment amount must be greater than zero")
    if amount > amount_due(doc):
        raise Invalid("Payment amount exceeds the amount outstanding on this document")
    day = document_date(element.get("Date"), ctx.today())
    check_unlocked(ctx, day)
    payment = {
        "PaymentID": new_id(), "DocKind": kind.kind, "DocID": doc[kind.id_field],
        "DocType": doc["Type"], "AccountID": account["AccountID"], "Date": day,
        "Amount": s(amount), "Reference": element.get("Reference"), "Status": "AUTHORISED",
        "PaymentType": PAYMENT_TYPES[doc["Type"]],
        "IsReconciled": bool(element.get("IsReconciled")),
        "UpdatedDateUTC": ctx.now,
    }
    ctx.store.put("payment", payment["PaymentID"], payment, org=ctx.org)
    _apply(ctx, kind, doc, "AmountPaid", amount, day)
    return payment


def _apply(ctx: Ctx, kind: Kind, doc: Doc, field: str, amount: Decimal, day: str) -> Doc:
    """Add money paid/credited to a document and move it between AUTHORISED and PAID."""
    doc = {**doc, field: s(dec(doc[field]) + amount), "UpdatedDateUTC": ctx.now}
    if amount_due(doc) == 0 and doc["Status"] == "AUTHORISED":
        doc.update(Status="PAID", FullyPaidOnDate=day)
    elif amount_due(doc) > 0 and doc["Status"] == "PAID":
        doc.update(Status="AUTHORISED", FullyPaidOnDate=None)
    ctx.store.put(kind.kind, doc[kind.id_field], doc, org=ctx.org)
    return doc


def update_payment(ctx: Ctx, existing: Doc, element: Doc) -> Doc:
    """POST /Payments/{id} {"Status":"DELETED"}: payments are only created and deleted."""
    if element.get("Status") != "DELETED":
        raise Invalid("Payments cannot be modified, only created and deleted")  # sandbox wording
    if existing["Status"] == "DELETED":
        raise Invalid("This payment has already been deleted")  # sandbox wording
    check_unlocked(ctx, existing["Date"])
    payment = {**existing, "Status": "DELETED", "UpdatedDateUTC": ctx.now}
    ctx.store.put("payment", payment["PaymentID"], payment, org=ctx.org)
    kind = INVOICE if existing["DocKind"] == "invoice" else CREDIT
    doc = ctx.store.get(kind.kind, existing["DocID"])
    _apply(ctx, kind, doc, "AmountPaid", -dec(existing["Amount"]), existing["Date"])
    return payment


# ---------------------------------------------------------------- allocations


def allocate(ctx: Ctx, credit_note: Doc, element: Doc) -> Doc:
    """PUT /CreditNotes/{id}/Allocations element."""
    if credit_note["Status"] != "AUTHORISED":
        raise Invalid("Credit Note cannot be allocated as it is not authorised")  # sandbox wording
    ref = element.get("Invoice") if isinstance(element.get("Invoice"), dict) else {}
    invoice = find_document(ctx, INVOICE, ref) if ref else None
    if invoice is None:
        raise Invalid("An existing Invoice with the specified InvoiceID could not be found")
    if invoice["Type"] != credit_note["Type"].replace("CREDIT", ""):
        raise Invalid("Credit Note cannot be allocated to an incorrect invoice type")
    if invoice["Status"] == "PAID":
        raise Invalid("The invoice you are trying to allocate to has already been paid off")
    if invoice["Status"] != "AUTHORISED":
        raise Invalid("Payments can only be made against authorised documents.")
    try:
        amount = money(element.get("Amount"))
    except ValueError as exc:
        raise Invalid("Allocation amount must be greater than zero") from exc  # sandbox wording
    if amount <= 0 or amount > amount_due(credit_note) or amount > amount_due(invoice):
        raise Invalid("Credit Note cannot be allocated as amount is greater than amount "
                      "outstanding")
    day = document_date(element.get("Date"), ctx.today())
    check_unlocked(ctx, day)
    allocation = {"AllocationID": new_id(), "CreditNoteID": credit_note["CreditNoteID"],
                  "InvoiceID": invoice["InvoiceID"], "Amount": s(amount), "Date": day,
                  "IsDeleted": False}
    ctx.store.put("allocation", allocation["AllocationID"], allocation, org=ctx.org)
    _apply(ctx, CREDIT, credit_note, "AmountCredited", amount, day)
    _apply(ctx, INVOICE, invoice, "AmountCredited", amount, day)
    return allocation


def delete_allocation(ctx: Ctx, allocation: Doc) -> Doc:
    """DELETE /CreditNotes/{id}/Allocations/{AllocationID}: both documents get the money back."""
    check_unlocked(ctx, allocation["Date"])
    allocation = {**allocation, "IsDeleted": True}
    ctx.store.put("allocation", allocation["AllocationID"], allocation, org=ctx.org)
    amount = -dec(allocation["Amount"])
    for kind, key in ((CREDIT, "CreditNoteID"), (INVOICE, "InvoiceID")):
        doc = ctx.store.get(kind.kind, allocation[key])
        _apply(ctx, kind, doc, "AmountCredited", amount, allocation["Date"])
    return allocation


# ---------------------------------------------------------------- rendering


def _contact_stub(ctx: Ctx, contact_id: str | None) -> Doc:
    contact = ctx.store.get("contact", contact_id or "") or {}
    return {"ContactID": contact_id, "Name": contact.get("Name"),
            "ContactStatus": contact.get("ContactStatus", "ACTIVE"), "HasValidationErrors": False}


def render_line(line: Doc) -> Doc:
    """A stored line as Xero's LineItem."""
    out: Doc = {
        "LineItemID": line["LineItemID"], "Description": line["Description"],
        "Quantity": float(Decimal(line["Quantity"])),
        "UnitAmount": float(Decimal(line["UnitAmount"])),
        "TaxAmount": out_money(line["TaxAmount"]), "LineAmount": out_money(line["LineAmount"]),
        "Tracking": line["Tracking"],
    }
    for key in ("AccountCode", "AccountID", "TaxType", "DiscountRate"):
        if line.get(key) is not None:
            out[key] = line[key]
    return out


def _dates(doc: Doc) -> Doc:
    out = {"Date": ms_date(doc["Date"]), "DateString": iso_date_string(doc["Date"])}
    if doc.get("DueDate"):
        out.update(DueDate=ms_date(doc["DueDate"]), DueDateString=iso_date_string(doc["DueDate"]))
    if doc.get("FullyPaidOnDate"):
        out["FullyPaidOnDate"] = ms_date(doc["FullyPaidOnDate"])
    return out


def _payments_of(ctx: Ctx, doc_id: str) -> list[Doc]:
    return [{"PaymentID": p["PaymentID"], "Date": ms_date(p["Date"]),
             "Amount": out_money(p["Amount"]), "Reference": p.get("Reference"),
             "HasAccount": True, "HasValidationErrors": False}
            for p in ctx.store.where("payment", "DocID", doc_id) if p["Status"] == "AUTHORISED"]


def _allocations_of(ctx: Ctx, key: str, doc_id: str) -> list[Doc]:
    return [a for a in ctx.store.where("allocation", key, doc_id) if not a["IsDeleted"]]


def _common(ctx: Ctx, doc: Doc, with_lines: bool) -> Doc:
    out: Doc = {
        "Type": doc["Type"], "Contact": _contact_stub(ctx, doc["ContactID"]), **_dates(doc),
        "Status": doc["Status"], "LineAmountTypes": doc["LineAmountTypes"],
        "SubTotal": out_money(doc["SubTotal"]), "TotalTax": out_money(doc["TotalTax"]),
        "Total": out_money(doc["Total"]), "UpdatedDateUTC": ms_timestamp(doc["UpdatedDateUTC"]),
        "CurrencyCode": doc["CurrencyCode"], "CurrencyRate": 1.0,
        "SentToContact": bool(doc.get("SentToContact")), "HasAttachments": False,
        "HasErrors": False, "Payments": _payments_of(ctx, doc.get("InvoiceID")
                                                    or doc["CreditNoteID"]),
    }
    if doc.get("Reference") is not None:
        out["Reference"] = doc["Reference"]
    if with_lines:
        out["LineItems"] = [render_line(line) for line in doc["Lines"]]
    return out


def render_invoice(ctx: Ctx, doc: Doc, with_lines: bool = True) -> Doc:
    """A stored invoice as Xero's Invoice."""
    out = _common(ctx, doc, with_lines)
    credit_notes = []
    for allocation in _allocations_of(ctx, "InvoiceID", doc["InvoiceID"]):
        note = ctx.store.get("creditnote", allocation["CreditNoteID"]) or {}
        credit_notes.append({"CreditNoteID": allocation["CreditNoteID"],
                             "CreditNoteNumber": note.get("CreditNoteNumber"),
                             "AppliedAmount": out_money(allocation["Amount"]),
                             "Total": out_money(note.get("Total", "0")),
                             "Date": ms_date(allocation["Date"]), "HasErrors": False})
    out.update({
        "InvoiceID": doc["InvoiceID"], "InvoiceNumber": doc.get("InvoiceNumber") or "",
        "AmountDue": out_money(s(amount_due(doc))), "AmountPaid": out_money(doc["AmountPaid"]),
        "AmountCredited": out_money(doc["AmountCredited"]), "IsDiscounted": False,
        "CreditNotes": credit_notes, "Prepayments": [], "Overpayments": [],
    })
    return out


def render_credit_note(ctx: Ctx, doc: Doc, with_lines: bool = True) -> Doc:
    """A stored credit note as Xero's CreditNote."""
    out = _common(ctx, doc, with_lines)
    allocations = []
    for allocation in _allocations_of(ctx, "CreditNoteID", doc["CreditNoteID"]):
        invoice = ctx.store.get("invoice", allocation["InvoiceID"]) or {}
        allocations.append(render_allocation_summary(allocation, invoice))
    out.update({
        "CreditNoteID": doc["CreditNoteID"], "CreditNoteNumber": doc.get("CreditNoteNumber") or "",
        "RemainingCredit": out_money(s(amount_due(doc))), "Allocations": allocations,
        "AppliedAmount": out_money(doc["AmountCredited"]),
    })
    return out


def render_allocation_summary(allocation: Doc, invoice: Doc) -> Doc:
    """An allocation as listed on its credit note."""
    return {"AllocationID": allocation["AllocationID"], "Amount": out_money(allocation["Amount"]),
            "Date": ms_date(allocation["Date"]),
            "Invoice": {"InvoiceID": allocation["InvoiceID"],
                        "InvoiceNumber": invoice.get("InvoiceNumber") or ""},
            "IsDeleted": allocation["IsDeleted"]}


def render_allocation(ctx: Ctx, allocation: Doc) -> Doc:
    """The answer to PUT .../Allocations: the allocation with both documents."""
    invoice = ctx.store.get("invoice", allocation["InvoiceID"]) or {}
    note = ctx.store.get("creditnote", allocation["CreditNoteID"]) or {}
    out = render_allocation_summary(allocation, invoice)
    out["Invoice"] = render_invoice(ctx, invoice, with_lines=False)
    out["CreditNote"] = {"CreditNoteID": note["CreditNoteID"], "Type": note["Type"],
                         "CreditNoteNumber": note.get("CreditNoteNumber") or "",
                         "RemainingCredit": out_money(s(amount_due(note))),
                         "Status": note["Status"]}
    return out


def render_payment(ctx: Ctx, payment: Doc) -> Doc:
    """A stored payment as Xero's Payment."""
    kind = INVOICE if payment["DocKind"] == "invoice" else CREDIT
    doc = ctx.store.get(kind.kind, payment["DocID"]) or {}
    account = ctx.store.get("account", payment["AccountID"]) or {}
    out: Doc = {
        "PaymentID": payment["PaymentID"], "Date": ms_date(payment["Date"]),
        "Amount": out_money(payment["Amount"]), "BankAmount": out_money(payment["Amount"]),
        "CurrencyRate": 1.0, "Reference": payment.get("Reference") or "",
        "IsReconciled": payment["IsReconciled"], "Status": payment["Status"],
        "PaymentType": payment["PaymentType"],
        "UpdatedDateUTC": ms_timestamp(payment["UpdatedDateUTC"]), "HasAccount": True,
        "HasValidationErrors": False,
        "Account": {"AccountID": account.get("AccountID"), "Code": account.get("Code")},
    }
    stub = {kind.id_field: payment["DocID"], "Type": doc.get("Type"),
            kind.number_field: doc.get(kind.number_field) or "",
            "Contact": _contact_stub(ctx, doc.get("ContactID"))}
    out["Invoice" if kind is INVOICE else "CreditNote"] = stub
    return out

