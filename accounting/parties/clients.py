"""Clients, the people related to them, and their matters.

Australian identifiers are checked with python-stdnum (checksums, not just lengths) and stored in
their compact form; a TFN is stored encrypted (accounting/encryption.py) and never logged or
exported. A matter always belongs to one client and has a unique number, and its responsible person
is an active user when it is opened or handed over. Text never exceeds its column: the services
refuse it with a message rather than letting the database cut it or fail.
An archived client is hidden from lists and cannot have new matters until restored.

Every change of a client (its details, its people, archived or restored) or of a matter is written
to the audit log and announced as an `accounting.events.PartyChanged`, in the same transaction.
"""

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Enum, ForeignKey, String, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from stdnum import exceptions as stdnum_errors
from stdnum.au import abn, acn, tfn

from accounting.audit import record
from accounting.base import Base, utcnow
from accounting.encryption import EncryptedText
from accounting.errors import InvalidIdentifier, LedgerError, NotFound
from accounting.events import PartyChanged, PartyKind, emit
from accounting.lookup import fetch, like_pattern, page_of
from accounting.parties.users import User
from accounting.sequences import next_number


class ClientKind(enum.StrEnum):
    """The legal form of a client; only companies, super funds and trusts may have an ACN."""

    INDIVIDUAL = "individual"
    COMPANY = "company"
    TRUST = "trust"
    PARTNERSHIP = "partnership"
    SUPER_FUND = "super_fund"
    SOLE_TRADER = "sole_trader"

    @property
    def label(self) -> str:
        return {"super_fund": "Superannuation fund", "sole_trader": "Sole trader"}.get(
            self.value, self.value.capitalize()
        )


class PersonRole(enum.StrEnum):
    """The role a related person holds for a client (a company's director, a trust's trustee, ...)."""

    DIRECTOR = "director"
    SECRETARY = "secretary"
    SHAREHOLDER = "shareholder"
    MEMBER = "member"
    TRUSTEE = "trustee"
    BENEFICIARY = "beneficiary"
    PARTNER = "partner"
    PUBLIC_OFFICER = "public_officer"
    CONTACT = "contact"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class MatterStatus(enum.StrEnum):
    """Whether a matter is open for work; closing one records the date it closed."""

    OPEN = "open"
    CLOSED = "closed"


def _identifier(module, value: str, name: str, shape: str, field: str) -> str:
    """Validate and compact one identifier; '' stays ''. Spaces, dashes and dots are ignored."""
    value = (value or "").strip().replace("-", " ").replace(".", " ")
    if not value:
        return ""
    try:
        return module.validate(value)
    except stdnum_errors.InvalidChecksum:
        raise InvalidIdentifier(f"That {name} fails its check digit: check for a typo.",
                                field) from None
    except stdnum_errors.ValidationError:
        raise InvalidIdentifier(f"That is not a valid {name}: it has {shape}.", field) from None


def validate_tfn(value: str) -> str:
    """A TFN (8 or 9 digits, checksummed), compacted; refused with field 'tfn'."""
    return _identifier(tfn, value, "TFN", "8 or 9 digits", "tfn")


def validate_abn(value: str) -> str:
    """An ABN (11 digits, checksummed), compacted; refused with field 'abn'."""
    return _identifier(abn, value, "ABN", "11 digits", "abn")


def validate_acn(value: str) -> str:
    """An ACN (9 digits, checksummed), compacted; refused with field 'acn'."""
    return _identifier(acn, value, "ACN", "9 digits", "acn")


# Loose on purpose: a typo check, not RFC 5322. One @, something either side, a dot in the domain.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_email(value: str, field: str = "email") -> None:
    """Refuse an email address that is plainly mistyped (a blank one is allowed)."""
    if value and not EMAIL_PATTERN.match(value):
        raise LedgerError("Enter an email address such as name@example.com.", field)


def check_lengths(model, values: dict) -> None:
    """Refuse text longer than its column, naming the field, before the database sees it."""
    for key, value in values.items():
        column = model.__table__.columns.get(key)
        limit = getattr(column.type, "length", None) if column is not None else None
        if limit and isinstance(value, str) and len(value) > limit:
            label = key.replace("_", " ")
            raise LedgerError(f"Use at most {limit} characters for the {label}.", key)


