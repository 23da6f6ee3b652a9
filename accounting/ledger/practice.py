"""The practice's own settings: one practice per installation, one row.

The lock date is the rule every posting checks: nothing may be dated before it. One practice keeps
its books in one base currency. Every change of settings is written to the audit log, naming what
changed from what to what.
"""

import calendar
import enum
import re
from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, Enum, Integer, Numeric, String
from sqlalchemy.orm import Mapped, Session, mapped_column
from stdnum.au import abn as stdnum_abn
from stdnum.au.abn import format as abn_format
from stdnum.exceptions import ValidationError

from accounting.audit import record
from accounting.base import Base
from accounting.errors import LedgerError, PeriodLocked
from accounting.money import parse_decimal
from accounting.parties.users import User

CURRENCIES = ("AUD", "NZD", "GBP", "USD", "CAD", "SGD", "HKD", "ZAR", "EUR")
MAX_NAME = 120
MONTHS = tuple(calendar.month_name[1:])


class Basis(enum.StrEnum):
    """The basis the practice reports GST on: accrual (the default; the books always post on
    accrual) or cash."""

    ACCRUAL = "accrual"
    CASH = "cash"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Practice(Base):
    """The practice's settings, one row (id 1): name, base currency, GST registration and rate,
    financial year start and the lock date no posting may be dated before."""

    __tablename__ = "practice"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), default="My Practice")
    base_currency: Mapped[str] = mapped_column(String(3), default="AUD")
    basis: Mapped[Basis] = mapped_column(
        Enum(Basis, native_enum=False, length=10), default=Basis.ACCRUAL
    )
    gst_registered: Mapped[bool] = mapped_column(Boolean, default=True)
    # A percentage such as 10.00; Numeric is fine here: it is a rate, never summed.
    gst_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("10.00"))
    fy_start_month: Mapped[int] = mapped_column(Integer, default=7)
    fy_start_day: Mapped[int] = mapped_column(Integer, default=1)
    lock_date: Mapped[date | None] = mapped_column(Date, default=None)
    # What a tax invoice must show (and how to pay it); empty until an admin fills them in.
    legal_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    abn: Mapped[str] = mapped_column(String(11), default="", server_default="")
    address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    phone: Mapped[str] = mapped_column(String(30), default="", server_default="")
    email: Mapped[str] = mapped_column(String(120), default="", server_default="")
    bank_account_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    bsb: Mapped[str] = mapped_column(String(6), default="", server_default="")
    bank_account_number: Mapped[str] = mapped_column(String(20), default="", server_default="")
    payment_reference: Mapped[str] = mapped_column(String(60), default="", server_default="")

    @property
    def invoice_name(self) -> str:
        """The name a tax invoice is issued under: the legal name, else the trading name."""
        return self.legal_name or self.name

    @property
    def abn_display(self) -> str:
        """'51 824 753 556', or '' when none is set."""
        return abn_format(self.abn) if self.abn else ""

    @property
    def bsb_display(self) -> str:
        """'062-000', or '' when none is set."""
        return f"{self.bsb[:3]}-{self.bsb[3:]}" if self.bsb else ""

    @property
    def fy_start_label(self) -> str:
        """'1 July'."""
        return f"{self.fy_start_day} {MONTHS[self.fy_start_month - 1]}"

    def financial_year_start(self, on: date) -> date:
        """First day of the financial year that contains `on`."""
        start = date(on.year, self.fy_start_month, self.fy_start_day)
        return start if start <= on else date(on.year - 1, self.fy_start_month, self.fy_start_day)

    def check_open(self, when: date, field: str = "date") -> None:
        """Refuse a date before the lock date."""
        if self.lock_date is not None and when < self.lock_date:
            raise PeriodLocked(
                f"The books are locked before {self.lock_date:%d %b %Y}: "
                f"choose that date or later, or ask an admin to move the lock date.",
                field,
            )


def get_practice(session: Session) -> Practice:
    """The practice's settings row, created with defaults on first use."""
    practice = session.get(Practice, 1)
    if practice is None:
        practice = Practice(id=1)
        session.add(practice)
        session.flush()
    return practice


def parse_rate(value, field: str = "gst_rate") -> Decimal:
    """A percentage from 0 to 100 with at most two decimals ('10', '12.5' -> Decimal)."""
    text = "" if value is None else str(value).strip().rstrip("%").strip()
    if text == "":
        raise LedgerError("Enter the GST rate as a percentage, e.g. 10.", field)
    rate = parse_decimal(text, field, "a percentage")
    # Range before decimals: quantizing 1e309 would overflow the decimal context.
    if not Decimal("0") <= rate <= Decimal("100"):
        raise LedgerError("The GST rate is a percentage between 0 and 100.", field)
    if rate != rate.quantize(Decimal("0.01")):
        raise LedgerError("Use at most two decimals for the GST rate.", field)
    return rate.quantize(Decimal("0.01"))


