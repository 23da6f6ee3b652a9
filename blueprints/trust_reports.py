"""Trust reports and the monthly three-way reconciliation (stub; being built)."""

from flask import Blueprint

bp = Blueprint("trust_reports", __name__, url_prefix="/trust/reports")
