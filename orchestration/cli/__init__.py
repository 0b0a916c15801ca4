"""`dothi`: the command line. One module per command, each with ``register(subparsers)``.

Heavy imports (Dagster, dbt, Great Expectations) happen inside the commands, never at start-up,
so ``dothi --help`` stays instant.
"""

from __future__ import annotations

import argparse

from orchestration.cli import (
    alerts,
    aliases,
    approve,
    quality,
    rebuild,
    refresh,
    report,
    reprocess,
    rollback,
    status,
    template,
    ui,
)

COMMANDS = (
    refresh,
    report,
    template,
    ui,
    quality,
    status,
    alerts,
    aliases,
    reprocess,
    approve,
    rollback,
    rebuild,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="dothi",
        description="Khánh Hòa urban development indicators: submissions → DuckDB warehouse → gaps to target.",
        epilog="Everything lives under DOTHI_HOME (default ./var): inbox/, archive/, quarantine/, "
        "warehouse.duckdb, reports/.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(subparsers)
    args = parser.parse_args(argv)
    return args.handler(args)
