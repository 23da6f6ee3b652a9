"""Admin area: users, practice settings, chart of accounts. (Being built.)"""

from flask import Blueprint

from blueprints.pages import admin_required, render

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@admin_required
def index():
    """Admin home."""
    return render("admin/index.html")
