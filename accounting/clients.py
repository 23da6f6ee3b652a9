"""Clients, the people related to them, and their matters.

Australian identifiers are checked with python-stdnum (checksums, not just lengths) and stored in
their compact form. A matter always belongs to one client and has a unique number.
"""

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Enum, ForeignKey, String, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from stdnum import exceptions as stdnum_errors
from stdnum.au import abn, acn, tfn

from accounting.audit import record
from accounting.base import Base, utcnow
from accounting.errors import InvalidIdentifier, LedgerError
from accounting.sequences import next_number
from accounting.users import User


class ClientKind(enum.StrEnum):
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
    OPEN = "open"
    CLOSED = "closed"


def _identifier(module, value: str, name: str, field: str) -> str:
    """Validate and compact one identifier; '' stays ''."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return module.validate(value)
    except stdnum_errors.InvalidChecksum:
        raise InvalidIdentifier(f"That {name} fails its check digit: check for a typo.",
                                field) from None
    except stdnum_errors.ValidationError:
        raise InvalidIdentifier(f"That is not a valid {name}.", field) from None


def validate_tfn(value: str) -> str:
    return _identifier(tfn, value, "TFN (8 or 9 digits)", "tfn")


def validate_abn(value: str) -> str:
    return _identifier(abn, value, "ABN (11 digits)", "abn")


def validate_acn(value: str) -> str:
    return _identifier(acn, value, "ACN (9 digits)", "acn")


class Client(Base):
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
    tfn: Mapped[str] = mapped_column(String(9), default="")
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


class RelatedPerson(Base):
    __tablename__ = "related_person"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[PersonRole] = mapped_column(Enum(PersonRole, native_enum=False, length=20))
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")

    client: Mapped[Client] = relationship(back_populates="people")


class Matter(Base):
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
    """What a person types for a client; `save_client` validates and stores it."""

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
    tfn: str = ""
    abn: str = ""
    acn: str = ""


def _clean_details(details: ClientDetails) -> dict:
    values = {k: (v or "").strip() for k, v in vars(details).items()}
    if not values["name"]:
        raise LedgerError("Enter the client's name.", "name")
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
    return client


def search_clients(session: Session, query: str = "", *, page: int = 1, per_page: int = 25):
    """Clients whose name, code, email or ABN contains `query`; returns (rows, total)."""
    statement = select(Client).where(Client.archived.is_(False))
    query = query.strip()
    if query:
        like = f"%{query.lower()}%"
        statement = statement.where(or_(
            func.lower(Client.name).like(like), func.lower(Client.code).like(like),
            func.lower(Client.email).like(like), Client.abn.like(f"%{query.replace(' ', '')}%"),
        ))
    total = session.execute(select(func.count()).select_from(statement.subquery())).scalar_one()
    rows = session.execute(
        statement.order_by(Client.name).limit(per_page).offset((page - 1) * per_page)
    ).scalars().all()
    return rows, total


def add_person(session: Session, user: User, client: Client, *, name: str, role: str,
               email: str = "", phone: str = "") -> RelatedPerson:
    """Relate a person to a client in a role (director, trustee, ...)."""
    if not name.strip():
        raise LedgerError("Enter the person's name.", "name")
    try:
        role = PersonRole(role)
    except ValueError:
        raise LedgerError("Choose the person's role.", "role") from None
    person = RelatedPerson(client=client, name=name.strip(), role=role, email=email.strip(),
                           phone=phone.strip())
    session.add(person)
    session.flush()
    record(session, user, "changed", "client", client.id,
           f"{person.name} added to {client.name} as {role.label.lower()}")
    return person


def remove_person(session: Session, user: User, person: RelatedPerson) -> None:
    client = person.client
    record(session, user, "changed", "client", client.id,
           f"{person.name} removed from {client.name}")
    session.delete(person)
    session.flush()


def open_matter(session: Session, user: User, client: Client, *, description: str,
                responsible_id: int | None, opened_on: date) -> Matter:
    """Open a new matter for a client, numbered from the matter sequence."""
    if not description.strip():
        raise LedgerError("Describe the matter.", "description")
    matter = Matter(number=next_number(session, "matter", "M", 5), client=client,
                    description=description.strip(), responsible_id=responsible_id,
                    opened_on=opened_on, status=MatterStatus.OPEN)
    session.add(matter)
    session.flush()
    record(session, user, "created", "matter", matter.id,
           f"Matter {matter.number} opened for {client.name}")
    return matter


def update_matter(session: Session, user: User, matter: Matter, *, description: str,
                  responsible_id: int | None, status: str, today: date) -> None:
    """Change a matter's description, responsible person or status (closing dates it)."""
    if not description.strip():
        raise LedgerError("Describe the matter.", "description")
    try:
        status = MatterStatus(status)
    except ValueError:
        raise LedgerError("Choose open or closed.", "status") from None
    if status == MatterStatus.CLOSED and matter.is_open:
        matter.closed_on = today
    elif status == MatterStatus.OPEN:
        matter.closed_on = None
    matter.description = description.strip()
    matter.responsible_id = responsible_id
    matter.status = status
    session.flush()
    record(session, user, "changed", "matter", matter.id, f"Matter {matter.number} changed")
