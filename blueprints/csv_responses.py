"""CSV downloads, the same way on every page that offers one: a report's figures, a document's
history.

Free text in a cell goes through `csv_text`, so a name or narration a person typed can never run
as a spreadsheet formula; amounts go through `csv_amount`, plain two-decimal numbers a spreadsheet
reads as numbers. A filter the figures cannot be made from is `refused_as_text`: a 400 with the
message, never a 500 and never a half-written file.
"""

import csv
import io
from decimal import Decimal

from flask import Response

from accounting.errors import LedgerError

# What makes a spreadsheet read a cell as a formula (or hide one after a tab or return).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """Free text for a CSV cell; a leading = + - @ would make a spreadsheet run it as a formula."""
    return f"'{value}" if value[:1] in FORMULA_STARTS else value


def csv_amount(amount: Decimal | None) -> str:
    """An amount for a CSV cell: two decimals, no thousands separator; nothing for None."""
    return "" if amount is None else f"{amount:.2f}"


def csv_response(filename: str, rows: list[list]) -> Response:
    """`rows` as a CSV file the browser downloads as `filename`."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def refused_as_text(error: LedgerError) -> Response:
    """The books' refusal of a download's filter (?as_at=notadate): 400, the message as plain text."""
    return Response(error.message, status=400, mimetype="text/plain")


def history_csv(filename: str, rows) -> Response:
    """A document's history rows (a bill's, a supplier invoice's) as CSV."""
    return csv_response(filename, [["Date", "What", "Details", "Amount", "By", "Journal"]] + [
        [row.date.isoformat(), csv_text(row.what), csv_text(row.details), csv_amount(row.amount),
         csv_text(row.by), row.journal.number if row.journal else ""] for row in rows])
