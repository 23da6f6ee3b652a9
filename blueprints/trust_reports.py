"""Trust reports and the monthly three-way reconciliation, each with a CSV download and print CSS.

Report filters come from the query string; a bad one (?from=notadate) is a 400 with the message
beside the filter, never a 500. The reconciliation's forms commit through `committing`.
"""

from datetime import date, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.routing import BuildError
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from accounting.errors import LedgerError, NotFound
from accounting.trust.accounts import trust_accounts
from accounting.trust.ledger import TrustAccount, get_trust_account
from accounting.trust.reconciliation import (
    get_reconciliation,
    match_line,
    match_suggested,
    matched_lines,
    may_sign_off,
    month_end_of,
    next_month_end,
    open_lines,
    parse_month,
    reconciliations,
    save_statement,
    sign_off,
    statements,
    suggestions,
    three_way,
    unmatch_line,
    unmatched_items,
    why_not_month,
)
from accounting.trust.reports import (
    cash_book,
    get_matter,
    matters_with_entries,
    trust_ledger,
    trust_trial_balance,
)
from accounting.trust.reports import matter_ledger as build_matter_ledger
from blueprints.csv_responses import csv_amount, csv_response, csv_text, refused_as_text
from blueprints.pages import admin_required, committing, date_arg, render, wants_fragment
from extensions import db

bp = Blueprint("trust_reports", __name__, url_prefix="/trust/reports")


@bp.app_template_global("trust_transaction_url")
def trust_transaction_url(transaction) -> str | None:
    """The trust transaction's own page, when the trust desk has one (else the number is plain)."""
    for endpoint in ("trust.transaction", "trust.show_transaction"):
        if endpoint in current_app.view_functions:
            try:
                return url_for(endpoint, transaction_id=transaction.id)
            except BuildError:
                continue
    return None


def _or_404(load, *args):
    try:
        return load(*args)
    except NotFound:
        abort(404)


def _account_arg() -> TrustAccount:
    """?account= chosen from the list, else the first trust account (404 when there is none)."""
    value = request.args.get("account", "").strip()
    if value:
        try:
            return get_trust_account(db.session, value, "account")
        except LedgerError:
            raise LedgerError("There is no such trust account: choose one from the list.",
                              "account") from None
    accounts = trust_accounts(db.session)
    if not accounts:
        abort(404)
    return accounts[0]


def _period() -> tuple[date, date]:
    today = date.today()
    end = date_arg("to", today)
    start = date_arg("from", end.replace(day=1))
    return start, end


def _filters(template: str, build, **context):
    """Render a report page from its filters, or the page with the refusal beside the filter (400)."""
    try:
        report = build()
    except LedgerError as error:
        return render(template, report=None, error=error, accounts=trust_accounts(db.session),
                      status=400, **context)
    return render(template, report=report, error=None, accounts=trust_accounts(db.session), **context)


@bp.route("/")
def index():
    """Every trust report, per trust account."""
    accounts = trust_accounts(db.session)
    return render("trust_reports/index.html", accounts=accounts, today=date.today(),
                  matters={a.id: matters_with_entries(db.session, a) for a in accounts},
                  done={a.id: reconciliations(db.session, a)[:6] for a in accounts})


# ---- Client trust ledger per matter --------------------------------------------------------------


def _matter_ledger(matter_id):
    matter = _or_404(get_matter, db.session, matter_id)
    start, end = _period()
    return build_matter_ledger(db.session, _account_arg(), matter, start, end)


@bp.route("/matters/<int:matter_id>")
def matter_ledger(matter_id):
    """A matter's trust ledger: opening balance, each entry with its running balance, closing."""
    matter = _or_404(get_matter, db.session, matter_id)
    return _filters("trust_reports/matter_ledger.html", lambda: _matter_ledger(matter_id), matter=matter)


@bp.route("/matters/<int:matter_id>.csv")
def matter_ledger_csv(matter_id):
    """The matter's trust ledger as CSV."""
    try:
        ledger = _matter_ledger(matter_id)
    except LedgerError as error:
        return refused_as_text(error)
    rows = [["Date", "Number", "Kind", "Party", "Description / authority", "Withdrawal", "Deposit",
             "Balance"],
            [ledger.start.isoformat(), "", "", "", "Opening balance", "", "", csv_amount(ledger.opening)]]
    for r in ledger.rows:
        t = r.transaction
        rows.append([r.entry.date.isoformat(), t.number, t.kind.label, csv_text(t.party),
                     csv_text(" · ".join(x for x in (t.description, t.authority) if x)),
                     csv_amount(r.withdrawal), csv_amount(r.deposit), csv_amount(r.balance)])
    rows.append([ledger.end.isoformat(), "", "", "", "Closing balance", csv_amount(ledger.total_withdrawals),
                 csv_amount(ledger.total_deposits), csv_amount(ledger.closing)])
    return csv_response(f"trust-ledger-{ledger.matter.number}-{ledger.start}-to-{ledger.end}.csv", rows)


