"""Reading bank statement files: CSV (a header row naming date, description and amount, or debit
and credit columns) and OFX / QFX (read by ofxparse), into plain lines.

Nothing here touches the database: office bank reconciliation (bank_reconciliation) and the trust
account's statements (trust.reconciliation) both read their files through `parse_statement`.
Every refusal is shown beside the form's "statement" field and, for a CSV, names the row it found
wrong. A line of amount zero is refused in a CSV and skipped in an OFX file.
"""

import csv
import io
import warnings
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from accounting.errors import LedgerError
from accounting.money import CENT, ZERO, parse_money


@dataclass(frozen=True)
class ParsedLine:
    """One line read from a statement file: money in is positive."""

    date: date
    description: str
    amount: Decimal
    fitid: str = ""  # the bank's own id of the transaction (OFX FITID); empty for CSV


HEADER_NAMES = {
    "date": {"date", "transaction date", "posted date", "posting date", "value date", "txn date",
             "trans date"},
    "description": {"description", "narrative", "details", "memo", "transaction details",
                    "transaction description", "payee", "particulars"},
    "amount": {"amount", "value", "transaction amount", "amount (aud)"},
    "debit": {"debit", "debits", "withdrawal", "withdrawals", "money out", "debit amount", "paid out"},
    "credit": {"credit", "credits", "deposit", "deposits", "money in", "credit amount", "paid in"},
    "ignored": {"balance", "running balance", "reference", "ref", "type", "transaction type",
                "cheque number"},
}
_COLUMN_OF = {name: column for column, names in HEADER_NAMES.items() for name in names}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %b %Y", "%d %B %Y", "%d/%m/%y", "%Y/%m/%d",
                "%d.%m.%Y")
MAX_FILE_BYTES = 5_000_000
MAX_STATEMENT_LINES = 10_000  # per import


def _parse_date(text: str, row: int) -> date:
    text = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise LedgerError(f"Row {row}: “{text}” is not a date (use e.g. 2026-07-31 or 31/07/2026).",
                      "statement")


def _parse_amount(text: str, row: int) -> Decimal:
    cleaned = text.strip().replace("$", "").replace(" ", "")
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    if negative:
        cleaned = cleaned[1:-1]
    try:
        amount = parse_money(cleaned)
    except LedgerError:
        raise LedgerError(f"Row {row}: “{text.strip()}” is not an amount.", "statement") from None
    return -amount if negative else amount


def parse_csv_statement(data: bytes) -> list[ParsedLine]:
    """Statement lines from CSV: date, description and amount (or debit and credit) columns."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LedgerError("That file is not a CSV text file.", "statement") from None
    if "\x00" in text or not text.strip():
        raise LedgerError("That file is not a CSV statement: it is empty or not text.", "statement")
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    header = [cell.strip().lower() for cell in rows[0]]
    unknown = [rows[0][i].strip() for i, name in enumerate(header) if name not in _COLUMN_OF]
    if unknown:
        raise LedgerError(
            f"Unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. A statement "
            "CSV has a header row with date, description and amount (or debit and credit).",
            "statement")
    columns = {_COLUMN_OF[name]: i for i, name in enumerate(header)}
    if "date" not in columns or not ("amount" in columns or {"debit", "credit"} <= columns.keys()):
        raise LedgerError("A statement CSV needs date and amount columns (or date, debit and "
                          "credit).", "statement")
    lines = []
    for number, row in enumerate(rows[1:], start=2):
        cell = (lambda name, row=row: row[columns[name]].strip()  # noqa: E731
                if name in columns and columns[name] < len(row) else "")
        when = _parse_date(cell("date"), number)
        if "amount" in columns:
            amount = _parse_amount(cell("amount"), number)
        else:
            debit = _parse_amount(cell("debit"), number) if cell("debit") else ZERO
            credit = _parse_amount(cell("credit"), number) if cell("credit") else ZERO
            amount = credit - abs(debit)
        if amount == ZERO:
            raise LedgerError(f"Row {number}: the amount is zero.", "statement")
        lines.append(ParsedLine(when, cell("description")[:300], amount))
    if not lines:
        raise LedgerError("The statement has a header row but no lines.", "statement")
    return lines


def parse_ofx_statement(data: bytes) -> list[ParsedLine]:
    """Statement lines from an OFX (or QFX) file, read by ofxparse."""
    import ofxparse  # heavy (it brings BeautifulSoup): loaded on the first OFX file, not at start-up

    if b"<OFX" not in data[:5000].upper():
        raise LedgerError("That file is not an OFX statement.", "statement")
    try:
        with warnings.catch_warnings():  # ofxparse calls BeautifulSoup's deprecated findAll
            warnings.simplefilter("ignore", DeprecationWarning)
            ofx = ofxparse.OfxParser.parse(io.BytesIO(data))
        transactions = [t for account in ofx.accounts for t in account.statement.transactions]
    except Exception:  # ofxparse raises many kinds of errors on a broken file
        raise LedgerError("That OFX file could not be read: it is damaged or not a bank "
                          "statement.", "statement") from None
    lines = []
    for t in transactions:
        amount = Decimal(t.amount).quantize(CENT)
        if amount == ZERO:
            continue
        description = " ".join(part for part in (t.payee or "", t.memo or "") if part).strip()
        lines.append(ParsedLine(t.date.date(), description[:300], amount, (t.id or "").strip()[:255]))
    if not lines:
        raise LedgerError("The OFX statement has no transactions.", "statement")
    return lines


def parse_statement(filename: str, data: bytes) -> list[ParsedLine]:
    """A statement file's lines: OFX/QFX by extension or content, else CSV."""
    if not data:
        raise LedgerError("Choose a statement file (CSV or OFX).", "statement")
    if len(data) > MAX_FILE_BYTES:
        raise LedgerError("That file is too large for a statement (5 MB at most).", "statement")
    name = (filename or "").lower()
    if name.endswith((".ofx", ".qfx")) or data.lstrip()[:20].upper().startswith((b"OFXHEADER", b"<OFX")):
        return _within_line_limit(parse_ofx_statement(data))
    if not name.endswith((".csv", ".txt")) and name:
        raise LedgerError("That file is not a CSV or OFX statement.", "statement")
    return _within_line_limit(parse_csv_statement(data))


def _within_line_limit(lines: list[ParsedLine]) -> list[ParsedLine]:
    # 5 MB of short CSV rows is ~100,000 lines: more than one import should lock and write at once.
    if len(lines) > MAX_STATEMENT_LINES:
        raise LedgerError(
            f"That statement has {len(lines):,} lines; import at most {MAX_STATEMENT_LINES:,} at "
            "once (export it from the bank in shorter date ranges).", "statement")
    return lines
