"""Client billing: bills per matter (htmx lines with server-computed totals), approval, payments,
write-offs, revert and void, the printable bill, and credit notes applied to bills or refunded."""

from datetime import date
from decimal import Decimal

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateField, FieldList, Form, FormField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from accounting.errors import InvalidAccount, LedgerError, NotFound
from accounting.ledger.accounts import AccountRole, office_bank_accounts
from accounting.ledger.practice import get_practice
from accounting.ledger.tax import TaxCode, gst_on
from accounting.lookup import valid_id
from accounting.money import ZERO, parse_money
from accounting.office import billing as books
from accounting.office import credit_notes as notes
from accounting.office import work_in_progress as work
from accounting.office.bills import (
    DISPLAY_STATUSES,
    MAX_LINES,
    BillLine,
    BillLineInput,
    EntryKind,
    line_amount,
)
from accounting.parties.clients import responsible_users
from blueprints.csv_responses import history_csv
from blueprints.forms import CorrectionForm, NotBefore, fields_prefixed, fits
from blueprints.lines import LineTable, line_refusal_at_top
from blueprints.pages import committing, every_refusal, page_number, render, show_error, url_for_each
from extensions import db

bp = Blueprint("billing", __name__, url_prefix="/billing")

LINES = LineTable(("description", "quantity", "rate", "account", "tax"), typed=("description", "rate"),
                  max_lines=MAX_LINES)  # quantity, account and tax have defaults: not typing
TAX_CHOICES = [SelectChoice(t.value, t.label) for t in TaxCode]


class BillLineForm(Form):
    """One line as typed; numbers stay text until parse_money reads them (never float)."""

    description = StringField("Description", validators=[fits(BillLine.description)])
    quantity = StringField("Quantity", default="1")
    rate = StringField("Rate")
    account = SelectField("Income account", choices=[], validate_choice=False)
    tax = SelectField("Tax", choices=TAX_CHOICES, default=TaxCode.GST.value)


class LinesForm(FlaskForm):
    date = DateField("Date", validators=[InputRequired("Enter the date.")], default=date.today)
    reference = StringField("Reference", validators=[
        Length(max=100, message="Keep the reference under 100 characters.")])
    lines = FieldList(FormField(BillLineForm), min_entries=1, max_entries=MAX_LINES)

    def offer_accounts(self) -> None:
        accounts = books.income_accounts(db.session)
        fees = next((a for a in accounts if a.role == AccountRole.PROFESSIONAL_FEES), None)
        choices = [SelectChoice(str(a.id), a.label) for a in accounts]
        for entry in self.lines:
            entry.form.account.choices = choices
            if not entry.form.account.data and fees is not None:
                entry.form.account.data = str(fees.id)  # Professional Fees unless chosen otherwise


class BillForm(LinesForm):
    matter = SelectField("Matter", choices=[], validate_choice=False)
    due_date = DateField("Due date", validators=[
        Optional(), NotBefore("date", "The due date cannot be before the bill's date.")])

    def offer_choices(self) -> None:
        self.offer_accounts()
        self.matter.choices = [SelectChoice("", "Choose a matter…")] + [
            SelectChoice(str(m.id), f"{m.number} {m.description} — {m.client.name}")
            for m in books.open_matters(db.session)]


class CreditNoteForm(LinesForm):
    client = SelectField("Client", choices=[], validate_choice=False)

    def offer_choices(self) -> None:
        self.offer_accounts()
        self.client.choices = [SelectChoice("", "Choose a client…")] + [
            SelectChoice(str(c.id), f"{c.name} ({c.code})") for c in books.active_clients(db.session)]


class BankForm(FlaskForm):
    date = DateField("Date", validators=[InputRequired("Enter the date.")], default=date.today)
    amount = StringField("Amount")
    bank_account = SelectField("Into bank account", choices=[], validate_choice=False)
    reference = StringField("Reference", validators=[
        Length(max=100, message="Keep the reference under 100 characters.")])

    def offer_banks(self) -> None:
        self.bank_account.choices = [SelectChoice(str(a.id), a.label)
                                     for a in office_bank_accounts(db.session)]


class WriteOffForm(FlaskForm):
    date = DateField("Write-off date", validators=[InputRequired("Enter the date.")], default=date.today)
    reason = StringField("Reason", validators=[
        DataRequired("Give the reason for writing it off."),
        Length(max=100, message="Keep the reason under 100 characters.")])


