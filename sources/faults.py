"""Fault injection for the reliability tests: ``DOTHI_FAULT_POINT=<name>`` makes the process SIGKILL
itself when it reaches the named point (read at call time; a no-op when unset).

Points: ``intake.after_archive`` (a batch's bytes archived, synced and journalled, nothing loaded),
``intake.after_load`` (a batch loaded into the working copy and removed from the inbox; batches start at
one file and double), ``intake.parse_worker`` (in a parse worker, before each file: a worker that dies
mid-file; see sources/parallel.py), ``publish.before_replace``
(working copy checkpointed and exported, not yet renamed), ``publish.after_replace`` (new warehouse
live, journal and working copy not yet cleaned up), ``inbox.after_read`` (an inbox file read, not
yet archived). See docs/reliability.md.

A point that is given the file it is at (``inbox.after_read``) can also change that file instead of
killing: ``DOTHI_FAULT_POINT=inbox.after_read:append`` appends a line (a writer still writing),
``…:replace`` puts other bytes in its place (a new inode, as a copy tool's rename does);
``DOTHI_FAULT_FILE=<name>`` limits it to the file of that name. Works in parse workers too (they get the
environment).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

ENV = "DOTHI_FAULT_POINT"
FILE_ENV = "DOTHI_FAULT_FILE"


def fault_point(name: str, path: Path | None = None) -> None:
    value = os.environ.get(ENV)
    if value == name:
        os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no atexit: what a power cut or OOM kill does
    if path is None or not value or not value.startswith(name + ":"):
        return
    if os.environ.get(FILE_ENV) not in (None, "", path.name):
        return
    action = value[len(name) + 1:]
    if action == "append":
        with path.open("ab") as handle:
            handle.write(b"\nappended while the file was being read\n")
    elif action == "replace":
        tmp = path.with_name(f".{path.name}.fault")
        tmp.write_bytes(path.read_bytes() + b"\nreplaced while the file was being read\n")
        os.replace(tmp, path)

