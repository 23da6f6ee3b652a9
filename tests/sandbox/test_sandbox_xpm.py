"""Practice Manager API v3.1 (XML): clients, contacts, jobs, tasks, errors and access."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.seed import DEMO_ORG, PRACTICE
from tests.sandbox.conftest import ACCOUNTING_SCOPES, Connected

XPM = "/practicemanager/3.1"
SEEDED_CLIENT = "4c3b5a6f-7e8d-49ca-9d4e-3f5a6b7c8d94"


def xml_call(demo: Connected, method: str, path: str, body: str | None = None,
             **query: str) -> ET.Element:
    """Call XPM as the practice and parse the XML answer (always HTTP 200 + text/xml)."""
    answer = demo.client.open(f"{XPM}/{path}", method=method, data=body, query_string=query,
                              headers={**demo.headers(PRACTICE), "Accept": "application/xml"},
                              content_type="application/xml")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.content_type.startswith("text/xml")
    root = ET.fromstring(answer.get_data(as_text=True))
    assert root.tag == "Response"
    return root


def status(root: ET.Element) -> str:
    """The Response/Status text."""
    return root.findtext("Status") or ""


def add_client(demo: Connected, name: str = "Bloggs Electrical Ltd") -> ET.Element:
    """POST client.api/add with one primary contact."""
    body = (f"<Client><Name>{name}</Name><Email>jo@bloggs.example</Email>"
            "<WebSite>bloggs.example</WebSite><TaxNumber>123456789</TaxNumber>"
            "<BusinessStructure>Company</BusinessStructure><Contacts><Contact>"
            "<Name>Jo Bloggs</Name><IsPrimary>Yes</IsPrimary><Email>jo@bloggs.example</Email>"
            "</Contact></Contacts></Client>")
    root = xml_call(demo, "POST", "client.api/add", body)
    assert status(root) == "OK"
    return root


def test_client_list_search_and_get(demo: Connected) -> None:
    clients = xml_call(demo, "GET", "client.api/list").findall("Clients/Client")
    assert [c.findtext("Name") for c in clients] == ["Acme Holdings Pty Ltd"]
    found = xml_call(demo, "GET", "client.api/search", query="acme").findall("Clients/Client")
    assert [c.findtext("UUID") for c in found] == [SEEDED_CLIENT]
    detail = xml_call(demo, "GET", f"client.api/get/{SEEDED_CLIENT}")
    assert detail.findtext("Client/Email") == "office@acme.example"
    assert detail.findtext("Client/IsArchived") == "No"


def test_add_client_with_contact_masks_tax_number(demo: Connected) -> None:
    client = add_client(demo).find("Client")
    assert client is not None
    assert client.findtext("Website") == "bloggs.example"
    assert client.findtext("TaxNumber") == "******789"
    contact = client.find("Contacts/Contact")
    assert contact is not None and contact.findtext("IsPrimary") == "Yes"


def test_update_and_archive_client(demo: Connected) -> None:
    uuid = add_client(demo).findtext("Client/UUID")
    updated = xml_call(demo, "PUT", "client.api/update",
                       f"<Client><UUID>{uuid}</UUID><Name>Bloggs Pty</Name>"
                       "<City>Sydney</City></Client>")
    assert updated.findtext("Client/Name") == "Bloggs Pty"
    assert updated.findtext("Client/City") == "Sydney"
    archived = xml_call(demo, "PUT", "client.api/archive", f"<Client><UUID>{uuid}</UUID></Client>")
    assert archived.findtext("Client/IsArchived") == "Yes"


def test_contacts_added_to_a_client_and_listed(demo: Connected) -> None:
    added = xml_call(demo, "POST", "client.api/contact",
                     f"<Contact><Client><UUID>{SEEDED_CLIENT}</UUID></Client>"
                     "<Name>Wyett E Coyote</Name><IsPrimary>Yes</IsPrimary></Contact>")
    contact_uuid = added.findtext("ID")
    names = [c.findtext("Name") for c in
             xml_call(demo, "GET", "client.api/contacts").findall("Contacts/Contact")]
    assert "Wyett E Coyote" in names
    one = xml_call(demo, "GET", f"client.api/contact/{contact_uuid}")
    assert one.findtext("Contact/Name") == "Wyett E Coyote"


def test_errors_are_status_error_with_description(demo: Connected) -> None:
    missing_name = xml_call(demo, "POST", "client.api/add", "<Client><Email>x</Email></Client>")
    assert status(missing_name) == "ERROR"
    assert missing_name.findtext("ErrorDescription") == "Name is required"
    bad_uuid = xml_call(demo, "GET", "client.api/get/not-a-uuid")
    assert bad_uuid.findtext("ErrorDescription") == "Invalid UUID supplied"
    not_xml = xml_call(demo, "POST", "client.api/add", "<Client>")
    assert status(not_xml) == "ERROR"


def test_jobs_current_and_by_client_and_task_list(demo: Connected) -> None:
    current = xml_call(demo, "GET", "job.api/current").findall("Jobs/Job")
    assert [job.findtext("ID") for job in current] == ["J000001"]
    assert current[0].findtext("Client/Name") == "Acme Holdings Pty Ltd"
    by_client = xml_call(demo, "GET", f"job.api/client/{SEEDED_CLIENT}").findall("Jobs/Job")
    assert len(by_client) == 1
    tasks = xml_call(demo, "GET", "task.api/list").findall("TaskList/Task")
    assert {t.findtext("Name") for t in tasks} == {"Annual Accounts", "Tax Return", "Bookkeeping"}


def test_practice_manager_needs_its_scope(connect: Callable[..., Connected]) -> None:
    accounting_only = connect(tenants=[DEMO_ORG], scopes=ACCOUNTING_SCOPES)
    answer = accounting_only.client.get(f"{XPM}/client.api/list",
                                        headers=accounting_only.headers(PRACTICE))
    assert answer.status_code == 403  # no PRACTICEMANAGER connection without the scope


def test_organisation_tenant_cannot_call_practice_manager(demo: Connected) -> None:
    answer = demo.client.get(f"{XPM}/client.api/list", headers=demo.headers(DEMO_ORG))
    assert answer.status_code == 403


def _spec_properties(spec: dict[str, Any], name: str) -> set[str]:
    """Every property name a DTO has, following allOf/$ref chains."""
    schema = spec["components"]["schemas"][name]
    found: set[str] = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        if "$ref" in part:
            found |= _spec_properties(spec, part["$ref"].split("/")[-1])
        found |= set(part.get("properties", {}))
    return found


def _camel(tag: str) -> str:
    """XML PascalCase -> the JSON file's camelCase: UUID -> uuid, PrepareGST -> prepareGst."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z][a-z]*|[a-z]+|\d+", tag)
    return words[0].lower() + "".join(word.capitalize() for word in words[1:])