class ApplyForm(FlaskForm):
    date = DateField("Date applied", validators=[InputRequired("Enter the date.")], default=date.today)


class BillDateForm(FlaskForm):
    date = DateField("Bill date", validators=[InputRequired("Enter the bill's date.")], default=date.today)


class ActionForm(FlaskForm):
    """Approve, delete, revert: a button with its CSRF token."""


class VoidForm(FlaskForm):
    """Void a bill: the reason it keeps in its history and the audit log."""

    reason = StringField("Reason for voiding", validators=[
        DataRequired("Give the reason for voiding the bill."),  # blanks are no reason
        Length(max=100, message="Keep the reason under 100 characters.")])


# What each correction of a bill does, said on its confirmation page before anything happens.
CONFIRMATIONS = ("void", "revert", "delete")


# ---------------------------------------------------------------- lines


def _gst_registered() -> bool:
    return get_practice(db.session).gst_registered


def _default_tax() -> str:
    """GST, unless the practice is not registered for GST: then every line starts GST-free."""
    return (TaxCode.GST if _gst_registered() else TaxCode.GST_FREE).value


def _form(cls, formdata=None, rows=None, obj=None):
    if formdata is not None:
        formdata = LINES.formdata(formdata, rows)
    form = cls(formdata=formdata, obj=obj) if formdata is not None else cls(obj=obj)
    if formdata is None:
        for entry in form.lines:
            entry.form.tax.data = _default_tax()
    form.offer_choices()
    return form


def _line_inputs(form: LinesForm) -> list[BillLineInput]:
    """The typed lines, parsed; refuses what only the form can see (not a number), every line's
    refusal at once."""
    lines = []
    with every_refusal() as refusals:
        for i, entry in enumerate(form.lines):
            line = entry.form
            if not (line.description.data or line.rate.data):
                continue
            account_id = valid_id(line.account.data)
            if account_id is None:
                refusals.refuse(InvalidAccount(f"Line {i + 1}: choose an income account.",
                                               f"lines-{i}-account"))
            tax = line.tax.data if line.tax.data in TaxCode._value2member_map_ else TaxCode.GST
            quantity = refusals.check(parse_money, line.quantity.data or "", f"lines-{i}-quantity")
            rate = refusals.check(parse_money, line.rate.data or "", f"lines-{i}-rate")
            lines.append(BillLineInput(line.description.data or "", quantity, rate, account_id,
                                       TaxCode(tax)))
    return lines


def _show_line_refusals(form: LinesForm) -> None:
    """When the form's own fields are refused, the lines' refusals are shown with them (rather than
    on the next submit)."""
    if request.method == "POST":
        try:
            _line_inputs(form)
        except LedgerError as error:
            show_error(form, error)


def draft_totals(form: LinesForm) -> dict:
    """Subtotal, GST and total of the lines typed so far, the way approval will work them out."""
    rate = get_practice(db.session).gst_rate
    subtotal = gst = ZERO
    unreadable, amounts = 0, []
    for entry in form.lines:
        line = entry.form
        try:
            amount = line_amount(parse_money(line.quantity.data or "0"),
                                       parse_money(line.rate.data or "0"))
        except LedgerError:
            unreadable += 1
            amounts.append(None)
            continue
        amounts.append(amount)
        subtotal += amount
        gst += gst_on(amount, rate) if line.tax.data == TaxCode.GST else ZERO
    return {"subtotal": subtotal, "gst": gst, "total": subtotal + gst, "unreadable": unreadable,
            "amounts": amounts}


# ---------------------------------------------------------------- bills


@bp.route("/")
def index():
    """Bills, newest first: filter by status, search, a page at a time."""
    q, status = request.args.get("q", "").strip(), request.args.get("status", "")
    status = status if status in DISPLAY_STATUSES else ""
    page, per_page = page_number(), current_app.config["PAGE_SIZE"]
    bills, total = books.search_bills(db.session, q, status=status, page=page, per_page=per_page)
    return render("billing/index.html", block="results", bills=bills, total=total, page=page,
                  per_page=per_page, q=q, chosen=status, statuses=DISPLAY_STATUSES,
                  bill_url=url_for_each("billing.show_bill", "bill_id"))


