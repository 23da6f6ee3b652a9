"""The sandbox throughput benchmark stays runnable: a couple of requests per figure."""

from bench import sandbox_throughput


def test_the_sandbox_benchmark_creates_invoices_in_process_and_over_http():
    rows = dict(sandbox_throughput.measure(2))
    assert rows["in-process, 50 invoices per request"].endswith(" invoices/s")
    assert rows["HTTP thread, 50 invoices per request"].endswith(" invoices/s")
    assert rows["HTTP batched vs Xero's 1 request/s per tenant"].startswith("x")
