"""Run every benchmark: `python -m bench [--quick] [--no-postgres] [--only NAME]`.

Prints figures and their ratios against baselines measured in the same run; copy them into
BENCHMARKS.md with the machine and the date. `--quick` runs each at a tiny size in seconds: a smoke
run that proves every benchmark still works (tests/bench runs it), not figures to record.
"""

import argparse
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench import (
    office_reports,
    posting,
    reconcile_page,
    sandbox_throughput,
    trial_balance,
    xero_mapping,
)


@dataclass(frozen=True)
class Benchmark:
    """One benchmark: `run(size)`, or `run(size, postgres_url)` when it has PostgreSQL figures too
    (`postgres_url` an empty database, None for SQLite alone); it prints its own figures."""

    run: Callable[..., None]
    size: int  # the size BENCHMARKS.md reports
    quick: int  # --quick
    unit: str
    postgres: bool = False


# In the order they run; the names are --only's choices.
BENCHMARKS: dict[str, Benchmark] = {
    "posting": Benchmark(posting.run, 100_000, 500, "journals"),
    "trial-balance": Benchmark(trial_balance.run, 1_000_000, 4_000, "journal lines", postgres=True),
    "office-reports": Benchmark(office_reports.run, 100_000, 500, "bills", postgres=True),
    "sandbox": Benchmark(sandbox_throughput.run, 100, 4, "requests per figure"),
    "xero-mapping": Benchmark(xero_mapping.run, 5, 1, "connects"),
    "reconcile-page": Benchmark(reconcile_page.run, 10_000, 30, "statement lines"),
}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="every benchmark at a tiny size, in seconds: a smoke run")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL figures")
    parser.add_argument("--postgres-url", metavar="URL",
                        help="an existing PostgreSQL database to use (its tables are dropped and "
                             "recreated) instead of a throwaway cluster")
    parser.add_argument("--only", choices=list(BENCHMARKS), help="run one benchmark")
    args = parser.parse_args(argv)
    chosen = {name: b for name, b in BENCHMARKS.items() if args.only in (None, name)}
    print(f"# Practice Ledger benchmarks ({platform.python_implementation()} "
          f"{platform.python_version()}, {platform.machine()}"
          f"{', quick sizes: a smoke run' if args.quick else ''})")
    server = None
    if not (args.no_postgres or args.postgres_url) and any(b.postgres for b in chosen.values()):
        server = _throwaway_postgres()
    try:
        for name, benchmark in chosen.items():
            size = benchmark.quick if args.quick else benchmark.size
            print(f"\n# {name}: {size:,} {benchmark.unit}", flush=True)
            started = time.perf_counter()
            if not benchmark.postgres:
                benchmark.run(size)
            else:
                url = None if args.no_postgres else args.postgres_url
                if server:
                    url = server.create_database(f"bench_{name.replace('-', '_')}")
                benchmark.run(size, url)
            print(f"  ({name} took {time.perf_counter() - started:,.1f} s with its setup)", flush=True)
    finally:
        if server:
            server.stop()
    print(f"\nRan {len(chosen)} benchmark{'s' if len(chosen) > 1 else ''}: {', '.join(chosen)}")


def _throwaway_postgres():
    """A PostgreSQL cluster of the tests' kind, or None (with a note) when none is installed."""
    import pytest

    from tests.support import PostgresServer

    try:
        return PostgresServer()
    except pytest.skip.Exception as missing:  # tests.support skips where PostgreSQL is missing
        print(f"(no PostgreSQL figures: {missing})")
        return None


if __name__ == "__main__":
    main()