def _render_bill_form(form, bill=None, status=200, block=None, focus_line=None):
    return render("billing/form.html", block=block, status=status, form=form, bill=bill,
                  totals=draft_totals(form), focus_line=focus_line, kind="bill",
                  gst_registered=_gst_registered())


@bp.route("/new", methods=["GET", "POST"])
def new_bill():
    """Write a draft bill for a matter by hand."""
    posting = request.method == "POST"
    form = _form(BillForm, request.form if posting else None)
    if not posting and request.args.get("matter", "").isdigit():
        form.matter.data = request.args["matter"]
    if not form.validate_on_submit():
        _show_line_refusals(form)
        return _render_bill_form(form, status=422 if posting else 200)
    with committing(form) as saved:
        bill = books.create_bill(db.session, current_user, matter_id=valid_id(form.matter.data),
                                 date=form.date.data, due_date=form.due_date.data,
                                 reference=form.reference.data or "", lines=_line_inputs(form))
    if not saved.ok:
        line_refusal_at_top(form, saved.error)
        return _render_bill_form(form, status=422)
    flash("Draft bill saved.", "success")
    return redirect(url_for("billing.show_bill", bill_id=bill.id), 303)


@bp.route("/<int:bill_id>/edit", methods=["GET", "POST"])
def edit_bill(bill_id):
    """Change a draft bill."""
    bill = books.get_bill(db.session, bill_id)
    posting = request.method == "POST"
    if posting:
        form = _form(BillForm, request.form)
    else:
        rows = [{"description": x.description, "quantity": str(x.quantity), "rate": str(x.rate),
                 "account": str(x.account_id), "tax": x.tax.value} for x in bill.lines]
        data = MultiDict({"matter": str(bill.matter_id), "date": bill.date.isoformat(),
                          "due_date": bill.due_date.isoformat() if bill.due_date else "",
                          "reference": bill.reference})
        form = _form(BillForm, data, rows=rows)
    if not posting or not form.validate_on_submit():
        _show_line_refusals(form)
        return _render_bill_form(form, bill, status=422 if posting else 200)
    with committing(form) as saved:
        books.update_bill(db.session, current_user, bill, matter_id=valid_id(form.matter.data),
                          date=form.date.data, due_date=form.due_date.data,
                          reference=form.reference.data or "", lines=_line_inputs(form))
    if not saved.ok:
        line_refusal_at_top(form, saved.error)
        return _render_bill_form(form, bill, status=422)
    flash("Draft bill saved.", "success")
    return redirect(url_for("billing.show_bill", bill_id=bill.id), 303)


def _blank_line() -> dict[str, str]:
    return {"description": "", "quantity": "1", "rate": "", "account": "", "tax": _default_tax()}


LINES.add_routes(bp, "", "bill_lines", "bill_totals", blank=_blank_line,
                 form=lambda formdata, rows: _form(BillForm, formdata, rows), show=_render_bill_form)


def _undo_prefix(event_id: int) -> str:
    return f"undo{event_id}"


def _render_bill(bill, status=200, payment=None, write_off=None, action=None, undo=None):
    if payment is None:
        payment = BankForm(formdata=None, prefix="payment")
        payment.amount.data = str(bill.owed) if bill.owed else ""
    payment.offer_banks()
    undo_forms = {e.id: CorrectionForm(formdata=None, prefix=_undo_prefix(e.id))
                  for e in bill.events if e.can_undo()}
    if undo is not None:
        undo_forms[undo[0]] = undo[1]
    return render("billing/show.html", status=status, bill=bill, payment=payment,
                  write_off=write_off or WriteOffForm(formdata=None, prefix="write_off"),
                  action=action or ActionForm(), undo_forms=undo_forms,
                  open_undo=undo[0] if undo else None, history=books.bill_history(bill),
                  today=date.today())


@bp.route("/<int:bill_id>")
def show_bill(bill_id):
    """A bill: lines, totals, status, what is owed, its history and what can be done next."""
    return _render_bill(books.get_bill(db.session, bill_id))


@bp.route("/<int:bill_id>/print")
def print_bill(bill_id):
    """The bill as the client sees it, ready to print."""
    bill = books.get_bill(db.session, bill_id)
    return render("billing/print.html", bill=bill, practice=get_practice(db.session))


