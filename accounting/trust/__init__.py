"""Trust (client) money: the trust ledger per matter, transfers to office, the monthly three-way
reconciliation and the trust reports.

    ledger          the records (trust accounts, transactions, matters' entries) and their balances
    accounts        trust bank accounts: open, find, close, reopen, their history; controlled money
    posting         post_trust, the one way trust money moves; receipts, payments, journals, reversals
    transfers       trust to office for a bill, and reversing any movement with what it caused
    interest        interest on trust accounts and where it goes
    statutory       statutory deposits (NSW, Victoria)
    settings        the practice's trust settings (jurisdiction, interest, authority)
    reconciliation  bank statements, matching and the monthly three-way sign-off
    reports         client ledgers, the trust ledger, cash book and trial balance
    words           amounts in words for receipts

Within trust a module imports only modules before it in the order ledger, accounts, posting,
settings, statutory, transfers, interest; and reports, reconciliation (both over ledger).

May use office (a transfer pays a bill), ledger, parties and the ground floor."""
