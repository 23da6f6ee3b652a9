"""`python -m bench --quick` runs every benchmark at a tiny size and prints each one's figures."""

import subprocess
import sys
from pathlib import Path

from bench.__main__ import BENCHMARKS

ROOT = Path(__file__).resolve().parents[2]
# A figure set against its baseline, per benchmark: proof that it measured, not only started.
RATIOS = {
    "posting": "engine / bare rate",
    "trial-balance": "PostgreSQL: ratio trial balance / bare sum",
    "office-reports": "PostgreSQL: aged receivables GET /reports/aged-receivables",
    "sandbox": "HTTP batched vs Xero's 1 request/s per tenant",
    "xero-mapping": "wall time vs one round trip",
    "reconcile-page": "reconcile page GET",
}


def test_the_quick_run_names_every_benchmark_with_its_figures(postgres_server):
    url = postgres_server.create_database("bench_quick")
    run = subprocess.run([sys.executable, "-m", "bench", "--quick", "--postgres-url", url],
                         cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-3000:]
    out = run.stdout
    assert set(RATIOS) == set(BENCHMARKS), "a new benchmark needs its figure checked here"
    for name, figure in RATIOS.items():
        section = out.split(f"\n# {name}: ", 1)[1].split("\n# ", 1)[0]
        assert figure in section, f"{name} printed no {figure!r}:\n{section}"
    assert out.rstrip().endswith(f"Ran {len(BENCHMARKS)} benchmarks: {', '.join(BENCHMARKS)}")