def _bill_action(bill_id, act, done: str, *, lock=False):
    bill = books.get_bill(db.session, bill_id, for_update=lock)
    form = ActionForm()
    if form.validate_on_submit():
        with committing(form) as saved:
            act(bill)
        if saved.ok:
            flash(done.format(bill=bill), "success")
            if bill in db.session:
                return redirect(url_for("billing.show_bill", bill_id=bill.id), 303)
            return redirect(url_for("billing.index"), 303)
        bill = books.get_bill(db.session, bill_id)
    return _render_bill(bill, status=422, action=form)


@bp.route("/<int:bill_id>/approve", methods=["POST"])
def approve_bill(bill_id):
    """Approve a draft: number it and post it."""
    return _bill_action(bill_id, lambda b: books.approve_bill(db.session, current_user, b),
                        "Bill {bill.number} approved and posted.", lock=True)


@bp.route("/<int:bill_id>/delete", methods=["POST"])
def delete_bill(bill_id):
    """Delete a draft bill."""
    return _bill_action(bill_id, lambda b: books.delete_bill(db.session, current_user, b),
                        "Draft bill deleted.", lock=True)


@bp.route("/<int:bill_id>/revert", methods=["POST"])
def revert_bill(bill_id):
    """Back to draft (reversing the posting)."""
    return _bill_action(bill_id, lambda b: books.revert_bill(db.session, current_user, b, on=date.today()),
                        "{bill.number} is a draft again; its posting was reversed.", lock=True)


@bp.route("/<int:bill_id>/confirm/<what>")
def confirm_correction(bill_id, what):
    """Say what voiding, reverting or deleting the bill will do, and ask (void: with a reason)."""
    if what not in CONFIRMATIONS:
        abort(404)
    return _render_confirm(books.get_bill(db.session, bill_id), what)


def _render_confirm(bill, what, form=None, status=200):
    form = form or (VoidForm(formdata=None) if what == "void" else ActionForm(formdata=None))
    return render("billing/confirm.html", status=status, bill=bill, what=what, form=form)


@bp.route("/<int:bill_id>/void", methods=["POST"])
def void_bill(bill_id):
    """Void a bill with nothing applied (reversing the posting), giving the reason."""
    bill = books.get_bill(db.session, bill_id, for_update=True)
    form = VoidForm()
    if form.validate_on_submit():
        with committing(form) as saved:
            books.void_bill(db.session, current_user, bill, on=date.today(), reason=form.reason.data)
        if saved.ok:
            flash(f"{bill.title} voided.", "success")
            return redirect(url_for("billing.show_bill", bill_id=bill.id), 303)
        bill = books.get_bill(db.session, bill_id)
    return _render_confirm(bill, "void", form, status=422)


@bp.route("/<int:bill_id>/payments", methods=["POST"])
def pay_bill(bill_id):
    """Record a payment, full or part, into an office bank account."""
    bill = books.get_bill(db.session, bill_id)
    form = BankForm(prefix="payment")
    form.offer_banks()
    if form.validate_on_submit():
        with committing(form) as saved, fields_prefixed("payment"):
            books.record_payment(db.session, current_user, bill_id,
                                 amount=parse_money(form.amount.data, "amount"), date=form.date.data,
                                 bank_account_id=valid_id(form.bank_account.data),
                                 reference=form.reference.data or "")
        if saved.ok:
            flash(f"Payment recorded on {bill.number}.", "success")
            return redirect(url_for("billing.show_bill", bill_id=bill_id), 303)
        bill = books.get_bill(db.session, bill_id)
    return _render_bill(bill, status=422, payment=form)


@bp.route("/<int:bill_id>/events/<int:event_id>/undo", methods=["POST"])
def undo_event(bill_id, event_id):
    """Undo a payment, a credit applied or a write-off (a reversal; the bill owes it again)."""
    bill = books.get_bill(db.session, bill_id)
    if event_id not in {e.id for e in bill.events}:
        raise NotFound("There is no such payment, credit or write-off on this bill.")
    form = CorrectionForm(prefix=_undo_prefix(event_id))
    if form.validate_on_submit():
        with committing(form) as saved, fields_prefixed(_undo_prefix(event_id)):
            undo = books.undo_event(db.session, current_user, event_id, date=form.date.data,
                                    reason=form.reason.data or "")
        if saved.ok:
            flash(f"{undo.what} on {bill.number}: {undo.amount:,.2f} is owed again.", "success")
            return redirect(url_for("billing.show_bill", bill_id=bill_id), 303)
        bill = books.get_bill(db.session, bill_id)
    return _render_bill(bill, status=422, undo=(event_id, form))


