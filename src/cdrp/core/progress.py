"""Progress reporting for long work: rich bars in the terminal, TaskProgress rows for pages.

Pure code (cdrp.store, cdrp.analysis) takes a plain callback `report(done, total, message)`;
these adapters turn that callback into a terminal bar or a row that a page polls.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

Report = Callable[[int, int | None, str], None]

__all__ = ["Report", "terminal_progress", "task_progress"]


@contextmanager
def terminal_progress(label: str, console: Console | None = None) -> Iterator[Report]:
    """A rich progress bar fed by a `report(done, total, message)` callback."""
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[message]}"),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(label, total=None, message="")

        def report(done: int, total: int | None, message: str = "") -> None:
            bar.update(task, completed=done, total=total, message=message)

        yield report


@contextmanager
def task_progress(
    task_id: str, label: str, user=None, min_interval: float = 0.5
) -> Iterator[Report]:
    """Write progress of a background task to TaskProgress, at most every `min_interval` seconds."""
    from cdrp.core.models import TaskProgress

    row, _ = TaskProgress.objects.update_or_create(
        task_id=task_id, defaults={"label": label, "requested_by": user}
    )
    last = 0.0

    def report(done: int, total: int | None, message: str = "") -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < min_interval and (total is None or done < total):
            return
        last = now
        TaskProgress.objects.filter(pk=row.pk).update(done=done, total=total, message=message[:500])

    try:
        yield report
    except BaseException as exc:
        TaskProgress.objects.filter(pk=row.pk).update(
            finished=True, failed=True, message=f"Failed: {exc}"[:500]
        )
        raise
    TaskProgress.objects.filter(pk=row.pk).update(finished=True, message="Finished")
