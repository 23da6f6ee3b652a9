"""Clients and matters. (Being built.)"""

from flask import Blueprint

bp = Blueprint("clients", __name__)


@bp.route("/clients")
def list_clients():
    """Clients."""
    return "clients"


@bp.route("/matters")
def list_matters():
    """Matters."""
    return "matters"
