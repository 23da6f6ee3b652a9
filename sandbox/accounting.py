"""The Accounting API (JSON) at /api.xro/2.0: routing, batches, lists, reports.

Each resource is a row in RESOURCES: its envelope key, store kind, id field, the scopes that allow
it, and its create/update/render functions. Path segments are matched case-insensitively, since
Xero's own documents spell them both ways (FACTS §2.1).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, g, request

from sandbox import banking, documents, settings
from sandbox.books import Ctx, Doc, Invalid
from sandbox.echo import echo
from sandbox.gate import run_guarded
from sandbox.reports import trial_balance
from sandbox.shape import normalise
from sandbox.state import current
from sandbox.xerojson import (
    envelope,
    json_response,
    not_found,
    parse_bool,
    parse_date,
    validation_exception,
)

bp = Blueprint("accounting", __name__, url_prefix="/api.xro/2.0")

SETTINGS = ("accounting.settings.read",), ("accounting.settings",)
CONTACTS = ("accounting.contacts.read",), ("accounting.contacts",)
TRANSACTIONS = "accounting.transactions"


def _txn(granular: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Broad transactions scopes, or the 2026 granular ones (FACTS §3.7)."""
    return ((f"{TRANSACTIONS}.read", f"{granular}.read"), (TRANSACTIONS, granular))


@dataclass(frozen=True)
class Resource:
    """How one Accounting API collection behaves."""

    key: str
    kind: str
    id_field: str
    scopes: tuple[tuple[str, ...], tuple[str, ...]]
    render: Callable[..., Doc]
    create: Callable[[Ctx, Doc], Doc] | None = None
    update: Callable[[Ctx, Doc, Doc], Doc] | None = None
    find: Callable[[Ctx, Doc], Doc | None] | None = None
    paged: bool = False
    error_flag: str = "HasErrors"


def _by_id(kind: str, id_field: str) -> Callable[[Ctx, Doc], Doc | None]:
    """A finder by id within the request's organisation."""

    def find(ctx: Ctx, element: Doc) -> Doc | None:
        return ctx.store.get(kind, str(element.get(id_field) or ""), org=ctx.org)

    return find


def _document_finder(kind: documents.Kind) -> Callable[[Ctx, Doc], Doc | None]:
    """By id, or by number: GET /Invoices/INV-0001 works as in Xero."""

    def find(ctx: Ctx, element: Doc) -> Doc | None:
        found = documents.find_document(ctx, kind, element)
        key = element.get(kind.id_field)
        if found is None and isinstance(key, str) and set(element) == {kind.id_field}:
            found = documents.find_document(ctx, kind, {kind.number_field: key})
        return found

    return find


def _contact_finder(ctx: Ctx, element: Doc) -> Doc | None:
    """By id, number or name; GET /Contacts/{ContactNumber} works as in Xero."""
    found = settings.find_contact_for_update(ctx, element)
    key = element.get("ContactID")
    if found is None and isinstance(key, str) and set(element) == {"ContactID"}:
        found = settings.find_contact_for_update(ctx, {"ContactNumber": key})
    return found


