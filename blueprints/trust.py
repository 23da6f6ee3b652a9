"""Trust desk: trust accounts and their three-way position, receipts (with a printable receipt),
payments, matter-to-matter trust journals and reversals. Every movement goes through
accounting/trust/posting.py; these views only parse forms and show the books' refusals beside the fields."""

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.routing import BuildError
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length

from accounting.errors import LedgerError, NotFound
from accounting.ledger.practice import get_practice
from accounting.lookup import valid_id
from accounting.parties.clients import Matter, MatterStatus, search_matters
from accounting.trust.accounts import (
    account_history,
    close_trust_account,
    create_trust_account,
    reopen_trust_account,
    trust_accounts,
)
from accounting.trust.ledger import (
    PaymentMethod,
    TrustAccountKind,
    TrustKind,
    get_trust_account,
    get_trust_transaction,
    list_trust_transactions,
    matter_balance,
    matter_trust_balances,
    trust_position,
)
from accounting.trust.posting import (
    record_payment,
    record_receipt,
    record_trust_journal,
    reverse_trust_transaction,
)
from accounting.trust.words import amount_in_words
from blueprints.pages import admin_required, committing, page_number, render
from extensions import db

bp = Blueprint("trust", __name__, url_prefix="/trust")

MATTER_CHOICES = 200  # the newest open matters offered in a select; the search box finds the rest


def _text(label, limit, required=None, default=None):
    validators = [Length(max=limit, message=f"Keep it under {limit} characters.")]
    if required:
        validators.insert(0, InputRequired(required))
    return StringField(label, validators=validators, default=default)


class _MoneyForm(FlaskForm):
    trust_account = SelectField("Trust account", choices=[], validate_choice=False)
    date = DateField("Date", validators=[InputRequired("Enter the date.")], default=date.today)
    amount = StringField("Amount", validators=[InputRequired("Enter the amount.")])


class ReceiptForm(_MoneyForm):
    matter = SelectField("Matter", choices=[], validate_choice=False)
    party = _text("Received from", 200)
    method = SelectField("Method", choices=[SelectChoice(m.value, m.label) for m in PaymentMethod],
                         default=PaymentMethod.EFT.value, validate_choice=False)
    description = _text("Description", 300)
    reference = _text("Reference", 100)


class PaymentForm(_MoneyForm):
    matter = SelectField("Matter", choices=[], validate_choice=False)
    party = _text("Paid to", 200)
    method = SelectField("Method", choices=[SelectChoice(m.value, m.label) for m in PaymentMethod],
                         default=PaymentMethod.EFT.value, validate_choice=False)
    authority = _text("Authority reference", 200)
    description = _text("Description", 300)
    reference = _text("Reference", 100)


class JournalForm(_MoneyForm):
    from_matter = SelectField("From matter", choices=[], validate_choice=False)
    to_matter = SelectField("To matter", choices=[], validate_choice=False)
    authority = _text("Authority reference", 200)
    description = _text("Description", 300)


class ReverseForm(FlaskForm):
    date = DateField("Reversal date", validators=[InputRequired("Enter the reversal's date.")],
                     default=date.today)
    reason = _text("Reason", 300, required="Give the reason for the reversal.")


class ReopenForm(FlaskForm):
    reason = _text("Reason for reopening", 300, required="Give the reason for reopening the account.")


class AccountForm(FlaskForm):
    kind = SelectField("Kind", choices=[SelectChoice(k.value, k.label) for k in TrustAccountKind],
                       validate_choice=False)
    code = _text("Code", 10, required="Enter the account's code in the chart, e.g. 1-1110.")
    name = _text("Name", 150, required="Enter the account's name.")
    matter = SelectField("Matter (controlled money only)", choices=[], validate_choice=False)
    bank_name = _text("Bank", 100)
    bsb = _text("BSB", 7)
    account_number = _text("Account number", 20)


# ---- Choices -----------------------------------------------------------------------------------


def matter_option(matter: Matter) -> str:
    return f"{matter.number} — {matter.client.name} — {matter.description}"


def _open_matters(query: str = "") -> list[Matter]:
    rows, _ = search_matters(db.session, query, status=MatterStatus.OPEN, per_page=MATTER_CHOICES)
    return list(rows)


