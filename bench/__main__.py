"""Run every benchmark: `python -m bench [--quick] [--no-postgres]`.

Prints figures and their ratios against baselines measured in the same run; copy them into
BENCHMARKS.md with the machine and the date.
"""

import argparse
import platform

from bench import office_reports, posting, sandbox_throughput, trial_balance
from bench.common import sqlite_engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes, for a smoke run")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL figures")
    parser.add_argument("--only", choices=["posting", "trial-balance", "sandbox", "office-reports"],
                        help="run one benchmark")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    print(f"# Practice Ledger benchmarks ({platform.python_implementation()} "
          f"{platform.python_version()}, {platform.machine()})")
    server = None
    if not args.no_postgres and args.only in (None, "trial-balance", "office-reports"):
        from tests.support import PostgresServer

        server = PostgresServer()
    try:
        if args.only in (None, "posting"):
            posting.run(100_000 // scale, sqlite_engine("posting"))
        if args.only in (None, "trial-balance"):
            url = server.create_database("bench") if server else None
            trial_balance.run(1_000_000 // scale, url, sqlite_engine("trial-balance"))
        if args.only in (None, "office-reports"):
            url = server.create_database("bench_office") if server else None
            office_reports.run(100_000 // scale, url, str(sqlite_engine("office-reports").url))
        if args.only in (None, "sandbox"):
            print()
            sandbox_throughput.run(100 // scale)
    finally:
        if server:
            server.stop()


if __name__ == "__main__":
    main()