RESOURCES = {r.key.lower(): r for r in [
    Resource("Accounts", "account", "AccountID", SETTINGS, settings.render_account,
             settings.create_account, settings.update_account, _by_id("account", "AccountID")),
    Resource("Contacts", "contact", "ContactID", CONTACTS, settings.render_contact,
             settings.create_contact, settings.update_contact, _contact_finder,
             paged=True, error_flag="HasValidationErrors"),
    Resource("Invoices", "invoice", "InvoiceID", _txn("accounting.invoices"),
             documents.render_invoice, documents.create_invoice, documents.update_invoice,
             _document_finder(documents.INVOICE), paged=True),
    Resource("CreditNotes", "creditnote", "CreditNoteID", _txn("accounting.invoices"),
             documents.render_credit_note, documents.create_credit_note,
             documents.update_credit_note,
             _document_finder(documents.CREDIT), paged=True),
    Resource("Payments", "payment", "PaymentID", _txn("accounting.payments"),
             lambda ctx, doc, with_lines=True: documents.render_payment(ctx, doc),
             documents.create_payment, documents.update_payment, _by_id("payment", "PaymentID"),
             paged=True, error_flag="HasValidationErrors"),
    Resource("BankTransactions", "banktransaction", "BankTransactionID",
             _txn("accounting.banktransactions"), banking.render_bank_transaction,
             banking.create_bank_transaction, banking.update_bank_transaction,
             _by_id("banktransaction", "BankTransactionID"), paged=True),
    Resource("BankTransfers", "banktransfer", "BankTransferID",
             _txn("accounting.banktransactions"), banking.render_bank_transfer,
             banking.create_bank_transfer, banking.update_bank_transfer,
             _by_id("banktransfer", "BankTransferID")),
    Resource("ManualJournals", "manualjournal", "ManualJournalID",
             _txn("accounting.manualjournals"), banking.render_manual_journal,
             banking.create_manual_journal, banking.update_manual_journal,
             _by_id("manualjournal", "ManualJournalID"), paged=True),
    Resource("TrackingCategories", "tracking", "TrackingCategoryID", SETTINGS,
             settings.render_tracking_category, settings.create_tracking_category,
             settings.update_tracking_category, _by_id("tracking", "TrackingCategoryID")),
    Resource("TaxRates", "taxrate", "TaxType", SETTINGS, settings.render_tax_rate),
]}
REPORTS = ("accounting.reports.read", "accounting.reports.trialbalance.read")


# ---------------------------------------------------------------- request helpers


def _ctx() -> Ctx:
    sb = current()
    return Ctx(sb=sb, org=g.tenant, now=sb.clock.now(), app_name=sb.app_name(g.grant["client_id"]))


def _ok(ctx: Ctx, key: str, items: list[Doc], extra: Doc | None = None) -> Response:
    body = envelope(key, [prune(item) for item in items], ctx.app_name, ctx.now)
    body.update(extra or {})
    return json_response(body)


