"""Clients and suppliers -> Xero contacts: built once, matched before created, kept up to date.

| ours                        | Xero                                                          |
|-----------------------------|---------------------------------------------------------------|
| client code; for a supplier | ContactNumber (Xero's API-only external key, "Contact Code")  |
| SUP-00007 from its id       |                                                               |
| name                        | Name (unique among Xero's active contacts)                    |
| email, phone                | EmailAddress, Phones[DEFAULT]                                 |
| client's physical / postal  | Addresses[STREET] / Addresses[POBOX]                          |
| address                     |                                                               |
| supplier's address (lines)  | Addresses[POBOX] AddressLine1-4                               |
| supplier's ABN              | TaxNumber                                                     |

A party becomes a contact once, before its first document goes: the drain reads Xero's
contacts (paged, 1,000 a call), matches first by our code as ContactNumber, then by exact
name (Xero refuses a second active contact of the same name, FACTS §7.3), and creates the rest in
batches (PUT /Contacts). Later changes (accounting.events.PartyChanged) are POSTed with the
ContactID. Pure functions: the drain makes the calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounting.office.suppliers import Supplier
from accounting.parties.clients import Client

MAX_NAME = 255
MAX_ADDRESS_LINES = 4


@dataclass(frozen=True)
class XeroContact:
    """The parts of a Xero contact matching needs."""

    contact_id: str
    name: str
    number: str


def contact_from_sdk(contact: Any) -> XeroContact:
    return XeroContact(str(contact.contact_id), contact.name or "", contact.contact_number or "")


def contact_code(party: Client | Supplier) -> str:
    """Our code for the party, kept as its ContactNumber: a client's code, or SUP-00007 for the
    supplier with id 7 (suppliers have no code of their own)."""
    return party.code if isinstance(party, Client) else f"SUP-{party.id:05d}"


def contact_element(party: Client | Supplier, contact_id: str | None = None) -> dict:
    """The contact Xero keeps of `party`; with `contact_id` it updates that contact."""
    element: dict[str, Any] = {"Name": _name(party), "ContactNumber": contact_code(party)}
    if contact_id:
        element["ContactID"] = contact_id
    if party.email:
        element["EmailAddress"] = party.email
    if party.phone:
        element["Phones"] = [{"PhoneType": "DEFAULT", "PhoneNumber": party.phone}]
    addresses = _client_addresses(party) if isinstance(party, Client) else _supplier_addresses(party)
    if addresses:
        element["Addresses"] = addresses
    if isinstance(party, Supplier) and party.abn:
        element["TaxNumber"] = party.abn
    return element


def _name(party: Client | Supplier) -> str:
    return " ".join(party.name.split())[:MAX_NAME]


def _client_addresses(client: Client) -> list[dict]:
    return [address for address in (
        _address("STREET", client.physical_street, client.physical_city, client.physical_state,
                 client.physical_postcode, client.physical_country),
        _address("POBOX", client.postal_street, client.postal_city, client.postal_state,
                 client.postal_postcode, client.postal_country)) if address]


def _supplier_addresses(supplier: Supplier) -> list[dict]:
    """A supplier's address is free text: its lines (the last ones joined) as Xero's lines."""
    lines = [line.strip() for line in supplier.address.splitlines() if line.strip()]
    if not lines:
        return []
    lines = lines[:MAX_ADDRESS_LINES - 1] + [", ".join(lines[MAX_ADDRESS_LINES - 1:])]
    return [{"AddressType": "POBOX",
             **{f"AddressLine{i}": line for i, line in enumerate(lines, start=1) if line}}]


def _address(kind: str, street: str, city: str, region: str, postcode: str,
             country: str) -> dict | None:
    if not (street or city or postcode):
        return None
    return {"AddressType": kind, "AddressLine1": street, "City": city, "Region": region,
            "PostalCode": postcode, "Country": country}


def match_contact(party: Client | Supplier, existing: list[XeroContact]) -> XeroContact | None:
    """The Xero contact that already is this party: by our code as its number, else by name."""
    code = contact_code(party)
    by_number = [c for c in existing if c.number and c.number == code]
    if by_number:
        return by_number[0]
    name = _name(party)
    by_name = [c for c in existing if c.name == name and not c.number]
    return by_name[0] if by_name else None
