"""The Connect -> suggested mapping benchmark stays runnable, and within its aim of 4 API calls."""

from bench import xero_mapping
from integrations.suggest import TaxUse


def test_connect_to_a_suggested_mapping_takes_at_most_four_xero_calls():
    rows = dict(xero_mapping.measure(1))
    assert rows["Xero API calls, Connect -> suggested mapping"] == "4 (aim: at most 4)"
    assert rows["wall time vs one round trip"].startswith("x")
    every_use = len(TaxUse)  # each tax code on each side, all suggested
    assert f"tax codes {every_use} of {every_use}" in rows["mapped by suggestion"]
