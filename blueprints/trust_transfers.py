"""Trust to office transfers, interest, statutory deposits and controlled money (stub; being built)."""

from flask import Blueprint

bp = Blueprint("trust_transfers", __name__, url_prefix="/trust/transfers")
