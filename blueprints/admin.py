"""Admin area: users, practice settings and the chart of accounts. Admins only; staff get 403.

Views parse the form, call one function of accounting/, commit at the request boundary and
redirect (303) with a flash. The rules themselves live in accounting/parties/users.py, practice.py and
accounts.py; a refusal from them comes back as a LedgerError shown beside its field.
"""

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from accounting.errors import LedgerError
from accounting.ledger import accounts, practice
from accounting.ledger.accounts import AccountClass, AccountType
from accounting.parties import users
from accounting.parties.users import Role
from blueprints.pages import admin_required, committing, render, show_error
from extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")

TOO_LONG = "Use at most %(max)d characters."
ROLE_CHOICES = [SelectChoice(r.value, r.label) for r in Role]


def _text(label: str, max_length: int, required: str | None = None, field=StringField):
    checks = [DataRequired(required)] if required else [Optional()]
    return field(label, validators=[*checks, Length(max=max_length, message=TOO_LONG)])


def _invoice_text(label: str, column: str, rule=None, field=StringField, max_length=None):
    """An optional text field of a Practice column: its length limit, and the books' `rule`
    (which raises LedgerError) run as a validator."""
    limit = max_length or practice.Practice.__table__.c[column].type.length
    checks = [Optional(), Length(max=limit, message=TOO_LONG)]
    if rule is not None:
        checks.append(_books_rule(rule))
    return field(label, validators=checks)


def _books_rule(rule):
    def check(_form, field):
        try:
            rule(field.data)
        except LedgerError as refused:
            raise ValidationError(refused.message) from None
    return check


# ---- forms: parsing only; the rules are in accounting/ ----

class NewUserForm(FlaskForm):
    name = _text("Name", users.MAX_NAME, "Enter the person's name.")
    email = _text("Email", users.MAX_EMAIL, "Enter their email address.")
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.STAFF.value)
    password = PasswordField("Initial password", validators=[
        DataRequired("Choose an initial password."),
        Length(max=users.MAX_PASSWORD_LENGTH, message=TOO_LONG),
    ])


class EditUserForm(FlaskForm):
    name = _text("Name", users.MAX_NAME, "Enter the person's name.")
    role = SelectField("Role", choices=ROLE_CHOICES)
    active = BooleanField("Active (may sign in)")


class PasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[
        DataRequired("Choose a new password."),
        Length(max=users.MAX_PASSWORD_LENGTH, message=TOO_LONG),
    ])


class PracticeForm(FlaskForm):
    name = _text("Practice name", practice.MAX_NAME, "Enter the practice's name.")
    base_currency = SelectField("Base currency", choices=[SelectChoice(c) for c in practice.CURRENCIES])
    basis = SelectField("Accounting basis",
                        choices=[SelectChoice(b.value, b.label) for b in practice.Basis])
    gst_registered = BooleanField("Registered for GST")
    gst_rate = StringField("GST rate (%)", validators=[
        InputRequired("Enter the GST rate as a percentage, e.g. 10."), Length(max=12, message=TOO_LONG),
    ])
    fy_start_month = SelectField(
        "Financial year starts: month", coerce=int,
        choices=[SelectChoice(number, month) for number, month in enumerate(practice.MONTHS, start=1)],
    )
    fy_start_day = IntegerField("Day", validators=[
        InputRequired("Enter the day of the month."),
        NumberRange(1, 31, "Enter a day from 1 to 31."),
    ])
    lock_date = DateField("Lock date", validators=[Optional()])
    # What a tax invoice shows, and how to pay it: checked by the books' own rules, so that a
    # bad ABN, BSB and email are all reported at once.
    legal_name = _invoice_text("Legal name", "legal_name")
    abn = _invoice_text("ABN", "abn", practice.normalise_abn, max_length=20)
    address = _invoice_text("Address", "address", field=TextAreaField)
    phone = _invoice_text("Phone", "phone")
    email = _invoice_text("Email", "email", practice.normalise_email)
    bank_account_name = _invoice_text("Account name", "bank_account_name")
    bsb = _invoice_text("BSB", "bsb", practice.normalise_bsb, max_length=7)
    bank_account_number = _invoice_text("Account number", "bank_account_number",
                                        practice.normalise_account_number, max_length=20)
    payment_reference = _invoice_text("Reference to quote", "payment_reference")

    def values(self) -> dict:
        settings = {name: self[name].data for name in (
            "name", "base_currency", "basis", "gst_registered", "gst_rate", "fy_start_month",
            "fy_start_day", "lock_date",
        )}
        return {**settings,
                "invoice_details": {name: self[name].data for name in practice.INVOICE_FIELDS}}


