"""`python -m sandbox --port PORT [--db PATH] [--reset]`: run the sandbox alone."""

from __future__ import annotations

import argparse

from sandbox import create_app
from sandbox.config import load_config


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--port", type=int, default=int(load_config()["PORT"]))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--db", help="SQLite file (default: SANDBOX_DB_PATH or "
                                     "instance/sandbox.sqlite3)")
    parser.add_argument("--reset", action="store_true", help="start from the seeded state")
    args = parser.parse_args(argv)
    overrides: dict[str, object] = {"RESET": args.reset} if args.reset else {}
    if args.db:
        overrides["DB_PATH"] = args.db
    app = create_app(overrides)
    print(f"Xero sandbox on http://{args.host}:{args.port}/  (inspection page: /)")
    app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
