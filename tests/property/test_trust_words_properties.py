"""Property: every amount the books accept reads back from its words to the same amount (a small
parser here inverts amount_in_words), in the words' own vocabulary only."""

import re
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from accounting.money import MAX_AMOUNT
from accounting.trust.words import ONES, TENS, amount_in_words

CENTS = st.integers(min_value=0, max_value=int(MAX_AMOUNT * 100))
VALUES = {w: n for n, w in enumerate(ONES)} | {w: 10 * n for n, w in enumerate(TENS) if w}
SCALE = {"thousand": 10**3, "million": 10**6, "billion": 10**9}


def _number(words: list[str]) -> int:
    total = group = 0
    for word in words:
        if word == "and":
            continue
        if word == "hundred":
            group *= 100
        elif word in SCALE:
            total, group = total + group * SCALE[word], 0
        else:
            group += sum(VALUES[part] for part in word.split("-"))
    return total + group


def read_back(text: str) -> Decimal:
    """Words back to an amount: "<number> dollar(s) and <number> cent(s)", either part optional."""
    match = re.fullmatch(r"(?:(.+?) dollars?)?(?: and )?(?:(.+?) cents?)?", text.lower())
    assert match is not None, text
    dollars, cents = (_number(part.split()) if part else 0 for part in match.groups())
    assert cents < 100
    return Decimal(dollars) + Decimal(cents) / 100


@given(CENTS)
def test_words_read_back_to_the_amount(cents):
    amount = Decimal(cents) / 100
    words = amount_in_words(amount.quantize(Decimal("0.01")))
    assert words[0].isupper() and words[1:] == words[1:].lower()
    assert set(re.split(r"[ -]", words.lower())) <= set(VALUES) | set(SCALE) | {
        "hundred", "and", "dollar", "dollars", "cent", "cents"}
    assert read_back(words) == amount