def _check_fy_start(month: int, day: int) -> None:
    if not 1 <= month <= 12:
        raise LedgerError("Choose a month.", "fy_start_month")
    try:
        date(2001, month, day)  # 2001: not a leap year, so 29 February is refused
    except ValueError:
        raise LedgerError(
            f"{MONTHS[month - 1]} has no day {day}: choose a day that exists in every year.",
            "fy_start_day",
        ) from None


def _shown(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return f"{value:%d %b %Y}"
    return str(value.value if isinstance(value, enum.Enum) else value)


LABELS = {
    "name": "name", "base_currency": "base currency", "basis": "basis",
    "gst_registered": "GST registered", "gst_rate": "GST rate", "fy_start_month": "FY start month",
    "fy_start_day": "FY start day", "lock_date": "lock date",
}


# What a tax invoice shows of the practice, and how to pay it (Practice's columns of those names).
INVOICE_FIELDS = {
    "legal_name": "legal name", "abn": "ABN", "address": "address", "phone": "phone",
    "email": "email", "bank_account_name": "account name", "bsb": "BSB",
    "bank_account_number": "account number", "payment_reference": "payment reference",
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_abn(value: str | None) -> str:
    """An ABN, spaces removed and its check digits tested (python-stdnum); '' stays ''."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        return stdnum_abn.validate(text)
    except ValidationError:
        raise LedgerError("That is not a valid ABN: check its 11 digits.", "abn") from None


def normalise_bsb(value: str | None) -> str:
    """A BSB of exactly 6 digits, '062-000' or '062 000' accepted; '' stays ''."""
    text = re.sub(r"[\s-]", "", value or "")
    if text and not re.fullmatch(r"\d{6}", text):
        raise LedgerError("A BSB is 6 digits, such as 062-000.", "bsb")
    return text


def normalise_account_number(value: str | None) -> str:
    """A bank account number: 4 to 10 digits, spaces and dashes removed; '' stays ''."""
    text = re.sub(r"[\s-]", "", value or "")
    if text and not re.fullmatch(r"\d{4,10}", text):
        raise LedgerError("An account number is 4 to 10 digits.", "bank_account_number")
    return text


def normalise_email(value: str | None) -> str:
    text = (value or "").strip()
    if text and not EMAIL.match(text):
        raise LedgerError("Enter an email address such as accounts@example.com.", "email")
    return text


def _invoice_values(details: dict) -> dict:
    """The tax-invoice details, checked and normalised; each text no longer than its column."""
    values = {key: (details.get(key) or "").strip() for key in INVOICE_FIELDS}
    values.update(abn=normalise_abn(values["abn"]), bsb=normalise_bsb(values["bsb"]),
                  bank_account_number=normalise_account_number(values["bank_account_number"]),
                  email=normalise_email(values["email"]))
    for key, value in values.items():
        limit = Practice.__table__.c[key].type.length
        if len(value) > limit:
            raise LedgerError(f"Use at most {limit} characters.", key)
    return values


def update_practice(
    session: Session, user: User | None, practice: Practice, *, name: str, base_currency: str,
    basis: Basis | str, gst_registered: bool, gst_rate, fy_start_month: int, fy_start_day: int,
    lock_date: date | None, invoice_details: dict | None = None,
) -> list[str]:
    """Change the settings after checking them; records what changed. Returns the changes.
    `invoice_details` (INVOICE_FIELDS' keys) are what a tax invoice shows; None keeps them."""
    name = name.strip()
    if not name:
        raise LedgerError("Enter the practice's name.", "name")
    if len(name) > MAX_NAME:
        raise LedgerError(f"Use at most {MAX_NAME} characters for the name.", "name")
    if base_currency not in CURRENCIES:
        raise LedgerError("Choose one of the listed currencies.", "base_currency")
    try:
        basis = Basis(basis)
    except ValueError:
        raise LedgerError("Choose accrual or cash basis.", "basis") from None
    values = {
        "name": name, "base_currency": base_currency, "basis": basis,
        "gst_registered": bool(gst_registered), "gst_rate": parse_rate(gst_rate),
        "fy_start_month": int(fy_start_month), "fy_start_day": int(fy_start_day),
        "lock_date": lock_date,
    }
    _check_fy_start(values["fy_start_month"], values["fy_start_day"])
    if invoice_details is not None:
        values.update(_invoice_values(invoice_details))
    changes = []
    for key, value in values.items():
        old = getattr(practice, key)
        if old != value:
            label = LABELS.get(key) or INVOICE_FIELDS[key]
            changes.append(f"{label} {_shown(old) or 'none'} → {_shown(value) or 'none'}")
            setattr(practice, key, value)
    session.flush()
    if changes:
        record(session, user, "changed", "practice", practice.id,
               "Practice settings: " + "; ".join(changes))
    return changes
