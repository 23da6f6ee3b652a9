"""The practice's connections to the outside world: Xero (Accounting API) and, later, Xero
Practice Manager.

The rule: integrations/ depends on accounting/, never the other way round. accounting/ knows
nothing of OAuth, HTTP or Xero (tests/test_layers.py checks it); integrations/ never imports the
pages (blueprints/). Pages call in here, huey tasks (tasks.py) call in here, and only this package
talks HTTP to Xero: `oauth.py` (authlib) for the identity service, `xero/client.py` (xero-python)
for the Accounting API.

- connection.py: the one row per connection (its tenant, status, encrypted tokens).
- oauth.py: authorise, exchange, /connections, refresh under a row lock, revoke, disconnect.
- xero/client.py: an AccountingApi for the current connection, refreshing and marking it lost.
- xero/outbox.py, drain.py, links.py and the mappers: the push (integrations/xero/README.md).
"""


def wire(app) -> None:
    """At start-up: the outbox hears the books' events; after a commit that wrote a row waiting
    for Xero, tasks.py's drain task is enqueued through `background` (as the pages start theirs),
    unless XERO_PUSH_ON_COMMIT is off (it defaults to off under TESTING: tests drain by hand)."""
    from integrations import background
    from integrations.xero import outbox

    on_commit = app.config.get("XERO_PUSH_ON_COMMIT", not app.config.get("TESTING", False))

    def enqueue_drain() -> None:
        background.kick("drain_xero")

    outbox.install(kick=enqueue_drain if on_commit else None)
    _template_globals(app)


def _template_globals(app) -> None:
    """`xero_state(kind, document)` for templates/integrations/_xero_state.html on the page of a
    document the push sends (a bill, a credit note, a supplier invoice)."""
    from extensions import db
    from integrations.xero.status import document_state

    app.jinja_env.globals["xero_state"] = lambda kind, document: document_state(db.session, kind,
                                                                                document)
