"""The audit log page: who posted, reversed or changed what, and when. Read-only."""

from flask import Blueprint, current_app, request

from accounting.audit import event_kinds, list_events
from blueprints.pages import page_number, render
from extensions import db

bp = Blueprint("audit", __name__)


@bp.route("/audit")
def audit_log():
    """The log, newest first, a page at a time, optionally one action or one kind of record."""
    action = request.args.get("action", "").strip()
    entity_type = request.args.get("entity_type", "").strip()
    page, per_page = page_number(), current_app.config["PAGE_SIZE"]
    events, total = list_events(db.session, action=action or None, entity_type=entity_type or None,
                                page=page, per_page=per_page)
    actions, entity_types = event_kinds(db.session)
    return render("audit/log.html", block="results", events=events, total=total, page=page,
                  per_page=per_page, actions=actions, entity_types=entity_types,
                  filters={"action": action, "entity_type": entity_type})
