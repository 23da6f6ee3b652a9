"""The inspection pages ("the Xero side"): what arrived in each organisation and practice."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from sandbox.books import Ctx
from sandbox.inspection_view import organisation_view
from sandbox.state import current

bp = Blueprint("inspect", __name__)


@bp.get("/")
@bp.get("/_sandbox/")
def home() -> str:
    """Organisations and the practice."""
    sb = current()
    return render_template("sandbox/home.html", orgs=sb.store.all("organisation"),
                           now=sb.clock.now_dt().isoformat(timespec="seconds"),
                           practices=sb.store.all("practice"), people=sb.store.all("person"))


@bp.get("/_sandbox/org/<org_id>")
def organisation(org_id: str) -> str:
    """One organisation's documents and its trial balance."""
    sb = current()
    org = sb.store.get("organisation", org_id)
    if org is None:
        abort(404)
    ctx = Ctx(sb=sb, org=org_id, now=sb.clock.now(), app_name="inspection")
    return render_template("sandbox/org.html", org=org, view=organisation_view(ctx))


@bp.get("/_sandbox/practice/<practice_id>")
def practice(practice_id: str) -> str:
    """One practice's XPM clients, jobs and task types."""
    sb = current()
    record = sb.store.get("practice", practice_id)
    if record is None:
        abort(404)
    return render_template(
        "sandbox/practice.html", practice=record,
        clients=sb.store.all("xpm_client", org=practice_id),
        jobs=sb.store.all("xpm_job", org=practice_id),
        tasks=sb.store.all("xpm_task", org=practice_id))
