"""The practice's own books, in wings.

    ground floor  base, errors, money, encryption, audit, sequences, events, lookup: every wing uses it
    parties/      users; clients, matters and their people
    ledger/       chart of accounts, journals (the one door in), practice settings, tax, ledger reports
    office/       bills, credit notes, work in progress, bill totals, suppliers, banking and bank
                  reconciliation, aged and GST reports
    trust/        trust ledger, transfers to office, reconciliation, trust reports
    over the wings  models (every table), integrity (the ledger check), demo, dashboard: may use every wing

The rule the layout encodes: a wing may use the wings below it (parties < ledger < office < trust)
and the ground floor; trust may use office (it pays bills), office never uses trust; the ground floor
uses no wing; nothing in a wing uses the modules over the wings. Nothing in accounting/ imports Flask,
huey, an HTTP client, `blueprints`, `tasks` or `integrations`. tests/test_layers.py holds these rules.

Service functions take a SQLAlchemy session and the acting user, flush, and leave committing to the
caller (the request boundary or a task).
"""
