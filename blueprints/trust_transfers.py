"""Trust to office transfers paying clients' bills (one bill or a batch), interest on trust accounts,
statutory deposits, controlled money accounts and the practice's trust settings."""

from contextlib import suppress
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length

from accounting.errors import LedgerError, NotFound
from accounting.ledger.accounts import office_bank_accounts
from accounting.lookup import valid_id
from accounting.money import parse_money
from accounting.office import billing
from accounting.trust import transfers as books
from accounting.trust.accounts import controlled_accounts, get_controlled_account, trust_accounts
from accounting.trust.interest import (
    InterestShare,
    interest_history,
    interest_income_accounts,
    proportional_shares,
    record_interest,
)
from accounting.trust.ledger import (
    TrustAccountKind,
    get_trust_account,
    get_trust_transaction,
    matter_balances,
    statutory_deposit_balance,
)
from accounting.trust.reports import account_ledger
from accounting.trust.settings import (
    InterestDestination,
    Jurisdiction,
    get_trust_settings,
    save_trust_settings,
)
from accounting.trust.statutory import lodge_statutory_deposit, statutory_ledger, withdraw_statutory_deposit
from blueprints.pages import admin_required, committing, render
from extensions import db

bp = Blueprint("trust_transfers", __name__, url_prefix="/trust/transfers")

MAX_ROWS = 200


def _today_field(label: str = "Date") -> DateField:
    return DateField(label, validators=[InputRequired("Enter the date.")], default=date.today)


def _text_field(label: str, limit: int, required: str | None = None) -> StringField:
    checks = [Length(max=limit, message=f"Keep it under {limit} characters.")]
    return StringField(label, validators=[InputRequired(required), *checks] if required else checks)


class AccountChoices:
    """Trust account and office bank choices every transfer form offers."""

    def offer_accounts(self, *, general_only: bool = False) -> None:
        accounts = [a for a in trust_accounts(db.session)
                    if not general_only or a.kind is TrustAccountKind.GENERAL]
        self.trust_account.choices = [SelectChoice(str(a.id), f"{a.label} ({a.kind.label})")
                                      for a in accounts]
        if not self.trust_account.data and accounts:
            self.trust_account.data = str(accounts[0].id)
        if hasattr(self, "office_bank_account"):
            self.office_bank_account.choices = [SelectChoice(str(a.id), a.label)
                                                for a in office_bank_accounts(db.session)]


class BatchRow(Form):
    bill = HiddenField()
    matter = HiddenField()
    amount = StringField("Amount to transfer")


class BatchForm(AccountChoices, FlaskForm):
    trust_account = SelectField("Trust account", choices=[], validate_choice=False)
    date = _today_field()
    authority = _text_field("Client's authority", 200, "Enter the client's authority for the transfer.")
    office_bank_account = SelectField("Into office bank account", choices=[], validate_choice=False)
    rows = FieldList(FormField(BatchRow), max_entries=MAX_ROWS)


class TransferForm(AccountChoices, FlaskForm):
    trust_account = SelectField("Trust account", choices=[], validate_choice=False)
    matter = SelectField("Matter", choices=[], validate_choice=False)
    bill = SelectField("Bill", choices=[], validate_choice=False)
    amount = StringField("Amount")
    date = _today_field()
    authority = _text_field("Client's authority", 200, "Enter the client's authority for the transfer.")
    office_bank_account = SelectField("Into office bank account", choices=[], validate_choice=False)
    description = _text_field("Description", 300)

    def offer_choices(self) -> None:
        self.offer_accounts()
        account = _chosen_account(self.trust_account.data)
        held = matter_balances(db.session, account) if account else {}
        matters = [m for m in billing.open_matters(db.session) if held.get(m.id, 0) > 0]
        self.matter.choices = [SelectChoice("", "Choose a matter…")] + [
            SelectChoice(str(m.id), f"{m.number} {m.client.name} — {held[m.id]:,.2f} in trust")
            for m in matters]
        matter_id = valid_id(self.matter.data)
        bills = books.bills_owing(db.session, matter_id) if matter_id else []
        self.bill.choices = [SelectChoice("", "Choose a bill…")] + [
            SelectChoice(str(b.id), f"{b.number} of {b.date:%d %b %Y} — {b.owed:,.2f} owing")
            for b in bills]


class ReverseForm(FlaskForm):
    date = _today_field("Date of the reversal")
    reason = _text_field("Reason", 200, "Say why it is reversed.")


