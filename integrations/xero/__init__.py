"""Xero's Accounting API through xero-python (Xero's official SDK), pointed at the configured URLs."""
