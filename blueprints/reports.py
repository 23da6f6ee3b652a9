"""Trial balance and general ledger. (Being built.)"""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.route("/trial-balance")
def trial_balance():
    """Trial balance."""
    return "tb"


@bp.route("/general-ledger")
def general_ledger():
    """General ledger."""
    return "gl"
