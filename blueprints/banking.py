"""Banking: office bank accounts and their registers, receive and spend money (htmx lines with live
totals from the server), transfers, statement import and reconciliation."""

from contextlib import suppress
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, FieldList, Form, FormField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from accounting.dates import parse_date
from accounting.errors import InvalidAccount, LedgerError
from accounting.ledger.accounts import office_bank_accounts
from accounting.ledger.journals import postable_accounts
from accounting.ledger.practice import get_practice
from accounting.ledger.tax import TaxCode, gst_on
from accounting.lookup import valid_id
from accounting.money import ZERO, parse_money
from accounting.office.bank_reconciliation import (
    StatementLine,
    delete_statement_line,
    get_reconciliation,
    import_statement,
    last_reconciliation,
    match,
    reconciliation_history,
    reconciliation_report,
    reconciliation_state,
    register,
    save_reconciliation,
    selection_totals,
    undo_reconciliation,
    unmatch,
    why_not_undoable,
)
from accounting.office.bank_transactions import (
    BankTransactionKind,
    MoneyLine,
    book_balances,
    get_bank_transaction,
    get_office_bank,
    get_transfer,
    latest_register_entries,
    list_bank_documents,
    record_bank_transaction,
    reverse_bank_transaction,
    transfer,
)
from blueprints.lines import LineTable, line_refusal_at_top
from blueprints.pages import admin_required, committing, page_number, render, wants_fragment
from extensions import db

bp = Blueprint("banking", __name__, url_prefix="/banking")

MAX_LINES = 100
LINES = LineTable(("description", "account", "amount", "tax"), typed=("description", "account", "amount"),
                  max_lines=MAX_LINES)
KINDS = {"deposit": BankTransactionKind.DEPOSIT, "withdrawal": BankTransactionKind.WITHDRAWAL}


def _bank_choices():
    return [SelectChoice("", "Choose a bank account…")] + [
        SelectChoice(str(a.id), a.label) for a in office_bank_accounts(db.session)]


class LineForm(Form):
    description = StringField("Description", validators=[Length(max=300, message="Keep the "
                                                                "description under 300 characters.")])
    account = SelectField("Account", choices=[], validate_choice=False)
    amount = StringField("Amount")
    tax = SelectField("Tax", choices=[SelectChoice(t.value, t.label) for t in TaxCode],
                      default=TaxCode.GST.value)


class MoneyForm(FlaskForm):
    bank_account = SelectField("Bank account", choices=[], validate_choice=False)
    date = DateField("Date", validators=[InputRequired("Enter the date.")], default=date.today)
    contact = StringField("Payer", validators=[Length(max=150, message="Keep it under 150 characters.")])
    reference = StringField("Reference", validators=[
        Length(max=100, message="Keep the reference under 100 characters.")])
    lines = FieldList(FormField(LineForm), min_entries=1, max_entries=MAX_LINES)


class ReverseForm(FlaskForm):
    date = DateField("Reversal date", validators=[InputRequired("Enter the reversal's date.")],
                     default=date.today)
    reason = StringField("Reason", validators=[
        InputRequired("Give the reason for the reversal."),
        Length(max=300, message="Keep the reason under 300 characters.")])


class TransferForm(FlaskForm):
    from_account = SelectField("From", choices=[], validate_choice=False)
    to_account = SelectField("To", choices=[], validate_choice=False)
    date = DateField("Date", validators=[InputRequired("Enter the date.")], default=date.today)
    amount = StringField("Amount", validators=[InputRequired("Enter the amount.")])
    reference = StringField("Reference", validators=[
        Length(max=100, message="Keep the reference under 100 characters.")])


class StatementForm(FlaskForm):
    statement = FileField("Statement file (CSV or OFX)")


class ReconcileForm(FlaskForm):
    statement_date = DateField("Statement closing date",
                               validators=[InputRequired("Enter the statement's closing date.")])
    closing_balance = StringField("Statement closing balance",
                                  validators=[InputRequired("Enter the statement's closing balance.")])
    # Asked only at an account's first reconciliation; later ones open where the last one closed.
    opening_balance = StringField("Statement opening balance")


class ReasonForm(FlaskForm):
    reason = StringField("Reason", validators=[
        InputRequired("Give the reason."), Length(max=300, message="Keep the reason under 300 characters.")])


class RegisterFilter(Form):
    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])


# ---- Bank accounts -----------------------------------------------------------------------------


