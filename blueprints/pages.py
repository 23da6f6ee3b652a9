"""What every view shares: rendering whole pages or their htmx fragments, roles, form errors and
the commit-or-refuse step at the request boundary."""

import re
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
from accounting.dates import parse_date
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


class Refusals(LedgerError):
    """Several refusals found in one pass over a form (every line's bad amount), shown at once."""

    def __init__(self, errors: list[LedgerError]):
        super().__init__(errors[0].message, errors[0].field)
        self.errors = errors


class RefusalCollector:
    """What `every_refusal` yields: `check(parse, ...)` runs one parse, keeping its refusal, and
    `refuse(error)` keeps a refusal found by hand."""

    def __init__(self):
        self.errors: list[LedgerError] = []

    def check(self, parse, *args, **kwargs):
        """parse(*args, **kwargs), or None when it refused (the refusal is kept)."""
        try:
            return parse(*args, **kwargs)
        except LedgerError as error:
            self.errors.append(error)
            return None

    def refuse(self, error: LedgerError) -> None:
        self.errors.append(error)


@contextmanager
def every_refusal() -> Iterator[RefusalCollector]:
    """Collect the refusals of several checks and raise them together at the end (as Refusals),
    so the form shows each beside its field at once instead of one per submit.

        with every_refusal() as refusals:
            rate = refusals.check(parse_money, text, "lines-0-rate")  # None when refused
    """
    collector = RefusalCollector()
    yield collector
    if collector.errors:
        errors = collector.errors
        raise errors[0] if len(errors) == 1 else Refusals(errors)


def show_error(form: Form, error: LedgerError) -> None:
    """Put a refusal from the books beside its field, or on the form as a whole."""
    for one in getattr(error, "errors", [error]):
        field = find_field(form, one.field) if one.field else None
        if field is not None:
            field.errors = [*field.errors, one.message] if isinstance(field.errors, list) else [
                one.message]
        else:
            form.form_errors.append(one.message)


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


# Characters no field stores: NUL (PostgreSQL refuses it in text, so it would fail in the driver)
# and the other control characters, which no one types. Tab and line breaks are text.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def refuse_control_characters():
    """Before every request: a form or query value with a control character is a 400 with the
    field's name, before any view reads it (so nothing is changed and no driver sees a NUL)."""
    for source in (request.args, request.form):
        for name, value in source.items(multi=True):
            if _CONTROL_CHARACTERS.search(name) or _CONTROL_CHARACTERS.search(value):
                shown = _CONTROL_CHARACTERS.sub("?", name)[:40]
                abort(400, f"“{shown}” has a control character (such as NUL) that no field "
                      "can store. Remove it and send the form again.")
    return None


def page_number() -> int:
    """The ?page= argument, from 1 to lookup.MAX_PAGE (the one page cap); junk means page 1."""
    return lookup.page_number(request.args.get("page", "1"))


def date_arg(name: str, default: date) -> date:
    """The ?`name`= date filter (YYYY-MM-DD), `default` when it is blank; anything else is refused
    beside the filter, so the page answers 400 with the message instead of a 500."""
    value = request.args.get(name, "").strip()
    if not value:
        return default
    return parse_date(value, name)


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


def _link_args(args, *taken: str) -> dict:
    """A page's query arguments to carry into a link (`url_for(..., **request.args|link_args)`):
    without the names the link sets itself (a second matter_id would be a TypeError) and without
    url_for's own _external, _scheme, _anchor and _method (?_scheme=javascript must not build a
    link)."""
    return {name: value for name, value in args.items()
            if name not in taken and not name.startswith("_")}


TEMPLATE_FILTERS = {"money": _money, "day": _day, "timestamp": _timestamp, "link_args": _link_args}


_ID_SLOT = lookup.MAX_ID  # no row's id: marks where the id goes in a URL built once


def url_for_each(endpoint: str, argument: str, **values) -> Callable[[int], str]:
    """id -> url_for(endpoint, **{argument: id}, **values), building the URL once per page rather
    than once per row of a long list (url_for is most of a row's cost)."""
    before, after = url_for(endpoint, **{argument: _ID_SLOT}, **values).split(str(_ID_SLOT), 1)
    return lambda row_id: f"{before}{int(row_id)}{after}"