def _matter_choices(selected=(), query: str = "") -> list[SelectChoice]:
    """The open matters as choices; a chosen matter stays offered even when not among them."""
    matters = _open_matters(query)
    shown = {m.id for m in matters}
    for value in selected:
        matter = _chosen_matter(value)
        if matter is not None and matter.id not in shown:
            matters.insert(0, matter)
            shown.add(matter.id)
    return [SelectChoice("", "Choose a matter…")] + [
        SelectChoice(str(m.id), matter_option(m)) for m in matters]


def _account_choices() -> list[SelectChoice]:
    return [SelectChoice(str(a.id), f"{a.label} ({a.kind.label.lower()})")
            for a in trust_accounts(db.session)]


def _prepare(form: _MoneyForm, matter_fields: tuple[str, ...]) -> _MoneyForm:
    """Fill the selects; a new form starts from ?trust_account= and ?matter_id= when given."""
    form.trust_account.choices = _account_choices()
    if request.method == "GET" and not request.form:
        form.trust_account.data = request.args.get("trust_account") or (
            form.trust_account.choices[0].value if form.trust_account.choices else "")
        if matter_fields[0] == "matter" and request.args.get("matter_id", "").isdigit():
            form.matter.data = request.args["matter_id"]
        account = _chosen_account(form.trust_account.data)
        if matter_fields[0] == "matter" and not form.matter.data and account and account.matter_id:
            form.matter.data = str(account.matter_id)  # controlled money has one matter
    selected = [getattr(form, name).data for name in matter_fields]
    choices = _matter_choices(selected)
    for name in matter_fields:
        getattr(form, name).choices = choices
    return form


def _chosen_matter(value) -> Matter | None:
    number = valid_id(value)
    return db.session.get(Matter, number) if number else None


def _chosen_account(value):
    try:
        return get_trust_account(db.session, value, "trust_account")
    except LedgerError:
        return None


def _available(form: _MoneyForm, field: str):
    """The chosen matter's balance in the chosen trust account, or None until both are chosen."""
    account, matter = _chosen_account(form.trust_account.data), _chosen_matter(getattr(form, field).data)
    if account is None or matter is None:
        return None
    return matter_balance(db.session, account, matter.id)


# ---- Trust accounts ----------------------------------------------------------------------------


@bp.route("/")
def index():
    """Every trust account with its three balances and whether they agree; the latest transactions."""
    accounts = trust_accounts(db.session, include_closed=True)
    positions = {a.id: trust_position(db.session, a) for a in accounts}
    shown = next((a for a in accounts if str(a.id) == request.args.get("account")), None)
    kind = next((k for k in TrustKind if k.value == request.args.get("kind")), None)
    args = {k: v for k, v in (("account", shown and shown.id), ("kind", kind and kind.value)) if v}
    page, per_page = page_number(), current_app.config["PAGE_SIZE"]
    transactions, total = list_trust_transactions(db.session, trust_account=shown, kind=kind, page=page,
                                                  per_page=per_page)
    return render("trust/index.html", block="transactions", accounts=accounts, positions=positions,
                  transactions=transactions, total=total, page=page, per_page=per_page, args=args,
                  kinds=list(TrustKind), close_form=FlaskForm())


@bp.route("/accounts/new", methods=["GET", "POST"])
@admin_required
def new_account():
    """Open another general trust account, or a controlled money account for one matter."""
    form = AccountForm()
    form.matter.choices = _matter_choices([form.matter.data])
    if not form.validate_on_submit():
        return render("trust/account_form.html", form=form, status=400 if request.method == "POST" else 200)
    with committing(form) as saved:
        account = create_trust_account(
            db.session, current_user, code=form.code.data, name=form.name.data, kind=form.kind.data,
            matter_id=form.matter.data or None, bank_name=form.bank_name.data or "",
            bsb=form.bsb.data or "", account_number=form.account_number.data or "")
    if not saved.ok:
        return render("trust/account_form.html", form=form, status=422)
    flash(f"{account.kind.label} account {account.label} opened.", "success")
    return redirect(url_for("trust.index"), 303)


@bp.route("/accounts/<int:account_id>/close", methods=["POST"])
@admin_required
def close_account(account_id):
    """Close a trust account that holds nothing; a refusal says what it still holds."""
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    with committing(form) as saved:
        account = close_trust_account(db.session, current_user, account_id)
    if saved.ok:
        flash(f"{account.label} closed.", "success")
    else:
        flash(saved.error.message, "error")
    return redirect(url_for("trust.index"), 303)


