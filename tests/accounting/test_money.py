"""Money parsing and the exact cents column."""

from decimal import Decimal

import pytest

from accounting.errors import InvalidAmount
from accounting.money import (
    MAX_AMOUNT,
    format_money,
    from_cents,
    money_product,
    parse_decimal,
    parse_money,
    to_cents,
)


@pytest.mark.parametrize("text, expected", [
    ("12", Decimal("12.00")), ("12.5", Decimal("12.50")), ("1,234.56", Decimal("1234.56")),
    (" -0.01 ", Decimal("-0.01")), (7, Decimal("7.00")),
])
def test_amounts_parse_to_two_places(text, expected):
    assert parse_money(text) == expected


@pytest.mark.parametrize("text, message", [
    ("", "Enter an amount"), ("abc", "is not an amount"), ("NaN", "is not an amount"),
    ("Infinity", "is not an amount"), ("1.005", "at most two decimals"),
    ("1e30", "is not an amount"), ("1e999999", "is not an amount"), ("1000000000000", "too large"),
    ("٣", "is not an amount"), ("１２", "is not an amount"), ("1_000", "is not an amount"),
    ("-Infinity", "is not an amount"), ("0x10", "is not an amount"), ("1.2.3", "is not an amount"),
    ("12\x00", "is not an amount"), ("9" * 5000, "too large"),
])
def test_bad_amounts_are_refused_with_a_reason(text, message):
    with pytest.raises(InvalidAmount, match=message):
        parse_money(text, "amount")


def test_a_float_is_never_money():
    with pytest.raises(TypeError):
        parse_money(0.1)


def test_cents_round_trip_exactly():
    for amount in (Decimal("0.10"), Decimal("0.20"), Decimal("-0.30"), Decimal("999999999.99")):
        assert from_cents(to_cents(amount)) == amount
    assert format_money(Decimal("-1234.5")) == "-1,234.50"


def test_a_product_beyond_the_ledger_is_refused_not_overflowed():
    with pytest.raises(InvalidAmount, match="too large"):
        money_product(Decimal("999999999"), Decimal("99999999999.99"), "lines-0-rate")
    assert money_product(Decimal("1.5"), Decimal("0.05")) == Decimal("0.08")  # half-up
    assert money_product(Decimal("1"), MAX_AMOUNT) == MAX_AMOUNT


def test_a_typed_number_is_plain_ascii_digits():
    assert parse_decimal(" 1,234.5 ") == Decimal("1234.5")
    assert parse_decimal("+.5") == Decimal("0.5")
    for typed in ("1e309", "NaN", "٣", "１２", "1_000", " ", "1 000"):
        with pytest.raises(InvalidAmount):
            parse_decimal(typed, "rate", "a rate")
