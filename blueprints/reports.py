"""Report pages, each with a CSV download of the same figures: trial balance, general ledger, aged
receivables and payables, GST summary.

Filters come from the query string; a bad one (?as_at=notadate) is a 400 with the message beside
the filter, never a 500.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask import Blueprint, abort, make_response, render_template, request, url_for
from sqlalchemy import select

from accounting.errors import LedgerError
from accounting.ledger.accounts import Account
from accounting.ledger.practice import get_practice
from accounting.ledger.reports import general_ledger as ledger_report
from accounting.ledger.reports import trial_balance as trial_balance_report
from accounting.lookup import valid_id
from accounting.money import ZERO, format_money, parse_money
from accounting.office import aged_reports, gst_report
from accounting.office.suppliers import Supplier
from accounting.parties.clients import Client
from blueprints.csv_responses import csv_amount, csv_response, csv_text, refused_as_text
from blueprints.pages import date_arg, page_number, render, url_for_each
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


def _account_arg() -> int | None:
    value = request.args.get("account", "").strip()
    if not value:
        return None
    account_id = valid_id(value)
    if account_id is None or db.session.get(Account, account_id) is None:
        raise LedgerError("There is no such account: choose one from the list.", "account")
    return account_id


def _trial_balance():
    as_at = date_arg("as_at", date.today())
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
        return refused_as_text(error)
    rows = [["Code", "Account", "Type", "Debit", "Credit"]]
    rows += [[csv_text(r.account.code), csv_text(r.account.name), r.account.type.label, csv_amount(r.debit),
              csv_amount(r.credit)] for r in report.rows]
    rows.append(["", "Total", "", csv_amount(report.total_debit), csv_amount(report.total_credit)])
    return csv_response(f"trial-balance-{report.as_at.isoformat()}.csv", rows)


def _general_ledger():
    today = date.today()
    start = date_arg("start", get_practice(db.session).financial_year_start(today))
    end = date_arg("end", today)
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
        return refused_as_text(error)
    rows = [["Code", "Account", "Date", "Journal", "Narration", "Description", "Debit", "Credit",
             "Balance"]]
    for ledger in ledgers:
        code, name = csv_text(ledger.account.code), csv_text(ledger.account.name)
        rows.append([code, name, start.isoformat(), "", "Opening balance", "", "", "",
                     csv_amount(ledger.opening_balance)])
        for entry in ledger.entries:
            rows.append([code, name, entry.line.date.isoformat(), entry.journal.number,
                         csv_text(entry.journal.narration), csv_text(entry.line.description),
                         csv_amount(entry.line.debit),
                         csv_amount(entry.line.credit), csv_amount(entry.running_balance)])
        rows.append([code, name, end.isoformat(), "", "Closing balance", "", "", "",
                     csv_amount(ledger.closing_balance)])
    return csv_response(f"general-ledger-{start.isoformat()}-to-{end.isoformat()}.csv", rows)


@bp.route("/")
def index():
    """Every report, in one list."""
    return render("reports/index.html")


# ---------------------------------------------------------------- office books' reports
# Aged receivables and payables, and the GST summary (accounting/office/reports.py). Each page has
# the same figures as CSV; the aged reports open per client or supplier, a page of documents at a
# time (in place with htmx, or as a page of its own).

DOCUMENT_ENDPOINTS = {
    "bill": ("billing.show_bill", "bill_id"),
    "credit_note": ("billing.show_credit_note", "note_id"),
    "bank_transaction": ("banking.show_transaction", "transaction_id"),
    "supplier_invoice": ("suppliers.show_invoice", "invoice_id"),
    "supplier_credit": ("suppliers.show_credit", "credit_id"),
}


@bp.app_template_global("document_url")
def document_url(kind: str, document_id: int) -> str:
    """The page of a document a report lists."""
    endpoint, argument = DOCUMENT_ENDPOINTS[kind]
    return url_for(endpoint, **{argument: document_id})


@dataclass(frozen=True)
class AgedKind:
    """What differs between aged receivables and aged payables."""

    title: str
    party: str  # "Client" / "Supplier"
    ledger: str  # the control account's name
    endpoint: str
    report: Callable
    page: Callable  # one page of the report, with its totals
    detail: Callable
    model: type


AGED = {
    "receivables": AgedKind("Aged receivables", "Client", "Accounts Receivable", "aged_receivables",
                            aged_reports.aged_receivables, aged_reports.aged_receivables_page,
                            aged_reports.client_receivables, Client),
    "payables": AgedKind("Aged payables", "Supplier", "Accounts Payable", "aged_payables",
                         aged_reports.aged_payables, aged_reports.aged_payables_page,
                         aged_reports.supplier_payables, Supplier),
}


def _party_or_404(kind: AgedKind, party_id: int):
    number = valid_id(party_id)
    party = db.session.get(kind.model, number) if number else None
    if party is None:
        abort(404)
    return party


def _aged_page(which: str):
    kind = AGED[which]
    page = page_number()
    try:
        report = kind.page(db.session, date_arg("as_at", date.today()), page,
                           aged_reports.SUMMARY_PER_PAGE)
    except LedgerError as error:
        return render("reports/aged.html", kind=kind, report=None, error=error, status=400)
    return render("reports/aged.html", block="summary", kind=kind, which=which, report=report, error=None,
                  page=page, per_page=aged_reports.SUMMARY_PER_PAGE, buckets=aged_reports.BUCKETS,
                  detail_url=_detail_urls(kind, report.as_at))


def _detail_urls(kind: AgedKind, as_at: date) -> Callable[[int], str]:
    """party id -> its detail page as at `as_at`."""
    return url_for_each(f"reports.{kind.endpoint}_detail", "party_id", as_at=as_at.isoformat())


def _aged_detail_page(which: str, party_id: int):
    kind = AGED[which]
    party = _party_or_404(kind, party_id)
    try:
        detail = kind.detail(db.session, party, date_arg("as_at", date.today()), page=page_number())
    except LedgerError as error:
        return render("reports/aged_detail.html", kind=kind, detail=None, party=party, error=error,
                      status=400)
    return render("reports/aged_detail.html", block="items", kind=kind, detail=detail, party=party,
                  error=None, page=page_number(), per_page=aged_reports.DETAIL_PER_PAGE)


def _aged_csv(which: str):
    kind = AGED[which]
    try:
        report = kind.report(db.session, date_arg("as_at", date.today()))
    except LedgerError as error:
        return refused_as_text(error)
    rows = [[kind.party, *(b.csv_label for b in aged_reports.BUCKETS), "Total"]]
    rows += [[csv_text(r.name), *(csv_amount(b) for b in r.buckets), csv_amount(r.total)]
             for r in report.rows]
    rows.append(["Total", *(csv_amount(t) for t in report.totals), csv_amount(report.total)])
    if report.difference:
        rows.append([f"{kind.ledger} in the general ledger", "", "", "", "", "",
                     csv_amount(report.ledger_balance)])
    return csv_response(f"{kind.endpoint.replace('_', '-')}-{report.as_at.isoformat()}.csv", rows)


def _aged_detail_csv(which: str, party_id: int):
    kind = AGED[which]
    party = _party_or_404(kind, party_id)
    try:
        detail = kind.detail(db.session, party, date_arg("as_at", date.today()), page=1,
                             per_page=aged_reports.MAX_DETAIL_ROWS)
    except LedgerError as error:
        return refused_as_text(error)
    rows = [[kind.party, "Document", "Date", "Due", "Days overdue", "Total", "Owed", "Bucket"]]
    rows += [[csv_text(detail.name), csv_text(i.number), i.date.isoformat(), i.due_date.isoformat(),
              i.days_overdue, csv_amount(i.total), csv_amount(i.owed), i.bucket.csv_label]
             for i in detail.items]
    rows.append(["Total", "", "", "", "", "", csv_amount(detail.total), ""])
    return csv_response(f"{kind.endpoint.replace('_', '-')}-{party.id}-{detail.as_at.isoformat()}.csv", rows)


@bp.route("/aged-<any(receivables, payables):which>/ledger-check")
def aged_ledger_check(which):
    """The control account's balance as at the report's date, beside the report's total (a fragment
    the aged report fetches once it is shown)."""
    try:
        as_at = date_arg("as_at", date.today())
    except LedgerError as error:
        return refused_as_text(error)
    try:
        total = parse_money(request.args.get("total", ""))
    except LedgerError:
        total = None
    balance = aged_reports.ledger_balance(db.session, which, as_at)
    response = make_response(render_template("reports/_ledger_check.html", kind=AGED[which], as_at=as_at,
                                             balance=balance, total=total))
    response.headers["Vary"] = "HX-Request"
    return response


@bp.route("/aged-receivables")
def aged_receivables():
    """What each client owes as at a date, by how far past due, with Accounts Receivable beside it."""
    return _aged_page("receivables")


@bp.route("/aged-receivables.csv")
def aged_receivables_csv():
    """Aged receivables as CSV: one row per client and a totals row."""
    return _aged_csv("receivables")


@bp.route("/aged-receivables/<int:party_id>")
def aged_receivables_detail(party_id):
    """One client's bills owing and credit unused as at a date (a fragment for htmx)."""
    return _aged_detail_page("receivables", party_id)


