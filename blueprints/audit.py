"""The audit log page. (Being built.)"""

from flask import Blueprint

bp = Blueprint("audit", __name__)


@bp.route("/audit")
def audit_log():
    """Audit log."""
    return "audit"
