"""Fault injection for the reliability tests: ``DOTHI_FAULT_POINT=<name>`` makes the process SIGKILL
itself when it reaches the named point (read at call time; a no-op when unset).

Points: ``intake.after_archive`` (a batch's bytes archived, synced and journalled, nothing loaded),
``intake.after_load`` (a batch loaded into the working copy and removed from the inbox; batches start at
one file and double), ``intake.parse_worker`` (in a parse worker, before each file: a worker that dies
mid-file; see sources/parallel.py), ``publish.before_replace``
(working copy checkpointed and exported, not yet renamed), ``publish.after_replace`` (new warehouse
live, journal and working copy not yet cleaned up). See docs/reliability.md.
"""

from __future__ import annotations

import os
import signal

ENV = "DOTHI_FAULT_POINT"


def fault_point(name: str) -> None:
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no atexit: what a power cut or OOM kill does
