"""Rich progress for long CLI work, on stderr (stdout stays clean for ``--json`` and pipes)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn


@contextlib.contextmanager
def steps(title: str, enabled: bool = True) -> Iterator[Callable[[str], None]]:
    """Yields ``step(description)``: each call ends the previous step (ticked) and starts the next."""
    if not enabled:
        yield lambda _: None
        return
    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console) as bar:
        current: list[TaskID] = []

        def step(description: str) -> None:
            if current:
                bar.update(current[-1], completed=1, total=1)
            current.append(bar.add_task(f"{title}: {description}", total=None))

        yield step
        if current:
            bar.update(current[-1], completed=1, total=1)
