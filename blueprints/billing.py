"""Client billing. (Being built: issue 4.)"""

from flask import Blueprint

from blueprints.pages import render

bp = Blueprint("billing", __name__, url_prefix="/billing")


@bp.route("/")
def index():
    """Client billing home."""
    return render("billing/index.html")
