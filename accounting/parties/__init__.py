"""Parties: the practice's users, and its clients with their matters and related people.

May use the ground floor only."""
