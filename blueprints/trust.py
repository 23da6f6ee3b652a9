"""Trust: trust accounts, receipts, payments and trust journals (stub; being built)."""

from flask import Blueprint

from blueprints.pages import render

bp = Blueprint("trust", __name__, url_prefix="/trust")


@bp.route("/")
def index():
    return render("trust/index.html")
