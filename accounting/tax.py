"""GST: the one place the tax on an amount is worked out.

GST on a GST-exclusive amount is amount x rate / 100, rounded half-up to the cent, per line (as the
ATO allows and as Xero computes line tax). Bills, supplier invoices and bank transactions all call
`gst_on`, so the books and their documents can never disagree by a rounding rule.
"""

from decimal import ROUND_HALF_UP, Decimal

from accounting.money import CENT


def gst_on(amount: Decimal, rate: Decimal) -> Decimal:
    """GST on a GST-exclusive `amount` at `rate` percent, rounded half-up to the cent."""
    return (amount * rate / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)