def prune(value: Any) -> Any:
    """Drop null fields: the spec declares none nullable, and Xero omits empty values."""
    if isinstance(value, dict):
        return {k: prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [prune(item) for item in value]
    return value


def _body() -> Any:
    try:
        return json.loads(request.get_data(as_text=True) or "{}", parse_float=Decimal)
    except ValueError:
        return None


def _elements(resource: Resource, body: Any) -> list[Doc] | None:
    """Both the plural envelope and a bare single object are accepted (FACTS §2.4)."""
    if isinstance(body, dict) and isinstance(body.get(resource.key), list):
        return [el if isinstance(el, dict) else {} for el in body[resource.key]]
    if isinstance(body, dict):
        return [body]
    return None


# ---------------------------------------------------------------- dispatch


@bp.route("/<path:rest>", methods=["GET", "PUT", "POST", "DELETE"])
def dispatch(rest: str) -> Response:
    """Route /api.xro/2.0/<Collection>[/<id>[/<Sub>[/<id>]]] case-insensitively."""
    parts = [part for part in rest.split("/") if part]
    head = parts[0].lower()
    if head == "organisation" and [part.lower() for part in parts[1:]] == ["actions"]:
        return run_guarded(*SETTINGS, _organisation_actions)
    if head == "organisation" and len(parts) == 1:
        return run_guarded(*SETTINGS, lambda: _organisation(request.method))
    if head == "currencies":
        return run_guarded(*SETTINGS, lambda: _ok(_ctx(), "Currencies", settings.currencies()))
    if head == "reports" and len(parts) == 2 and parts[1].lower() == "trialbalance":
        return run_guarded(REPORTS, (), _trial_balance)
    resource = RESOURCES.get(head)
    if resource is None:
        return not_found()
    return run_guarded(*resource.scopes, lambda: _resource_call(resource, parts[1:]))


def _resource_call(resource: Resource, rest: list[str]) -> Response:
    method, ctx = request.method, _ctx()
    if not rest:
        if method == "GET":
            return _list(ctx, resource)
        if method in ("PUT", "POST") and resource.create is not None:
            return _write(ctx, resource, upsert=method == "POST")
        return _not_allowed()
    target = resource.find(ctx, {resource.id_field: rest[0]}) if resource.find else None
    if resource.kind == "taxrate":
        return _not_allowed()
    if target is None and resource.kind == "banktransaction" and method == "GET":
        legs = [leg for leg in banking.transfer_legs(ctx) if leg["BankTransactionID"] == rest[0]]
        return _ok(ctx, resource.key, legs) if legs and len(rest) == 1 else not_found()
    if target is None:
        return not_found()
    if len(rest) == 1 and method == "GET":
        return _ok(ctx, resource.key, [resource.render(ctx, target)])
    if len(rest) == 1 and method == "POST":
        return _write(ctx, resource, upsert=True, target=target)
    return _sub_resource(ctx, resource, target, [part.lower() for part in rest[1:]])


def _not_allowed() -> Response:
    return Response("The method is not allowed for the requested URL.", 405,
                    content_type="text/plain")


def _sub_resource(ctx: Ctx, resource: Resource, target: Doc, rest: list[str]) -> Response:
    method = request.method
    if resource.kind == "creditnote" and rest[:1] == ["allocations"]:
        if method == "PUT" and len(rest) == 1:
            return _allocate(ctx, target)
        if method == "DELETE" and len(rest) == 2:
            return _unallocate(ctx, target, rest[1])
    if resource.kind == "tracking" and rest == ["options"] and method == "PUT":
        return _add_option(ctx, target)
    return not_found()


def _organisation(method: str) -> Response:
    if method != "GET":
        return Response("", 501)  # POST Organisation -> 501 Not Implemented (FACTS §6.1)
    ctx = _ctx()
    org = ctx.store.get("organisation", ctx.org)
    return _ok(ctx, "Organisations", [settings.render_organisation(ctx, org)])


def _organisation_actions() -> Response:
    if request.method != "GET":
        return _not_allowed()
    return _ok(_ctx(), "Actions", settings.organisation_actions())


# ---------------------------------------------------------------- writing


def _echo(resource: Resource, element: Doc, messages: list[str]) -> Doc:
    """A failed element as Xero echoes it: the input, a zero id and its ValidationErrors."""
    return echo(element, resource.id_field, resource.error_flag, messages)


def _apply(ctx: Ctx, resource: Resource, element: Doc, upsert: bool,
           target: Doc | None) -> Doc:
    """Create or update one element inside its own savepoint."""
    element = normalise(element)
    with ctx.store.transaction():
        existing = target or (resource.find(ctx, element) if upsert and resource.find else None)
        if existing is not None:
            if resource.update is None:
                raise Invalid("This object cannot be updated")
            return resource.update(ctx, existing, element)
        if element.get(resource.id_field) and resource.find is not None:
            raise Invalid("The document with the supplied id was not found for this endpoint.")
        assert resource.create is not None
        return resource.create(ctx, element)


def _write(ctx: Ctx, resource: Resource, upsert: bool, target: Doc | None = None) -> Response:
    """A batch: with summarizeErrors=false every element answers for itself (HTTP 200)."""
    elements = _elements(resource, _body())
    if not elements:
        return validation_exception([{"ValidationErrors": [{"Message": "No data has been "
                                                            "supplied"}]}])
    summarize = parse_bool(request.args.get("summarizeErrors"), default=True)
    results, failed = [], []
    for element in elements:
        try:
            item = resource.render(ctx, _apply(ctx, resource, element, upsert, target))
            if not summarize:
                item["StatusAttributeString"] = "OK"
            results.append(item)
        except Invalid as exc:
            failed_element = _echo(resource, element, exc.messages)
            failed.append(failed_element)
            results.append({**failed_element, "StatusAttributeString": "ERROR"})
    if failed and summarize:
        # Xero's summarised mode still saves the valid elements (FACTS §6.3, real report).
        return validation_exception([prune(item) for item in failed])
    return _ok(ctx, resource.key, results)


def _allocate(ctx: Ctx, credit_note: Doc) -> Response:
    body = _body()
    elements = body.get("Allocations") if isinstance(body, dict) else None
    elements = elements if isinstance(elements, list) else [body] if isinstance(body, dict) else []
    summarize = parse_bool(request.args.get("summarizeErrors"), default=True)
    results, failed = [], []
    for element in elements:
        try:
            with ctx.store.transaction():
                note = ctx.store.get("creditnote", credit_note["CreditNoteID"])
                allocation = documents.allocate(ctx, note, normalise(element))
            item = documents.render_allocation(ctx, allocation)
            if not summarize:
                item["StatusAttributeString"] = "OK"
            results.append(item)
        except Invalid as exc:
            failed_element = echo(element, "AllocationID", "HasErrors", exc.messages)
            failed_element.pop("HasErrors")
            failed.append(failed_element)
            results.append({**failed_element, "StatusAttributeString": "ERROR"})
    if failed and summarize:
        return validation_exception([prune(item) for item in failed])
    return _ok(ctx, "Allocations", results)


def _unallocate(ctx: Ctx, credit_note: Doc, allocation_id: str) -> Response:
    allocation = ctx.store.get("allocation", allocation_id)
    if allocation is None or allocation["CreditNoteID"] != credit_note["CreditNoteID"] or \
            allocation["IsDeleted"]:
        return not_found()
    allocation = documents.delete_allocation(ctx, allocation)
    invoice = ctx.store.get("invoice", allocation["InvoiceID"]) or {}
    return json_response(prune(documents.render_allocation_summary(allocation, invoice)))


def _add_option(ctx: Ctx, category: Doc) -> Response:
    body = _body()
    element = body if isinstance(body, dict) else {}
    try:
        with ctx.store.transaction():
            option = settings.add_tracking_option(ctx, category, normalise(element))
    except Invalid as exc:
        return validation_exception([{**element, "ValidationErrors":
                                      [{"Message": m} for m in exc.messages]}])
    return _ok(ctx, "Options", [{**option, "TrackingCategoryID": category["TrackingCategoryID"]}])


# ---------------------------------------------------------------- reading


WHERE_TERM = re.compile(
    r'^\s*([A-Za-z][\w.]*)\s*(==|!=)\s*(?:"([^"]*)"|Guid\("([^"]*)"\)|(true|false))\s*$')


def _where(expression: str | None) -> Callable[[Doc], bool]:
    """The subset of Xero's `where` used by clients: Field==\"v\" / Guid(\"v\") / bool, AND-ed."""
    if not expression:
        return lambda item: True
    terms = []
    for part in re.split(r"\s+(?:AND|&&)\s+", expression.strip()):
        match = WHERE_TERM.match(part)
        if match is None:
            raise Invalid(f"The where clause is not supported by the sandbox: {part}")
        field, op, text, guid, boolean = match.groups()
        value: Any = text if text is not None else guid if guid is not None else boolean == "true"
        terms.append((field.split("."), op, value))

    def keep(item: Doc) -> bool:
        for path, op, value in terms:
            current_value: Any = item
            for key in path:
                current_value = current_value.get(key) if isinstance(current_value, dict) else None
            if (current_value == value) != (op == "=="):
                return False
        return True

    return keep


def _modified_since(item: Doc) -> bool:
    """If-Modified-Since: only records updated after the given UTC instant (FACTS §4.4)."""
    header = request.headers.get("If-Modified-Since")
    stamp = item.get("UpdatedDateUTC")
    if not header or not isinstance(stamp, str):
        return True
    try:
        moment = datetime.fromisoformat(header.replace("Z", "+00:00"))
    except ValueError:
        return True
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    millis = re.search(r"-?\d+", stamp)
    return millis is None or int(millis.group()) / 1000 > moment.timestamp()


def _id_filters(resource: Resource) -> Callable[[Doc], bool]:
    """Fast filters: IDs, InvoiceNumbers, ContactIDs, Statuses (comma lists), searchTerm."""
    filters = []
    for param, field in (("IDs", resource.id_field), ("InvoiceNumbers", "InvoiceNumber"),
                         ("Statuses", "Status")):
        if request.args.get(param):
            wanted = set(request.args[param].split(","))
            filters.append(lambda item, f=field, w=wanted: item.get(f) in w)
    term = (request.args.get("searchTerm") or "").lower()
    if term:
        # Contacts' searchTerm looks in these fields (FACTS §7.3); Invoices' in number/reference.
        fields = ("Name", "FirstName", "LastName", "ContactNumber", "CompanyNumber",
                  "EmailAddress", "InvoiceNumber", "Reference")
        filters.append(lambda item: any(term in str(item.get(f) or "").lower() for f in fields))
    if request.args.get("ContactIDs"):
        wanted_contacts = set(request.args["ContactIDs"].split(","))
        filters.append(lambda item: (item.get("Contact") or {}).get("ContactID") in wanted_contacts)
    return lambda item: all(check(item) for check in filters)


def _visible(resource: Resource, item: Doc) -> bool:
    """Archived contacts and deleted transfers are hidden unless asked for."""
    if resource.kind == "contact" and item.get("ContactStatus") == "ARCHIVED":
        return parse_bool(request.args.get("includeArchived"))
    if resource.kind == "banktransfer" and item.get("Status") == "DELETED":
        return parse_bool(request.args.get("includeDeleted"))
    if resource.kind in ("tracking", "account") and item.get("Status") == "ARCHIVED":
        return resource.kind == "account" or parse_bool(request.args.get("includeArchived"))
    return True


def _list(ctx: Ctx, resource: Resource) -> Response:
    page = request.args.get("page")
    with_lines = page is not None or resource.kind not in ("invoice", "creditnote")
    try:
        keep = _where(request.args.get("where"))
    except Invalid as exc:
        return validation_exception([{"ValidationErrors": [{"Message": exc.messages[0]}]}])
    by_ids = _id_filters(resource)
    items = [resource.render(ctx, doc, with_lines=with_lines)
             for doc in ctx.store.all(resource.kind, org=ctx.org)]
    if resource.kind == "banktransaction":
        items += banking.transfer_legs(ctx, with_lines)
    items = [item for item in items if _visible(resource, item) and keep(item) and by_ids(item)
             and _modified_since(item)]
    if not (resource.paged and page is not None):
        return _ok(ctx, resource.key, items)
    return _paged(ctx, resource, items, page)


def _paged(ctx: Ctx, resource: Resource, items: list[Doc], page_text: str) -> Response:
    try:
        page = max(1, int(page_text))
        size = min(1000, max(1, int(request.args.get("pageSize") or 100)))
    except ValueError:
        page, size = 1, 100
    count = len(items)
    chunk = items[(page - 1) * size: page * size]
    pagination = {"page": page, "pageSize": size, "pageCount": -(-count // size),
                  "itemCount": count}
    return _ok(ctx, resource.key, chunk, {"pagination": pagination})


def _trial_balance() -> Response:
    ctx = _ctx()
    text = request.args.get("date")
    try:
        as_at = parse_date(text) if text else ctx.sb.clock.now_dt().date()
    except ValueError:
        return validation_exception([{"ValidationErrors": [{"Message": "Invalid date"}]}])
    report = trial_balance(ctx, as_at)
    return _ok(ctx, "Reports", [report])

