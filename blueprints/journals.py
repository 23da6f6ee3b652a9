"""General journals. (Being built.)"""

from flask import Blueprint

bp = Blueprint("journals", __name__, url_prefix="/journals")


@bp.route("/")
def list_journals():
    """Journals."""
    return "journals"


@bp.route("/new")
def new_journal():
    """New journal."""
    return "new"


@bp.route("/<int:journal_id>")
def show_journal(journal_id):
    """A journal."""
    return "journal"
