"""What every view shares: rendering whole pages or their htmx fragments, roles, form errors and
the commit-or-refuse step at the request boundary."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import wraps

from flask import abort, make_response, render_template, request, url_for
from flask_login import current_user
from jinja2_fragments.flask import render_block
from markupsafe import Markup
from wtforms import Form

from accounting import lookup
from accounting.dates import check_not_ancient
from accounting.errors import LedgerError
from accounting.money import format_money
from extensions import db


def wants_fragment() -> bool:
    """An htmx request that swaps part of a page (not a boosted link or a history restore)."""
    return bool(request.htmx) and not request.htmx.boosted and not (
        request.htmx.history_restore_request
    )


def render(template: str, block: str | None = None, status: int = 200, **context):
    """Render the whole page, or only `block` of it when htmx asks for a fragment.

    Vary: HX-Request keeps caches from serving a fragment as a page or the other way round.
    """
    if block is not None and wants_fragment():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.headers["Vary"] = "HX-Request"
    return response


def admin_required(view):
    """Only admins may use this view; staff get 403."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated or not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def find_field(form: Form, name: str):
    """The form field (at any depth: FieldList, FormField) whose HTML name is `name`."""
    for field in form:
        if field.name == name:
            return field
        if hasattr(field, "entries"):
            for entry in field.entries:
                found = find_field(entry.form, name) if hasattr(entry, "form") else None
                if found is None and entry.name == name:
                    found = entry
                if found is not None:
                    return found
        elif hasattr(field, "form"):
            found = find_field(field.form, name)
            if found is not None:
                return found
    return None


def show_error(form: Form, error: LedgerError) -> None:
    """Put a refusal from the books beside its field, or on the form as a whole."""
    field = find_field(form, error.field) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message] if isinstance(field.errors, list) else [
            error.message
        ]
    else:
        form.form_errors.append(error.message)


@dataclass
class Attempt:
    """What `committing` reports: `ok` once the change is committed, else the refusal."""

    ok: bool = False
    error: LedgerError | None = None


@contextmanager
def committing(form: Form) -> Iterator[Attempt]:
    """Commit what the block changed, or roll it back and show the books' refusal on `form`.

    The request boundary owns the transaction (domain code only flushes), and every form view
    answers a LedgerError the same way: nothing is saved and the message goes beside its field.
    The error is swallowed so the view goes on to render the form again; names bound inside the
    block are only safe to use when `.ok` is True.

        with committing(form) as saved:
            client = save_client(db.session, current_user, form.details())
        if saved.ok:
            return redirect(...)
        return render(...)  # the form, now with the refusal on it
    """
    attempt = Attempt()
    try:
        yield attempt
    except LedgerError as error:
        db.session.rollback()
        show_error(form, error)
        attempt.error = error
    else:
        db.session.commit()
        attempt.ok = True


def page_number() -> int:
    """The ?page= argument, from 1 to lookup.MAX_PAGE (the one page cap); junk means page 1."""
    return lookup.page_number(request.args.get("page", "1"))


def date_arg(name: str, default: date) -> date:
    """The ?`name`= date filter (YYYY-MM-DD), `default` when it is blank; anything else is refused
    beside the filter, so the page answers 400 with the message instead of a 500."""
    value = request.args.get(name, "").strip()
    if not value:
        return default
    try:
        when = date.fromisoformat(value)
    except ValueError:
        raise LedgerError(f"“{value}” is not a date: use the form YYYY-MM-DD.", name) from None
    return check_not_ancient(when, name)


def _money(value) -> str:
    # A formatted amount is only digits, commas, a point and a minus: safe as it is, which spares
    # escaping each of the hundreds a report page shows. Anything else is escaped as usual.
    if isinstance(value, Decimal):
        return Markup(format_money(value))
    return "" if value is None else value


def _day(value) -> str:
    return value.strftime("%d %b %Y") if isinstance(value, date) else ""


def _timestamp(value) -> str:
    return value.strftime("%d %b %Y %H:%M") if value else ""


TEMPLATE_FILTERS = {"money": _money, "day": _day, "timestamp": _timestamp}


_ID_SLOT = lookup.MAX_ID  # no row's id: marks where the id goes in a URL built once


def url_for_each(endpoint: str, argument: str, **values) -> Callable[[int], str]:
    """id -> url_for(endpoint, **{argument: id}, **values), building the URL once per page rather
    than once per row of a long list (url_for is most of a row's cost)."""
    before, after = url_for(endpoint, **{argument: _ID_SLOT}, **values).split(str(_ID_SLOT), 1)
    return lambda row_id: f"{before}{int(row_id)}{after}"
