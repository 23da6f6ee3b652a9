"""Client bills -> Xero sales invoices (ACCREC).

| ours (a posted bill)          | Xero invoice                                                  |
|-------------------------------|---------------------------------------------------------------|
| number (INV-00042)            | InvoiceNumber (unique for ACCREC, so a resend cannot double)  |
| client                        | Contact.ContactID (created first, integrations/xero/contacts) |
| date, due date                | Date, DueDate (the date when no due date was set)             |
| reference, else matter number | Reference                                                     |
| lines                         | one LineItem per (income account, tax code): Quantity 1,      |
|                               | UnitAmount = sum of the lines' amounts, TaxAmount = sum of    |
|                               | their GST (ours is rounded per line, and Xero keeps a given   |
|                               | TaxAmount), AccountCode and TaxType from the mapping          |
| -                             | Status AUTHORISED, LineAmountTypes Exclusive                  |

Ledger effect in Xero equals ours on the mapped accounts: Dr Accounts Receivable (Xero's DEBTORS)
the total, Cr each mapped income account its lines' amounts, Cr GST the GST.
Linked: the bill is locked "In Xero as INV-00042".
Found after a lost answer (`find_sent`, past Xero's 6-minute replay): by InvoiceNumber.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy.orm import Session

from accounting.events import PartyKind
from accounting.ledger.tax import TaxCode
from accounting.money import ZERO
from accounting.office.bills import Bill
from integrations.mapping import account_mappings, held_back_by_missing_mapping, tax_mappings
from integrations.suggest import TaxUse
from integrations.xero.elements import (
    Answer,
    Unmappable,
    batch_answer,
    contact_id,
    posted_document,
)
from integrations.xero.links import add_link, lock_reason
from integrations.xero.outbox import OutboxRow, Party

KIND = "bill"
MAX_DESCRIPTION = 4000
# Every tax code's use on the income side (a bill's lines), so a code added to TaxCode is covered.
INCOME_TAX_USE = {use.tax_code: use for use in TaxUse if use.side == "income"}


def bill_of(session: Session, row: OutboxRow) -> Bill:
    """The bill whose posting this row pushes."""
    return posted_document(session, Bill, row.journal_id, "bill")


def party_of(session: Session, row: OutboxRow) -> Party:
    """The client whose contact must be in Xero before this bill goes."""
    return Party(PartyKind.CLIENT, bill_of(session, row).client_id)


def build(session: Session, tenant_id: str, row: OutboxRow) -> dict:
    """The ACCREC invoice of the row's bill."""
    bill = bill_of(session, row)
    return {"Type": "ACCREC", "InvoiceNumber": bill.number,
            "Contact": {"ContactID": contact_id(session, tenant_id, bill.client)},
            "Date": bill.date.isoformat(), "DueDate": (bill.due_date or bill.date).isoformat(),
            "Reference": bill.reference or bill.matter.number, "Status": "AUTHORISED",
            "LineAmountTypes": "Exclusive", "LineItems": line_items(session, tenant_id, bill)}


def line_items(session: Session, tenant_id: str, bill: Bill) -> list[dict]:
    """The bill's lines summed per income account and tax code, on the mapped Xero codes."""
    return summed_line_items(session, tenant_id, [(line, line.gst) for line in bill.lines],
                             INCOME_TAX_USE)


def summed_line_items(session: Session, tenant_id: str, lines_with_gst: list[tuple],
                      tax_uses: dict) -> list[dict]:
    """Lines (each with its GST) summed per account and tax code, on the mapped Xero codes: one
    LineItem each, Quantity 1, the amounts' sum, their GST as TaxAmount. `tax_uses` says which
    side's tax mapping applies (income or expenses)."""
    missing = held_back_by_missing_mapping(
        session, tenant_id, {line.account_id for line, _ in lines_with_gst})
    if missing:
        raise Unmappable(" ".join(missing) + " Map it (Integrations > Mapping), then retry.")
    accounts, taxes = account_mappings(session, tenant_id), tax_mappings(session, tenant_id)
    groups: dict[tuple[int, TaxCode], list] = defaultdict(list)
    for line, gst in lines_with_gst:
        groups[(line.account_id, line.tax)].append((line, gst))
    items = []
    for (account_id, tax), grouped in groups.items():
        use = tax_uses[tax]
        if use not in taxes:
            raise Unmappable(f"{use.label} has no Xero tax type: map it (Integrations > Mapping), "
                             "then retry.")
        amount = sum((line.amount for line, _ in grouped), ZERO)
        gst = sum((gst for _, gst in grouped), ZERO)
        items.append({"Description": _description([line for line, _ in grouped]),
                      "Quantity": Decimal(1), "UnitAmount": amount, "LineAmount": amount,
                      "TaxAmount": gst, "AccountCode": accounts[account_id].xero_code,
                      "TaxType": taxes[use].xero_tax_type})
    return items


def _description(lines) -> str:
    text = "; ".join(line.description for line in lines)
    return text if len(text) <= MAX_DESCRIPTION else text[:MAX_DESCRIPTION - 3] + "..."


def accept(session: Session, tenant_id: str, row: OutboxRow, answer: Answer) -> None:
    """Link the bill to its invoice and lock it."""
    bill = bill_of(session, row)
    number = answer.number or bill.number
    add_link(session, tenant_id, KIND, bill.id, answer.xero_id, number, lock=bill,
             reason=lock_reason(number))


def send(api, tenant_id: str, elements: list[dict], key: str, timeout: float = 60.0):
    """One batch PUT (summarizeErrors=false: each element answers for itself)."""
    return batch_answer(api, "Invoices", lambda: api.create_invoices(
        tenant_id, {"Invoices": elements}, summarize_errors=False, idempotency_key=key,
        _request_timeout=timeout))


def find_sent(session: Session, api, tenant_id: str, rows: list[OutboxRow]) -> dict[int, Answer]:
    """The rows whose invoice Xero has, by our number (unique among ACCREC invoices): one call."""
    numbers = {bill_of(session, row).number: row.id for row in rows}
    found = api.get_invoices(tenant_id, invoice_numbers=sorted(numbers), page=1,
                             page_size=max(len(numbers), 1), summary_only=True).invoices or []
    return {numbers[invoice.invoice_number]: Answer(str(invoice.invoice_id), invoice.invoice_number)
            for invoice in found
            if invoice.invoice_number in numbers and getattr(invoice.type, "value", invoice.type) == "ACCREC"}


ID_FIELD, NUMBER_FIELD = "InvoiceID", "InvoiceNumber"