@bp.route("/<int:bill_id>/history.csv")
def bill_history_csv(bill_id):
    """The bill's history as a CSV file."""
    bill = books.get_bill(db.session, bill_id)
    return history_csv(f"history-{bill.number or 'draft-' + str(bill.id)}.csv", books.bill_history(bill))


@bp.route("/<int:bill_id>/write-off", methods=["POST"])
def write_off_bill(bill_id):
    """Write off what is left owing."""
    bill = books.get_bill(db.session, bill_id)
    form = WriteOffForm(prefix="write_off")
    if form.validate_on_submit():
        with committing(form) as saved, fields_prefixed("write_off"):
            event = books.write_off(db.session, current_user, bill_id, date=form.date.data,
                                    reason=form.reason.data or "")
        if saved.ok:
            flash(f"{event.amount:,.2f} written off {bill.number}.", "success")
            return redirect(url_for("billing.show_bill", bill_id=bill_id), 303)
        bill = books.get_bill(db.session, bill_id)
    return _render_bill(bill, status=422, write_off=form)


# ---------------------------------------------------------------- work in progress


class EntryForm(FlaskForm):
    kind = SelectField("Kind", choices=[SelectChoice(k.value, k.label) for k in EntryKind])
    date = DateField("Date", validators=[InputRequired("Enter the date of the work.")], default=date.today)
    person = SelectField("Person", choices=[], validate_choice=False)
    description = StringField("Description")
    hours = StringField("Hours", description="For time.")
    rate = StringField("Hourly rate", description="For time.")
    amount = StringField("Amount", description="For a disbursement.")
    account = SelectField("Income account", choices=[], validate_choice=False)
    tax = SelectField("Tax", choices=TAX_CHOICES, default=TaxCode.GST.value)

    def offer_choices(self) -> None:
        self.person.choices = [SelectChoice("", "Nobody in particular")] + [
            SelectChoice(str(u.id), u.name) for u in responsible_users(db.session)]
        self.account.choices = [SelectChoice("", "The usual account")] + [
            SelectChoice(str(a.id), a.label) for a in books.income_accounts(db.session)]


def _optional_money(value, field):
    return parse_money(value, field) if (value or "").strip() else None


def _render_wip(matter_id, status=200, entry_form=None, bill_form=None):
    matter = work.get_billing_matter(db.session, matter_id) if matter_id else None
    if entry_form is None:
        entry_form = EntryForm(formdata=None)
        entry_form.person.data = str(current_user.id)
        entry_form.tax.data = _default_tax()
    entry_form.offer_choices()
    return render("billing/wip.html", status=status, matter=matter, matters=books.open_matters(db.session),
                  gst_registered=_gst_registered(),
                  entries=work.unbilled_entries(db.session, matter.id) if matter else [],
                  form=entry_form, bill_form=bill_form or BillDateForm(formdata=None, prefix="bill"))


@bp.route("/wip")
def wip():
    """Unbilled time and disbursements of a matter; record more, or bill the chosen ones."""
    return _render_wip(valid_id(request.args.get("matter")))


@bp.route("/wip/<int:matter_id>/entries", methods=["POST"])
def record_entry(matter_id):
    """Record time or a disbursement against the matter."""
    form = EntryForm()
    form.offer_choices()
    if form.validate_on_submit():
        with committing(form) as saved:
            work.record_entry(
                db.session, current_user, matter_id=matter_id, kind=form.kind.data, on=form.date.data,
                person_id=valid_id(form.person.data), description=form.description.data or "",
                hours=_optional_money(form.hours.data, "hours"), rate=_optional_money(form.rate.data, "rate"),
                amount=_optional_money(form.amount.data, "amount"), account_id=valid_id(form.account.data),
                tax=TaxCode(form.tax.data) if form.tax.data in TaxCode._value2member_map_ else TaxCode.GST)
        if saved.ok:
            flash("Entry recorded.", "success")
            return redirect(url_for("billing.wip", matter=matter_id), 303)
    return _render_wip(matter_id, status=422, entry_form=form)


