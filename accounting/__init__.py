"""The practice's own books.

Models and rules of the ledger: chart of accounts, journals, clients and matters, and later
bills, payments, banking and trust. This package knows nothing of Flask requests, templates,
huey or Xero; service functions take a SQLAlchemy session and the acting user, flush, and leave
committing to the caller (the request boundary or a task).
"""