class InterestForm(AccountChoices, FlaskForm):
    trust_account = SelectField("Trust account", choices=[], validate_choice=False)
    date = _today_field("Date credited by the bank")
    amount = StringField("Interest")
    destination = SelectField("Where it goes", choices=[SelectChoice(d.value, d.label)
                                                        for d in InterestDestination])
    income_account = SelectField("Income account (to the practice)", choices=[], validate_choice=False)
    office_bank_account = SelectField("Office bank account (to the practice)", choices=[],
                                      validate_choice=False)
    reference = _text_field("Bank reference", 100)

    def offer_choices(self) -> None:
        self.offer_accounts()
        self.income_account.choices = [SelectChoice(str(a.id), a.label)
                                       for a in interest_income_accounts(db.session)]


class StatutoryForm(AccountChoices, FlaskForm):
    trust_account = SelectField("Trust account", choices=[], validate_choice=False)
    movement = SelectField("Movement", choices=[SelectChoice("deposit", "Lodge a deposit"),
                                                SelectChoice("withdrawal", "Withdraw from the deposit")])
    date = _today_field()
    amount = StringField("Amount")
    reference = _text_field("Reference", 100)


class SettingsForm(FlaskForm):
    jurisdiction = SelectField("State or territory", choices=[SelectChoice(j.value, j.label)
                                                              for j in Jurisdiction])
    interest_destination = SelectField("Trust interest goes", choices=[
        SelectChoice(d.value, d.label) for d in InterestDestination])
    statutory_authority = _text_field("Statutory authority (blank: the usual body)", 150)


def _chosen_account(value):
    try:
        return get_trust_account(db.session, value) if value else None
    except NotFound:
        return None


def _endpoint(name: str) -> bool:
    return name in current_app.view_functions


# ---- Transfer to office --------------------------------------------------------------------------


@bp.route("/")
def index():
    """Matters with trust money and posted bills owing: pay them from trust in one batch."""
    form = BatchForm(formdata=None)
    form.offer_accounts()
    form.trust_account.data = request.args.get("account") or form.trust_account.data
    account = _chosen_account(form.trust_account.data)
    candidates = books.transfer_candidates(db.session, account) if account else []
    rows = [(candidate, bill, suggested) for candidate in candidates for bill, suggested in candidate.bills]
    for candidate, bill, suggested in rows[:MAX_ROWS]:  # by matter number; the rest after these are paid
        form.rows.append_entry({"bill": str(bill.id), "matter": str(candidate.matter.id),
                                "amount": f"{suggested:.2f}"})
    return _render_index(form, account)


def _render_index(form, account, status=200):
    bills = {}
    for row in form.rows:
        bill_id = valid_id(row.form.bill.data)
        if bill_id:
            with suppress(NotFound):
                bills[bill_id] = billing.get_bill(db.session, bill_id)
    held = matter_balances(db.session, account) if account else {}
    return render("trust_transfers/index.html", status=status, form=form, account=account, bills=bills,
                  held=held, recent=books.recent_transfers(db.session))


@bp.route("/batch", methods=["POST"])
def batch():
    """Transfer trust to office for every row with an amount: all of them, or none."""
    form = BatchForm()
    form.offer_accounts()
    account = _chosen_account(form.trust_account.data)
    if not form.validate_on_submit():
        return _render_index(form, account, status=400)
    lines = [books.TransferLine(valid_id(row.form.bill.data) or 0, row.form.amount.data, row.form.amount.name,
                                valid_id(row.form.matter.data)) for row in form.rows]
    with committing(form) as saved:
        done = books.transfer_to_office(
            db.session, current_user, trust_account_id=form.trust_account.data, date=form.date.data,
            authority=form.authority.data, lines=lines, office_bank_account_id=form.office_bank_account.data,
            skip_empty=True)
    if saved.ok:
        flash(f"{len(done)} transfer{'s' if len(done) != 1 else ''} to office recorded: "
              + ", ".join(_paid(t) for t in done)
              + ".", "success")
        return redirect(url_for("trust_transfers.index", account=form.trust_account.data), 303)
    return _render_index(form, account, status=422)


def _paid(transfer) -> str:
    bill = billing.get_bill(db.session, transfer.bill_id)
    now = bill.display_status.replace("_", " ")
    return f"{transfer.number} paid {transfer.amount:,.2f} of {bill.number} from trust (now {now})"


