"""Xero Practice Manager API v3.1 (XML) at /practicemanager/3.1 (FACTS §9).

Every answer is XML: <Response><Status>OK</Status>...</Response>, or Status ERROR with an
ErrorDescription (HTTP 200, as XPM does for application errors). Clients use Yes/No booleans.
Needs a PRACTICEMANAGER connection (the person must have Practice Manager access) and a
practicemanager scope.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, g, request

from sandbox.gate import run_guarded
from sandbox.state import current

bp = Blueprint("xpm", __name__, url_prefix="/practicemanager/3.1")

CLIENT_SCOPES = (("practicemanager.read", "practicemanager.client.read"),
                 ("practicemanager", "practicemanager.client"))
JOB_SCOPES = (("practicemanager.read", "practicemanager.job.read"),
              ("practicemanager", "practicemanager.job"))
CLIENT_FIELDS = ("Name", "FirstName", "LastName", "OtherName", "Email", "DateOfBirth", "Address",
                 "City", "Region", "PostCode", "Country", "PostalAddress", "PostalCity",
                 "PostalRegion", "PostalPostCode", "PostalCountry", "Phone", "Fax", "Website",
                 "ReferralSource", "ExportCode", "TaxNumber", "CompanyNumber", "BusinessNumber",
                 "BusinessStructure", "BalanceMonth", "PrepareGST", "GSTRegistered", "GSTPeriod",
                 "GSTBasis", "PrepareActivityStatement", "PrepareTaxReturn")
CONTACT_FIELDS = ("Name", "Salutation", "Addressee", "Mobile", "Email", "Phone", "Position")

Doc = dict[str, Any]


class XpmError(Exception):
    """An application error XPM reports as Status ERROR."""


# ---------------------------------------------------------------- XML helpers


def _xml(*children: ET.Element, status: str = "OK", http: int = 200) -> Response:
    root = ET.Element("Response")
    ET.SubElement(root, "Status").text = status
    root.extend(children)
    body = ET.tostring(root, encoding="unicode", xml_declaration=False)
    return Response(body, http, content_type="text/xml; charset=utf-8")


def _error(message: str) -> Response:
    description = ET.Element("ErrorDescription")
    description.text = message
    return _xml(description, status="ERROR")


def _el(tag: str, text: Any = None, *children: ET.Element) -> ET.Element:
    element = ET.Element(tag)
    if text is not None:
        element.text = str(text)
    element.extend(children)
    return element


def _request_xml(root_tag: str) -> ET.Element:
    try:
        root = ET.fromstring(request.get_data(as_text=True) or "")
    except ET.ParseError as exc:
        raise XpmError("The XML supplied is not valid") from exc  # sandbox wording
    if root.tag != root_tag:
        raise XpmError(f"Expected a <{root_tag}> element")  # sandbox wording
    return root


def _text(root: ET.Element, tag: str) -> str | None:
    found = root.find(tag)
    return None if found is None else (found.text or "").strip()


def _valid_uuid(value: str | None) -> str:
    try:
        return str(uuid.UUID(value or ""))
    except ValueError as exc:
        raise XpmError("Invalid UUID supplied") from exc


def _stamp() -> str:
    return datetime.fromtimestamp(current().clock.now(), UTC).strftime("%Y-%m-%dT%H:%M:%S")


# ---------------------------------------------------------------- rendering


def _contact_xml(contact: Doc) -> ET.Element:
    element = _el("Contact", None, _el("UUID", contact["UUID"]))
    for field in CONTACT_FIELDS:
        element.append(_el(field, contact.get(field) or ""))
    element.append(_el("IsDeleted", "No"))
    element.append(_el("IsPrimary", contact.get("IsPrimary", "No")))
    return element


def _client_xml(client: Doc, detailed: bool) -> ET.Element:
    element = _el("Client", None, _el("UUID", client["UUID"]))
    for field in CLIENT_FIELDS if detailed else ("Name", "Email", "Phone", "Address", "City"):
        value = client.get(field) or ""
        if field == "TaxNumber" and value:
            value = "*" * max(0, len(value) - 3) + value[-3:]  # XPM masks tax numbers
        element.append(_el(field, value))
    element.append(_el("IsArchived", client.get("IsArchived", "No")))
    element.append(_el("IsDeleted", client.get("IsDeleted", "No")))
    if detailed:
        element.append(_el("Contacts", None, *(_contact_xml(c) for c in client["Contacts"])))
    return element


def _job_xml(job: Doc, client: Doc | None) -> ET.Element:
    return _el(
        "Job", None, _el("ID", job["ID"]), _el("UUID", job["UUID"]), _el("Name", job["Name"]),
        _el("Description", job.get("Description") or ""), _el("State", job["State"]),
        _el("StartDate", f"{job['StartDate']}T00:00:00"),
        _el("DueDate", f"{job['DueDate']}T00:00:00"),
        _el("Client", None, _el("UUID", job["ClientUUID"]),
            _el("Name", (client or {}).get("Name", ""))),
    )


# ---------------------------------------------------------------- client.api


def _clients() -> list[Doc]:
    return current().store.all("xpm_client", org=g.tenant)


def _client(client_uuid: str | None) -> Doc:
    found = current().store.get("xpm_client", _valid_uuid(client_uuid), org=g.tenant)
    if found is None or found.get("IsDeleted") == "Yes":
        raise XpmError("Client not found")  # sandbox wording
    return found


def _save(client: Doc) -> Doc:
    client["Modified"] = current().clock.now()
    current().store.put("xpm_client", client["UUID"], client, org=g.tenant)
    return client


def _detailed() -> bool:
    return request.args.get("detailed", "").lower() == "true"


def client_list() -> Response:
    """GET client.api/list[?detailed=true&modifiedsince=yyyy-MM-ddTHH:mm:ss]."""
    since = request.args.get("modifiedsince") or request.args.get("modifiedSince")
    try:
        limit = datetime.fromisoformat(since).replace(tzinfo=UTC).timestamp() if since else None
    except ValueError as exc:
        raise XpmError("modifiedsince must be yyyy-MM-ddTHH:mm:ss") from exc  # sandbox wording
    clients = [c for c in _clients() if c.get("IsDeleted") != "Yes"
               and (limit is None or c["Modified"] > limit)]
    return _xml(_el("Clients", None, *(_client_xml(c, _detailed()) for c in clients)))


def client_search() -> Response:
    """GET client.api/search?query=XYZ (name contains, case-insensitive)."""
    query = (request.args.get("query") or "").lower()
    clients = [c for c in _clients() if c.get("IsDeleted") != "Yes" and query in c["Name"].lower()]
    return _xml(_el("Clients", None, *(_client_xml(c, _detailed()) for c in clients)))


def client_get(client_uuid: str) -> Response:
    """GET client.api/get/{uuid}."""
    return _xml(_client_xml(_client(client_uuid), detailed=True))


def _fields_from(root: ET.Element, client: Doc) -> Doc:
    for field in CLIENT_FIELDS:
        source = "WebSite" if field == "Website" else field  # input WebSite, output Website
        value = _text(root, source)
        if value is not None:
            client[field] = value
    return client


def _contact_from(root: ET.Element) -> Doc:
    contact = {"UUID": str(uuid.uuid4())}
    for field in CONTACT_FIELDS:
        contact[field] = _text(root, field) or ""
    contact["IsPrimary"] = "Yes" if (_text(root, "IsPrimary") or "").lower() == "yes" else "No"
    if not contact["Name"]:
        raise XpmError("Contact Name is required")  # sandbox wording
    return contact


def _set_primary(client: Doc, contact: Doc) -> None:
    """The last contact marked primary wins (FACTS §9.3)."""
    if contact["IsPrimary"] == "Yes":
        for other in client["Contacts"]:
            other["IsPrimary"] = "No"


def client_add() -> Response:
    """POST client.api/add: <Client><Name>...</Name>...<Contacts>...</Contacts></Client>."""
    root = _request_xml("Client")
    if not _text(root, "Name"):
        raise XpmError("Name is required")  # sandbox wording
    client = _fields_from(root, {"UUID": str(uuid.uuid4()), "IsArchived": "No",
                                 "IsDeleted": "No", "Contacts": []})
    for node in root.findall("Contacts/Contact"):
        contact = _contact_from(node)
        _set_primary(client, contact)
        client["Contacts"].append(contact)
    return _xml(_client_xml(_save(client), detailed=True))


def client_update() -> Response:
    """PUT client.api/update: <Client><UUID>...</UUID>...</Client>."""
    root = _request_xml("Client")
    client = _fields_from(root, _client(_text(root, "UUID")))
    if not client.get("Name"):
        raise XpmError("Name is required")
    return _xml(_client_xml(_save(client), detailed=True))


def client_archive() -> Response:
    """PUT client.api/archive: <Client><UUID>...</UUID></Client>."""
    root = _request_xml("Client")
    client = _client(_text(root, "UUID"))
    client["IsArchived"] = "Yes"
    return _xml(_client_xml(_save(client), detailed=True))


def client_contacts() -> Response:
    """GET client.api/contacts: contacts of all non-deleted clients."""
    contacts = [c for client in _clients() if client.get("IsDeleted") != "Yes"
                for c in client["Contacts"]]
    return _xml(_el("Contacts", None, *(_contact_xml(c) for c in contacts)))


def contact_add() -> Response:
    """POST client.api/contact: <Contact><Client><UUID/></Client><Name/>...</Contact>."""
    root = _request_xml("Contact")
    client = _client(_text(root, "Client/UUID"))
    contact = _contact_from(root)
    _set_primary(client, contact)
    client["Contacts"].append(contact)
    _save(client)
    return _xml(_el("ID", contact["UUID"]))


def contact_get(contact_uuid: str) -> Response:
    """GET client.api/contact/{uuid}."""
    wanted = _valid_uuid(contact_uuid)
    for client in _clients():
        for contact in client["Contacts"]:
            if contact["UUID"] == wanted:
                return _xml(_contact_xml(contact))
    raise XpmError("Contact not found")  # sandbox wording


# ---------------------------------------------------------------- job.api and task.api


def _jobs(keep: Any) -> Response:
    store = current().store
    jobs = [job for job in store.all("xpm_job", org=g.tenant) if keep(job)]
    clients = {c["UUID"]: c for c in _clients()}
    return _xml(_el("Jobs", None, *(_job_xml(j, clients.get(j["ClientUUID"])) for j in jobs)))


def job_current() -> Response:
    """GET job.api/current: jobs not in a completed state (definition UNCONFIRMED)."""
    return _jobs(lambda job: job["State"].lower() not in {"completed", "cancelled"})


def job_client(client_uuid: str) -> Response:
    """GET job.api/client/{uuid}: all jobs of the client."""
    wanted = _client(client_uuid)["UUID"]
    return _jobs(lambda job: job["ClientUUID"] == wanted)


def task_list() -> Response:
    """GET task.api/list: the practice's task types."""
    tasks = current().store.all("xpm_task", org=g.tenant)
    return _xml(_el("TaskList", None, *(
        _el("Task", None, _el("UUID", t["UUID"]), _el("Name", t["Name"]),
            _el("Description", t.get("Description") or "")) for t in tasks)))


