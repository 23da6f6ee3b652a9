"""Trust to office transfers, interest, statutory deposits and controlled money (being built)."""

from flask import Blueprint

from blueprints.pages import render

bp = Blueprint("trust_transfers", __name__, url_prefix="/trust/transfers")


@bp.route("/")
def index():
    """Matters with trust money and posted bills owing: transfer trust to office to pay them."""
    return render("trust_transfers/index.html")
