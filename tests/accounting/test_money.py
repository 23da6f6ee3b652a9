"""Money parsing and the exact cents column."""

from decimal import Decimal

import pytest

from accounting.errors import InvalidAmount
from accounting.money import format_money, from_cents, parse_money, to_cents


@pytest.mark.parametrize("text, expected", [
    ("12", Decimal("12.00")), ("12.5", Decimal("12.50")), ("1,234.56", Decimal("1234.56")),
    (" -0.01 ", Decimal("-0.01")), (7, Decimal("7.00")),
])
def test_amounts_parse_to_two_places(text, expected):
    assert parse_money(text) == expected


@pytest.mark.parametrize("text, message", [
    ("", "Enter an amount"), ("abc", "is not an amount"), ("NaN", "is not an amount"),
    ("Infinity", "is not an amount"), ("1.005", "at most two decimals"),
    ("1e30", "too large"), ("1e999999", "too large"), ("1000000000000", "too large"),
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