ROUTES: dict[tuple[str, str], tuple[Any, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    ("GET", "client.api/list"): (client_list, CLIENT_SCOPES),
    ("GET", "client.api/search"): (client_search, CLIENT_SCOPES),
    ("GET", "client.api/get"): (client_get, CLIENT_SCOPES),
    ("POST", "client.api/add"): (client_add, CLIENT_SCOPES),
    ("PUT", "client.api/update"): (client_update, CLIENT_SCOPES),
    ("PUT", "client.api/archive"): (client_archive, CLIENT_SCOPES),
    ("GET", "client.api/contacts"): (client_contacts, CLIENT_SCOPES),
    ("POST", "client.api/contact"): (contact_add, CLIENT_SCOPES),
    ("GET", "client.api/contact"): (contact_get, CLIENT_SCOPES),
    ("GET", "job.api/current"): (job_current, JOB_SCOPES),
    ("GET", "job.api/client"): (job_client, JOB_SCOPES),
    ("GET", "task.api/list"): (task_list, JOB_SCOPES),
}


NEEDS_ID = {("GET", "client.api/get"), ("GET", "client.api/contact"), ("GET", "job.api/client")}


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "DELETE"])
def dispatch(rest: str) -> Response:
    """Route <api>/<action>[/<id>] to its handler behind the usual gate."""
    parts = rest.strip("/").split("/")
    key = (request.method, "/".join(parts[:2]).lower())
    if key not in ROUTES:
        return _error(f"The requested method {rest} is not supported")  # sandbox wording
    handler, (read, write) = ROUTES[key]
    args = parts[2:3]
    if key in NEEDS_ID and not args:
        return _error("Invalid UUID supplied")
    if key not in NEEDS_ID and len(parts) > 2:
        return _error(f"The requested method {rest} is not supported")

    def call() -> Response:
        try:
            return handler(*args)
        except XpmError as exc:
            return _error(str(exc))

    return run_guarded(read, write, call, tenant_type="PRACTICEMANAGER", idempotent=False)