@bp.route("/")
def index():
    """The office bank accounts with their book balances, and the latest banking documents."""
    accounts = office_bank_accounts(db.session)
    balances = book_balances(db.session, [a.id for a in accounts])
    return render("banking/index.html", accounts=accounts, balances=balances,
                  documents=list_bank_documents(db.session),
                  entries=latest_register_entries(db.session, [a.id for a in accounts]))


def _bank_or_404(account_id: int):
    try:
        return get_office_bank(db.session, account_id)
    except InvalidAccount:
        abort(404)


@bp.route("/accounts/<int:account_id>")
def account_register(account_id):
    """One bank account's journal lines with the running balance, filtered by date, by page."""
    bank = _bank_or_404(account_id)
    filters = RegisterFilter(request.args)
    filters.validate()
    start = filters.start.data if not filters.start.errors else None
    end = filters.end.data if not filters.end.errors else None
    page, per_page = page_number(), current_app.config["PAGE_SIZE"]
    rows, total, opening = register(db.session, bank, start=start, end=end, page=page, per_page=per_page)
    args = {k: v.isoformat() for k, v in (("start", start), ("end", end)) if v}
    return render("banking/register.html", block="results", bank=bank, rows=rows, total=total,
                  opening=opening, page=page, per_page=per_page, filters=filters, args=args)


# ---- Receive and spend money -------------------------------------------------------------------


def _kind_or_404(kind: str) -> BankTransactionKind:
    if kind not in KINDS:
        abort(404)
    return KINDS[kind]


def _money_form(kind: BankTransactionKind, formdata=None, rows=None) -> MoneyForm:
    if formdata is not None:
        formdata = LINES.formdata(formdata, rows)
    form = MoneyForm(formdata=formdata)
    form.contact.label.text = "Received from" if kind is BankTransactionKind.DEPOSIT else "Paid to"
    form.bank_account.choices = _bank_choices()
    if formdata is None:
        banks = office_bank_accounts(db.session)
        form.bank_account.data = str(banks[0].id) if len(banks) == 1 else ""
        _prefill(form, request.args)
    accounts = [SelectChoice("", "Choose an account…")] + [
        SelectChoice(str(a.id), a.label) for a in postable_accounts(db.session) if not a.is_bank]
    for entry in form.lines:
        entry.form.account.choices = accounts
        if formdata is None and not get_practice(db.session).gst_registered:
            entry.form.tax.data = TaxCode.GST_FREE.value
    return form


def _prefill(form: MoneyForm, args) -> None:
    """Start from a statement line (?bank_account=&date=&amount=&description=), amount GST-free."""
    if args.get("bank_account", "").isdigit():
        form.bank_account.data = args["bank_account"]
    with suppress(LedgerError):  # a junk date in the link: keep today's
        form.date.data = parse_date(args.get("date", ""))
    line = form.lines[0].form
    line.description.data = args.get("description", "")[:300]
    line.amount.data = args.get("amount", "")[:20]
    if line.amount.data:
        line.tax.data = TaxCode.GST_FREE.value


def _money_lines(form: MoneyForm) -> list[MoneyLine]:
    """The typed lines for the books; refuses what only the form can see."""
    lines = []
    for i, entry in enumerate(form.lines):
        line = entry.form
        if not any((line.description.data, line.account.data, line.amount.data)):
            continue
        amount = parse_money(line.amount.data, f"lines-{i}-amount")
        if valid_id(line.account.data) is None:
            raise InvalidAccount(f"Line {i + 1}: choose an account.", f"lines-{i}-account")
        tax = TaxCode(line.tax.data) if line.tax.data in TaxCode._value2member_map_ else TaxCode.GST_FREE
        lines.append(MoneyLine(valid_id(line.account.data), amount, tax, line.description.data or ""))
    return lines


def money_totals(form: MoneyForm) -> dict:
    """Subtotal, GST and total of the lines typed so far (GST at the practice's rate)."""
    rate = get_practice(db.session).gst_rate
    subtotal = gst = ZERO
    unreadable = 0
    for entry in form.lines:
        text = entry.form.amount.data
        if not text:
            continue
        try:
            amount = parse_money(text)
        except LedgerError:
            unreadable += 1
            continue
        subtotal += amount
        if entry.form.tax.data == TaxCode.GST.value:
            gst += gst_on(amount, rate)
    return {"subtotal": subtotal, "gst": gst, "total": subtotal + gst, "unreadable": unreadable}