# ---- The statutory trust ledger (every matter's ledger in one trust account) -----------------------


def _trust_ledger():
    start, end = _period()
    return trust_ledger(db.session, _account_arg(), start, end)


@bp.route("/ledger")
def trust_ledger_page():
    """The trust account's statutory ledger for a period: every client ledger with its totals, to print."""
    return _filters("trust_reports/trust_ledger.html", _trust_ledger)


@bp.route("/ledger.csv")
def trust_ledger_csv():
    """The statutory trust ledger as CSV: per matter its opening balance, entries and closing balance."""
    try:
        book = _trust_ledger()
    except LedgerError as error:
        return refused_as_text(error)
    rows = [["Matter", "Client", "Date", "Number", "Kind", "Party", "Description / authority", "Withdrawal",
             "Deposit", "Balance"]]
    for ledger in book.ledgers:
        m = ledger.matter
        rows.append([m.number, csv_text(m.client.name), book.start.isoformat(), "", "", "", "Opening balance",
                     "", "", csv_amount(ledger.opening)])
        for r in ledger.rows:
            t = r.transaction
            rows.append([m.number, csv_text(m.client.name), r.entry.date.isoformat(), t.number,
                         t.kind.label, csv_text(t.party),
                         csv_text(" · ".join(x for x in (t.description, t.authority) if x)),
                         csv_amount(r.withdrawal), csv_amount(r.deposit), csv_amount(r.balance)])
        rows.append([m.number, csv_text(m.client.name), book.end.isoformat(), "", "", "", "Closing balance",
                     csv_amount(ledger.total_withdrawals), csv_amount(ledger.total_deposits),
                     csv_amount(ledger.closing)])
    rows.append(["", "", "", "", "", "", "Total of client ledgers", csv_amount(book.total_withdrawals),
                 csv_amount(book.total_deposits), csv_amount(book.closing)])
    return csv_response(f"trust-ledger-{book.trust_account.account.code}-{book.start}-to-{book.end}.csv",
                        rows)


# ---- Trust cash book -----------------------------------------------------------------------------


def _cash_book():
    start, end = _period()
    return cash_book(db.session, _account_arg(), start, end)


@bp.route("/cash-book")
def cash_book_page():
    """The trust cash book: receipts journal and payments journal for a period, with totals."""
    return _filters("trust_reports/cash_book.html", _cash_book)


@bp.route("/cash-book.csv")
def cash_book_csv():
    """The trust cash book as CSV: receipts, then payments."""
    try:
        book = _cash_book()
    except LedgerError as error:
        return refused_as_text(error)
    rows = [["Journal", "Date", "Number", "Kind", "Party", "Matters", "Description", "Amount"],
            ["", book.start.isoformat(), "", "", "", "", "Opening balance", csv_amount(book.opening)]]
    for name, items, total in (("Receipts", book.receipts, book.total_receipts),
                               ("Payments", book.payments, book.total_payments)):
        for i in items:
            t = i.transaction
            rows.append([name, t.date.isoformat(), t.number, t.kind.label, csv_text(t.party),
                         csv_text(", ".join(e.matter.number for e in t.entries)), csv_text(t.description),
                         csv_amount(abs(i.amount))])
        rows.append([name, "", "", "", "", "", f"Total {name.lower()}", csv_amount(total)])
    rows.append(["", book.end.isoformat(), "", "", "", "", "Closing balance", csv_amount(book.closing)])
    return csv_response(f"trust-cash-book-{book.start}-to-{book.end}.csv", rows)


# ---- Trust trial balance -------------------------------------------------------------------------


def _trial_balance():
    return trust_trial_balance(db.session, _account_arg(), date_arg("as_at", date.today()))


@bp.route("/trial-balance")
def trial_balance():
    """Every matter's trust balance as at a date, beside the cash book and the liability."""
    return _filters("trust_reports/trial_balance.html", _trial_balance)