@bp.route("/aged-receivables/<int:party_id>.csv")
def aged_receivables_detail_csv(party_id):
    """One client's bills owing as CSV."""
    return _aged_detail_csv("receivables", party_id)


@bp.route("/aged-payables")
def aged_payables():
    """What the practice owes each supplier as at a date, by how far past due."""
    return _aged_page("payables")


@bp.route("/aged-payables.csv")
def aged_payables_csv():
    """Aged payables as CSV: one row per supplier and a totals row."""
    return _aged_csv("payables")


@bp.route("/aged-payables/<int:party_id>")
def aged_payables_detail(party_id):
    """One supplier's invoices owing and credit unused as at a date (a fragment for htmx)."""
    return _aged_detail_page("payables", party_id)


@bp.route("/aged-payables/<int:party_id>.csv")
def aged_payables_detail_csv(party_id):
    """One supplier's invoices owing as CSV."""
    return _aged_detail_csv("payables", party_id)


def _quarter_of(day: date) -> tuple[date, date]:
    """The calendar quarter (a BAS period) holding `day`."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + (first_month == 10), (first_month + 2) % 12 + 1, 1) - timedelta(days=1)
    return start, end


def _gst_summary():
    start, end = _quarter_of(date.today())
    return gst_report.gst_summary(db.session, date_arg("start", start), date_arg("end", end))


@bp.route("/gst")
def gst_summary():
    """GST on sales and purchases for a period (a quarter by default), with the documents."""
    try:
        summary = _gst_summary()
    except LedgerError as error:
        return render("reports/gst.html", summary=None, error=error, status=400)
    return render("reports/gst.html", summary=summary, error=None)


def _gst_what(document) -> str:
    """The document's "what", with the flags the page shows as badges and notes."""
    what = document.what + (" (adjustment of an earlier period)" if document.adjustment else "")
    if document.excluded:
        side = "sale" if document.side.value == "sales" else "purchase"
        what += f" ({csv_amount(document.excluded)} not a {side}: left out)"
    return what


