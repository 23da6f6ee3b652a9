"""Trial balance and general ledger pages, each with a CSV download of the same figures.

Filters come from the query string; a bad one (?as_at=notadate) is a 400 with the message beside
the filter, never a 500.
"""

import csv
import io
from datetime import date
from decimal import Decimal

from flask import Blueprint, Response, request
from sqlalchemy import select

from accounting.accounts import Account
from accounting.errors import LedgerError
from accounting.money import ZERO, format_money
from accounting.practice import get_practice
from accounting.reports import general_ledger as ledger_report
from accounting.reports import trial_balance as trial_balance_report
from blueprints.pages import render
from extensions import db

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.app_template_filter("balance")
def balance_filter(amount: Decimal | None) -> str:
    """A running balance the way accountants read it: 1,234.50 Dr, 300.00 Cr, 0.00."""
    if amount is None:
        return ""
    if amount == ZERO:
        return format_money(ZERO)
    return f"{format_money(abs(amount))} {'Dr' if amount > 0 else 'Cr'}"


def _date_arg(name: str, default: date) -> date:
    value = request.args.get(name, "").strip()
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise LedgerError(f"“{value}” is not a date: use the form YYYY-MM-DD.", name) from None


def _account_arg() -> int | None:
    value = request.args.get("account", "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 18 or db.session.get(Account, int(value)) is None:
        raise LedgerError("There is no such account: choose one from the list.", "account")
    return int(value)


def _plain(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:.2f}"


def _text(value: str) -> str:
    """Free text for a CSV cell; a leading = + - @ would make a spreadsheet run it as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv(filename: str, rows: list[list]) -> Response:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _refused(error: LedgerError) -> Response:
    return Response(error.message, status=400, mimetype="text/plain")


def _trial_balance():
    as_at = _date_arg("as_at", date.today())
    fy_start = get_practice(db.session).financial_year_start(as_at) if request.args.get("fy") else None
    return trial_balance_report(db.session, as_at, fy_start), fy_start


@bp.route("/trial-balance")
def trial_balance():
    """Every account's balance as at a date, debits beside credits, with totals."""
    try:
        report, fy_start = _trial_balance()
    except LedgerError as error:
        return render("reports/trial_balance.html", report=None, error=error, status=400)
    start = fy_start or get_practice(db.session).financial_year_start(report.as_at)
    return render("reports/trial_balance.html", report=report, fy_start=fy_start, gl_start=start,
                  error=None)


@bp.route("/trial-balance.csv")
def trial_balance_csv():
    """The trial balance as CSV: plain two-decimal amounts."""
    try:
        report, _ = _trial_balance()
    except LedgerError as error:
        return _refused(error)
    rows = [["Code", "Account", "Type", "Debit", "Credit"]]
    rows += [[_text(r.account.code), _text(r.account.name), r.account.type.label, _plain(r.debit),
              _plain(r.credit)] for r in report.rows]
    rows.append(["", "Total", "", _plain(report.total_debit), _plain(report.total_credit)])
    return _csv(f"trial-balance-{report.as_at.isoformat()}.csv", rows)


def _general_ledger():
    today = date.today()
    start = _date_arg("start", get_practice(db.session).financial_year_start(today))
    end = _date_arg("end", today)
    account_id = _account_arg()
    return ledger_report(db.session, start, end, account_id), start, end, account_id


def _all_accounts():
    return db.session.execute(select(Account).order_by(Account.code)).scalars().all()


@bp.route("/general-ledger")
def general_ledger():
    """Per account: opening balance, each line with its running balance, closing balance."""
    try:
        ledgers, start, end, account_id = _general_ledger()
    except LedgerError as error:
        return render("reports/general_ledger.html", ledgers=None, error=error,
                      accounts=_all_accounts(), status=400)
    return render("reports/general_ledger.html", ledgers=ledgers, start=start, end=end,
                  account_id=account_id, accounts=_all_accounts(), error=None)


@bp.route("/general-ledger.csv")
def general_ledger_csv():
    """The general ledger as CSV, with opening and closing balance rows per account."""
    try:
        ledgers, start, end, _ = _general_ledger()
    except LedgerError as error:
        return _refused(error)
    rows = [["Code", "Account", "Date", "Journal", "Narration", "Description", "Debit", "Credit",
             "Balance"]]
    for ledger in ledgers:
        code, name = _text(ledger.account.code), _text(ledger.account.name)
        rows.append([code, name, start.isoformat(), "", "Opening balance", "", "", "",
                     _plain(ledger.opening_balance)])
        for entry in ledger.entries:
            rows.append([code, name, entry.line.date.isoformat(), entry.journal.number,
                         _text(entry.journal.narration), _text(entry.line.description),
                         _plain(entry.line.debit),
                         _plain(entry.line.credit), _plain(entry.running_balance)])
        rows.append([code, name, end.isoformat(), "", "Closing balance", "", "", "",
                     _plain(ledger.closing_balance)])
    return _csv(f"general-ledger-{start.isoformat()}-to-{end.isoformat()}.csv", rows)


@bp.route("/")
def index():
    """Every report, in one list."""
    return render("reports/index.html")
