"""The practice's trust settings: the state or territory it holds trust money in (which decides
whether statutory deposits are required), where interest on trust accounts goes, and the statutory
authority's name. One row, made with defaults the first time it is read; admins change it.
"""

import enum

from sqlalchemy import Enum, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from accounting.audit import record
from accounting.base import Base
from accounting.errors import LedgerError
from accounting.lookup import clean_text
from accounting.parties.users import User


class Jurisdiction(enum.StrEnum):
    """The Australian state or territory whose trust rules the practice keeps."""

    NSW = "NSW"
    VIC = "VIC"
    QLD = "QLD"
    SA = "SA"
    WA = "WA"
    TAS = "TAS"
    ACT = "ACT"
    NT = "NT"

    @property
    def label(self) -> str:
        return JURISDICTION_NAMES[self]

    @property
    def requires_statutory_deposit(self) -> bool:
        """NSW and Victoria require part of general trust money to be lodged with the authority."""
        return self in (Jurisdiction.NSW, Jurisdiction.VIC)


JURISDICTION_NAMES = {
    Jurisdiction.NSW: "New South Wales", Jurisdiction.VIC: "Victoria", Jurisdiction.QLD: "Queensland",
    Jurisdiction.SA: "South Australia", Jurisdiction.WA: "Western Australia",
    Jurisdiction.TAS: "Tasmania", Jurisdiction.ACT: "Australian Capital Territory",
    Jurisdiction.NT: "Northern Territory",
}
DEFAULT_AUTHORITIES = {
    Jurisdiction.NSW: "Law Society of New South Wales", Jurisdiction.VIC: "Victorian Legal Services Board",
    Jurisdiction.QLD: "Queensland Law Society", Jurisdiction.SA: "Law Society of South Australia",
    Jurisdiction.WA: "Legal Practice Board of Western Australia", Jurisdiction.TAS: "Solicitors' Trust",
    Jurisdiction.ACT: "ACT Law Society", Jurisdiction.NT: "Law Society Northern Territory",
}


class InterestDestination(enum.StrEnum):
    """Where interest on a general trust account goes; controlled money's always goes to its matter."""

    MATTERS = "matters"
    PRACTICE = "practice"
    STATUTORY = "statutory"

    @property
    def label(self) -> str:
        return {"matters": "To the matters", "practice": "To the practice",
                "statutory": "To the statutory body"}[self.value]


class TrustSettings(Base):
    """The practice's trust rules (one row): where it practises and where trust interest goes.
    A blank authority means the jurisdiction's usual body."""

    __tablename__ = "trust_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[Jurisdiction] = mapped_column(
        Enum(Jurisdiction, native_enum=False, length=3), default=Jurisdiction.NSW)
    interest_destination: Mapped[InterestDestination] = mapped_column(
        Enum(InterestDestination, native_enum=False, length=10), default=InterestDestination.STATUTORY)
    statutory_authority: Mapped[str] = mapped_column(String(150), default="")

    @property
    def authority(self) -> str:
        """The statutory authority's name: as set, else the jurisdiction's usual body."""
        return self.statutory_authority or DEFAULT_AUTHORITIES[self.jurisdiction]


def get_trust_settings(session: Session) -> TrustSettings:
    """The practice's trust settings, created with defaults the first time."""
    settings = session.scalar(select(TrustSettings).order_by(TrustSettings.id).limit(1))
    if settings is None:
        settings = TrustSettings(jurisdiction=Jurisdiction.NSW,
                                 interest_destination=InterestDestination.STATUTORY, statutory_authority="")
        session.add(settings)
        session.flush()
    return settings


def save_trust_settings(session: Session, user: User | None, *, jurisdiction: str,
                        interest_destination: str, statutory_authority: str) -> TrustSettings:
    """Change the trust settings (admins only, checked by the view)."""
    try:
        jurisdiction = Jurisdiction(jurisdiction)
    except ValueError:
        raise LedgerError("Choose the state or territory the practice holds trust money in.",
                          "jurisdiction") from None
    try:
        destination = InterestDestination(interest_destination)
    except ValueError:
        raise LedgerError("Choose where trust interest goes.", "interest_destination") from None
    authority = clean_text(statutory_authority, 150, "statutory_authority", "the authority's name")
    settings = get_trust_settings(session)
    settings.jurisdiction, settings.interest_destination = jurisdiction, destination
    settings.statutory_authority = authority
    session.flush()
    record(session, user, "changed", "trust_settings", settings.id,
           f"Trust settings: {jurisdiction.value}, interest {destination.label.lower()}, "
           f"authority {settings.authority}")
    return settings


def statutory_deposits_required(session: Session) -> bool:
    """Whether the practice's jurisdiction requires statutory deposits (NSW and Victoria)."""
    return get_trust_settings(session).jurisdiction.requires_statutory_deposit
