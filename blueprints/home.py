"""The dashboard staff land on after signing in."""

from flask import Blueprint

from accounting.dashboard import practice_at_a_glance
from accounting.ledger.practice import get_practice
from blueprints.pages import render
from extensions import db

bp = Blueprint("home", __name__)


@bp.route("/")
def dashboard():
    """Practice at a glance: counts and the latest journals."""
    return render("home/dashboard.html", practice=get_practice(db.session),
                  glance=practice_at_a_glance(db.session))
