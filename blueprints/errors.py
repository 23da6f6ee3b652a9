"""Error pages in the app's layout. Bad input is a 4xx with a message, never a 500."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

from accounting.encryption import EncryptionKeyError
from accounting.errors import LedgerError, NotFound

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


def _page(status: int, message: str):
    return render_template("errors/error.html", status=status, title=TITLES.get(status, "Error"),
                           message=message), status


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

    for status, message in (
        (400, "The request could not be understood."),
        (403, "Your role does not allow this page. Ask an admin if you need it."),
        (404, "There is nothing at this address."),
        (405, "That action is not available here."),
        (413, "That upload is too large: a file may be at most 5 MB. Split a larger statement "
              "into shorter date ranges and import each."),
    ):
        app.register_error_handler(status, lambda _e, s=status, m=message: _page(s, m))