# Grouped by class in the order of the chart: Asset, Liability, Equity, Revenue, Expense.
_TYPE_CHOICES = [
    SelectChoice(t.value, t.label, optgroup=cls.value.capitalize())
    for cls in AccountClass for t in AccountType if t.account_class == cls
]


class AccountForm(FlaskForm):
    code = _text("Code", 10, "Enter a code, e.g. 6-2450.")
    name = _text("Name", accounts.MAX_NAME, "Give the account a name.")
    type = SelectField("Type", choices=_TYPE_CHOICES)
    is_bank = BooleanField("Bank account")
    description = _text("Description", accounts.MAX_DESCRIPTION, field=TextAreaField)

    def values(self) -> dict:
        return {"code": self.code.data, "name": self.name.data, "type": self.type.data,
                "is_bank": self.is_bank.data, "description": self.description.data or ""}


def _bad_form_status() -> int:
    return 400 if request.method == "POST" else 200


REFUSED = 422  # the form was fine but the books said no; the reason is on the form


def _saved(message: str, endpoint: str, **values):
    """After the commit: say what was done and redirect (303)."""
    flash(message, "success")
    return redirect(url_for(endpoint, **values), 303)


# ---- admin home ----

@bp.route("/")
@admin_required
def index():
    """Admin home: links to users, practice settings and the chart of accounts."""
    session = db.session
    return render("admin/index.html", users=users.list_users(session),
                  practice=practice.get_practice(session), accounts=accounts.list_accounts(session))


# ---- users ----

@bp.route("/users")
@admin_required
def list_users():
    """Everyone who can sign in, with role and status."""
    return render("admin/users.html", users=users.list_users(db.session))


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def new_user():
    """Add a user with an initial password."""
    form = NewUserForm()
    if not form.validate_on_submit():
        return render("admin/user_new.html", form=form, status=_bad_form_status())
    with committing(form) as saved:
        user = users.create_user(db.session, email=form.email.data, name=form.name.data,
                                 password=form.password.data, role=form.role.data, by=current_user)
    if not saved.ok:
        return render("admin/user_new.html", form=form, status=REFUSED)
    return _saved(f"{user.name} can now sign in as {user.email}.", "admin.list_users")


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    """Change a user's name, role or active flag."""
    user = users.get_user(db.session, user_id)
    form = EditUserForm(obj=user)
    context = {"user": user, "password_form": PasswordForm(formdata=None)}
    if not form.validate_on_submit():
        return render("admin/user_edit.html", form=form, status=_bad_form_status(), **context)
    with committing(form) as saved:
        users.update_user(db.session, user, name=form.name.data, role=form.role.data,
                          active=form.active.data, by=current_user)
    if not saved.ok:
        return render("admin/user_edit.html", form=form, status=REFUSED, **context)
    # An admin who made themselves staff may no longer see the admin pages.
    return _saved(f"{user.name} saved.", "admin.list_users" if current_user.is_admin else "home.dashboard")


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@admin_required
def reset_password(user_id: int):
    """Give a user a new password."""
    user = users.get_user(db.session, user_id)
    password_form = PasswordForm()
    context = {"user": user, "form": EditUserForm(formdata=None, obj=user)}
    if not password_form.validate_on_submit():
        return render("admin/user_edit.html", password_form=password_form, status=400, **context)
    with committing(password_form) as saved:
        users.reset_password(db.session, user, password_form.password.data, by=current_user)
    if not saved.ok:
        return render("admin/user_edit.html", password_form=password_form, status=REFUSED, **context)
    if user.id == current_user.id:
        login_user(user)  # the reset ended every session of theirs; keep this one, under the new one
    return _saved(f"{user.name}'s password was reset. Tell them the new one in person.",
                  "admin.edit_user", user_id=user.id)


# ---- practice settings ----