def _render_money(kind, form, status=200, block=None, focus_line=None):
    return render("banking/money_form.html", block=block, status=status, kind=kind, form=form,
                  totals=money_totals(form), focus_line=focus_line, from_reconcile=_from_reconcile(),
                  gst_registered=get_practice(db.session).gst_registered)


@bp.route("/<kind>/new", methods=["GET", "POST"])
def new_transaction(kind):
    """Receive money (deposit) or spend money (withdrawal), not linked to a bill."""
    kind = _kind_or_404(kind)
    form = _money_form(kind, request.form if request.method == "POST" else None)
    if not form.validate_on_submit():
        return _render_money(kind, form, 400 if request.method == "POST" else 200)
    with committing(form) as saved:
        transaction = record_bank_transaction(
            db.session, current_user, kind=kind, bank_account_id=form.bank_account.data,
            date=form.date.data, contact=form.contact.data or "", reference=form.reference.data or "",
            lines=_money_lines(form))
    if not saved.ok:
        line_refusal_at_top(form, saved.error)
        return _render_money(kind, form, 422)
    flash(f"{transaction.number} recorded.", "success")
    if _from_reconcile():  # a fee or interest seen on the statement: back to matching it
        return redirect(url_for("banking.reconcile", account_id=transaction.bank_account_id), 303)
    return redirect(url_for("banking.show_transaction", transaction_id=transaction.id), 303)


def _from_reconcile() -> bool:
    """Whether the form was opened from the reconcile page (?back=reconcile, never a URL, so never
    an open redirect)."""
    return request.args.get("back") == "reconcile"


def _blank_line() -> dict[str, str]:
    tax = TaxCode.GST if get_practice(db.session).gst_registered else TaxCode.GST_FREE
    return {"description": "", "account": "", "amount": "", "tax": tax.value}


LINES.add_routes(bp, "/<kind>/new", "transaction_lines", "transaction_totals", blank=_blank_line,
                 form=lambda formdata, rows, kind: _money_form(_kind_or_404(kind), formdata, rows),
                 show=lambda form, kind, **fragment: _render_money(KINDS[kind], form, **fragment))


@bp.route("/transactions/<int:transaction_id>")
def show_transaction(transaction_id):
    """A deposit or withdrawal: its lines, its journal and the reverse form."""
    transaction = get_bank_transaction(db.session, transaction_id)
    return render("banking/transaction.html", transaction=transaction, form=ReverseForm())


@bp.route("/transactions/<int:transaction_id>/reverse", methods=["POST"])
def reverse_transaction(transaction_id):
    """Correct a deposit or withdrawal by reversing its journal."""
    transaction = get_bank_transaction(db.session, transaction_id, for_update=True)
    form = ReverseForm()
    status = 400
    if form.validate_on_submit():
        with committing(form) as saved:
            reversal = reverse_bank_transaction(db.session, current_user, transaction,
                                                date=form.date.data, reason=form.reason.data)
        if saved.ok:
            flash(f"{transaction.number} reversed by {reversal.number}.", "success")
            return redirect(url_for("banking.show_transaction", transaction_id=transaction.id), 303)
        status = 422
    return render("banking/transaction.html", transaction=transaction, form=form, status=status)


# ---- Transfers ---------------------------------------------------------------------------------


@bp.route("/transfers/new", methods=["GET", "POST"])
def new_transfer():
    """Move money from one office bank account to another."""
    form = TransferForm()
    form.from_account.choices = form.to_account.choices = _bank_choices()
    if not form.validate_on_submit():
        return render("banking/transfer_form.html", form=form,
                      status=400 if request.method == "POST" else 200)
    with committing(form) as saved:
        moved = transfer(db.session, current_user, from_account_id=form.from_account.data,
                         to_account_id=form.to_account.data, date=form.date.data,
                         amount=parse_money(form.amount.data, "amount"),
                         reference=form.reference.data or "")
    if not saved.ok:
        return render("banking/transfer_form.html", form=form, status=422)
    flash(f"Transfer {moved.number} of {moved.amount:,.2f} from {moved.from_account.label} to "
          f"{moved.to_account.label} recorded.", "success")
    return redirect(url_for("banking.index"), 303)


@bp.route("/transfers/<int:transfer_id>")
def show_transfer(transfer_id):
    """A transfer, its journal and the reverse form."""
    return render("banking/transfer.html", moved=get_transfer(db.session, transfer_id), form=ReverseForm())


