"""Trust reports and the monthly three-way reconciliation (being built)."""

from flask import Blueprint

from accounting.trust import trust_accounts
from blueprints.pages import render
from extensions import db

bp = Blueprint("trust_reports", __name__, url_prefix="/trust/reports")


@bp.route("/")
def index():
    """Every trust report, per trust account."""
    return render("trust_reports/index.html", accounts=trust_accounts(db.session))
