"""Suppliers, supplier invoices (draft, approve, pay, void) with htmx lines and live totals.

Views parse the form, call one function of accounting.office's supplier modules inside `committing(form)`, and
render or redirect (303). The invoice form's lines block and its totals are rendered by the server,
so the totals a person sees are the ones approval will post.
"""

from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from accounting.errors import LedgerError, NotFound
from accounting.ledger.accounts import office_bank_accounts
from accounting.ledger.practice import get_practice
from accounting.ledger.tax import TaxCode
from accounting.lookup import valid_id
from accounting.money import ZERO, parse_money
from accounting.office import purchase_orders
from accounting.office.supplier_credits import (
    apply_credit,
    create_credit,
    get_credit,
    invoices_to_credit,
    list_credits,
    undo_credit_application,
    void_credit,
)
from accounting.office.supplier_documents import InvoiceStatus, SupplierInvoiceLine
from accounting.office.supplier_invoices import (
    InvoiceDetails,
    InvoiceLineInput,
    approve_invoice,
    create_invoice,
    delete_invoice,
    draft_totals,
    get_invoice,
    invoice_history,
    pay_invoice,
    search_invoices,
    undo_payment,
    update_invoice,
    void_invoice,
)
from accounting.office.suppliers import (
    MAX_LINES,
    SupplierDetails,
    all_suppliers,
    expense_accounts,
    get_supplier,
    save_supplier,
    search_suppliers,
)
from blueprints.csv_responses import history_csv
from blueprints.forms import CorrectionForm, NotBefore, fields_prefixed, fits
from blueprints.lines import LineTable, line_refusal_at_top
from blueprints.pages import committing, page_number, render
from extensions import db

bp = Blueprint("suppliers", __name__, url_prefix="/suppliers")

INVALID = 422
_today = date.today  # forms have a field named `date`, which hides the class in their bodies
LINES = LineTable(("description", "amount", "account", "gst_free"),
                  typed=("description", "amount", "account"), max_lines=MAX_LINES, checkboxes=("gst_free",))