@bp.route("/wip/entries/<int:entry_id>/delete", methods=["POST"])
def delete_entry(entry_id):
    """Delete an unbilled entry."""
    form = ActionForm()
    matter_id = valid_id(request.form.get("matter"))
    if form.validate_on_submit():
        with committing(form) as saved:
            work.delete_entry(db.session, current_user, entry_id)
        if saved.ok:
            flash("Entry deleted.", "success")
            return redirect(url_for("billing.wip", matter=matter_id), 303)
        if matter_id is None:
            # Sent without its matter (a stale page): the refusal has no entries list to sit
            # above, so it goes with the redirect.
            flash(saved.error.message, "error")
            return redirect(url_for("billing.wip"), 303)
    return _render_wip(matter_id, status=422, bill_form=form)


@bp.route("/wip/<int:matter_id>/bill", methods=["POST"])
def bill_entries(matter_id):
    """A draft bill from the chosen unbilled entries."""
    form = BillDateForm(prefix="bill")
    if form.validate_on_submit():
        with committing(form) as saved:
            bill = work.bill_from_entries(
                db.session, current_user, matter_id=matter_id, date=form.date.data,
                entry_ids=[n for n in map(valid_id, request.form.getlist("entry")) if n])
        if saved.ok:
            flash("Draft bill made from the chosen work.", "success")
            return redirect(url_for("billing.show_bill", bill_id=bill.id), 303)
    return _render_wip(matter_id, status=422, bill_form=form)


# ---------------------------------------------------------------- credit notes


def _render_note_form(form, status=200, block=None, focus_line=None):
    return render("billing/form.html", block=block, status=status, form=form, bill=None,
                  totals=draft_totals(form), focus_line=focus_line, kind="credit_note",
                  gst_registered=_gst_registered())


@bp.route("/credit-notes/")
def credit_notes():
    """Every credit note, newest first, with what is left on each."""
    return render("billing/credit_notes.html", notes=notes.list_credit_notes(db.session))


@bp.route("/credit-notes/new", methods=["GET", "POST"])
def new_credit_note():
    """Issue a credit note to a client; it posts at once."""
    posting = request.method == "POST"
    form = _form(CreditNoteForm, request.form if posting else None)
    if not posting and request.args.get("client", "").isdigit():
        form.client.data = request.args["client"]
    if not form.validate_on_submit():
        return _render_note_form(form, status=422 if posting else 200)
    with committing(form) as saved:
        note = notes.create_credit_note(db.session, current_user, client_id=valid_id(form.client.data),
                                        date=form.date.data, reference=form.reference.data or "",
                                        lines=_line_inputs(form))
    if not saved.ok:
        line_refusal_at_top(form, saved.error)
        return _render_note_form(form, status=422)
    flash(f"Credit note {note.number} issued and posted.", "success")
    return redirect(url_for("billing.show_credit_note", note_id=note.id), 303)


LINES.add_routes(bp, "/credit-notes", "credit_note_lines", "credit_note_totals", blank=_blank_line,
                 form=lambda formdata, rows: _form(CreditNoteForm, formdata, rows), show=_render_note_form)


def _render_note(note, status=200, apply=None, refund=None, typed=None, error=None, undo=None,
                 void=None):
    if refund is None:
        refund = BankForm(formdata=None, prefix="refund")
        refund.amount.data = str(note.remaining) if note.remaining else ""
    refund.bank_account.label.text = "From bank account"
    refund.offer_banks()
    undo_forms = {r.id: CorrectionForm(formdata=None, prefix=f"undo-refund{r.id}")
                  for r in note.live_refunds()}
    if undo is not None:
        undo_forms[undo[0]] = undo[1]
    return render("billing/credit_note.html", status=status, note=note,
                  apply=apply or ApplyForm(formdata=None, prefix="apply"), refund=refund,
                  bills=books.open_bills_of(db.session, note.client_id), typed=typed or {},
                  error_field=(error.field or "") if error else "", undo_forms=undo_forms,
                  open_undo=undo[0] if undo else None,
                  void=void or CorrectionForm(formdata=None, prefix="void"))