@bp.route("/trial-balance.csv")
def trial_balance_csv():
    """The trust trial balance as CSV, with the three totals."""
    try:
        tb = _trial_balance()
    except LedgerError as error:
        return refused_as_text(error)
    rows = [["Client", "Matter", "Description", "Balance"]]
    rows += [[csv_text(r.matter.client.name), r.matter.number, csv_text(r.matter.description),
              csv_amount(r.balance)] for r in tb.rows]
    rows += [["", "", "Total of client ledgers", csv_amount(tb.total)],
             ["", "", "Cash book", csv_amount(tb.cash_book)],
             ["", "", "Statutory deposit", csv_amount(tb.statutory_deposit)],
             ["", "", "Trust liability", csv_amount(tb.position.liability)],
             ["", "", "Agree", "yes" if tb.agrees else "no"]]
    return csv_response(f"trust-trial-balance-{tb.as_at}.csv", rows)


# ---- Three-way reconciliation --------------------------------------------------------------------


class StatementForm(FlaskForm):
    statement = FileField("Statement file (CSV or OFX)")
    lines = TextAreaField("Or type the lines", validators=[Length(max=200_000)])
    opening_balance = StringField("Opening balance")
    closing_balance = StringField("Closing balance")
    start_date = DateField("Period from", validators=[Optional()])
    end_date = DateField("Period to", validators=[Optional()])


class SignOffForm(FlaskForm):
    # The month comes as a plain hidden input, so a refusal about it shows at the top of the form.
    comment = StringField("Comment (optional)", validators=[
        Length(max=300, message="Keep the comment under 300 characters.")])


def _account_or_404(account_id) -> TrustAccount:
    return _or_404(get_trust_account, db.session, account_id)


def _default_month(account: TrustAccount) -> date:
    if account.reconciled_to is not None:
        return next_month_end(account.reconciled_to)
    return month_end_of(date.today().replace(day=1) - timedelta(days=1))


def _month_arg(account: TrustAccount) -> tuple[date, LedgerError | None]:
    value = request.args.get("month", "").strip()
    if not value:
        return _default_month(account), None
    try:
        return parse_month(value), None
    except LedgerError as error:
        return _default_month(account), error


def _render_reconcile(account: TrustAccount, status: int = 200, block: str | None = None, *,
                      statement_form=None, sign_off_form=None, match_error=None, month=None):
    month_end, month_error = (month, None) if month else _month_arg(account)
    items = unmatched_items(db.session, account)
    lines = open_lines(db.session, account)
    return render(
        "trust_reports/reconcile.html", block=block, status=400 if month_error else status,
        account=account, month_end=month_end, month_error=month_error,
        statement_form=statement_form or StatementForm(start_date=month_end.replace(day=1),
                                                       end_date=month_end),
        sign_off_form=sign_off_form or SignOffForm(),
        figures=three_way(db.session, account, month_end),
        not_now=why_not_month(account, month_end, date.today()),
        open=lines, matched=matched_lines(db.session, account), items=items,
        suggested={line.id: suggestions(line, items) for line in lines},
        statements=statements(db.session, account)[:5], done=reconciliations(db.session, account),
        match_error=match_error, may_sign=may_sign_off(current_user))


@bp.route("/accounts/<int:account_id>/reconcile")
def reconcile(account_id):
    """The month's three-way reconciliation: statement, matching, figures and sign-off."""
    return _render_reconcile(_account_or_404(account_id))


@bp.route("/accounts/<int:account_id>/statements", methods=["POST"])
def add_statement(account_id):
    """Keep a bank statement (file or typed lines) whose closing balance follows from its lines."""
    account = _account_or_404(account_id)
    form = StatementForm()
    if not form.validate_on_submit():
        return _render_reconcile(account, 400, statement_form=form)
    upload = request.files.get("statement")
    data = upload.read() if upload and upload.filename else b""
    with committing(form) as saved:
        statement = save_statement(
            db.session, current_user, trust_account_id=account.id, opening=form.opening_balance.data,
            closing=form.closing_balance.data, filename=upload.filename if data else "", data=data,
            typed=form.lines.data or "", start=form.start_date.data, end=form.end_date.data)
    if not saved.ok:
        return _render_reconcile(account, 422, statement_form=form)
    flash(f"Statement kept: {len(statement.lines)} lines, {statement.start_date:%d %b %Y} to "
          f"{statement.end_date:%d %b %Y}.", "success")
    return redirect(url_for("trust_reports.reconcile", account_id=account.id,
                            month=request.args.get("month") or None), 303)


