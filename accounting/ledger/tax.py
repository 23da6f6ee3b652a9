"""GST: the one place the tax on an amount is worked out, and whether GST may be charged at all.

Four tax codes, as the BAS reads them: GST (taxable, 1A/1B), GST-free (G3 / purchases with no
GST), input-taxed (G4: financial supplies such as interest; no GST either way) and BAS-excluded
(left out of every BAS figure). Only GST carries tax.

GST on a GST-exclusive amount is amount x rate / 100, rounded half-up to the cent, per line (as the
ATO allows and as Xero computes line tax). Bills, supplier invoices and bank transactions all call
`gst_on`, so the books and their documents can never disagree by a rounding rule.

A practice that is not registered for GST (Practice.gst_registered, set in Admin) may neither
charge GST on its bills and credit notes nor claim it on supplier invoices, supplier credits or bank
transactions: every line that would carry GST asks `check_gst_allowed` first.
"""

import enum
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from accounting.errors import GstNotRegistered
from accounting.money import CENT

if TYPE_CHECKING:
    from accounting.ledger.practice import Practice



class TaxCode(enum.StrEnum):
    """The tax treatment of one line of any document (bill, credit note, supplier invoice or
    credit, bank transaction): the one vocabulary the Xero tax mapping maps from."""

    GST = "gst"
    GST_FREE = "gst_free"
    # Financial supplies such as interest earned (BAS G4): no GST, and no credit for GST on them.
    INPUT_TAXED = "input_taxed"
    # Outside the BAS altogether: wages, drawings, loans, capital put in, transfers.
    BAS_EXCLUDED = "bas_excluded"

    @property
    def label(self) -> str:
        return TAX_LABELS[self]

    @property
    def carries_gst(self) -> bool:
        """Whether GST is charged or claimed on a line with this code (only GST does)."""
        return self is TaxCode.GST


TAX_LABELS = {
    TaxCode.GST: "GST",
    TaxCode.GST_FREE: "GST-free",
    TaxCode.INPUT_TAXED: "Input-taxed",
    TaxCode.BAS_EXCLUDED: "BAS-excluded",
}
# Column length of every stored tax code: the longest name, BAS_EXCLUDED, is 12 characters.
TAX_CODE_LENGTH = 12


NOT_REGISTERED = ("The practice is not registered for GST (Admin > Practice settings): "
                  "choose GST-free.")


def gst_on(amount: Decimal, rate: Decimal) -> Decimal:
    """GST on a GST-exclusive `amount` at `rate` percent, rounded half-up to the cent."""
    return (amount * rate / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)


def check_gst_allowed(practice: "Practice", tax_is_gst: bool, field: str | None = None) -> None:
    """Refuse a line that charges or claims GST when the practice is not registered for GST.

    `field` names the line's tax field (e.g. "lines-0-tax"), so the message shows beside it.
    """
    if tax_is_gst and not practice.gst_registered:
        raise GstNotRegistered(NOT_REGISTERED, field)