@bp.route("/credit-notes/<int:note_id>")
def show_credit_note(note_id):
    """A credit note: lines, what is left, the client's open bills to apply it to, and refunds."""
    return _render_note(notes.get_credit_note(db.session, note_id))


@bp.route("/credit-notes/<int:note_id>/print")
def print_credit_note(note_id):
    """The credit note as the client receives it: an adjustment note, ready to print."""
    return render("billing/credit_note_print.html", note=notes.get_credit_note(db.session, note_id),
                  practice=get_practice(db.session))


@bp.route("/credit-notes/<int:note_id>/apply", methods=["POST"])
def apply_credit_note(note_id):
    """Apply the credit note to one or more of the client's bills."""
    note = notes.get_credit_note(db.session, note_id)
    form = ApplyForm(prefix="apply")
    typed = {key: value for key, value in request.form.items() if key.startswith("amount-")}
    if form.validate_on_submit():
        with committing(form) as saved, fields_prefixed("apply"):
            amounts: dict[int, Decimal] = {}
            for key, value in typed.items():
                bill_id = valid_id(key.removeprefix("amount-"))
                if bill_id is not None and value.strip():
                    amounts[bill_id] = parse_money(value, key)
            notes.apply_credit(db.session, current_user, note_id, date=form.date.data, amounts=amounts)
        if saved.ok:
            flash(f"{note.number} applied.", "success")
            return redirect(url_for("billing.show_credit_note", note_id=note_id), 303)
        note = notes.get_credit_note(db.session, note_id)
        return _render_note(note, status=422, apply=form, typed=typed, error=saved.error)
    return _render_note(note, status=422, apply=form, typed=typed)


@bp.route("/credit-notes/<int:note_id>/refund", methods=["POST"])
def refund_credit_note(note_id):
    """Pay what is left on the credit note back to the client."""
    note = notes.get_credit_note(db.session, note_id)
    form = BankForm(prefix="refund")
    form.offer_banks()
    if form.validate_on_submit():
        with committing(form) as saved, fields_prefixed("refund"):
            notes.refund_credit(db.session, current_user, note_id,
                                amount=parse_money(form.amount.data, "amount"), date=form.date.data,
                                bank_account_id=valid_id(form.bank_account.data),
                                reference=form.reference.data or "")
        if saved.ok:
            flash(f"Refund from {note.number} recorded.", "success")
            return redirect(url_for("billing.show_credit_note", note_id=note_id), 303)
        note = notes.get_credit_note(db.session, note_id)
    return _render_note(note, status=422, refund=form)


@bp.route("/credit-notes/<int:note_id>/refunds/<int:refund_id>/undo", methods=["POST"])
def undo_refund(note_id, refund_id):
    """Undo a refund (reversing it); the amount is left on the credit note again."""
    note = notes.get_credit_note(db.session, note_id)
    if refund_id not in {r.id for r in note.refunds}:
        raise NotFound("There is no such refund of this credit note.")
    prefix = f"undo-refund{refund_id}"
    form = CorrectionForm(prefix=prefix)
    if form.validate_on_submit():
        with committing(form) as saved, fields_prefixed(prefix):
            notes.undo_refund(db.session, current_user, refund_id, date=form.date.data,
                              reason=form.reason.data or "")
        if saved.ok:
            flash(f"Refund from {note.number} undone; the amount is left on it again.", "success")
            return redirect(url_for("billing.show_credit_note", note_id=note_id), 303)
        note = notes.get_credit_note(db.session, note_id)
    return _render_note(note, status=422, undo=(refund_id, form))


@bp.route("/credit-notes/<int:note_id>/void", methods=["POST"])
def void_credit_note(note_id):
    """Void a credit note nothing of which is applied or refunded (reversing it)."""
    note = notes.get_credit_note(db.session, note_id)
    form = CorrectionForm(prefix="void")
    if form.validate_on_submit():
        with committing(form) as saved, fields_prefixed("void"):
            notes.void_credit_note(db.session, current_user, note_id, date=form.date.data,
                                   reason=form.reason.data or "")
        if saved.ok:
            flash(f"{note.number} voided; its posting was reversed.", "success")
            return redirect(url_for("billing.show_credit_note", note_id=note_id), 303)
        note = notes.get_credit_note(db.session, note_id)
    return _render_note(note, status=422, void=form)
