"""Banking. (Being built: issue 4.)"""

from flask import Blueprint

from blueprints.pages import render

bp = Blueprint("banking", __name__, url_prefix="/banking")


@bp.route("/")
def index():
    """Banking home."""
    return render("banking/index.html")