@bp.route("/transfers/<int:transfer_id>/reverse", methods=["POST"])
def reverse_transfer(transfer_id):
    """Correct a transfer by reversing its journal."""
    moved = get_transfer(db.session, transfer_id, for_update=True)
    form = ReverseForm()
    status = 400
    if form.validate_on_submit():
        with committing(form) as saved:
            reversal = reverse_bank_transaction(db.session, current_user, moved, date=form.date.data,
                                                reason=form.reason.data)
        if saved.ok:
            flash(f"{moved.number} reversed by {reversal.number}.", "success")
            return redirect(url_for("banking.show_transfer", transfer_id=moved.id), 303)
        status = 422
    return render("banking/transfer.html", moved=moved, form=form, status=status)


# ---- Statements and reconciliation -------------------------------------------------------------


def _render_reconcile(bank, status=200, statement_form=None, reconcile_form=None, block=None,
                      match_error=None):
    # The pages shown come as ?page=&book_page= or, after matching, from the form's hidden fields.
    state = reconciliation_state(db.session, bank, page=request.values.get("page", 1),
                                 book_page=request.values.get("book_page", 1))
    if reconcile_form is None:
        reconcile_form = ReconcileForm(formdata=None)
        reconcile_form.statement_date.data = state.latest_date
    return render("banking/reconcile.html", block=block, status=status, bank=bank, state=state,
                  statement_form=statement_form or StatementForm(formdata=None),
                  reconcile_form=reconcile_form, history=reconciliation_history(db.session, bank),
                  book_balance=book_balances(db.session, [bank.id])[bank.id], match_error=match_error,
                  selection={"statement": ZERO, "book": ZERO, "difference": ZERO})


def _reconcile_page(bank):
    """Back to the reconcile page, at the pages the person was on."""
    pages = {name: request.form[name] for name in ("page", "book_page") if request.form.get(name)}
    return redirect(url_for("banking.reconcile", account_id=bank.id, **pages), 303)


@bp.route("/accounts/<int:account_id>/reconcile")
def reconcile(account_id):
    """Statement lines beside unreconciled book entries, a page of each (the pagers swap the
    workspace), suggested and manual matching, saving."""
    return _render_reconcile(_bank_or_404(account_id), block="workspace")


@bp.route("/accounts/<int:account_id>/statement", methods=["POST"])
def upload_statement(account_id):
    """Import a statement file (CSV or OFX) for this bank account."""
    bank = _bank_or_404(account_id)
    form = StatementForm()
    if not form.validate_on_submit():
        return _render_reconcile(bank, 400, statement_form=form)
    upload = request.files.get("statement")
    with committing(form) as saved:
        result = import_statement(db.session, current_user, bank.id, upload.filename if upload else "",
                                  upload.read() if upload else b"")
    if not saved.ok:
        return _render_reconcile(bank, 422, statement_form=form)
    skipped = ""
    if result.skipped:
        shown = "; ".join(f"{p.date:%d %b %Y} {p.description} {p.amount:,.2f}" for p in result.skipped[:5])
        more = f" and {len(result.skipped) - 5} more" if len(result.skipped) > 5 else ""
        skipped = f" {len(result.skipped)} already imported, skipped: {shown}{more}."
    flash(f"{len(result.lines)} statement lines imported.{skipped}", "success")
    return redirect(url_for("banking.reconcile", account_id=bank.id), 303)


def _matching(account_id, action):
    """Run a match or unmatch, then show the workspace (htmx) or go back to the page."""
    bank = _bank_or_404(account_id)
    form = FlaskForm()
    error = None
    if not form.validate_on_submit():
        error = "The form has expired; reload the page and try again."
    else:
        with committing(form) as saved:
            action(bank)
        if not saved.ok:
            error = saved.error.message
    if wants_fragment():
        # htmx does not swap error statuses, so the refusal comes as a 200 fragment with the message.
        return _render_reconcile(bank, block="workspace", match_error=error)
    if error:
        return _render_reconcile(bank, 422, match_error=error)
    return _reconcile_page(bank)


@bp.route("/accounts/<int:account_id>/match", methods=["POST"])
def match_line(account_id):
    """Match statement line(s) to book entr(ies) adding up to the same amount."""
    return _matching(account_id, lambda bank: match(
        db.session, current_user, bank, request.form.getlist("statement_line"),
        request.form.getlist("journal_line")))


