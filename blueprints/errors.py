"""Error pages in the app's layout. Bad input is a 4xx with a message, never a 500.

A 500 that still happens shows a short reference, and the log line with the traceback carries the
same reference, so a person's report leads straight to the cause.
"""

import secrets

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError

from accounting.encryption import EncryptionKeyError
from accounting.errors import LedgerError, NotFound
from blueprints.pages import refuse_control_characters

TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    413: "Too large",
    422: "Could not do that",
    429: "Too many attempts",
    500: "Something is wrong on the server",
}


def _page(status: int, message: str, reference: str | None = None):
    return render_template("errors/error.html", status=status, title=TITLES.get(status, "Error"),
                           message=message, reference=reference), status


def new_reference() -> str:
    """A short id for one server error, easy to read out: 8 hex digits."""
    return secrets.token_hex(4)


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _page(400, f"The form had expired or was not sent from this site ({error.description}). "
                     "Go back, reload the page and try again.")

    @app.errorhandler(NotFound)
    def not_found_record(error):
        return _page(404, error.message)

    @app.errorhandler(LedgerError)
    def ledger_error(error):
        # Views handle refusals beside their fields; this catches any that reach the top.
        return _page(422, error.message)

    @app.errorhandler(EncryptionKeyError)
    def encryption_key_error(error):
        # The server's keys, not the person's input: a 500, but one that says what to fix.
        app.logger.error("Encrypted data could not be read: %s", error)
        return _page(500, "Some stored data is encrypted with a key this server does not have. An "
                     "administrator must check the ENCRYPTION_KEYS setting: the key that wrote it "
                     "must be in the list.")

    def log_exception(exc_info) -> None:
        # Flask logs an escaped exception once, just before the 500 handler runs: that one log
        # line (with the traceback) gets the reference the page will show.
        g.error_reference = new_reference()
        app.logger.error("Exception on %s [%s], reference %s", request.path, request.method,
                         g.error_reference, exc_info=exc_info)

    app.log_exception = log_exception

    @app.errorhandler(500)
    def server_error(_error):
        reference = g.get("error_reference") or new_reference()
        return _page(500, "Something went wrong on our side. If it happens again, tell an "
                     "administrator this reference.", reference)

    app.before_request(refuse_control_characters)

    @app.errorhandler(400)
    def bad_request(error):
        # A message of ours (abort(400, "...")) is shown; werkzeug's stock text is not.
        description = getattr(error, "description", "")
        ours = description and description != type(error).description
        return _page(400, description if ours else "The request could not be understood.")

    for status, message in (
        (403, "Your role does not allow this page. Ask an admin if you need it."),
        (404, "There is nothing at this address."),
        (405, "That action is not available here."),
        (413, "That upload is too large: a file may be at most 5 MB. Split a larger statement "
              "into shorter date ranges and import each."),
    ):
        app.register_error_handler(status, lambda _e, s=status, m=message: _page(s, m))
