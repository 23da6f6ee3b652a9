"""Office money: client bills, credit notes and work in progress with their running totals,
suppliers, banking and bank reconciliation, and the aged and GST reports.

May use ledger, parties and the ground floor; never trust (trust builds on office, not the reverse)."""
