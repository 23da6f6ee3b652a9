"""Supplier bills. (Being built: issue 4.)"""

from flask import Blueprint

from blueprints.pages import render

bp = Blueprint("suppliers", __name__, url_prefix="/suppliers")


@bp.route("/")
def index():
    """Supplier bills home."""
    return render("suppliers/index.html")
