"""Clients, the people related to them, and their matters.

Form views parse the form, call one function of accounting.parties.clients inside `committing(form)`, and
render or redirect (303).
Lists answer htmx requests with only their `results` block, so active search swaps the table.
"""

from datetime import date
from decimal import Decimal

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from accounting.errors import NotFound
from accounting.lookup import valid_id
from accounting.office.billing import bills_of_matter
from accounting.office.work_in_progress import unbilled_entries
from accounting.parties.clients import (
    ClientDetails,
    ClientKind,
    MatterStatus,
    PersonRole,
    add_person,
    archive_client,
    closing_warnings,
    get_client,
    get_matter,
    get_person,
    open_matter,
    remove_person,
    responsible_users,
    save_client,
    search_clients,
    search_matters,
    update_matter,
)
from blueprints.pages import committing, page_number, render
from extensions import db

bp = Blueprint("clients", __name__)

INVALID = 422
STATUS_FILTERS = [("", "All"), ("open", "Open"), ("closed", "Closed")]  # for the template only


class ClearDateField(DateField):
    """A date field whose complaint about a non-date says what to type."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a real date, such as 2026-07-01.") from None


def _text(label, limit, required=None, **kwargs):
    validators = [DataRequired(required)] if required else [Optional()]
    validators.append(Length(max=limit, message=f"Use at most {limit} characters."))
    return StringField(label, validators=validators, filters=[_strip], **kwargs)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ClientForm(FlaskForm):
    kind = SelectField("Kind", choices=[SelectChoice(k.value, k.label) for k in ClientKind],
                       default=ClientKind.INDIVIDUAL.value)
    name = _text("Name", 200, "Enter the client's name.")
    email = EmailField("Email", validators=[Optional(), Length(max=254, message="Use at most 254 "
                                                                                  "characters.")],
                       filters=[_strip])
    phone = _text("Phone", 40)
    fax = _text("Fax", 40)
    physical_street = _text("Street", 200)
    physical_city = _text("City or suburb", 100)
    physical_state = _text("State", 50)
    physical_postcode = _text("Postcode", 10)
    physical_country = _text("Country", 60, default="Australia")
    postal_street = _text("Street", 200)
    postal_city = _text("City or suburb", 100)
    postal_state = _text("State", 50)
    postal_postcode = _text("Postcode", 10)
    postal_country = _text("Country", 60, default="Australia")
    tfn = _text("TFN", 20)
    abn = _text("ABN", 20)
    acn = _text("ACN", 20)
    remove_tfn = BooleanField("Remove the TFN on file")

    def details(self, tfn_on_file: bool = False) -> ClientDetails:
        """What was typed, as the books take it; a blank TFN keeps the one on file."""
        values = {name: self[name].data or "" for name in ClientDetails.__dataclass_fields__}
        if tfn_on_file and not values["tfn"] and not self.remove_tfn.data:
            values["tfn"] = None
        return ClientDetails(**values)


class PersonForm(FlaskForm):
    name = _text("Name", 200, "Enter the person's name.")
    role = SelectField("Role", choices=[SelectChoice(r.value, r.label) for r in PersonRole],
                       default=PersonRole.DIRECTOR.value)
    email = EmailField("Email", validators=[Optional(), Length(max=254)], filters=[_strip])
    phone = _text("Phone", 40)


class MatterForm(FlaskForm):
    description = TextAreaField("Description", filters=[_strip], validators=[
        DataRequired("Describe the matter."), Length(max=300, message="Use at most 300 characters.")])
    responsible_id = SelectField("Responsible", coerce=int,
                                 validators=[InputRequired("Choose who is responsible.")])
    opened_on = ClearDateField("Opened on", validators=[
        InputRequired("Enter the date the matter opened.")])
    status = SelectField("Status", choices=[SelectChoice(s.value, s.value.capitalize())
                                           for s in MatterStatus])

    def offer_users(self, current=None):
        users = responsible_users(db.session)
        if current is not None and current not in users:
            users.append(current)
        self.responsible_id.choices = [
            SelectChoice(u.id, u.name if u.active else f"{u.name} (inactive)") for u in users]


# Clients


@bp.route("/clients")
def list_clients():
    """Clients, searched by name, code, email or ABN, a page at a time."""
    q = request.args.get("q", "")
    archived = request.args.get("show") == "archived"
    page = page_number()
    per_page = current_app.config["PAGE_SIZE"]
    rows, total = search_clients(db.session, q, page=page, per_page=per_page, archived=archived)
    return render("clients/list.html", block="results", clients=rows, total=total, page=page,
                  per_page=per_page, q=q, archived=archived)


@bp.route("/clients/new", methods=["GET", "POST"])
def new_client():
    """Add a client."""
    form = ClientForm()
    if form.validate_on_submit():
        with committing(form) as saved:
            client = save_client(db.session, current_user, form.details())
        if saved.ok:
            flash(f"Client {client.name} added.", "success")
            return redirect(url_for("clients.show_client", client_id=client.id), 303)
    return render("clients/form.html", form=form, client=None, status=_form_status())


@bp.route("/clients/<int:client_id>")
def show_client(client_id):
    """A client: details, related people and matters."""
    client = get_client(db.session, client_id)
    return render("clients/show.html", client=client, person_form=PersonForm(formdata=None))


@bp.route("/clients/<int:client_id>/edit", methods=["GET", "POST"])
def edit_client(client_id):
    """Change a client's details."""
    client = get_client(db.session, client_id)
    form = ClientForm(obj=client if request.method == "GET" else None)
    if request.method == "GET":
        form.kind.data = client.kind.value
        form.tfn.data = ""  # never sent back to the browser; blank keeps it
    if form.validate_on_submit():
        with committing(form) as saved:
            save_client(db.session, current_user, form.details(bool(client.tfn)), client)
        if saved.ok:
            flash(f"Client {client.name} saved.", "success")
            return redirect(url_for("clients.show_client", client_id=client.id), 303)
    return render("clients/form.html", form=form, client=client, status=_form_status())


