"""Plain rows for the inspection page of one organisation (rendered, escaped, by Jinja)."""

from __future__ import annotations

from typing import Any

from sandbox.books import Ctx, accounts, s
from sandbox.documents import amount_due
from sandbox.reports import trial_balance


def _names(ctx: Ctx) -> dict[str, str]:
    contacts = {c["ContactID"]: c["Name"] for c in ctx.store.all("contact", org=ctx.org)}
    labels = {a["AccountID"]: f"{a['Code'] or '(no code)'} {a['Name']}"
              for a in accounts(ctx)}
    return {**contacts, **labels}


def _prepaid(ctx: Ctx) -> list[dict[str, Any]]:
    """Overpayments then prepayments, each with the credit it still holds."""
    return [{**doc, "RemainingCredit": s(amount_due(doc))}
            for kind in ("overpayment", "prepayment") for doc in ctx.store.all(kind, org=ctx.org)]


def organisation_view(ctx: Ctx) -> dict[str, Any]:
    """Everything the organisation holds, as lists of dicts for the template."""
    names = _names(ctx)
    invoices = ctx.store.all("invoice", org=ctx.org)
    credit_notes = ctx.store.all("creditnote", org=ctx.org)
    documents = {d.get("InvoiceID") or d.get("CreditNoteID"): d for d in invoices + credit_notes}
    report = trial_balance(ctx, ctx.sb.clock.now_dt().date())
    return {
        "names": names,
        "documents": documents,
        "invoices": invoices,
        "credit_notes": credit_notes,
        "allocations": ctx.store.all("allocation", org=ctx.org),
        "payments": ctx.store.all("payment", org=ctx.org),
        "bank_transactions": ctx.store.all("banktransaction", org=ctx.org),
        "prepaid": _prepaid(ctx),
        "transfers": ctx.store.all("banktransfer", org=ctx.org),
        "journals": ctx.store.all("manualjournal", org=ctx.org),
        "contacts": ctx.store.all("contact", org=ctx.org),
        "accounts": accounts(ctx),
        "tracking": ctx.store.all("tracking", org=ctx.org),
        "trial_balance": report["Rows"],
        "connections": ctx.store.all("connection", org=ctx.org),
    }