def _render_account(account, form=None, status=200):
    return render("trust/account.html", status=status, account=account,
                  position=trust_position(db.session, account), history=account_history(db.session, account),
                  form=form or ReopenForm())


@bp.route("/accounts/<int:account_id>")
def show_account(account_id):
    """A trust account: its bank details, three balances and history (opened, closed, reopened)."""
    try:
        account = get_trust_account(db.session, account_id)
    except NotFound:
        abort(404)
    return _render_account(account)


@bp.route("/accounts/<int:account_id>/reopen", methods=["POST"])
@admin_required
def reopen_account(account_id):
    """Reopen a closed trust account, giving the reason its history keeps."""
    try:
        account = get_trust_account(db.session, account_id)
    except NotFound:
        abort(404)
    form = ReopenForm()
    if not form.validate_on_submit():
        return _render_account(account, form, 400)
    with committing(form) as saved:
        reopen_trust_account(db.session, current_user, account.id, form.reason.data)
    if not saved.ok:
        return _render_account(account, form, 422)
    flash(f"{account.label} reopened.", "success")
    return redirect(url_for("trust.show_account", account_id=account.id), 303)


# ---- Receipts, payments, journals --------------------------------------------------------------


@bp.route("/matters/options")
def matter_options():
    """The open matters matching ?q= as <option>s for a matter select (the chosen one kept)."""
    selected = next((request.args[name] for name in ("selected", "matter", "from_matter", "to_matter")
                     if request.args.get(name)), "")
    return render("trust/_matter_options.html", selected=selected,
                  choices=_matter_choices([selected], request.args.get("q", "")[:100]))


def _render_receipt(form, status=200, block=None):
    return render("trust/receipt_form.html", block=block, status=status, form=form)


@bp.route("/receipts/new", methods=["GET", "POST"])
def new_receipt():
    """Record money received into trust for a matter; then show its printable receipt."""
    form = _prepare(ReceiptForm(), ("matter",))
    if request.method == "GET" and form.matter.data and not form.party.data:
        _prefill_payer(form)
    if not form.validate_on_submit():
        return _render_receipt(form, 400 if request.method == "POST" else 200)
    with committing(form) as saved:
        receipt = record_receipt(
            db.session, current_user, trust_account_id=form.trust_account.data, matter_id=form.matter.data,
            date=form.date.data, amount=form.amount.data, payer=form.party.data or "",
            method=form.method.data, description=form.description.data or "",
            reference=form.reference.data or "")
    if not saved.ok:
        return _render_receipt(form, 422)
    flash(f"Receipt {receipt.number} recorded.", "success")
    return redirect(url_for("trust.show_transaction", transaction_id=receipt.id), 303)


def _prefill_payer(form: ReceiptForm) -> None:
    """The payer starts as the matter's client, unless the person typed someone else."""
    matter = _chosen_matter(form.matter.data)
    typed, suggested = (form.party.data or "").strip(), request.form.get("payer_suggested", "")
    if matter is not None and (not typed or typed == suggested):
        form.party.data = matter.client.name


@bp.route("/receipts/new/payer", methods=["POST"])
def receipt_payer():
    """The payer field again, prefilled with the chosen matter's client."""
    form = _prepare(ReceiptForm(formdata=request.form, meta={"csrf": False}), ("matter",))
    _prefill_payer(form)
    return _render_receipt(form, block="payer")


def _render_payment(form, status=200, block=None):
    return render("trust/payment_form.html", block=block, status=status, form=form,
                  available=_available(form, "matter"))


@bp.route("/payments/new", methods=["GET", "POST"])
def new_payment():
    """Pay money out of a matter's trust money, with the client's authority; never an overdraw."""
    form = _prepare(PaymentForm(), ("matter",))
    if not form.validate_on_submit():
        return _render_payment(form, 400 if request.method == "POST" else 200)
    with committing(form) as saved:
        payment = record_payment(
            db.session, current_user, trust_account_id=form.trust_account.data, matter_id=form.matter.data,
            date=form.date.data, amount=form.amount.data, payee=form.party.data or "",
            method=form.method.data, authority=form.authority.data or "",
            description=form.description.data or "", reference=form.reference.data or "")
    if not saved.ok:
        return _render_payment(form, 422)
    flash(f"Payment {payment.number} recorded.", "success")
    return redirect(url_for("trust.show_transaction", transaction_id=payment.id), 303)


