"""The organisation's books inside the sandbox: lookups, line pricing with GST, and the ledger
postings every Xero object implies, from which the trial balance is computed.

Invariant: postings of every object sum to zero, so the trial balance always balances; it is the
ground truth our reconciliation compares against.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandbox.state import Sandbox
from sandbox.xerojson import CENT, money, new_id, number, parse_date

Doc = dict[str, Any]
ZERO = Decimal("0.00")
LINE_AMOUNT_TYPES = ("Exclusive", "Inclusive", "NoTax")
# Accounts a line of a sales/purchase document may not use (FACTS §6.4 "not a valid code").
SYSTEM_ONLY = {"DEBTORS", "CREDITORS", "GST", "RETAINEDEARNINGS", "TRACKINGTRANSFERS", "HISTORICAL"}


class Invalid(Exception):
    """One element failed validation; `messages` are Xero's ValidationErrors texts."""

    def __init__(self, *messages: str) -> None:
        super().__init__("; ".join(messages))
        self.messages = list(messages)


@dataclass
class Ctx:
    """One request's view of one organisation."""

    sb: Sandbox
    org: str
    now: float
    app_name: str
    cache: dict[str, Any] = field(default_factory=dict)
    # Decimal places of UnitAmount: 2 unless the request says unitdp=4 (FACTS §2, [OAS-ACC]).
    unit_dp: int = 2
    # Non-blocking Warnings of the element being written (Xero's per-element "Warnings").
    warnings: list[str] = field(default_factory=list)

    @property
    def store(self) -> Any:
        """The sandbox store."""
        return self.sb.store

    def today(self) -> str:
        """Today's date on the sandbox clock (documents default to it)."""
        return self.sb.clock.now_dt().date().isoformat()


def dec(text: Any) -> Decimal:
    """A stored money string as Decimal."""
    return Decimal(str(text))


def s(value: Decimal) -> str:
    """Decimal as the stored 2-dp string."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------- lookups


def accounts(ctx: Ctx) -> list[Doc]:
    """The chart of accounts (cached for the request: batches look it up per line)."""
    if "accounts" not in ctx.cache:
        ctx.cache["accounts"] = ctx.store.all("account", org=ctx.org)
    return ctx.cache["accounts"]


def forget_accounts(ctx: Ctx) -> None:
    """Drop the cached chart after a change to it."""
    ctx.cache.pop("accounts", None)


def account_ref(ctx: Ctx, ref: Doc | None, code: Any = None, account_id: Any = None) -> Doc | None:
    """Find an account by {AccountID} / {Code} (or loose code/id values)."""
    ref = ref or {}
    account_id = ref.get("AccountID") or account_id
    code = ref.get("Code") or code
    for account in accounts(ctx):
        if account_id and account["AccountID"] == account_id:
            return account
        if code and account["Code"] == str(code) and account["Status"] != "DELETED":
            return account
    return None


def system_account(ctx: Ctx, system: str) -> Doc:
    """The AR, AP, GST... account of the organisation."""
    for account in accounts(ctx):
        if account.get("SystemAccount") == system:
            return account
    raise LookupError(f"organisation has no {system} account")


def tax_rate(ctx: Ctx, tax_type: str) -> Decimal | None:
    """The percentage rate of a tax type, or None when the organisation has no such tax type."""
    record = ctx.store.get("taxrate", f"{ctx.org}:{tax_type}")
    return Decimal(record["Rate"]) if record else None


def find_contact(ctx: Ctx, ref: Doc | None) -> Doc | None:
    """An existing contact by ContactID, ContactNumber or (active) Name."""
    ref = ref or {}
    for contact in ctx.store.all("contact", org=ctx.org):
        if ref.get("ContactID") and contact["ContactID"] == ref["ContactID"]:
            return contact
        if ref.get("ContactNumber") and contact.get("ContactNumber") == ref["ContactNumber"]:
            return contact
        if (not ref.get("ContactID") and ref.get("Name")
                and contact["Name"] == ref["Name"] and contact["ContactStatus"] == "ACTIVE"):
            return contact
    return None


def resolve_contact(ctx: Ctx, ref: Doc | None) -> Doc:
    """The document's contact; a new Name creates a contact, as Xero does (FACTS §7.3)."""
    ref = ref if isinstance(ref, dict) else {}
    if not any(ref.get(key) for key in ("ContactID", "ContactNumber", "Name")):
        raise Invalid("The Contact must contain at least 1 of the following elements to identify "
                      "the contact: Name, ContactID, ContactNumber")
    contact = find_contact(ctx, ref)
    if contact is not None:
        return contact
    if ref.get("ContactID") or not ref.get("Name"):
        raise Invalid("The contact with the specified ContactID could not be found")
    contact = {"ContactID": new_id(), "Name": ref["Name"], "ContactStatus": "ACTIVE",
               "UpdatedDateUTC": ctx.now}
    ctx.store.put("contact", contact["ContactID"], contact, org=ctx.org)
    return contact


