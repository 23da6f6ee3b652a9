"""The Xero mapping pages: map our accounts and tax codes to the connected organisation's, read
Xero's chart again, and create the missing trust accounts. Everyone signed in may look; every
action is admin-only (staff get 403).

Pages never call Xero: they read the stored copy of the chart (integrations/chart_store.py);
"Refresh Xero chart" and "Create in Xero" record the request, commit, and kick a huey task, and
the page polls (htmx) until the task is done. Every form carries the tenant id it was drawn for,
so a form drawn for another organisation (or tampered with) is refused, changing nothing.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from accounting.lookup import valid_id
from blueprints.pages import admin_required, render
from extensions import db
from integrations import background, mapping
from integrations.chart_store import ask_for_read, ask_for_trust_accounts, chart_copy, chart_of
from integrations.connection import current_connection
from integrations.mapping import MappingError
from integrations.mapping_view import account_rows, overview, tax_rows
from integrations.suggest import TaxUse

bp = Blueprint("xero_mapping", __name__, url_prefix="/integrations/xero")

STOP_POLLING = 286  # htmx stops polling on this status


def _connected_tenant() -> str:
    """The live connection's tenant id, or a 409 page saying there is none."""
    connection = current_connection(db.session)
    if connection is None or connection.is_lost:
        abort(render("integrations/message.html", status=409, title="Xero mapping",
                     message="The practice is not connected to Xero: an admin connects it first, "
                             "on the Integrations page."))
    return connection.tenant_id


def _check_form_tenant(tenant_id: str) -> str | None:
    """The refusal when the form was drawn for another organisation than the connected one."""
    if request.form.get("tenant_id") != tenant_id:
        return ("This form was drawn for another Xero organisation than the one connected now. "
                "Nothing changed: reload the page and try again.")
    return None


def _chart_for_saving(tenant_id: str, action: str):
    """(the stored chart, why the form is refused or None): the form's tenant must be the
    connected one, and Xero's chart must have been read before anything is mapped to it."""
    refusal = _check_form_tenant(tenant_id)
    chart = _chart_or_none(tenant_id)
    if refusal is None and chart is None:
        refusal = f"Xero's chart has not been read yet: wait for it, then {action}."
    return chart, refusal


def _chart_or_none(tenant_id: str):
    return chart_of(chart_copy(db.session, tenant_id))


@bp.get("/mapping/accounts")
def accounts():
    """Every account of ours, the suggested Xero account preselected."""
    tenant_id = _connected_tenant()
    return _accounts_page(tenant_id)


def _accounts_page(tenant_id: str, status: int = 200, error: str = "",
                   errors: dict | None = None, typed: dict | None = None):
    chart = _chart_or_none(tenant_id)
    rows = account_rows(db.session, tenant_id, chart) if chart else []
    return render("integrations/mapping_accounts.html", status=status, tenant_id=tenant_id,
                  chart=chart, rows=rows, error=error, errors=errors or {}, typed=typed,
                  summary=mapping.completeness(db.session, tenant_id),
                  copy=chart_copy(db.session, tenant_id))


@bp.post("/mapping/accounts")
@admin_required
def save_accounts():
    """Save every account's choice, all or nothing."""
    tenant_id = _connected_tenant()
    typed = {k: v for k, v in request.form.items() if k.startswith("account-")}
    chart, refusal = _chart_for_saving(tenant_id, "save")
    if refusal:
        return _accounts_page(tenant_id, 400, refusal, typed=typed)
    errors = {}
    for field, xero_account_id in typed.items():
        if not xero_account_id:
            continue
        account_id = valid_id(field.removeprefix("account-"))
        if account_id is None:
            errors[field] = "That account is not one of ours."
            continue
        try:
            mapping.map_account(db.session, current_user, tenant_id, account_id,
                                xero_account_id, chart)
        except MappingError as refused:
            errors[field] = refused.message
    if errors:
        db.session.rollback()
        return _accounts_page(tenant_id, 400, "Nothing was saved: " + " ".join(errors.values()),
                              errors, typed)
    db.session.commit()
    flash("The account mapping was saved.", "success")
    return redirect(url_for("xero_mapping.accounts"), code=303)


