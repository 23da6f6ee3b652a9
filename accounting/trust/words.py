"""Amounts in words, as a trust receipt must show them beside the figures.

Australian trust account rules (e.g. the Uniform Law's trust money rules, and the states' property
agents' regulations) ask a receipt for the amount "in words and figures". Written the way a person
writes a cheque in Australia: British "and" after hundreds and before a last group under a hundred,
hyphens in the tens, short-scale millions and billions:

    1234.50  -> "One thousand two hundred and thirty-four dollars and fifty cents"
    1001.00  -> "One thousand and one dollars"
    0.01     -> "One cent"

Pure and exact: it takes a Decimal (never a float) in whole cents, from zero up to the largest
amount the books accept (accounting.money.MAX_AMOUNT), and refuses anything else.
"""

from decimal import Decimal

from accounting.money import MAX_AMOUNT

ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
SCALES = ((10**9, "billion"), (10**6, "million"), (10**3, "thousand"))


def _under_hundred(n: int) -> str:
    if n < 20:
        return ONES[n]
    tens, ones = divmod(n, 10)
    return TENS[tens] + (f"-{ONES[ones]}" if ones else "")


def _under_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    if not hundreds:
        return _under_hundred(rest)
    return f"{ONES[hundreds]} hundred" + (f" and {_under_hundred(rest)}" if rest else "")


def number_in_words(n: int) -> str:
    """A whole number from 0 to 999,999,999,999 in lower-case words ("one thousand and one")."""
    if not 0 <= n < 10**12:
        raise ValueError(f"{n} is out of range for words.")
    if n == 0:
        return ONES[0]
    parts = []
    for size, name in SCALES:
        count, n = divmod(n, size)
        if count:
            parts.append(f"{_under_thousand(count)} {name}")
    if n:
        # "one thousand and one", "two million and fifty": the last group under a hundred takes "and".
        parts.append(("and " if parts and n < 100 else "") + _under_thousand(n))
    return " ".join(parts)


def amount_in_words(amount: Decimal) -> str:
    """An amount of money in words, capitalised: "One thousand two hundred and thirty-four dollars and
    fifty cents". Zero is "Zero dollars"; under a dollar only the cents are named ("Fifty cents")."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValueError("Give the amount as a Decimal.")
    if amount < 0 or amount > MAX_AMOUNT:
        raise ValueError(f"{amount} is not an amount a receipt can show (0 to {MAX_AMOUNT}).")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} is not in whole cents.")
    dollars, cents = divmod(int(cents), 100)
    parts = []
    if dollars or not cents:
        parts.append(f"{number_in_words(dollars)} dollar{'' if dollars == 1 else 's'}")
    if cents:
        parts.append(f"{number_in_words(cents)} cent{'' if cents == 1 else 's'}")
    words = " and ".join(parts)
    return words[0].upper() + words[1:]