@bp.route("/payments/new/available", methods=["POST"])
def payment_available():
    """The chosen matter's available trust balance."""
    form = _prepare(PaymentForm(formdata=request.form, meta={"csrf": False}), ("matter",))
    return _render_payment(form, block="available")


def _render_journal(form, status=200, block=None):
    return render("trust/journal_form.html", block=block, status=status, form=form,
                  from_balance=_available(form, "from_matter"), to_balance=_available(form, "to_matter"))


@bp.route("/journals/new", methods=["GET", "POST"])
def new_journal():
    """Move trust money from one matter to another, with the authority."""
    form = _prepare(JournalForm(), ("from_matter", "to_matter"))
    if not form.validate_on_submit():
        return _render_journal(form, 400 if request.method == "POST" else 200)
    with committing(form) as saved:
        journal = record_trust_journal(
            db.session, current_user, trust_account_id=form.trust_account.data,
            from_matter_id=form.from_matter.data, to_matter_id=form.to_matter.data, date=form.date.data,
            amount=form.amount.data, authority=form.authority.data or "",
            description=form.description.data or "")
    if not saved.ok:
        return _render_journal(form, 422)
    flash(f"Trust journal {journal.number} recorded.", "success")
    return redirect(url_for("trust.show_transaction", transaction_id=journal.id), 303)


@bp.route("/journals/new/balances", methods=["POST"])
def journal_balances():
    """Both matters' balances in the chosen trust account."""
    form = _prepare(JournalForm(formdata=request.form, meta={"csrf": False}), ("from_matter", "to_matter"))
    return _render_journal(form, block="balances")


# ---- One transaction ---------------------------------------------------------------------------


def _transaction_or_404(transaction_id):
    try:
        return get_trust_transaction(db.session, transaction_id)
    except NotFound:
        abort(404)


# Transfers to office, interest and statutory movements are reversed on their own pages, which also
# undo what went with them (the bill payment, the interest payout).
DESK_KINDS = (TrustKind.RECEIPT, TrustKind.PAYMENT, TrustKind.JOURNAL, TrustKind.REVERSAL)


def _render_transaction(transaction, form, status=200):
    elsewhere = None if transaction.kind in DESK_KINDS else (
        trust_link("trust_transfers.show_transfer", transaction_id=transaction.id) or "")
    return render("trust/transaction.html", status=status, transaction=transaction, form=form,
                  elsewhere=elsewhere)


@bp.route("/transactions/<int:transaction_id>")
def show_transaction(transaction_id):
    """A trust transaction: details, the matters' ledger entries, its journal and the reverse form."""
    return _render_transaction(_transaction_or_404(transaction_id), ReverseForm())


@bp.route("/transactions/<int:transaction_id>/receipt")
def print_receipt(transaction_id):
    """The printable receipt auditors ask for (receipts only)."""
    transaction = _transaction_or_404(transaction_id)
    if transaction.kind is not TrustKind.RECEIPT:
        abort(404)
    return render("trust/receipt.html", receipt=transaction, practice=get_practice(db.session),
                  in_words=amount_in_words(transaction.amount))


@bp.route("/transactions/<int:transaction_id>/reverse", methods=["POST"])
def reverse_transaction(transaction_id):
    """Correct a trust transaction by reversing it, dated when made, with a reason."""
    transaction = _transaction_or_404(transaction_id)
    form = ReverseForm()
    status = 400
    if transaction.kind not in DESK_KINDS:
        form.form_errors.append(f"Reverse {transaction.number} from its transfer page: that also undoes "
                                "what went with it.")
        status = 422
    elif form.validate_on_submit():
        with committing(form) as saved:
            reversal = reverse_trust_transaction(db.session, current_user, transaction.id,
                                                 date=form.date.data, reason=form.reason.data)
        if saved.ok:
            flash(f"{transaction.number} reversed by {reversal.number}.", "success")
            return redirect(url_for("trust.show_transaction", transaction_id=transaction.id), 303)
        status = 422
    return _render_transaction(transaction, form, status)


# ---- On other pages ----------------------------------------------------------------------------


@bp.app_template_global()
def trust_balances_of(matter: Matter) -> list:
    """[(trust account, balance)] for the matter page's trust summary."""
    return matter_trust_balances(db.session, matter.id)



@bp.app_template_global()
def trust_link(endpoint: str, **values) -> str | None:
    """The URL of `endpoint`, or None while it does not exist (or takes other arguments)."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None