@bp.route("/practice", methods=["GET", "POST"])
@admin_required
def practice_settings():
    """The practice's name, currency, basis, GST, financial year and lock date."""
    settings = practice.get_practice(db.session)
    form = PracticeForm(obj=settings)
    if not form.validate_on_submit():
        return render("admin/practice.html", form=form, practice=settings, status=_bad_form_status())
    with committing(form) as saved:
        changes = practice.update_practice(db.session, current_user, settings, **form.values())
    if not saved.ok:
        return render("admin/practice.html", form=form, practice=settings, status=REFUSED)
    message = ("Practice settings saved: " + "; ".join(changes) + ".") if changes else (
        "Nothing changed.")
    return _saved(message, "admin.practice_settings")


# ---- chart of accounts ----

@bp.route("/accounts")
@admin_required
def list_accounts():
    """The chart of accounts, grouped by class, in code order."""
    session = db.session
    return render("admin/accounts.html", accounts=accounts.list_accounts(session),
                  missing=accounts.missing_default_accounts(session), classes=list(AccountClass))


@bp.route("/accounts/new", methods=["GET", "POST"])
@admin_required
def new_account():
    """Add an account to the chart."""
    form = AccountForm()
    if not form.validate_on_submit():
        return render("admin/account_form.html", form=form, account=None, status=_bad_form_status())
    with committing(form) as saved:
        account = accounts.create_account(db.session, current_user, **form.values())
    if not saved.ok:
        return render("admin/account_form.html", form=form, account=None, status=REFUSED)
    return _saved(f"Account {account.label} added.", "admin.list_accounts")


@bp.route("/accounts/<int:account_id>", methods=["GET", "POST"])
@admin_required
def edit_account(account_id: int):
    """Change an account; archive, restore or delete it from here."""
    account = accounts.get_account(db.session, account_id)
    form = AccountForm(obj=account)
    if not form.validate_on_submit():
        return render("admin/account_form.html", form=form, status=_bad_form_status(),
                      **_account_context(account))
    with committing(form) as saved:
        accounts.update_account(db.session, current_user, account, **form.values())
    if not saved.ok:
        return render("admin/account_form.html", form=form, status=REFUSED, **_account_context(account))
    return _saved(f"Account {account.label} saved.", "admin.list_accounts")


def _account_context(account) -> dict:
    """The account and the model's answers about it, so the page shows only what may be done."""
    return {"account": account, "delete_blocker": account.delete_blocker(db.session)}


def _account_action(account_id: int, action, done: str):
    """Run archive/restore/delete; a refusal re-shows the account page with the reason."""
    account = accounts.get_account(db.session, account_id)
    label = account.label
    try:
        action(db.session, current_user, account)
    except LedgerError as error:
        # No form was posted, so the reason goes at the top of the page, not beside a field.
        form = AccountForm(formdata=None, obj=account)
        db.session.rollback()
        show_error(form, LedgerError(error.message))
        return render("admin/account_form.html", form=form, status=REFUSED, **_account_context(account))
    db.session.commit()
    return _saved(f"Account {label} {done}.", "admin.list_accounts")


@bp.route("/accounts/<int:account_id>/archive", methods=["POST"])
@admin_required
def archive_account(account_id: int):
    """Archive an account: it keeps its history and takes no new postings."""
    return _account_action(account_id, lambda s, u, a: accounts.set_archived(s, u, a, True),
                           "archived")


@bp.route("/accounts/<int:account_id>/restore", methods=["POST"])
@admin_required
def restore_account(account_id: int):
    """Restore an archived account."""
    return _account_action(account_id, lambda s, u, a: accounts.set_archived(s, u, a, False),
                           "restored")


@bp.route("/accounts/<int:account_id>/delete", methods=["POST"])
@admin_required
def delete_account(account_id: int):
    """Delete an account that has never been posted to."""
    return _account_action(account_id, accounts.delete_account, "deleted")


@bp.route("/accounts/install-defaults", methods=["POST"])
@admin_required
def install_default_chart():
    """Add the default chart's missing accounts."""
    added = accounts.install_default_chart(db.session)
    db.session.commit()
    return _saved(f"{added} account{'' if added == 1 else 's'} of the default chart added.",
                  "admin.list_accounts")