@bp.route("/gst.csv")
def gst_summary_csv():
    """The GST summary as CSV: the labelled totals, then every document."""
    try:
        s = _gst_summary()
    except LedgerError as error:
        return refused_as_text(error)
    rows = [["GST summary", s.start.isoformat(), s.end.isoformat(), f"{s.basis.label} basis"],
            ["G1", "Total sales (including GST)", csv_amount(s.g1_total_sales)],
            ["G3", "GST-free sales", csv_amount(s.gst_free_sales)],
            ["1A", "GST on sales", csv_amount(s.gst_on_sales)],
            ["G11", "Purchases (including GST)", csv_amount(s.g11_purchases)],
            ["1B", "GST on purchases", csv_amount(s.gst_on_purchases)],
            ["", "Net GST (payable if positive, refundable if negative)", csv_amount(s.net_gst)],
            [],
            ["Side", "Date", "What", "Document", "Contact", "Total (incl. GST)", "GST-free", "GST"]]
    rows += [[d.side.value, d.date.isoformat(), _gst_what(d), csv_text(d.number), csv_text(d.party),
              csv_amount(d.total), csv_amount(d.gst_free), csv_amount(d.gst)] for d in s.documents]
    return csv_response(f"gst-summary-{s.start.isoformat()}-to-{s.end.isoformat()}.csv", rows)
