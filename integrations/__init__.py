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
"""
