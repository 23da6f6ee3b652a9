"""The Integrations page: the practice's Xero connection. Everyone signed in sees its status;
connecting, choosing the organisation and disconnecting are admin-only (staff get 403).

OAuth itself is integrations/oauth.py; this module only carries the state and PKCE verifier in
the Flask session between Connect and the callback, and asks before switching organisation
(the mappings made for the previous one would no longer apply). Tokens never go to the browser:
between the callback and the "Choose organisation" answer the session holds only the refresh
token, encrypted with the same keys as TFNs, and the choice refreshes it.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_login import current_user

from accounting.encryption import decrypt, encrypt
from blueprints.pages import admin_required, render
from extensions import db
from integrations import mapping, oauth
from integrations.connection import current_connection, lost_connection_notice
from integrations.oauth import Tenant, XeroAuthError, XeroSettings

bp = Blueprint("integrations", __name__, url_prefix="/integrations")

PENDING_AUTHORISATION = "xero_authorisation"  # state, verifier, redirect URI (Connect -> callback)
PENDING_CHOICE = "xero_choice"  # encrypted refresh token and the organisations (callback -> choose)


@bp.app_context_processor
def xero_notice():
    """The lost-connection bar at the bottom of every page: one small query, signed-in pages only."""
    if not current_user.is_authenticated:
        return {"xero_notice": None}
    return {"xero_notice": lost_connection_notice(db.session)}


def _settings() -> XeroSettings:
    return XeroSettings.from_config(current_app.config)


def _redirect_uri() -> str:
    # Real Xero wants the exact registered URI; the configuration may name it (behind a proxy).
    return current_app.config.get("XERO_REDIRECT_URI") or url_for(
        "integrations.xero_callback", _external=True)


def _refuse(message: str, status: int = 400):
    return render("integrations/message.html", status=status, title="Xero connection",
                  message=message)


@bp.get("/")
def index():
    """The connection's status, for everyone; the actions for admins."""
    return render("integrations/index.html", connection=current_connection(db.session))


@bp.post("/xero/connect")
@admin_required
def xero_connect():
    """Send the admin to Xero's consent page (state and PKCE verifier kept for the way back)."""
    settings = _settings()
    if not settings.client_id:
        return _refuse("Xero is not configured: set FLASK_XERO_CLIENT_ID and "
                       "FLASK_XERO_CLIENT_SECRET (see README.md, Connecting to Xero).", 409)
    authorisation = oauth.start_authorisation(settings, _redirect_uri())
    session[PENDING_AUTHORISATION] = {"state": authorisation.state,
                                      "verifier": authorisation.code_verifier,
                                      "redirect_uri": _redirect_uri()}
    session.pop(PENDING_CHOICE, None)
    return redirect(authorisation.url, code=303)


@bp.get("/xero/callback")
@admin_required
def xero_callback():
    """Xero sends the admin back here: check state, exchange the code, read the organisations."""
    pending = session.pop(PENDING_AUTHORISATION, None)
    state = request.args.get("state", "")
    if pending is None or not state or state != pending["state"]:
        return _refuse("This answer from Xero does not belong to a Connect started here (the "
                       "state does not match). Nothing changed: start again with Connect.")
    if request.args.get("error") == "access_denied":
        return _refuse("You cancelled at Xero, so the practice was not connected. Nothing "
                       "changed.", 200)
    if request.args.get("error") or not request.args.get("code"):
        return _refuse(f"Xero did not connect the practice ({request.args.get('error', 'no code')})."
                       " Nothing changed: start again with Connect.")
    settings = _settings()
    try:
        token = oauth.exchange_code(settings, request.args["code"], pending["verifier"],
                                    pending["redirect_uri"])
        tenants = [t for t in oauth.read_connections(settings, token["access_token"])
                   if t.tenant_type == "ORGANISATION"]
    except XeroAuthError as refused:
        return _refuse(f"{refused} Nothing changed.")
    if not tenants:
        return _refuse("The consent at Xero reached no organisation. Nothing changed: start again "
                       "with Connect and tick an organisation.")
    session[PENDING_CHOICE] = {"refresh_token": encrypt(token["refresh_token"]),
                               "tenants": [asdict(t) for t in tenants]}
    if len(tenants) == 1:
        return _choose(tenants[0], confirmed=False)
    return render("integrations/choose.html", tenants=tenants, connection=current_connection(db.session))


@bp.post("/xero/choose")
@admin_required
def xero_choose():
    """The organisation chosen (and, when it replaces another one, the switch confirmed)."""
    pending = session.get(PENDING_CHOICE)
    if pending is None:
        return _refuse("There is no organisation waiting to be chosen (it was already chosen, or "
                       "the sign-in expired). Nothing changed: start again with Connect.")
    tenants = [Tenant(**t) for t in pending["tenants"]]
    chosen = next((t for t in tenants if t.tenant_id == request.form.get("tenant_id")), None)
    if chosen is None:
        return render("integrations/choose.html", status=400, tenants=tenants,
                      connection=current_connection(db.session),
                      error="Choose one of the organisations listed (the one sent is not among "
                            "those Xero connected). Nothing changed.")
    return _choose(chosen, confirmed=request.form.get("confirm_switch") == "yes")


def _choose(tenant: Tenant, confirmed: bool):
    previous = current_connection(db.session)
    if previous is not None and previous.tenant_id != tenant.tenant_id and not confirmed:
        return render("integrations/switch.html", tenant=tenant, previous=previous)
    pending = session.pop(PENDING_CHOICE)
    try:
        token = oauth.renew(_settings(), decrypt(pending["refresh_token"]))
    except XeroAuthError as refused:
        return _refuse(f"{refused} Nothing changed.")
    # save_connection updates the same row in place: keep what it was before.
    switching_from = previous.tenant_name if (
        previous is not None and previous.tenant_id != tenant.tenant_id) else None
    cleared = mapping.forget_mappings(db.session, keep_tenant_id=tenant.tenant_id) if (
        switching_from) else 0
    oauth.save_connection(db.session, token, tenant, current_user)
    db.session.commit()
    if switching_from:
        flash(f"The mappings made for {switching_from} were cleared ({cleared}).", "info")
    flash(f"Connected to {tenant.tenant_name}.", "success")
    return redirect(url_for("integrations.index"), code=303)


@bp.post("/xero/disconnect")
@admin_required
def xero_disconnect():
    """Revoke at Xero and remove the connection; the mappings stay for a reconnect."""
    connection = current_connection(db.session)
    if connection is None:
        return _refuse("The practice is not connected to Xero, so there is nothing to "
                       "disconnect.", 409)
    name = connection.tenant_name
    oauth.disconnect(db.session, _settings())
    db.session.commit()
    flash(f"Disconnected from {name}. Its mappings are kept for when you reconnect to it.",
          "success")
    return redirect(url_for("integrations.index"), code=303)