def _matching(account_id, action):
    """Run a match or unmatch, then show the workspace (htmx) or go back to the page."""
    account = _account_or_404(account_id)
    form = FlaskForm()
    error = None
    if not form.validate_on_submit():
        error = "The form has expired; reload the page and try again."
    else:
        with committing(form) as saved:
            action(account)
        if not saved.ok:
            error = saved.error.message
    if wants_fragment():
        # htmx does not swap error statuses, so the refusal comes as a 200 fragment with the message.
        return _render_reconcile(account, block="workspace", match_error=error)
    if error:
        return _render_reconcile(account, 422, match_error=error)
    return redirect(url_for("trust_reports.reconcile", account_id=account.id,
                            month=request.args.get("month") or None), 303)


@bp.route("/accounts/<int:account_id>/lines/<int:line_id>/match", methods=["POST"])
def match(account_id, line_id):
    """Match a statement line to a cash book item of the same amount."""
    return _matching(account_id, lambda account: match_line(
        db.session, current_user, account, line_id, request.form.get("transaction")))


@bp.route("/accounts/<int:account_id>/lines/<int:line_id>/unmatch", methods=["POST"])
def unmatch(account_id, line_id):
    """Undo a match (not in a reconciled period)."""
    return _matching(account_id, lambda account: unmatch_line(db.session, current_user, account, line_id))


@bp.route("/accounts/<int:account_id>/match-suggested", methods=["POST"])
def match_all(account_id):
    """Match every line to the cash book item of the same amount and date."""
    return _matching(account_id, lambda account: match_suggested(db.session, current_user, account))


@bp.route("/accounts/<int:account_id>/sign-off", methods=["POST"])
@admin_required
def sign_off_month(account_id):
    """Complete and sign off the month when bank, cash book and client ledgers agree (admins only)."""
    account = _account_or_404(account_id)
    form = SignOffForm()
    chosen = request.form.get("month", "")
    try:
        month = parse_month(chosen)
    except LedgerError:
        month = None
    if not form.validate_on_submit():
        return _render_reconcile(account, 400, sign_off_form=form, month=month)
    with committing(form) as saved:
        done = sign_off(db.session, current_user, account.id, chosen, comment=form.comment.data)
    if not saved.ok:
        return _render_reconcile(account, 422, sign_off_form=form, month=month)
    flash(f"{account.name} reconciled to {done.month_end:%d %b %Y} and signed off.", "success")
    return redirect(url_for("trust_reports.reconciliation", reconciliation_id=done.id), 303)


@bp.route("/reconciliations/<int:reconciliation_id>")
def reconciliation(reconciliation_id):
    """A completed reconciliation as signed off: figures, unpresented items, who and when."""
    done = _or_404(get_reconciliation, db.session, reconciliation_id)
    return render("trust_reports/reconciliation.html", done=done)


@bp.route("/reconciliations/<int:reconciliation_id>.csv")
def reconciliation_csv(reconciliation_id):
    """A completed reconciliation as CSV."""
    done = _or_404(get_reconciliation, db.session, reconciliation_id)
    rows = [["Trust account", csv_text(done.trust_account.label)], ["Month end", done.month_end.isoformat()],
            ["Statement balance", csv_amount(done.statement_balance)],
            ["Unpresented deposits", csv_amount(done.unpresented_deposits)],
            ["Unpresented withdrawals", csv_amount(done.unpresented_withdrawals)],
            ["Adjusted bank balance", csv_amount(done.adjusted_bank_balance)],
            ["Cash book balance", csv_amount(done.cash_book_balance)],
            ["Statutory deposit", csv_amount(done.statutory_deposit)],
            ["Client ledgers", csv_amount(done.client_ledgers)],
            ["Signed off by", csv_text(done.signed_off_by.name if done.signed_off_by else "")],
            ["Signed off at", done.signed_off_at.strftime("%Y-%m-%d %H:%M")],
            ["Comment", csv_text(done.comment)], [],
            ["Unpresented item", "Date", "Number", "Description", "Amount"]]
    rows += [["Deposit" if i.amount > 0 else "Withdrawal", i.date.isoformat(), i.number,
              csv_text(i.description), csv_amount(abs(i.amount))] for i in done.unpresented]
    return csv_response(f"trust-reconciliation-{done.month_end}.csv", rows)