@bp.route("/new", methods=["GET", "POST"])
def new_transfer():
    """Transfer trust to office to pay one bill (the bill list follows the matter, by htmx)."""
    form = TransferForm(formdata=request.form if request.method == "POST" else request.args)
    if request.method == "GET" and valid_id(form.bill.data) and not form.matter.data:
        with suppress(NotFound):
            form.matter.data = str(billing.get_bill(db.session, valid_id(form.bill.data)).matter_id)
    form.offer_choices()
    if request.method == "GET":
        if form.bill.data not in {choice.value for choice in form.bill.choices}:
            form.bill.data = ""
        if not form.bill.data and len(form.bill.choices) == 2:
            form.bill.data = form.bill.choices[1].value
        bill_id = valid_id(form.bill.data)
        if bill_id and not form.amount.data:
            form.amount.data = _suggest(form, bill_id)
        return render("trust_transfers/new.html", block="bill_field", form=form)
    if not form.validate_on_submit():
        return render("trust_transfers/new.html", form=form, status=400)
    with committing(form) as saved:
        [transfer] = books.transfer_to_office(
            db.session, current_user, trust_account_id=form.trust_account.data, date=form.date.data,
            authority=form.authority.data, office_bank_account_id=form.office_bank_account.data,
            description=form.description.data or "",
            lines=[books.TransferLine(valid_id(form.bill.data) or 0, form.amount.data, "amount",
                                      valid_id(form.matter.data) or 0, bill_field="bill")])
    if saved.ok:
        flash(f"{_paid(transfer)}.", "success")
        return redirect(url_for("trust_transfers.show_transfer", transaction_id=transfer.id), 303)
    return render("trust_transfers/new.html", form=form, status=422)


def _suggest(form, bill_id: int) -> str:
    account = _chosen_account(form.trust_account.data)
    try:
        bill = billing.get_bill(db.session, bill_id)
    except NotFound:
        return ""
    held = matter_balances(db.session, account).get(bill.matter_id, 0) if account else 0
    return f"{max(min(bill.owed, held), 0):.2f}"


@bp.route("/<int:transaction_id>")
def show_transfer(transaction_id):
    """A transfer out of trust (or interest, or a statutory movement) with what it paid."""
    transaction = get_trust_transaction(db.session, transaction_id)
    return _render_transfer(transaction, ReverseForm(formdata=None))


def _render_transfer(transaction, form, status=200):
    link = books.link_of(db.session, transaction.id)
    payout = books.payout_of(db.session, transaction.id)
    bill = billing.get_bill(db.session, transaction.bill_id) if transaction.bill_id else None
    return render("trust_transfers/show.html", status=status, transaction=transaction, link=link, bill=bill,
                  payout=payout, form=form, can_undo_payments=hasattr(billing, "undo_event"))


@bp.route("/<int:transaction_id>/reverse", methods=["POST"])
def reverse_transfer(transaction_id):
    """Reverse a transfer (and the bill payment or interest payout that went with it)."""
    transaction = get_trust_transaction(db.session, transaction_id)
    form = ReverseForm()
    if not form.validate_on_submit():
        return _render_transfer(transaction, form, status=400)
    with committing(form) as saved:
        reversals = books.reverse_trust_transfer(db.session, current_user, transaction_id,
                                                 date=form.date.data, reason=form.reason.data)
    if saved.ok:
        flash(f"Reversed by {', '.join(r.number for r in reversals)}.", "success")
        return redirect(url_for("trust_transfers.show_transfer", transaction_id=transaction_id), 303)
    return _render_transfer(get_trust_transaction(db.session, transaction_id), form, status=422)


# ---- Interest ------------------------------------------------------------------------------------


@bp.route("/interest", methods=["GET", "POST"])
def interest():
    """Record interest credited to a trust account and send it where the practice's settings say."""
    settings = get_trust_settings(db.session)
    form = InterestForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.destination.data = settings.interest_destination.value
        form.trust_account.data = request.args.get("account")
    form.offer_choices()
    account = _chosen_account(form.trust_account.data)
    matters = _interest_matters(account)
    shares = {m.id: request.form.get(f"share-{m.id}", "") for m, _ in matters}
    if request.method == "POST" and request.form.get("action") == "share":
        return _share_by_balance(form, account, matters, shares, settings)
    if request.method == "POST":
        if not form.validate_on_submit():
            return _render_interest(form, account, matters, shares, settings, status=400)
        with committing(form) as saved:
            done = record_interest(
                db.session, current_user, trust_account_id=form.trust_account.data, date=form.date.data,
                amount=form.amount.data, destination=form.destination.data,
                shares=[InterestShare(m.id, shares[m.id], f"share-{m.id}") for m, _ in matters],
                income_account_id=form.income_account.data,
                office_bank_account_id=form.office_bank_account.data,
                reference=form.reference.data or "")
        if saved.ok:
            flash("Interest recorded: " + ", ".join(t.number for t in done) + ".", "success")
            return redirect(url_for("trust_transfers.interest", account=form.trust_account.data), 303)
        return _render_interest(form, account, matters, shares, settings, status=422,
                                share_error=saved.error)
    return _render_interest(form, account, matters, shares, settings)


