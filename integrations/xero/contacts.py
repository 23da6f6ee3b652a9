"""Clients -> Xero contacts: built once, matched before created, kept up to date.

| ours                        | Xero                                                          |
|-----------------------------|---------------------------------------------------------------|
| client code                 | ContactNumber (Xero's API-only external key, "Contact Code")  |
| client name                 | Name (unique among Xero's active contacts)                    |
| email, phone                | EmailAddress, Phones[DEFAULT]                                 |
| physical / postal address   | Addresses[STREET] / Addresses[POBOX]                          |

A client becomes a contact once, before its first document goes: the drain reads Xero's
contacts (paged, 1,000 a call), matches first by our client code as ContactNumber, then by exact
name (Xero refuses a second active contact of the same name, FACTS §7.3), and creates the rest in
batches (PUT /Contacts). Later changes (accounting.events.PartyChanged) are POSTed with the
ContactID. Pure functions: the drain makes the calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounting.parties.clients import Client

MAX_NAME = 255


@dataclass(frozen=True)
class XeroContact:
    """The parts of a Xero contact matching needs."""

    contact_id: str
    name: str
    number: str


def contact_from_sdk(contact: Any) -> XeroContact:
    return XeroContact(str(contact.contact_id), contact.name or "", contact.contact_number or "")


def contact_element(client: Client, contact_id: str | None = None) -> dict:
    """The contact Xero keeps of `client`; with `contact_id` it updates that contact."""
    element: dict[str, Any] = {"Name": " ".join(client.name.split())[:MAX_NAME],
                               "ContactNumber": client.code}
    if contact_id:
        element["ContactID"] = contact_id
    if client.email:
        element["EmailAddress"] = client.email
    if client.phone:
        element["Phones"] = [{"PhoneType": "DEFAULT", "PhoneNumber": client.phone}]
    addresses = [address for address in (
        _address("STREET", client.physical_street, client.physical_city, client.physical_state,
                 client.physical_postcode, client.physical_country),
        _address("POBOX", client.postal_street, client.postal_city, client.postal_state,
                 client.postal_postcode, client.postal_country)) if address]
    if addresses:
        element["Addresses"] = addresses
    return element


def _address(kind: str, street: str, city: str, region: str, postcode: str,
             country: str) -> dict | None:
    if not (street or city or postcode):
        return None
    return {"AddressType": kind, "AddressLine1": street, "City": city, "Region": region,
            "PostalCode": postcode, "Country": country}


def match_contact(client: Client, existing: list[XeroContact]) -> XeroContact | None:
    """The Xero contact that already is this client: by our code as its number, else by name."""
    by_number = [c for c in existing if c.number and c.number == client.code]
    if by_number:
        return by_number[0]
    name = " ".join(client.name.split())
    by_name = [c for c in existing if c.name == name and not c.number]
    return by_name[0] if by_name else None