@bp.post("/mapping/accept-suggestions")
@admin_required
def accept_suggestions():
    """Map every unmapped account and tax code to its suggestion."""
    tenant_id = _connected_tenant()
    chart, refusal = _chart_for_saving(tenant_id, "accept the suggestions")
    if refusal:
        return _accounts_page(tenant_id, 400, refusal)
    count = mapping.apply_suggestions(db.session, current_user, tenant_id, chart)
    db.session.commit()
    flash(f"Accepted {count} suggestions.", "success")
    return redirect(url_for("xero_mapping.accounts"), code=303)


@bp.get("/mapping/tax")
def taxes():
    """Our tax codes beside Xero's tax rates."""
    return _tax_page(_connected_tenant())


def _tax_page(tenant_id: str, status: int = 200, error: str = "", errors: dict | None = None,
              typed: dict | None = None):
    chart = _chart_or_none(tenant_id)
    return render("integrations/mapping_tax.html", status=status, tenant_id=tenant_id,
                  chart=chart, rows=tax_rows(db.session, tenant_id, chart) if chart else [],
                  error=error, errors=errors or {}, typed=typed,
                  copy=chart_copy(db.session, tenant_id))


@bp.post("/mapping/tax")
@admin_required
def save_taxes():
    """Save every tax code's Xero tax type, all or nothing."""
    tenant_id = _connected_tenant()
    typed = {k: v for k, v in request.form.items() if k.startswith("tax-")}
    chart, refusal = _chart_for_saving(tenant_id, "save")
    if refusal:
        return _tax_page(tenant_id, 400, refusal, typed=typed)
    errors = {}
    for use in TaxUse:
        tax_type = typed.get(f"tax-{use}", "")
        if tax_type:
            try:
                mapping.map_tax(db.session, current_user, tenant_id, use, tax_type, chart)
            except MappingError as refused:
                errors[refused.field] = refused.message
    if errors:
        db.session.rollback()
        return _tax_page(tenant_id, 400, "Nothing was saved: " + " ".join(errors.values()),
                         errors, typed)
    db.session.commit()
    flash("The tax mapping was saved.", "success")
    return redirect(url_for("xero_mapping.taxes"), code=303)


@bp.post("/chart/refresh")
@admin_required
def refresh_chart():
    """Ask the queue to read Xero's accounts and tax rates again."""
    tenant_id = _connected_tenant()
    refusal = _check_form_tenant(tenant_id)
    if refusal:
        return render("integrations/message.html", status=400, title="Refresh Xero chart",
                      message=refusal)
    ask_for_read(db.session, tenant_id)
    db.session.commit()
    background.kick("read_xero_chart")
    return redirect(request.form.get("back") == "accounts" and url_for("xero_mapping.accounts")
                    or url_for("integrations.index"), code=303)


@bp.get("/chart/status")
def chart_status():
    """The polled panel: keeps polling while the chart is read, then stops (286)."""
    connection = current_connection(db.session)
    view = overview(db.session, connection)
    busy = view is not None and (view.reading or view.copy.is_creating_trust_accounts)
    return render("integrations/_chart_status.html", status=200 if busy else STOP_POLLING,
                  view=view, connection=connection)


@bp.post("/trust-accounts/create")
@admin_required
def create_trust_accounts():
    """Ask the queue to create the missing trust accounts in Xero."""
    tenant_id = _connected_tenant()
    refusal = _check_form_tenant(tenant_id)
    copy = chart_copy(db.session, tenant_id)
    if refusal is None and (copy is None or chart_of(copy) is None):
        refusal = "Xero's chart has not been read yet: wait for it, then create the accounts."
    if refusal:
        return render("integrations/message.html", status=400, title="Create in Xero",
                      message=refusal)
    ask_for_trust_accounts(db.session, tenant_id)
    user_id = current_user.id  # read before the commit expires it: reading after would begin a
    db.session.commit()        # new transaction, which on SQLite holds the lock the task needs
    background.kick("create_xero_trust_accounts", user_id)
    return redirect(url_for("integrations.index"), code=303)
