"""General journals: the list, entry with live totals (htmx), the journal page and reversal.

The entry form's lines block and its totals are re-rendered by the server (never computed in the
browser), so what a person sees is what `post()` will decide.
"""

from datetime import date
from decimal import Decimal

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, SelectField, StringField
from wtforms.validators import InputRequired, Length

from accounting.errors import InvalidAccount, InvalidAmount, LedgerError
from accounting.ledger.journals import (
    MAX_NARRATION,
    LineInput,
    get_journal,
    post,
    postable_accounts,
    reverse,
)
from accounting.ledger.journals import (
    list_journals as journal_page,
)
from accounting.lookup import valid_id
from accounting.money import ZERO, parse_money
from blueprints.lines import LineTable, line_refusal_at_top
from blueprints.pages import committing, every_refusal, page_number, render
from extensions import db

bp = Blueprint("journals", __name__, url_prefix="/journals")

MAX_LINES = 200
LINE_FIELDS = ("account", "description", "debit", "credit")
LINES = LineTable(LINE_FIELDS, typed=LINE_FIELDS, max_lines=MAX_LINES, min_lines=2)


class LineForm(Form):
    """One line as typed; amounts stay text until parse_money reads them (never float)."""

    account = SelectField("Account", choices=[], validate_choice=False)
    description = StringField("Description", validators=[Length(max=300, message="Keep the "
                                                                "description under 300 characters.")])
    debit = StringField("Debit")
    credit = StringField("Credit")


class JournalForm(FlaskForm):
    date = DateField("Date", validators=[InputRequired("Enter the journal's date.")],
                     default=date.today)
    narration = StringField("Narration", validators=[
        InputRequired("Say what the journal is for."),
        Length(max=MAX_NARRATION, message=f"Keep the narration under {MAX_NARRATION} characters."),
    ])
    reference = StringField("Reference", validators=[
        Length(max=100, message="Keep the reference under 100 characters.")
    ])
    lines = FieldList(FormField(LineForm), min_entries=2, max_entries=MAX_LINES)

    def offer_accounts(self, accounts) -> None:
        choices = [("", "Choose an account…")] + [(str(a.id), a.label) for a in accounts]
        for entry in self.lines:
            entry.form.account.choices = choices


class ReverseForm(FlaskForm):
    date = DateField("Reversal date", validators=[InputRequired("Enter the reversal's date.")],
                     default=date.today)
    reason = StringField("Reason", validators=[
        InputRequired("Give the reason for the reversal."),
        Length(max=300, message="Keep the reason under 300 characters."),
    ])


def _journal_form(formdata=None, rows=None) -> JournalForm:
    if formdata is not None:
        formdata = LINES.formdata(formdata, rows)
    form = JournalForm(formdata=formdata)
    form.offer_accounts(postable_accounts(db.session))
    return form


def _line_inputs(form: JournalForm) -> list[LineInput]:
    """The form's lines for post(); refuses what only the form can see (both sides, not a number),
    every line's refusal at once."""
    lines = []
    with every_refusal() as refusals:
        for i, entry in enumerate(form.lines):
            if any(entry.form[name].data for name in LINE_FIELDS):
                # (blank lines are padding up to the form's minimum; typed blank lines were dropped)
                lines.append(refusals.check(_line_input, i, entry.form))
    return lines


def _line_input(i: int, line) -> LineInput:
    number = i + 1
    if line.debit.data and line.credit.data:
        raise InvalidAmount(f"Line {number}: enter a debit or a credit, not both.",
                            f"lines-{i}-credit")
    side = "debit" if line.debit.data else "credit"
    amount = parse_money(getattr(line, side).data or "0", f"lines-{i}-{side}")
    if amount < ZERO:
        raise InvalidAmount(f"Line {number}: enter amounts without a minus sign; use the "
                            "other column instead.", f"lines-{i}-{side}")
    account_id = valid_id(line.account.data)
    if account_id is None:
        raise InvalidAccount(f"Line {number}: choose an account.", f"lines-{i}-account")
    return LineInput(account_id, amount if side == "debit" else -amount,
                     line.description.data or "")


def draft_totals(form: JournalForm) -> dict:
    """Debits, credits and difference of the lines typed so far, and whether they balance."""
    debits = credits = ZERO
    unreadable = 0
    for entry in form.lines:
        for name in ("debit", "credit"):
            try:
                amount = parse_money(entry.form[name].data) if entry.form[name].data else ZERO
            except LedgerError:
                unreadable += 1
                continue
            if name == "debit":
                debits += amount
            else:
                credits += amount
    difference: Decimal = debits - credits
    return {"debits": debits, "credits": credits, "difference": abs(difference),
            "unreadable": unreadable,
            "balanced": difference == ZERO and debits > ZERO and not unreadable}


def _render_entry(form: JournalForm, status: int = 200, block: str | None = None, focus_line=None):
    return render("journals/new.html", block=block, status=status, form=form,
                  totals=draft_totals(form), focus_line=focus_line)


@bp.route("/")
def list_journals():
    """Journals, newest first, a page at a time."""
    page, per_page = page_number(), current_app.config["PAGE_SIZE"]
    journals, total = journal_page(db.session, page=page, per_page=per_page)
    return render("journals/list.html", block="results", journals=journals, total=total,
                  page=page, per_page=per_page)


@bp.route("/new", methods=["GET", "POST"])
def new_journal():
    """Enter a general journal; it posts only when it balances."""
    form = _journal_form(request.form if request.method == "POST" else None)
    if not form.validate_on_submit():
        return _render_entry(form, 422 if request.method == "POST" else 200)
    with committing(form) as saved:
        journal = post(db.session, current_user, date=form.date.data, narration=form.narration.data,
                       reference=form.reference.data or "", lines=_line_inputs(form))
    if not saved.ok:
        line_refusal_at_top(form, saved.error)
        return _render_entry(form, 422)
    flash(f"Journal {journal.number} posted.", "success")
    return redirect(url_for("journals.show_journal", journal_id=journal.id), 303)


LINES.add_routes(bp, "/new", "journal_lines", "journal_totals", form=_journal_form, show=_render_entry)


@bp.route("/<int:journal_id>")
def show_journal(journal_id):
    """One journal: lines, totals, who posted it, its reversal and the reverse form."""
    journal = get_journal(db.session, journal_id)
    return render("journals/show.html", journal=journal, form=ReverseForm())


@bp.route("/<int:journal_id>/reverse", methods=["POST"])
def reverse_journal(journal_id):
    """Reverse a posted journal with a new journal of negated lines."""
    journal = get_journal(db.session, journal_id, for_update=True)
    form = ReverseForm()
    # A refusal (already reversed, locked, posted by a document) shows on the page as its notice.
    if journal.why_not_reversible_by_hand() is None and form.validate_on_submit():
        with committing(form) as saved:
            reversal = reverse(db.session, current_user, journal, date=form.date.data,
                               reason=form.reason.data)
        if saved.ok:
            flash(f"{journal.number} reversed by {reversal.number}.", "success")
            return redirect(url_for("journals.show_journal", journal_id=reversal.id), 303)
    return render("journals/show.html", journal=journal, form=form, status=422)