def mark_contact(ctx: Ctx, contact: Doc, doc_type: str) -> None:
    """IsCustomer / IsSupplier are set by AR / AP documents (read-only in the API)."""
    flag = "IsCustomer" if doc_type.startswith("ACCREC") or doc_type == "RECEIVE" else "IsSupplier"
    if not contact.get(flag):
        ctx.store.put("contact", contact["ContactID"], {**contact, flag: True}, org=ctx.org)


def document_date(value: Any, default: str) -> str:
    """Request date -> stored ISO date."""
    if value in (None, ""):
        return default
    try:
        return parse_date(value).isoformat()
    except (ValueError, OverflowError, OSError) as exc:
        raise Invalid(f"'{value}' is not a valid date") from exc


# ---------------------------------------------------------------- pricing lines


def _line_account(ctx: Ctx, line: Doc, purpose: str, required: bool) -> Doc | None:
    account = account_ref(ctx, None, line.get("AccountCode"), line.get("AccountID"))
    if account is None:
        if line.get("AccountCode"):
            raise Invalid(f"Account code '{line['AccountCode']}' is not a valid code for this "
                          "document.")
        if line.get("AccountID"):
            raise Invalid("Account must be valid.")
        if required:
            raise Invalid("Account code must be specified")
        return None
    label = account["Code"] or account["Name"]
    if account["Status"] != "ACTIVE":
        raise Invalid(f"Account code '{label}' has been archived, or has been deleted. Each line "
                      "item must reference a valid account.")
    forbidden_bank = purpose in {"document", "journal", "bank"} and account["Type"] == "BANK"
    if forbidden_bank or account.get("SystemAccount") in SYSTEM_ONLY:
        raise Invalid(f"Account code '{label}' is not a valid code for this document.")
    return account


def _line_tax_type(ctx: Ctx, line: Doc, account: Doc | None) -> tuple[str | None, Decimal]:
    tax_type = line.get("TaxType") or (account["TaxType"] if account else None)
    if tax_type is None:
        return None, Decimal(0)
    rate = tax_rate(ctx, tax_type)
    if rate is None:
        raise Invalid(f"The TaxType code {tax_type} does not exist or cannot be used for this type "
                      "of transaction.")
    return tax_type, rate


def _amounts(line: Doc, unit_dp: int = 2) -> tuple[Decimal, Decimal, Decimal]:
    """Quantity, unit amount (rounded to `unit_dp` places, as Xero stores it) and line amount,
    checked against each other."""
    try:
        quantity = number(line.get("Quantity", 1) if line.get("Quantity") is not None else 1)
        unit = number(line["UnitAmount"]) if line.get("UnitAmount") is not None else None
        if unit is not None and unit.is_finite():
            unit = unit.quantize(Decimal(1).scaleb(-unit_dp), rounding=ROUND_HALF_UP)
        given = money(line["LineAmount"]) if line.get("LineAmount") is not None else None
        discount = number(line.get("DiscountRate") or 0)
    except ValueError as exc:
        raise Invalid(str(exc)) from exc
    if unit is None:
        amount = given if given is not None else ZERO
        return quantity, amount, amount
    computed = (quantity * unit * (1 - discount / 100)).quantize(CENT, rounding=ROUND_HALF_UP)
    if given is not None and given != computed:
        # Sandbox wording (Xero's exact text UNCONFIRMED): the line total must add up.
        raise Invalid(f"The line amount {given} does not equal quantity x unit amount "
                      f"({computed}).")
    return quantity, unit, computed


