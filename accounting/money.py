"""Money: Decimal with two places in Python, integer cents in the database.

SQLAlchemy's Numeric is floating point on SQLite (SUM over 0.10, 0.20, -0.30 is not 0 there), so
every amount is stored as a BIGINT of cents through the `Money` column type. Parsing refuses
anything that is not a number or has more than two decimals, instead of rounding it silently.

Typed numbers are plain ASCII: digits, one point, a leading sign, thousands commas. Python's
Decimal would also read "٣", "１２", "1_000", "1e3", "NaN" and "Infinity"; none of them is
something a person types as an amount, and some are not amounts at all, so they are refused here,
the one reader of typed numbers. Every amount, and every product of a quantity and a rate, stays
within MAX_AMOUNT, so its cents (and sums of many of them) fit the BIGINT column.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import BigInteger
from sqlalchemy.types import TypeDecorator

from accounting.errors import InvalidAmount

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Largest amount we accept in one field: keeps cents well inside BIGINT when summed.
MAX_AMOUNT = Decimal("999999999999.99")
# ASCII only (re.ASCII keeps \d from matching other scripts' digits); no exponent, no underscore.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)


def parse_decimal(value, field: str | None = None, what: str = "an amount") -> Decimal:
    """`value` (typed text, int or Decimal) as a finite Decimal, or InvalidAmount beside `field`.

    The one reader of typed numbers (amounts, quantities, rates): plain ASCII digits with an
    optional sign, point and thousands commas; anything else is refused with a message."""
    if isinstance(value, float):
        raise TypeError("money must never be a float")
    if isinstance(value, Decimal) and value.is_finite():
        return value
    text = str(value).strip().replace(",", "") if value is not None else ""
    if text == "":
        raise InvalidAmount(f"Enter {what}.", field)
    if not _PLAIN_NUMBER.fullmatch(text):
        shown = text if len(text) <= 30 else text[:30] + "…"
        raise InvalidAmount(f"“{shown}” is not {what}: use the digits 0-9 and a point.", field)
    try:
        return Decimal(text)
    except InvalidOperation:
        raise InvalidAmount(f"“{text[:30]}” is not {what}.", field) from None


def check_amount(amount: Decimal, field: str | None = None) -> Decimal:
    """Refuse an amount (typed, or worked out from typed figures) beyond what the ledger holds."""
    if abs(amount) > MAX_AMOUNT:
        raise InvalidAmount(f"That amount is too large. The most is {MAX_AMOUNT:,}.", field)
    return amount


def money_product(quantity: Decimal, rate: Decimal, field: str | None = None) -> Decimal:
    """Quantity x rate rounded half-up to the cent, refused when beyond MAX_AMOUNT (999,999,999
    hours at 99,999,999,999.99 would overflow the cents column instead)."""
    product = quantity * rate
    check_amount(product, field)
    return product.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_money(value, field: str | None = None) -> Decimal:
    """Return `value` as a Decimal with two places, or raise InvalidAmount.

    Accepts str (ASCII digits, optional thousands commas), int and Decimal; refuses float, because
    a float has already lost the exact value.
    """
    amount = parse_decimal(value, field)
    # Size first: quantizing a huge number to cents would overflow the decimal context.
    check_amount(amount, field)
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