class ClearDateField(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a real date, such as 2026-07-01.") from None


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SupplierForm(FlaskForm):
    name = StringField("Name", filters=[_strip], validators=[
        InputRequired("Enter the supplier's name."), Length(max=200, message="Use at most 200 characters.")])
    abn = StringField("ABN", filters=[_strip], validators=[Optional(), Length(max=20)])
    email = StringField("Email", filters=[_strip], validators=[Optional(), Length(max=254)])
    phone = StringField("Phone", filters=[_strip], validators=[Optional(), Length(max=40)])
    address = TextAreaField("Address", filters=[_strip], validators=[Optional(), Length(max=500)])
    default_account_id = SelectField("Default expense account", choices=[], validate_choice=False)

    def offer_accounts(self):
        self.default_account_id.choices = [("", "None")] + [
            (str(a.id), a.label) for a in expense_accounts(db.session)]

    def details(self) -> SupplierDetails:
        return SupplierDetails(name=self.name.data or "", abn=self.abn.data or "",
                               email=self.email.data or "", phone=self.phone.data or "",
                               address=self.address.data or "",
                               default_account_id=valid_id(self.default_account_id.data))


class LineForm(Form):
    description = StringField("Description", validators=[fits(SupplierInvoiceLine.description)])
    amount = StringField("Amount")
    account = SelectField("Account", choices=[], validate_choice=False)
    gst_free = BooleanField("GST-free")


class InvoiceForm(FlaskForm):
    supplier_id = SelectField("Supplier", choices=[], validate_choice=False)
    supplier_ref = StringField("Supplier's invoice number", filters=[_strip], validators=[
        InputRequired("Enter the supplier's invoice number."),
        Length(max=50, message="Use at most 50 characters.")])
    date = ClearDateField("Invoice date", default=_today,
                          validators=[InputRequired("Enter the invoice date.")])
    due_date = ClearDateField("Due date", default=_today, validators=[
        InputRequired("Enter the due date."),
        NotBefore("date", "The due date cannot be before the invoice date.")])
    lines = FieldList(FormField(LineForm), min_entries=1, max_entries=MAX_LINES)

    def offer_choices(self):
        self.supplier_id.choices = [("", "Choose a supplier…")] + [
            (str(s.id), s.name) for s in all_suppliers(db.session)]
        accounts = [("", "Choose an account…")] + [(str(a.id), a.label)
                                                  for a in expense_accounts(db.session)]
        for entry in self.lines:
            entry.form.account.choices = accounts

    def typed_lines(self, strict: bool) -> list[InvoiceLineInput]:
        """The non-blank lines; `strict` refuses an unreadable amount, else counts it as zero."""
        lines = []
        for i, entry in enumerate(self.lines):
            line = entry.form
            if not (line.description.data or line.amount.data or line.account.data):
                continue
            try:
                amount = parse_money(line.amount.data, f"lines-{i}-amount")
            except LedgerError:
                if strict:
                    raise
                amount = ZERO
            lines.append(InvoiceLineInput(line.description.data or "", amount,
                                          valid_id(line.account.data), bool(line.gst_free.data)))
        return lines

    def details(self) -> InvoiceDetails:
        return InvoiceDetails(valid_id(self.supplier_id.data), self.supplier_ref.data or "",
                              self.date.data, self.due_date.data, self.typed_lines(strict=True))


class CreditForm(InvoiceForm):
    supplier_ref = StringField("Supplier's credit note number", filters=[_strip], validators=[
        InputRequired("Enter the supplier's credit note number."),
        Length(max=50, message="Use at most 50 characters.")])
    date = ClearDateField("Credit note date", default=_today,
                          validators=[InputRequired("Enter the credit note's date.")])
    due_date = None  # a credit note is not due

    def details(self) -> InvoiceDetails:
        return InvoiceDetails(valid_id(self.supplier_id.data), self.supplier_ref.data or "",
                              self.date.data, self.date.data, self.typed_lines(strict=True))


class ApplyForm(FlaskForm):
    date = ClearDateField("Apply on", default=_today, validators=[InputRequired("Enter the date.")])


def _apply_form(invoices, formdata=None) -> ApplyForm:
    """The apply form with one amount field per invoice, named apply-<invoice id>."""
    form_class = type("ApplyCreditForm", (ApplyForm,), {
        f"apply-{invoice.id}": StringField(f"Apply to {invoice.number}") for invoice in invoices})
    return form_class() if formdata is None else form_class(formdata=formdata)


class PaymentForm(FlaskForm):
    date = ClearDateField("Payment date", default=_today,
                          validators=[InputRequired("Enter the payment date.")])
    amount = StringField("Amount", validators=[InputRequired("Enter the amount paid.")])
    bank_account_id = SelectField("Paid from", choices=[], validate_choice=False)
    reference = StringField("Reference", filters=[_strip], validators=[
        Optional(), Length(max=100, message="Use at most 100 characters.")])

    def offer_banks(self):
        self.bank_account_id.choices = [(str(a.id), a.label) for a in office_bank_accounts(db.session)]


class VoidForm(FlaskForm):
    date = ClearDateField("Void date", default=_today,
                          validators=[InputRequired("Enter the date of the void.")])
    reason = StringField("Reason", filters=[_strip], validators=[
        InputRequired("Give the reason for voiding."), Length(max=300)])


class ActionForm(FlaskForm):
    """Just the CSRF token, for approve and delete buttons."""


def _status() -> int:
    return INVALID if request.method == "POST" else 200


# ---- Suppliers


@bp.route("/")
def index():
    """Suppliers, searched by name, email or ABN, a page at a time."""
    q, page, per_page = request.args.get("q", ""), page_number(), current_app.config["PAGE_SIZE"]
    suppliers, total = search_suppliers(db.session, q, page=page, per_page=per_page)
    return render("suppliers/index.html", block="results", suppliers=suppliers, total=total,
                  page=page, per_page=per_page, q=q)


@bp.route("/new", methods=["GET", "POST"])
def new_supplier():
    """Add a supplier."""
    form = SupplierForm()
    form.offer_accounts()
    if form.validate_on_submit():
        with committing(form) as saved:
            supplier = save_supplier(db.session, current_user, form.details())
        if saved.ok:
            flash(f"Supplier {supplier.name} added.", "success")
            return redirect(url_for("suppliers.index"), 303)
    return render("suppliers/form.html", form=form, supplier=None, status=_status())


@bp.route("/<int:supplier_id>/edit", methods=["GET", "POST"])
def edit_supplier(supplier_id):
    """Change a supplier's details."""
    supplier = get_supplier(db.session, supplier_id)
    form = SupplierForm(obj=supplier if request.method == "GET" else None)
    form.offer_accounts()
    if request.method == "GET":
        form.default_account_id.data = str(supplier.default_account_id or "")
    if form.validate_on_submit():
        with committing(form) as saved:
            save_supplier(db.session, current_user, form.details(), supplier)
        if saved.ok:
            flash(f"Supplier {supplier.name} saved.", "success")
            return redirect(url_for("suppliers.index"), 303)
    return render("suppliers/form.html", form=form, supplier=supplier, status=_status())


# ---- Invoices


@bp.route("/invoices")
def list_invoices():
    """Supplier invoices, newest first, searched and filtered by status."""
    q, status = request.args.get("q", ""), request.args.get("status", "")
    page, per_page = page_number(), current_app.config["PAGE_SIZE"]
    invoices, total = search_invoices(db.session, q, status=status, page=page, per_page=per_page)
    return render("suppliers/invoices.html", block="results", invoices=invoices, total=total,
                  page=page, per_page=per_page, q=q, chosen=status, statuses=list(InvoiceStatus))


def _invoice_form(formdata=None, rows=None, obj=None, form_class=InvoiceForm) -> InvoiceForm:
    if formdata is not None:
        form = form_class(formdata=LINES.formdata(formdata, rows))
    elif obj is not None:
        form = InvoiceForm(formdata=None, data={
            "supplier_id": str(obj.supplier_id), "supplier_ref": obj.supplier_ref,
            "date": obj.date, "due_date": obj.due_date,
            "lines": [{"description": x.description, "amount": f"{x.amount:.2f}",
                       "account": str(x.account_id), "gst_free": x.tax == TaxCode.GST_FREE}
                      for x in obj.lines]})
    else:
        form = form_class(formdata=None)
        for entry in form.lines:  # not registered for GST: every line starts GST-free
            entry.form.gst_free.data = not get_practice(db.session).gst_registered
    form.offer_choices()
    return form


def _render_invoice_form(form, invoice=None, status=200, block=None, focus_line=None):
    totals = draft_totals(form.typed_lines(strict=False), get_practice(db.session).gst_rate)
    credit = isinstance(form, CreditForm)
    return render("suppliers/invoice_form.html", block=block, status=status, form=form,
                  invoice=invoice, totals=totals, focus_line=focus_line, credit=credit,
                  gst_registered=get_practice(db.session).gst_registered,
                  heading="New supplier credit note" if credit else
                  f"Edit draft {invoice.number}" if invoice else "New supplier invoice")


class _Saving(NamedTuple):
    """How a lines form's document is saved: made, changed (a draft), named and shown."""

    create: Callable
    update: Callable | None
    done: str  # the flash, formatted with the document
    endpoint: str
    key: str  # the endpoint's id argument
    show_form: Callable


def _save(form, how: _Saving, document=None):
    """Validate and save the form (create, or update `document`); the response either way."""
    if form.validate_on_submit():
        with committing(form) as saved:
            if document is None:
                document = how.create(db.session, current_user, form.details())
            else:
                how.update(db.session, current_user, document, form.details())
        if saved.ok:
            flash(how.done.format(document), "success")
            return redirect(url_for(how.endpoint, **{how.key: document.id}), 303)
        line_refusal_at_top(form, saved.error, see_below="", prefix="lines")
    return how.show_form(form, document, INVALID)


INVOICES = _Saving(create_invoice, update_invoice, "Draft {0.number} saved.", "suppliers.show_invoice",
                   "invoice_id", _render_invoice_form)
CREDITS = _Saving(create_credit, None, "Credit note {0.number} posted as {0.journal.number}.",
                  "suppliers.show_credit", "credit_id", _render_invoice_form)


@bp.route("/invoices/new", methods=["GET", "POST"])
def new_invoice():
    """Enter a supplier invoice as a draft."""
    if request.method == "GET":
        form = _invoice_form()
        supplier_id = valid_id(request.args.get("supplier", ""))
        if supplier_id:
            supplier = get_supplier(db.session, supplier_id)
            form.supplier_id.data = str(supplier.id)
            form.lines[0].form.account.data = str(supplier.default_account_id or "")
        return _render_invoice_form(form)
    return _save(_invoice_form(request.form), INVOICES)


@bp.route("/invoices/<int:invoice_id>/edit", methods=["GET", "POST"])
def edit_invoice(invoice_id):
    """Change a draft invoice."""
    invoice = get_invoice(db.session, invoice_id)
    if not invoice.is_draft():
        flash(f"{invoice.number} is {invoice.status.label.lower()}: only a draft can be edited.",
              "error")
        return redirect(url_for("suppliers.show_invoice", invoice_id=invoice.id), 303)
    if request.method == "GET":
        return _render_invoice_form(_invoice_form(obj=invoice), invoice)
    return _save(_invoice_form(request.form), INVOICES, invoice)


def _blank_invoice_line() -> dict[str, str]:
    """Not registered for GST: every line starts GST-free."""
    free = "" if get_practice(db.session).gst_registered else "y"
    return {**dict.fromkeys(LINES.fields, ""), "gst_free": free}


LINES.add_routes(bp, "/invoices", "invoice_lines", "invoice_totals", blank=_blank_invoice_line,
                 form=lambda formdata, rows: _invoice_form(formdata, rows), show=_render_invoice_form)


def _undo_prefix(kind: str, item_id: int) -> str:
    return f"undo-{kind}{item_id}"


def _show(invoice, status=200, pay_form=None, void_form=None, undo=None):
    if pay_form is None:
        pay_form = PaymentForm(formdata=None)
        pay_form.amount.data = f"{invoice.amount_owed:.2f}"
    pay_form.offer_banks()
    history = invoice_history(invoice)
    undo_forms = {_undo_prefix(*e.undo): CorrectionForm(formdata=None, prefix=_undo_prefix(*e.undo))
                  for e in history if e.undo}
    if undo is not None:
        undo_forms[undo[0]] = undo[1]
    return render("suppliers/invoice.html", status=status, invoice=invoice, pay_form=pay_form,
                  void_form=void_form or VoidForm(formdata=None), action_form=ActionForm(),
                  history=history, undo_forms=undo_forms, open_undo=undo[0] if undo else None)


def _undo(invoice_id: int, kind: str, item_id: int, act, done: str):
    """Undo a payment or a credit application of the invoice, or show the refusal in its row."""
    invoice = get_invoice(db.session, invoice_id)
    items = invoice.payments if kind == "payment" else invoice.credits
    if item_id not in {item.id for item in items}:
        raise NotFound(f"There is no such {kind} on this invoice.")
    prefix = _undo_prefix(kind, item_id)
    form = CorrectionForm(prefix=prefix)
    if form.validate_on_submit():
        with committing(form) as saved, fields_prefixed(prefix):
            act(db.session, current_user, item_id, date=form.date.data, reason=form.reason.data or "")
        if saved.ok:
            flash(done, "success")
            return redirect(url_for("suppliers.show_invoice", invoice_id=invoice_id), 303)
    return _show(get_invoice(db.session, invoice_id), INVALID, undo=(prefix, form))


@bp.route("/invoices/<int:invoice_id>/payments/<int:payment_id>/undo", methods=["POST"])
def undo_invoice_payment(invoice_id, payment_id):
    """Undo a payment (reversing it); the invoice owes the amount again."""
    return _undo(invoice_id, "payment", payment_id, undo_payment,
                 "Payment undone; the invoice owes it again.")


@bp.route("/invoices/<int:invoice_id>/credits/<int:application_id>/undo", methods=["POST"])
def undo_invoice_credit(invoice_id, application_id):
    """Undo a credit note's application; the amount is left on the credit note again."""
    return _undo(invoice_id, "credit", application_id, undo_credit_application,
                 "Credit application undone; the amount is left on the credit note again.")


@bp.route("/invoices/<int:invoice_id>/history.csv")
def invoice_history_csv(invoice_id):
    """The invoice's history as a CSV file."""
    invoice = get_invoice(db.session, invoice_id)
    return history_csv(f"history-{invoice.number}.csv", invoice_history(invoice))


@bp.route("/invoices/<int:invoice_id>")
def show_invoice(invoice_id):
    """One invoice: lines, totals, history with journals, and what can be done next."""
    return _show(get_invoice(db.session, invoice_id))


@bp.route("/invoices/<int:invoice_id>/approve", methods=["POST"])
def approve(invoice_id):
    """Approve a draft: it posts and awaits payment."""
    invoice = get_invoice(db.session, invoice_id, for_update=True)
    form = ActionForm()
    if form.validate_on_submit():
        with committing(form) as saved:
            journal = approve_invoice(db.session, current_user, invoice)
        if saved.ok:
            flash(f"{invoice.number} approved and posted as {journal.number}.", "success")
            return redirect(url_for("suppliers.show_invoice", invoice_id=invoice.id), 303)
    flash(" ".join(form.form_errors) or "The form expired: try again.", "error")
    return _show(get_invoice(db.session, invoice_id), INVALID)


@bp.route("/invoices/<int:invoice_id>/delete", methods=["POST"])
def delete(invoice_id):
    """Delete a draft invoice."""
    invoice = get_invoice(db.session, invoice_id)
    number, form = invoice.number, ActionForm()
    if form.validate_on_submit():
        with committing(form) as saved:
            delete_invoice(db.session, current_user, invoice)
        if saved.ok:
            flash(f"Draft {number} deleted.", "success")
            return redirect(url_for("suppliers.list_invoices"), 303)
    flash(" ".join(form.form_errors) or "The form expired: try again.", "error")
    return _show(get_invoice(db.session, invoice_id), INVALID)


@bp.route("/invoices/<int:invoice_id>/pay", methods=["POST"])
def pay(invoice_id):
    """Record a payment, full or part, from an office bank account."""
    invoice = get_invoice(db.session, invoice_id)
    form = PaymentForm()
    form.offer_banks()
    if form.validate_on_submit():
        with committing(form) as saved:
            payment = pay_invoice(db.session, current_user, invoice.id,
                                  bank_account_id=valid_id(form.bank_account_id.data), date=form.date.data,
                                  amount=parse_money(form.amount.data, "amount"),
                                  reference=form.reference.data or "")
        if saved.ok:
            flash(f"Payment {payment.number} of {payment.amount:,.2f} recorded.", "success")
            return redirect(url_for("suppliers.show_invoice", invoice_id=invoice.id), 303)
    return _show(get_invoice(db.session, invoice_id), INVALID, pay_form=form)


@bp.route("/invoices/<int:invoice_id>/void", methods=["POST"])
def void(invoice_id):
    """Void a posted invoice with nothing paid, reversing its journal."""
    invoice = get_invoice(db.session, invoice_id, for_update=True)
    form = VoidForm()
    if form.validate_on_submit():
        with committing(form) as saved:
            reversal = void_invoice(db.session, current_user, invoice, date=form.date.data,
                                    reason=form.reason.data)
        if saved.ok:
            flash(f"{invoice.number} voided by {reversal.number}.", "success")
            return redirect(url_for("suppliers.show_invoice", invoice_id=invoice.id), 303)
    return _show(get_invoice(db.session, invoice_id), INVALID, void_form=form)


# ---- Credit notes


@bp.route("/credits")
def list_credits_page():
    """Supplier credit notes, newest first."""
    page, per_page = page_number(), current_app.config["PAGE_SIZE"]
    credits, total = list_credits(db.session, page=page, per_page=per_page)
    return render("suppliers/credits.html", block="results", credits=credits, total=total, page=page,
                  per_page=per_page)


@bp.route("/credits/new", methods=["GET", "POST"])
def new_credit():
    """Enter a supplier credit note; it posts at once."""
    if request.method == "GET":
        form = _invoice_form(form_class=CreditForm)
        supplier_id = valid_id(request.args.get("supplier", ""))
        if supplier_id:
            form.supplier_id.data = str(supplier_id)
        return _render_invoice_form(form)
    return _save(_invoice_form(request.form, form_class=CreditForm), CREDITS)


def _show_credit(credit, form=None, status=200, void_form=None):
    invoices = invoices_to_credit(db.session, credit)
    return render("suppliers/credit.html", status=status, credit=credit, invoices=invoices,
                  form=form or _apply_form(invoices, formdata=None),
                  void_form=void_form or CorrectionForm(formdata=None, prefix="void"))


@bp.route("/credits/<int:credit_id>/void", methods=["POST"])
def void_credit_note(credit_id):
    """Void a credit note nothing of which is applied (reversing it)."""
    credit = get_credit(db.session, credit_id)
    form = CorrectionForm(prefix="void")
    if form.validate_on_submit():
        with committing(form) as saved, fields_prefixed("void"):
            reversal = void_credit(db.session, current_user, credit_id, date=form.date.data,
                                   reason=form.reason.data or "")
        if saved.ok:
            flash(f"{credit.number} voided by {reversal.number}.", "success")
            return redirect(url_for("suppliers.show_credit", credit_id=credit_id), 303)
    return _show_credit(get_credit(db.session, credit_id), status=INVALID, void_form=form)


@bp.route("/credits/<int:credit_id>")
def show_credit(credit_id):
    """A credit note: lines, where it is applied, and the form to apply what is left."""
    return _show_credit(get_credit(db.session, credit_id))


@bp.route("/credits/<int:credit_id>/apply", methods=["POST"])
def apply(credit_id):
    """Apply a credit note to one or more of its supplier's invoices."""
    credit = get_credit(db.session, credit_id)
    form = _apply_form(invoices_to_credit(db.session, credit), request.form)
    if form.validate_on_submit():
        with committing(form) as saved:
            allocations = {}
            for key in request.form:
                invoice_id = valid_id(key.removeprefix("apply-")) if key.startswith("apply-") else None
                if invoice_id is not None and request.form[key].strip():
                    allocations[invoice_id] = parse_money(request.form[key], key)
            applied = apply_credit(db.session, current_user, credit.id, allocations,
                                   date=form.date.data)
        if saved.ok:
            flash(f"{credit.number}: applied to {', '.join(a.invoice.number for a in applied)}.",
                  "success")
            return redirect(url_for("suppliers.show_credit", credit_id=credit.id), 303)
    return _show_credit(get_credit(db.session, credit_id), form, INVALID)


# ---- Purchase orders

ORDER_LINES = LineTable(("description", "quantity", "unit_price", "account", "gst_free"),
                        typed=("description", "quantity", "unit_price", "account"), max_lines=MAX_LINES,
                        checkboxes=("gst_free",))


class OrderLineForm(Form):
    description = StringField("Description",
                              validators=[fits(purchase_orders.PurchaseOrderLine.description)])
    quantity = StringField("Quantity")
    unit_price = StringField("Unit price")
    account = SelectField("Account", choices=[], validate_choice=False)
    gst_free = BooleanField("GST-free")


class OrderForm(FlaskForm):
    supplier_id = SelectField("Supplier", choices=[], validate_choice=False)
    date = ClearDateField("Order date", default=_today, validators=[InputRequired("Enter the order date.")])
    delivery_date = ClearDateField("Delivery date", validators=[Optional()])
    lines = FieldList(FormField(OrderLineForm), min_entries=1, max_entries=MAX_LINES)

    offer_choices = InvoiceForm.offer_choices

    def typed_lines(self, strict: bool) -> list[purchase_orders.OrderLineInput]:
        """The non-blank lines; `strict` refuses unreadable numbers, else counts them as zero."""
        lines = []
        for i, entry in enumerate(self.lines):
            line = entry.form
            if not any(line[name].data for name in ORDER_LINES.typed):
                continue
            numbers = []
            for name in ("quantity", "unit_price"):
                try:
                    numbers.append(parse_money(line[name].data, f"lines-{i}-{name}"))
                except LedgerError:
                    if strict:
                        raise
                    numbers.append(ZERO)
            lines.append(purchase_orders.OrderLineInput(
                line.description.data or "", *numbers, valid_id(line.account.data),
                bool(line.gst_free.data)))
        return lines

    def details(self) -> purchase_orders.OrderDetails:
        return purchase_orders.OrderDetails(valid_id(self.supplier_id.data), self.date.data,
                                            self.delivery_date.data, self.typed_lines(strict=True))


def _order_form(formdata=None, rows=None, obj=None) -> OrderForm:
    if formdata is not None:
        form = OrderForm(formdata=ORDER_LINES.formdata(formdata, rows))
    elif obj is not None:
        form = OrderForm(formdata=None, data={
            "supplier_id": str(obj.supplier_id), "date": obj.date, "delivery_date": obj.delivery_date,
            "lines": [{"description": x.description, "quantity": f"{x.quantity.normalize():f}",
                       "unit_price": f"{x.unit_price:.2f}", "account": str(x.account_id),
                       "gst_free": x.tax == TaxCode.GST_FREE} for x in obj.lines]})
    else:
        form = OrderForm(formdata=None)
    form.offer_choices()
    return form


def _render_order_form(form, order=None, status=200, block=None, focus_line=None):
    totals = purchase_orders.order_totals(form.typed_lines(strict=False), get_practice(db.session).gst_rate)
    return render("suppliers/order_form.html", block=block, status=status, form=form, order=order,
                  totals=totals, focus_line=focus_line)


ORDERS = _Saving(purchase_orders.create_order, purchase_orders.update_order,
                 "Purchase order {0.number} saved.", "suppliers.show_order", "order_id", _render_order_form)


@bp.route("/orders")
def list_orders_page():
    """Purchase orders, newest first."""
    page, per_page = page_number(), current_app.config["PAGE_SIZE"]
    orders, total = purchase_orders.list_orders(db.session, page=page, per_page=per_page)
    return render("suppliers/orders.html", block="results", orders=orders, total=total, page=page,
                  per_page=per_page)


@bp.route("/orders/new", methods=["GET", "POST"])
def new_order():
    """Raise a purchase order (posts nothing)."""
    if request.method == "GET":
        return _render_order_form(_order_form())
    return _save(_order_form(request.form), ORDERS)


@bp.route("/orders/<int:order_id>/edit", methods=["GET", "POST"])
def edit_order(order_id):
    """Change a draft purchase order."""
    order = purchase_orders.get_order(db.session, order_id)
    if not order.is_draft():
        flash(f"{order.number} has been sent: only a draft order can be edited.", "error")
        return redirect(url_for("suppliers.show_order", order_id=order.id), 303)
    if request.method == "GET":
        return _render_order_form(_order_form(obj=order), order)
    return _save(_order_form(request.form), ORDERS, order)


ORDER_LINES.add_routes(bp, "/orders", "order_lines", "order_totals_fragment",
                       form=lambda formdata, rows: _order_form(formdata, rows), show=_render_order_form)


@bp.route("/orders/<int:order_id>")
def show_order(order_id):
    """A purchase order and what can be done with it."""
    return render("suppliers/order.html", order=purchase_orders.get_order(db.session, order_id),
                  action_form=ActionForm())


@bp.route("/orders/<int:order_id>/send", methods=["POST"])
def send_order(order_id):
    """Mark a draft order as sent."""
    order = purchase_orders.get_order(db.session, order_id)
    form = ActionForm()
    if form.validate_on_submit():
        with committing(form) as saved:
            purchase_orders.mark_order_sent(db.session, current_user, order)
        if saved.ok:
            flash(f"{order.number} marked sent.", "success")
            return redirect(url_for("suppliers.show_order", order_id=order.id), 303)
    flash(" ".join(form.form_errors) or "The form expired: try again.", "error")
    return render("suppliers/order.html", order=purchase_orders.get_order(db.session, order_id),
                  action_form=form, status=INVALID)


@bp.route("/orders/<int:order_id>/print")
def print_order(order_id):
    """The order laid out for printing (or saving as PDF) to send to the supplier."""
    return render("suppliers/order_print.html", order=purchase_orders.get_order(db.session, order_id),
                  practice=get_practice(db.session))