def split_tax(amount: Decimal, rate: Decimal, line_amount_types: str) -> tuple[Decimal, Decimal]:
    """(net, tax) of a line amount; tax is rounded per line, as Xero does (FACTS §7.4)."""
    if line_amount_types == "NoTax" or rate == 0:
        return amount, ZERO
    if line_amount_types == "Inclusive":
        tax = (amount * rate / (100 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
        return amount - tax, tax
    tax = (amount * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return amount, tax


def price_lines(
    ctx: Ctx, lines_in: Any, line_amount_types: str, purpose: str, accounts_required: bool
) -> tuple[list[Doc], dict[str, str]]:
    """Validate and price line items; returns stored lines and SubTotal/TotalTax/Total."""
    if not isinstance(lines_in, list) or not lines_in:
        raise Invalid("At least one line item must be specified")  # sandbox wording
    lines, subtotal, total_tax = [], ZERO, ZERO
    for raw in lines_in:
        raw = raw if isinstance(raw, dict) else {}
        account = _line_account(ctx, raw, purpose, accounts_required)
        tax_type, rate = _line_tax_type(ctx, raw, account)
        quantity, unit, amount = _amounts(raw, ctx.unit_dp)
        net, tax = split_tax(amount, rate, line_amount_types)
        if raw.get("TaxAmount") is not None and line_amount_types != "NoTax":
            tax = money(raw["TaxAmount"])  # Xero lets a client override the computed tax
            net = amount - tax if line_amount_types == "Inclusive" else amount
        lines.append({
            "LineItemID": raw.get("LineItemID") or new_id(),
            "Description": raw.get("Description"), "Quantity": str(quantity),
            "UnitAmount": str(unit), "AccountID": account["AccountID"] if account else None,
            "AccountCode": account["Code"] if account else None, "TaxType": tax_type,
            "TaxAmount": s(tax), "LineAmount": s(amount), "Net": s(net),
            "Tracking": raw.get("Tracking") or [], "DiscountRate": raw.get("DiscountRate"),
        })
        subtotal += net
        total_tax += tax
    return lines, {"SubTotal": s(subtotal), "TotalTax": s(total_tax),
                   "Total": s(subtotal + total_tax)}


def line_amount_types(value: Any, default: str = "Exclusive") -> str:
    """Validate LineAmountTypes (default Exclusive for documents, NoTax for journals)."""
    if value in (None, ""):
        return default
    if value not in LINE_AMOUNT_TYPES:
        raise Invalid(f"'{value}' is not a valid LineAmountTypes value")  # sandbox wording
    return str(value)


# ---------------------------------------------------------------- ledger postings


def _document_postings(
    ctx: Ctx, doc: Doc, control: str, sign: int
) -> Iterator[tuple[str, Decimal]]:
    """Sales-side sign +1 (debit the control account), purchase-side -1."""
    yield system_account(ctx, control)["AccountID"], sign * dec(doc["Total"])
    gst = system_account(ctx, "GST")["AccountID"]
    for line in doc["Lines"]:
        if line["AccountID"]:
            yield line["AccountID"], -sign * dec(line["Net"])
        yield gst, -sign * dec(line["TaxAmount"])


DOCUMENT_SIDE = {"ACCREC": ("DEBTORS", 1), "ACCPAY": ("CREDITORS", -1),
                 "ACCRECCREDIT": ("DEBTORS", -1), "ACCPAYCREDIT": ("CREDITORS", 1),
                 # Money received ahead of (or above) an invoice is a credit the contact holds,
                 # like a credit note; refunding it is paying it out (sandbox/prepaid.py).
                 "RECEIVE-OVERPAYMENT": ("DEBTORS", -1), "RECEIVE-PREPAYMENT": ("DEBTORS", -1),
                 "SPEND-OVERPAYMENT": ("CREDITORS", 1), "SPEND-PREPAYMENT": ("CREDITORS", 1)}
POSTED_DOCUMENT = {"AUTHORISED", "PAID"}


def postings(ctx: Ctx) -> Iterator[tuple[str, str, Decimal]]:
    """(date, account id, amount; debit positive) for everything the organisation holds."""
    for kind in ("invoice", "creditnote"):
        for doc in ctx.store.all(kind, org=ctx.org):
            if doc["Status"] in POSTED_DOCUMENT:
                control, sign = DOCUMENT_SIDE[doc["Type"]]
                for account_id, amount in _document_postings(ctx, doc, control, sign):
                    yield doc["Date"], account_id, amount
    for payment in ctx.store.all("payment", org=ctx.org):
        if payment["Status"] == "AUTHORISED":
            control, sign = DOCUMENT_SIDE[payment["DocType"]]
            amount = dec(payment["Amount"])
            yield payment["Date"], payment["AccountID"], sign * amount
            yield payment["Date"], system_account(ctx, control)["AccountID"], -sign * amount
    for txn in ctx.store.all("banktransaction", org=ctx.org):
        if txn["Status"] == "AUTHORISED":
            sign = 1 if txn["Type"].startswith("RECEIVE") else -1
            yield txn["Date"], txn["BankAccountID"], sign * dec(txn["Total"])
            if txn["Type"] in DOCUMENT_SIDE:  # an overpayment or prepayment: held in AR / AP
                control = system_account(ctx, DOCUMENT_SIDE[txn["Type"]][0])["AccountID"]
                yield txn["Date"], control, -sign * dec(txn["Total"])
                continue
            gst = system_account(ctx, "GST")["AccountID"]
            for line in txn["Lines"]:
                yield txn["Date"], line["AccountID"], -sign * dec(line["Net"])
                yield txn["Date"], gst, -sign * dec(line["TaxAmount"])
    for transfer in ctx.store.all("banktransfer", org=ctx.org):
        if transfer["Status"] == "AUTHORISED":
            yield transfer["Date"], transfer["ToAccountID"], dec(transfer["Amount"])
            yield transfer["Date"], transfer["FromAccountID"], -dec(transfer["Amount"])
    for journal in ctx.store.all("manualjournal", org=ctx.org):
        if journal["Status"] == "POSTED":
            gst = system_account(ctx, "GST")["AccountID"]
            for line in journal["Lines"]:
                yield journal["Date"], line["AccountID"], dec(line["Net"])
                yield journal["Date"], gst, dec(line["TaxAmount"])


def balances(ctx: Ctx, as_at: str, since: str | None = None) -> dict[str, Decimal]:
    """Net debit balance per account id for postings dated on/before as_at (and on/after since)."""
    totals: dict[str, Decimal] = {}
    for day, account_id, amount in postings(ctx):
        if day <= as_at and (since is None or day >= since) and amount:
            totals[account_id] = totals.get(account_id, ZERO) + amount
    return totals

