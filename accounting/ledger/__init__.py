"""The general ledger: chart of accounts, journals (the one door into the books), practice settings,
tax, and the ledger reports.

May use parties and the ground floor."""