@bp.route("/clients/<int:client_id>/archive", methods=["POST"])
def archive(client_id):
    """Hide a client from lists, or (archived=0) bring it back."""
    client = get_client(db.session, client_id)
    archived = request.form.get("archived", "1") != "0"
    archive_client(db.session, current_user, client, archived)
    db.session.commit()
    flash(f"Client {client.name} {'archived' if archived else 'restored'}.", "success")
    return redirect(url_for("clients.show_client", client_id=client.id), 303)


@bp.route("/clients/<int:client_id>/people", methods=["POST"])
def add_related_person(client_id):
    """Relate a person to the client in a role."""
    client = get_client(db.session, client_id)
    form = PersonForm()
    if form.validate_on_submit():
        with committing(form) as saved:
            person = add_person(db.session, current_user, client, name=form.name.data,
                                role=form.role.data, email=form.email.data or "",
                                phone=form.phone.data or "")
        if saved.ok:
            flash(f"{person.name} added as {person.role.label.lower()}.", "success")
            return redirect(url_for("clients.show_client", client_id=client.id), 303)
    return render("clients/show.html", client=client, person_form=form, status=INVALID)


@bp.route("/clients/<int:client_id>/people/<int:person_id>/remove", methods=["POST"])
def remove_related_person(client_id, person_id):
    """Remove a related person from the client."""
    client = get_client(db.session, client_id)
    person = get_person(db.session, client, person_id)
    name = person.name
    remove_person(db.session, current_user, person)
    db.session.commit()
    flash(f"{name} removed.", "success")
    return redirect(url_for("clients.show_client", client_id=client.id), 303)


# Matters


@bp.route("/matters")
def list_matters():
    """Matters with their clients, searched and filtered by status, a page at a time."""
    q = request.args.get("q", "")
    status = request.args.get("status", "")
    page = page_number()
    per_page = current_app.config["PAGE_SIZE"]
    rows, total = search_matters(db.session, q, status=status, page=page, per_page=per_page)
    return render("clients/matters.html", block="results", matters=rows, total=total, page=page,
                  per_page=per_page, q=q, state=status, status_filters=STATUS_FILTERS)


@bp.route("/clients/<int:client_id>/matters/new", methods=["GET", "POST"])
def new_matter(client_id):
    """Open a matter for a client."""
    client = get_client(db.session, client_id)
    form = MatterForm()
    del form.status
    form.offer_users()
    if request.method == "GET":
        form.opened_on.data = date.today()
        form.responsible_id.data = current_user.id
    if form.validate_on_submit():
        with committing(form) as saved:
            matter = open_matter(db.session, current_user, client,
                                 description=form.description.data,
                                 responsible_id=form.responsible_id.data,
                                 opened_on=form.opened_on.data)
        if saved.ok:
            flash(f"Matter {matter.number} opened for {client.name}.", "success")
            return redirect(url_for("clients.show_client", client_id=client.id), 303)
    return render("clients/matter_form.html", form=form, client=client, matter=None,
                  status=_form_status())


@bp.route("/matters/<int:matter_id>")
def matter(matter_id):
    """A matter: its details, unbilled work in progress, its bills and (when there) its trust money."""
    if valid_id(matter_id) is None:  # PostgreSQL refuses an id past INTEGER instead of finding nothing
        raise NotFound("There is no such matter.")
    found = get_matter(db.session, matter_id)
    entries, bills = unbilled_entries(db.session, found.id), bills_of_matter(db.session, found.id)
    return render("clients/matter.html", matter=found, entries=entries, bills=bills,
                  wip_total=sum((e.amount for e in entries), Decimal(0)),
                  owed_total=sum((b.owed for b in bills), Decimal(0)))


@bp.route("/matters/<int:matter_id>/edit", methods=["GET", "POST"])
def edit_matter(matter_id):
    """Change a matter's description, responsible person or status."""
    matter = get_matter(db.session, matter_id)
    form = MatterForm(obj=matter if request.method == "GET" else None)
    del form.opened_on
    form.offer_users(matter.responsible)
    if request.method == "GET":
        form.status.data = matter.status.value
    if form.validate_on_submit():
        with committing(form) as saved:
            update_matter(db.session, current_user, matter, description=form.description.data,
                          responsible_id=form.responsible_id.data, status=form.status.data,
                          today=date.today())
        if saved.ok:
            flash(f"Matter {matter.number} saved.", "success")
            if not matter.is_open:
                for warning in closing_warnings(db.session, matter):
                    flash(f"Closed with work unbilled: {warning}", "warning")
            return redirect(url_for("clients.show_client", client_id=matter.client_id), 303)
    warnings = closing_warnings(db.session, matter) if matter.is_open else []
    return render("clients/matter_form.html", form=form, client=matter.client, matter=matter,
                  closing_warnings=warnings, status=_form_status())


def _form_status() -> int:
    """A form shown again after a POST was refused: 422 (a CSRF failure is 400 elsewhere)."""
    return INVALID if request.method == "POST" else 200
