"""Amounts in words for trust receipts: the cases an auditor checks, and the refusals."""

from decimal import Decimal

import pytest

from accounting.money import MAX_AMOUNT
from accounting.trust.words import amount_in_words, number_in_words

D = Decimal


@pytest.mark.parametrize(("amount", "words"), [
    ("0.00", "Zero dollars"),
    ("0.01", "One cent"),
    ("0.50", "Fifty cents"),
    ("1.00", "One dollar"),
    ("1.01", "One dollar and one cent"),
    ("11.00", "Eleven dollars"),
    ("19.99", "Nineteen dollars and ninety-nine cents"),
    ("20.00", "Twenty dollars"),
    ("100.00", "One hundred dollars"),
    ("101.00", "One hundred and one dollars"),
    ("1000.00", "One thousand dollars"),
    ("1001.00", "One thousand and one dollars"),
    ("1100.00", "One thousand one hundred dollars"),
    ("1234.50", "One thousand two hundred and thirty-four dollars and fifty cents"),
    ("21000.00", "Twenty-one thousand dollars"),
    ("100000.00", "One hundred thousand dollars"),
    ("1000000.00", "One million dollars"),
    ("1000050.00", "One million and fifty dollars"),
    ("2000300.07", "Two million three hundred dollars and seven cents"),
    ("1000000000.00", "One billion dollars"),
    ("999999999999.99", "Nine hundred and ninety-nine billion nine hundred and ninety-nine million nine "
                        "hundred and ninety-nine thousand nine hundred and ninety-nine dollars and "
                        "ninety-nine cents"),
])
def test_an_amount_in_words(amount, words):
    assert amount_in_words(D(amount)) == words


def test_the_largest_amount_the_books_allow_has_words():
    assert amount_in_words(MAX_AMOUNT).startswith("Nine hundred and ninety-nine billion")


def test_a_number_in_words_is_lower_case():
    assert number_in_words(0) == "zero"
    assert number_in_words(90) == "ninety"
    assert number_in_words(315) == "three hundred and fifteen"


@pytest.mark.parametrize(("amount", "message"), [
    (D("-1.00"), "not an amount"),
    (MAX_AMOUNT + D("0.01"), "not an amount"),
    (D("1.005"), "whole cents"),
    (D("NaN"), "Decimal"),
    (1.5, "Decimal"),
    ("12.00", "Decimal"),
])
def test_what_is_not_an_amount_is_refused(amount, message):
    with pytest.raises(ValueError, match=message):
        amount_in_words(amount)


def test_a_number_out_of_range_is_refused():
    with pytest.raises(ValueError):
        number_in_words(10**12)
    with pytest.raises(ValueError):
        number_in_words(-1)