@bp.route("/accounts/<int:account_id>/match/selection", methods=["POST"])
def match_selection(account_id):
    """The ticked statement lines and book entries added up, and their difference (htmx)."""
    bank = _bank_or_404(account_id)
    if not wants_fragment():
        # The totals are a part of the reconcile page; without htmx there is no page to put them in.
        flash("The selection's totals update on the reconciliation page as you tick lines.", "info")
        return redirect(url_for("banking.reconcile", account_id=bank.id), 303)
    on_statement, in_books = selection_totals(db.session, bank, request.form.getlist("statement_line"),
                                              request.form.getlist("journal_line"))
    return render("banking/reconcile.html", block="selection", bank=bank,
                  selection={"statement": on_statement, "book": in_books,
                             "difference": on_statement - in_books})


@bp.route("/accounts/<int:account_id>/unmatch", methods=["POST"])
def unmatch_line(account_id):
    """Undo a match not yet reconciled."""
    return _matching(account_id, lambda bank: unmatch(
        db.session, current_user, bank, request.form.get("statement_line")))


def _open_statement_line_or_404(bank, line_id) -> StatementLine:
    number = valid_id(line_id)
    line = db.session.get(StatementLine, number) if number else None
    if line is None or line.bank_account_id != bank.id:
        abort(404)
    return line


@bp.route("/accounts/<int:account_id>/statement-lines/<int:line_id>/delete", methods=["GET", "POST"])
def delete_line(account_id, line_id):
    """Delete an imported statement line (a duplicate, say) that is neither matched nor reconciled."""
    bank = _bank_or_404(account_id)
    line = _open_statement_line_or_404(bank, line_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return render("banking/delete_line.html", bank=bank, line=line, form=form,
                      status=400 if request.method == "POST" else 200)
    done = f"Statement line {line.date:%d %b %Y} {line.description} {line.amount:,.2f} deleted."
    with committing(form) as saved:
        delete_statement_line(db.session, current_user, bank, line.id, form.reason.data)
    if not saved.ok:
        return render("banking/delete_line.html", bank=bank, line=db.session.get(StatementLine, line_id),
                      form=form, status=422)
    flash(done, "success")
    return redirect(url_for("banking.reconcile", account_id=bank.id), 303)


@bp.route("/accounts/<int:account_id>/reconciliations", methods=["POST"])
def save(account_id):
    """Save a reconciliation, only when it balances."""
    bank = _bank_or_404(account_id)
    form = ReconcileForm()
    if not form.validate_on_submit():
        return _render_reconcile(bank, 400, reconcile_form=form)
    with committing(form) as saved:
        done = save_reconciliation(db.session, current_user, bank, statement_date=form.statement_date.data,
                                   closing_balance=parse_money(form.closing_balance.data,
                                                               "closing_balance"),
                                   opening_balance=_opening_balance(form, bank))
    if not saved.ok:
        return _render_reconcile(bank, 422, reconcile_form=form)
    flash(f"Reconciled to {done.statement_date:%d %b %Y}.", "success")
    return redirect(url_for("banking.show_reconciliation", reconciliation_id=done.id), 303)


def _opening_balance(form: ReconcileForm, bank):
    """The statement's opening balance typed at the first reconciliation (blank is zero); None
    afterwards, when the last reconciliation's closing balance is the opening one."""
    if last_reconciliation(db.session, bank) is not None:
        return None
    typed = (form.opening_balance.data or "").strip()
    return parse_money(typed, "opening_balance") if typed else ZERO


@bp.route("/reconciliations/<int:reconciliation_id>")
def show_reconciliation(reconciliation_id):
    """The reconciliation report: statement balance, unpresented items, book balance."""
    done = get_reconciliation(db.session, reconciliation_id)
    return _render_reconciliation(done, ReasonForm(formdata=None))


def _render_reconciliation(done, form, status=200):
    return render("banking/reconciliation.html", report=reconciliation_report(db.session, done),
                  history=reconciliation_history(db.session, done.bank_account), undo_form=form,
                  why_not_undoable=why_not_undoable(db.session, done), status=status)


@bp.route("/reconciliations/<int:reconciliation_id>/undo", methods=["POST"])
@admin_required
def undo(reconciliation_id):
    """Undo the most recent reconciliation of an account: its lines are open again, matches kept."""
    done = get_reconciliation(db.session, reconciliation_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _render_reconciliation(done, form, 400)
    with committing(form) as saved:
        undo_reconciliation(db.session, current_user, done, reason=form.reason.data)
    if not saved.ok:
        return _render_reconciliation(get_reconciliation(db.session, reconciliation_id), form, 422)
    flash(f"The reconciliation to {done.statement_date:%d %b %Y} is undone; its lines are open again, "
          "still matched.", "success")
    return redirect(url_for("banking.reconcile", account_id=done.bank_account_id), 303)
