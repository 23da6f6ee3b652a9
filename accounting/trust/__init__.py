"""Trust (client) money: the trust ledger per matter, transfers to office, the monthly three-way
reconciliation and the trust reports.

May use office (a transfer pays a bill), ledger, parties and the ground floor."""