class Client(Base):
    """A client of the practice, with its unique code (C00001, ...), contact details and checked
    identifiers (the TFN encrypted at rest). Archived clients are hidden and open no new matters."""

    __tablename__ = "client"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[ClientKind] = mapped_column(Enum(ClientKind, native_enum=False, length=20))
    name: Mapped[str] = mapped_column(String(200), index=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    fax: Mapped[str] = mapped_column(String(40), default="")
    physical_street: Mapped[str] = mapped_column(String(200), default="")
    physical_city: Mapped[str] = mapped_column(String(100), default="")
    physical_state: Mapped[str] = mapped_column(String(50), default="")
    physical_postcode: Mapped[str] = mapped_column(String(10), default="")
    physical_country: Mapped[str] = mapped_column(String(60), default="Australia")
    postal_street: Mapped[str] = mapped_column(String(200), default="")
    postal_city: Mapped[str] = mapped_column(String(100), default="")
    postal_state: Mapped[str] = mapped_column(String(50), default="")
    postal_postcode: Mapped[str] = mapped_column(String(10), default="")
    postal_country: Mapped[str] = mapped_column(String(60), default="Australia")
    # Encrypted at rest and loaded only when read; never searched or compared (see encryption.py).
    tfn: Mapped[str] = mapped_column(EncryptedText(), default="", deferred=True)
    abn: Mapped[str] = mapped_column(String(11), default="")
    acn: Mapped[str] = mapped_column(String(9), default="")
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    people: Mapped[list["RelatedPerson"]] = relationship(
        back_populates="client", order_by="RelatedPerson.name", cascade="all, delete-orphan"
    )
    matters: Mapped[list["Matter"]] = relationship(
        back_populates="client", order_by="Matter.number"
    )

    @property
    def tfn_masked(self) -> str:
        """A TFN is shown only by its last three digits."""
        return f"••• ••{self.tfn[-3:]}" if self.tfn else ""

    @property
    def abn_display(self) -> str:
        return abn.format(self.abn) if self.abn else ""

    @property
    def acn_display(self) -> str:
        return acn.format(self.acn) if self.acn else ""

    @property
    def kind_label(self) -> str:
        return self.kind.label

    def can_open_matter(self) -> bool:
        """Archived clients take no new matters until they are restored."""
        return not self.archived


class RelatedPerson(Base):
    """A person related to one client in one role (director, trustee, contact, ...). The person
    belongs to that client alone: looking them up through another client finds nothing."""

    __tablename__ = "related_person"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[PersonRole] = mapped_column(Enum(PersonRole, native_enum=False, length=20))
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")

    client: Mapped[Client] = relationship(back_populates="people")


class Matter(Base):
    """A piece of work for one client, with a unique number (M00001, ...) and an active user
    responsible when it is opened or handed over. Closed matters take no new work."""

    __tablename__ = "matter"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    description: Mapped[str] = mapped_column(String(300))
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[MatterStatus] = mapped_column(
        Enum(MatterStatus, native_enum=False, length=10), default=MatterStatus.OPEN
    )
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date, default=None)

    client: Mapped[Client] = relationship(back_populates="matters")
    responsible: Mapped[User | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status == MatterStatus.OPEN

    @property
    def label(self) -> str:
        return f"{self.number} {self.description}"


@dataclass
class ClientDetails:
    """What a person types for a client; `save_client` validates and stores it.

    tfn=None keeps the TFN on file: edit forms never show a stored TFN, so a blank there means
    "unchanged", and removing it is an explicit choice (tfn="").
    """

    kind: str
    name: str
    email: str = ""
    phone: str = ""
    fax: str = ""
    physical_street: str = ""
    physical_city: str = ""
    physical_state: str = ""
    physical_postcode: str = ""
    physical_country: str = "Australia"
    postal_street: str = ""
    postal_city: str = ""
    postal_state: str = ""
    postal_postcode: str = ""
    postal_country: str = "Australia"
    tfn: str | None = ""
    abn: str = ""
    acn: str = ""


def _clean_details(details: ClientDetails) -> dict:
    keep_tfn = details.tfn is None
    values = {k: (v or "").strip() for k, v in vars(details).items()}
    if not values["name"]:
        raise LedgerError("Enter the client's name.", "name")
    for identifier in ("tfn", "abn", "acn"):
        if len(values[identifier]) > 20:  # formatted input may carry spaces; more is never valid
            raise LedgerError(f"That is not a valid {identifier.upper()}.", identifier)
    check_lengths(Client, {k: v for k, v in values.items() if k not in ("tfn", "abn", "acn")})
    check_email(values["email"])
    try:
        values["kind"] = ClientKind(values["kind"])
    except ValueError:
        raise LedgerError("Choose the kind of client.", "kind") from None
    values["tfn"] = validate_tfn(values["tfn"])
    values["abn"] = validate_abn(values["abn"])
    values["acn"] = validate_acn(values["acn"])
    if values["acn"] and values["kind"] not in (ClientKind.COMPANY, ClientKind.SUPER_FUND,
                                                  ClientKind.TRUST):
        raise LedgerError("Only companies (or their funds and trusts) have an ACN.", "acn")
    if keep_tfn:
        del values["tfn"]
    return values


def save_client(session: Session, user: User, details: ClientDetails,
                client: Client | None = None) -> Client:
    """Create a client (client=None) or change one, after validating every field."""
    values = _clean_details(details)
    creating = client is None
    if creating:
        client = Client(code=next_number(session, "client", "C", 5))
        session.add(client)
    for key, value in values.items():
        setattr(client, key, value)
    session.flush()
    record(session, user, "created" if creating else "changed", "client", client.id,
           f"Client {client.code} {client.name} {'created' if creating else 'changed'}")
    emit(session, PartyChanged(PartyKind.CLIENT, client.id, created=creating))
    return client


def search_clients(session: Session, query: str = "", *, page: int = 1, per_page: int = 25,
                   archived: bool = False):
    """Clients whose name, code, email or ABN contains `query`; returns (rows, total).

    Archived clients are left out, unless archived=True, which lists only them."""
    statement = select(Client).where(Client.archived.is_(archived))
    query = query.strip()
    if query:
        like = like_pattern(query)
        statement = statement.where(or_(
            func.lower(Client.name).like(like, escape="\\"),
            func.lower(Client.code).like(like, escape="\\"),
            func.lower(Client.email).like(like, escape="\\"),
            Client.abn.like(like_pattern(query.replace(" ", "")), escape="\\"),
        ))
    return page_of(session, statement.order_by(Client.name, Client.id), page, per_page)


def search_matters(session: Session, query: str = "", *, status: str = "", page: int = 1,
                   per_page: int = 25):
    """Matters whose number, description or client name contains `query`, optionally only open or
    only closed ones (any other status means all); returns (rows, total), newest number first."""
    statement = select(Matter).join(Matter.client)
    if status in (MatterStatus.OPEN, MatterStatus.CLOSED):
        statement = statement.where(Matter.status == MatterStatus(status))
    query = query.strip()
    if query:
        like = like_pattern(query)
        statement = statement.where(or_(
            func.lower(Matter.number).like(like, escape="\\"),
            func.lower(Matter.description).like(like, escape="\\"),
            func.lower(Client.name).like(like, escape="\\"),
        ))
    return page_of(session, statement.order_by(Matter.number.desc()), page, per_page)


def get_client(session: Session, client_id: int) -> Client:
    """The client with this id, or NotFound."""
    return fetch(session, Client, client_id, missing="There is no such client.")


def get_matter(session: Session, matter_id: int) -> Matter:
    """The matter with this id, or NotFound."""
    return fetch(session, Matter, matter_id, missing="There is no such matter.")


def get_person(session: Session, client: Client, person_id: int) -> RelatedPerson:
    """A person related to this client (not to another one), or NotFound."""
    missing = "That person is not related to this client."
    person = fetch(session, RelatedPerson, person_id, missing=missing)
    if person.client_id != client.id:
        raise NotFound(missing)
    return person


def responsible_users(session: Session) -> list[User]:
    """Who may be made responsible for a matter: the active users, by name."""
    return list(session.execute(
        select(User).where(User.active.is_(True)).order_by(User.name)
    ).scalars())


def _check_responsible(session: Session, responsible_id: int | None,
                       keep: int | None = None) -> None:
    """A new responsible person must be an active user; an unchanged one (`keep`) may stay."""
    if responsible_id is None or responsible_id == keep:
        return
    user = session.get(User, responsible_id)
    if user is None or not user.active:
        raise LedgerError("Choose an active user to be responsible.", "responsible_id")


# What the wings above say about closing a matter, without parties knowing them (the layer rules
# keep parties at the bottom): trust refuses while the matter holds money, office warns of unbilled
# work. Each check takes (session, matter) and returns a sentence, or None when it has nothing to say.
ClosingCheck = Callable[[Session, "Matter"], str | None]
CLOSING_REFUSALS: list[ClosingCheck] = []
CLOSING_WARNINGS: list[ClosingCheck] = []


def refuse_closing_when(check: ClosingCheck) -> ClosingCheck:
    """Register `check` as a reason a matter may not be closed nor its client archived."""
    CLOSING_REFUSALS.append(check)
    return check


def warn_on_closing_when(check: ClosingCheck) -> ClosingCheck:
    """Register `check` as something to warn of when a matter closes."""
    CLOSING_WARNINGS.append(check)
    return check


def closing_refusal(session: Session, matter: "Matter") -> str | None:
    """Why `matter` may not close (the first reason), or None."""
    return next((reason for check in CLOSING_REFUSALS if (reason := check(session, matter))), None)


def closing_warnings(session: Session, matter: "Matter") -> list[str]:
    """What to tell the person closing `matter` (unbilled work, for one)."""
    return [warning for check in CLOSING_WARNINGS if (warning := check(session, matter))]


def archive_client(session: Session, user: User, client: Client, archived: bool = True) -> None:
    """Hide a client from lists (archived=True) or bring it back; its matters and history stay.

    Refused while any of its matters holds money (closing_refusal): archived, it would vanish from
    the pickers with the money stranded."""
    if client.archived == archived:
        return
    if archived:
        for matter in session.scalars(select(Matter).where(Matter.client_id == client.id)
                                      .order_by(Matter.id)):
            reason = closing_refusal(session, matter)
            if reason:
                raise LedgerError(f"Client {client.name} cannot be archived: {reason}", "archived")
    client.archived = archived
    session.flush()
    action = "archived" if archived else "restored"
    record(session, user, action, "client", client.id, f"Client {client.code} {client.name} {action}")
    emit(session, PartyChanged(PartyKind.CLIENT, client.id))


def add_person(session: Session, user: User, client: Client, *, name: str, role: str,
               email: str = "", phone: str = "") -> RelatedPerson:
    """Relate a person to a client in a role (director, trustee, ...)."""
    name, email, phone = name.strip(), email.strip(), phone.strip()
    if not name:
        raise LedgerError("Enter the person's name.", "name")
    try:
        role = PersonRole(role)
    except ValueError:
        raise LedgerError("Choose the person's role.", "role") from None
    check_lengths(RelatedPerson, {"name": name, "email": email, "phone": phone})
    check_email(email)
    person = RelatedPerson(client=client, name=name, role=role, email=email, phone=phone)
    session.add(person)
    session.flush()
    record(session, user, "changed", "client", client.id,
           f"{person.name} added to {client.name} as {role.label.lower()}")
    emit(session, PartyChanged(PartyKind.CLIENT, client.id))
    return person


def remove_person(session: Session, user: User, person: RelatedPerson) -> None:
    """Remove a person from the client they are related to."""
    client = person.client
    record(session, user, "changed", "client", client.id,
           f"{person.name} removed from {client.name}")
    session.delete(person)
    session.flush()
    emit(session, PartyChanged(PartyKind.CLIENT, client.id))


def _clean_description(description: str) -> str:
    description = (description or "").strip()
    if not description:
        raise LedgerError("Describe the matter.", "description")
    check_lengths(Matter, {"description": description})
    return description


def open_matter(session: Session, user: User, client: Client, *, description: str,
                responsible_id: int | None, opened_on: date) -> Matter:
    """Open a new matter for a client, numbered from the matter sequence."""
    if not client.can_open_matter():
        raise LedgerError("This client is archived: restore it before opening a matter.")
    description = _clean_description(description)
    _check_responsible(session, responsible_id)
    if opened_on is None:
        raise LedgerError("Enter the date the matter opened.", "opened_on")
    matter = Matter(number=next_number(session, "matter", "M", 5), client=client,
                    description=description, responsible_id=responsible_id,
                    opened_on=opened_on, status=MatterStatus.OPEN)
    session.add(matter)
    session.flush()
    record(session, user, "created", "matter", matter.id,
           f"Matter {matter.number} opened for {client.name}")
    emit(session, PartyChanged(PartyKind.MATTER, matter.id, created=True))
    return matter


def update_matter(session: Session, user: User, matter: Matter, *, description: str,
                  responsible_id: int | None, status: str, today: date) -> None:
    """Change a matter's description, responsible person or status (closing dates it)."""
    description = _clean_description(description)
    _check_responsible(session, responsible_id, keep=matter.responsible_id)
    try:
        status = MatterStatus(status)
    except ValueError:
        raise LedgerError("Choose open or closed.", "status") from None
    if status == MatterStatus.CLOSED and matter.is_open:
        reason = closing_refusal(session, matter)
        if reason:
            raise LedgerError(f"Matter {matter.number} cannot be closed: {reason}", "status")
        matter.closed_on = today
    elif status == MatterStatus.OPEN:
        matter.closed_on = None
    matter.description = description
    matter.responsible_id = responsible_id
    matter.status = status
    session.flush()
    record(session, user, "changed", "matter", matter.id, f"Matter {matter.number} changed")
    emit(session, PartyChanged(PartyKind.MATTER, matter.id))
