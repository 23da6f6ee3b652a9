"""Money: Decimal with two places in Python, integer cents in the database.

SQLAlchemy's Numeric is floating point on SQLite (SUM over 0.10, 0.20, -0.30 is not 0 there), so
every amount is stored as a BIGINT of cents through the `Money` column type. Parsing refuses
anything that is not a number or has more than two decimals, instead of rounding it silently.
"""

from decimal import Decimal, InvalidOperation

from sqlalchemy import BigInteger
from sqlalchemy.types import TypeDecorator

from accounting.errors import InvalidAmount

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Largest amount we accept in one field: keeps cents well inside BIGINT when summed.
MAX_AMOUNT = Decimal("999999999999.99")


def parse_money(value, field: str | None = None) -> Decimal:
    """Return `value` as a Decimal with two places, or raise InvalidAmount.

    Accepts str (with optional thousands commas), int and Decimal; refuses float, because a float
    has already lost the exact value.
    """
    if isinstance(value, float):
        raise TypeError("money must never be a float")
    text = str(value).strip().replace(",", "") if value is not None else ""
    if text == "":
        raise InvalidAmount("Enter an amount.", field)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InvalidAmount(f"“{value}” is not an amount.", field) from None
    if not amount.is_finite():
        raise InvalidAmount(f"“{value}” is not an amount.", field)
    # Size first: quantizing 1e999999 to cents would overflow the decimal context.
    if abs(amount) > MAX_AMOUNT:
        raise InvalidAmount("That amount is too large.", field)
    if amount != amount.quantize(CENT):
        raise InvalidAmount("Amounts are in dollars and cents: at most two decimals.", field)
    return amount.quantize(CENT)


def to_cents(amount: Decimal) -> int:
    """Exact Decimal -> integer cents; refuses sub-cent values."""
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise InvalidAmount("Amounts are in dollars and cents: at most two decimals.")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    """Integer cents -> Decimal with two places."""
    return (Decimal(int(cents)) / 100).quantize(CENT)


def format_money(amount: Decimal | None) -> str:
    """1234.5 -> '1,234.50'; negative amounts keep a leading minus."""
    if amount is None:
        return ""
    return f"{amount:,.2f}"


class Money(TypeDecorator):
    """A column of money: Decimal in Python, integer cents in the database (exact everywhere)."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money must never be a float")
        return to_cents(Decimal(value))

    def process_result_value(self, value, dialect):
        return None if value is None else from_cents(value)

    @property
    def python_type(self):
        return Decimal
