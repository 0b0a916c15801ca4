"""`dothi ui`: the Dagster UI (with its daemon, so the schedule and sensor fire), bound to 127.0.0.1."""

from __future__ import annotations

import argparse
import os

from orchestration.cli.environment import export_environment


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ui", help="start the Dagster UI (bound to 127.0.0.1)")
    parser.add_argument("--port", type=int, default=3000)
    parser.set_defaults(handler=lambda args: run(args.port))


def run(port: int) -> int:
    export_environment()
    command = ["dagster", "dev", "-m", "orchestration.definitions", "--host", "127.0.0.1", "--port", str(port)]
    print("Starting the Dagster UI (and its daemon, for the schedule and sensor): " + " ".join(command))
    return os.execvp(command[0], command)
