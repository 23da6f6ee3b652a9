"""The line table every document form shares (bill and credit note, supplier invoice, credit note and
purchase order, bank transaction, general journal): the lines as typed, renumbered from 0, a line
added or removed by the server, and a refusal of one line named at the top of the form.

The browser never renumbers or sums lines: htmx posts the whole form and the server answers with the
lines block (or the totals) again, so what a person sees is what the books will be asked to take.
The page side is the `line_table` macro in templates/_macros.html.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, request
from werkzeug.datastructures import MultiDict
from wtforms import Form

from accounting.errors import LedgerError

MAX_INDEX_DIGITS = 4  # lines-99999-…: junk, and int() of a very long digit string raises


@dataclass(frozen=True)
class LineTable:
    """The line fields of one kind of form (`lines-<n>-<field>`), which of them count as typing (a
    line with none of them filled in is blank), and how many lines the form holds."""

    fields: tuple[str, ...]
    typed: tuple[str, ...]
    max_lines: int
    min_lines: int = 1  # the form's min_entries: the last line there can be to focus
    checkboxes: tuple[str, ...] = ()  # an unticked box sends nothing (and "" would untick it for good)

    def rows(self, formdata, keep_blank: bool = False) -> list[dict[str, str]]:
        """The lines as submitted, in index order; blank ones dropped unless `keep_blank`."""
        numbers = (key.split("-")[1] for key in formdata if key.startswith("lines-"))
        indexes = sorted({int(n) for n in numbers if n.isdigit() and len(n) <= MAX_INDEX_DIGITS})
        rows = [{name: formdata.get(f"lines-{i}-{name}", "").strip() for name in self.fields}
                for i in indexes]
        return [row for row in rows if keep_blank or any(row[name] for name in self.typed)][:self.max_lines]

    def formdata(self, formdata, rows: list[dict[str, str]] | None = None) -> MultiDict:
        """`formdata` with its lines replaced by `rows` (by default the non-blank lines typed),
        numbered from 0 so that line n is `lines-n` whatever was removed before."""
        rows = self.rows(formdata) if rows is None else rows
        data = MultiDict([(k, v) for k, v in formdata.items(multi=True) if not k.startswith("lines-")])
        for i, row in enumerate(rows):
            for name, value in row.items():
                if value or name not in self.checkboxes:
                    data[f"lines-{i}-{name}"] = value
        return data

    def edited(self, formdata, args, blank: dict[str, str]) -> tuple[list[dict[str, str]], int | None]:
        """The lines as typed (blank ones too: the person is still laying them out) with line
        `?remove=n` taken out or the `blank` line added (`?add`), and the line to put the keyboard
        focus on: where the removed line was, or the new line."""
        rows = self.rows(formdata, keep_blank=True)
        remove, focus = args.get("remove", ""), None
        if remove.isdigit() and int(remove) < len(rows):
            rows.pop(int(remove))
            focus = min(int(remove), max(len(rows), self.min_lines) - 1)
        if "add" in args and len(rows) < self.max_lines:
            rows.append(dict(blank))
            focus = len(rows) - 1
        return rows, focus

    def add_routes(self, bp: Blueprint, prefix: str, lines_endpoint: str, totals_endpoint: str, *,
                   form: Callable, show: Callable, blank: Callable[[], dict[str, str]] | None = None) -> None:
        """Add the form's two htmx views to `bp`: POST `<prefix>/lines` (the lines block again, a
        line added with ?add or line `?remove=n` taken out) and POST `<prefix>/totals` (the live
        totals of the lines typed so far). `form(formdata, rows, **view_args)` builds the form from
        the request; `show(form, block=, focus_line=, **view_args)` renders its page or fragment;
        `blank()` is the line that "Add line" adds (every field empty unless given)."""

        def lines(**view_args):
            new = blank() if blank else dict.fromkeys(self.fields, "")
            rows, focus = self.edited(request.form, request.args, new)
            return show(form(request.form, rows, **view_args), block="lines", focus_line=focus, **view_args)

        def totals(**view_args):
            return show(form(request.form, None, **view_args), block="totals", **view_args)

        lines.__doc__ = "The lines block again, with a line added (?add) or line `?remove=n` taken out."
        totals.__doc__ = "The live totals of the lines typed so far."
        bp.add_url_rule(f"{prefix}/lines", lines_endpoint, lines, methods=["POST"])
        bp.add_url_rule(f"{prefix}/totals", totals_endpoint, totals, methods=["POST"])


def line_refusal_at_top(form: Form, error: LedgerError, see_below: str = " See the line marked below.",
                        prefix: str = "lines-") -> None:
    """Name a refusal of one line at the top of the form too: wtforms has already summed the lines'
    errors up as "correct the fields marked below", which would hide which line and why."""
    if (error.field or "").startswith(prefix):
        form.form_errors.append(f"{error.message}{see_below}")
