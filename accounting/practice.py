"""The practice's own settings: one practice per installation, one row.

The lock date is the rule every posting checks: nothing may be dated before it.
"""

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, Enum, Integer, Numeric, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from accounting.base import Base
from accounting.errors import LedgerError, PeriodLocked

CURRENCIES = ("AUD", "NZD", "GBP", "USD", "CAD", "SGD", "HKD", "ZAR", "EUR")


class Basis(enum.StrEnum):
    ACCRUAL = "accrual"
    CASH = "cash"


class Practice(Base):
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


def update_practice(session: Session, practice: Practice, **values) -> None:
    """Change settings after checking the rules that span fields."""
    if values["base_currency"] not in CURRENCIES:
        raise LedgerError("Choose one of the listed currencies.", "base_currency")
    if not Decimal("0") <= values["gst_rate"] <= Decimal("100"):
        raise LedgerError("The GST rate is a percentage between 0 and 100.", "gst_rate")
    try:
        date(2001, values["fy_start_month"], values["fy_start_day"])  # 2001: not a leap year
    except ValueError:
        raise LedgerError("That day does not exist in that month.", "fy_start_day") from None
    for key, value in values.items():
        setattr(practice, key, value)
    session.flush()