def test_xml_element_names_are_fields_of_the_official_dtos(demo: Connected,
                                                            xpm_spec: dict[str, Any]) -> None:
    """The XPM file describes the JSON flavour; its DTO fields are the XML elements, camelCased."""
    add_client(demo)
    client_fields = _spec_properties(xpm_spec, "ClientDetailedDto")
    for client in xml_call(demo, "GET", "client.api/list", detailed="true").iter("Client"):
        extra = {_camel(child.tag) for child in client} - client_fields
        assert not extra, extra
    contact_fields = _spec_properties(xpm_spec, "ClientContactDto")
    for contact in xml_call(demo, "GET", "client.api/contacts").iter("Contact"):
        assert not {_camel(child.tag) for child in contact} - contact_fields
    job_fields = _spec_properties(xpm_spec, "JobDto")
    for job in xml_call(demo, "GET", "job.api/current").iter("Job"):
        assert not {_camel(child.tag) for child in job} - job_fields
    task_fields = _spec_properties(xpm_spec, "TaskDto")
    for task in xml_call(demo, "GET", "task.api/list").iter("Task"):
        assert not {_camel(child.tag) for child in task} - task_fields
    for name, key in (("ClientListResponseDto", "clients"), ("JobListResponseDto", "jobs"),
                      ("TaskListResponseDto", "taskList")):
        assert {"status", key} <= _spec_properties(xpm_spec, name)


def test_malformed_requests_are_errors_not_crashes(demo: Connected) -> None:
    assert xml_call(demo, "GET", "client.api/get").findtext("ErrorDescription") == (
        "Invalid UUID supplied")
    assert status(xml_call(demo, "GET", "client.api/list", modifiedsince="yesterday")) == "ERROR"
    assert status(xml_call(demo, "GET", "client.api/nope")) == "ERROR"
    assert status(xml_call(demo, "PUT", "client.api/update", "<Nope/>")) == "ERROR"
    modified = xml_call(demo, "GET", "client.api/list", modifiedsince="2000-01-01T00:00:00")
    assert len(modified.findall("Clients/Client")) == 1


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.text(max_size=60) | st.builds(
    lambda root, name, uuid: f"<{root}><Name>{name}</Name><UUID>{uuid}</UUID></{root}>",
    st.sampled_from(["Client", "Contact", "Job"]), st.text(max_size=10),
    st.text(max_size=40)))
def test_fuzz_xml_writes_answer_ok_or_error(demo: Connected, body: str) -> None:
    """Whatever XML arrives, XPM answers a Response with Status OK or ERROR, never a crash."""
    demo.client.application.extensions["sandbox"].config["LIMIT_MINUTE"] = 10**6
    for method, path in (("POST", "client.api/add"), ("PUT", "client.api/update"),
                         ("PUT", "client.api/archive"), ("POST", "client.api/contact")):
        assert status(xml_call(demo, method, path, body)) in ("OK", "ERROR")