def _share_by_balance(form, account, matters, shares, settings):
    """Fill the matters' shares in proportion to what each holds; nothing is posted."""
    try:
        amount = parse_money(form.amount.data, "amount")
    except LedgerError as error:
        form.amount.errors = [error.message]
        return _render_interest(form, account, matters, shares, settings, status=400)
    split = proportional_shares({m.id: held for m, held in matters}, amount)
    shares = {m.id: f"{split[m.id]:.2f}" if m.id in split else "" for m, _ in matters}
    return _render_interest(form, account, matters, shares, settings)


def _interest_matters(account):
    if account is None:
        return []
    held = matter_balances(db.session, account)
    matters = [m for m in billing.open_matters(db.session) if m.id in held]
    if account.kind is TrustAccountKind.CONTROLLED:
        matters = [m for m in matters if m.id == account.matter_id] or (
            [account.matter] if account.matter else [])
    return [(m, held.get(m.id, 0)) for m in matters]


def _render_interest(form, account, matters, shares, settings, status=200, share_error=None):
    share_errors = {}
    if share_error is not None and (share_error.field or "").startswith("share-"):
        share_errors[share_error.field] = share_error.message
        form.form_errors.append("Please correct the matters' shares marked below.")
    history = interest_history(db.session, account) if account else []
    return render("trust_transfers/interest.html", status=status, form=form, account=account, matters=matters,
                  shares=shares, share_errors=share_errors, settings=settings, history=history)


# ---- Statutory deposits --------------------------------------------------------------------------


@bp.route("/statutory", methods=["GET", "POST"])
def statutory():
    """The statutory deposit ledger of a general trust account; lodge or withdraw (NSW and VIC)."""
    settings = get_trust_settings(db.session)
    form = StatutoryForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.trust_account.data = request.args.get("account")
    form.offer_accounts(general_only=True)
    account = _chosen_account(form.trust_account.data)
    status = 200
    if request.method == "POST":
        if not settings.jurisdiction.requires_statutory_deposit:
            abort(404)
        if form.validate_on_submit():
            post = (lodge_statutory_deposit if form.movement.data == "deposit"
                    else withdraw_statutory_deposit)
            with committing(form) as saved:
                done = post(db.session, current_user, trust_account_id=form.trust_account.data,
                            date=form.date.data, amount=form.amount.data, reference=form.reference.data or "")
            if saved.ok:
                flash(f"{done.title} recorded.", "success")
                return redirect(url_for("trust_transfers.statutory", account=form.trust_account.data), 303)
            status = 422
        else:
            status = 400
        account = _chosen_account(form.trust_account.data)
        # A refusal rolled back the request's work, the settings row first made by it included.
        settings = get_trust_settings(db.session)
    ledger = statutory_ledger(db.session, account) if account else []
    held = statutory_deposit_balance(db.session, account) if account else 0
    return render("trust_transfers/statutory.html", status=status, form=form, account=account, ledger=ledger,
                  held=held, settings=settings)


# ---- Controlled money ----------------------------------------------------------------------------


@bp.route("/controlled")
def controlled():
    """Controlled money accounts: one client's money each, with its matter and balance."""
    return render("trust_transfers/controlled.html", accounts=controlled_accounts(db.session),
                  desk=_desk_links())


@bp.route("/controlled/<int:trust_account_id>")
def controlled_ledger(trust_account_id):
    """One controlled money account's own ledger, with links to the trust desk's forms."""
    account = get_controlled_account(db.session, trust_account_id)
    return render("trust_transfers/controlled_ledger.html", account=account,
                  ledger=account_ledger(db.session, account), desk=_desk_links())


def _desk_links() -> dict[str, str]:
    """The trust desk's forms that exist: {label: endpoint}."""
    wanted = {"Receipt": "trust.new_receipt", "Payment": "trust.new_payment"}
    return {label: endpoint for label, endpoint in wanted.items() if _endpoint(endpoint)}


# ---- Settings ------------------------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def settings():
    """The practice's trust settings: jurisdiction, where interest goes, the statutory authority."""
    current = get_trust_settings(db.session)
    form = SettingsForm(formdata=request.form if request.method == "POST" else None, obj=None)
    if request.method == "GET":
        form.jurisdiction.data = current.jurisdiction.value
        form.interest_destination.data = current.interest_destination.value
        form.statutory_authority.data = current.statutory_authority
        db.session.commit()  # the settings row, created with its defaults the first time
        return render("trust_transfers/settings.html", form=form, current=current)
    if not form.validate_on_submit():
        return render("trust_transfers/settings.html", form=form, current=current, status=400)
    with committing(form) as saved:
        save_trust_settings(db.session, current_user, jurisdiction=form.jurisdiction.data,
                                  interest_destination=form.interest_destination.data,
                                  statutory_authority=form.statutory_authority.data or "")
    if saved.ok:
        flash("Trust settings saved.", "success")
        return redirect(url_for("trust_transfers.settings"), 303)
    return render("trust_transfers/settings.html", form=form, current=current, status=422)
