"""The dashboard staff land on after signing in."""

from flask import Blueprint
from sqlalchemy import func, select

from accounting.ledger.journals import Journal
from accounting.ledger.practice import get_practice
from accounting.parties.clients import Client, Matter, MatterStatus
from blueprints.pages import render
from extensions import db

bp = Blueprint("home", __name__)


@bp.route("/")
def dashboard():
    """Practice at a glance: counts and the latest journals."""
    session = db.session
    counts = {
        "clients": session.scalar(
            select(func.count()).select_from(Client).where(Client.archived.is_(False))
        ),
        "open_matters": session.scalar(
            select(func.count()).select_from(Matter).where(Matter.status == MatterStatus.OPEN)
        ),
        "journals": session.scalar(select(func.count()).select_from(Journal)),
    }
    recent = session.execute(
        select(Journal).order_by(Journal.id.desc()).limit(8)
    ).scalars().all()
    return render("home/dashboard.html", practice=get_practice(session), counts=counts,
                  recent=recent)
