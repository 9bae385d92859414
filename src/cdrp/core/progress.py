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

__all__ = [
    "Report",
    "TaskReport",
    "queue",
    "settle_from_queue",
    "terminal_progress",
    "task_progress",
]


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


class TaskReport:
    """The `report(done, total, message)` callback of a background task, written to its
    TaskProgress row at most every `min_interval` seconds. `result(url, label)` names the page
    of what the task made; the task page links to it (and goes there) once the task finishes."""

    def __init__(self, row_pk: int, min_interval: float = 0.5):
        self.row_pk = row_pk
        self.min_interval = min_interval
        self.result_url = ""
        self.result_label = ""
        self._last = 0.0

    def __call__(self, done: int, total: int | None, message: str = "") -> None:
        from cdrp.core.models import TaskProgress

        now = time.monotonic()
        if now - self._last < self.min_interval and (total is None or done < total):
            return
        self._last = now
        TaskProgress.objects.filter(pk=self.row_pk).update(
            done=done, total=total, message=message[:500]
        )

    def result(self, url: str, label: str) -> None:
        self.result_url = url[:500]
        self.result_label = label[:200]


def queue(task, label: str, user=None, *args, **kwargs) -> str:
    """Enqueue `task(*args, **kwargs)` and create its progress row at once, so its page
    (/tasks/<id>/) says "Waiting to start" until the worker picks it up. Returns the task id."""
    from cdrp.core.models import TaskProgress

    result = task.enqueue(*args, **kwargs)
    requested_by = user if getattr(user, "is_authenticated", False) else None
    TaskProgress.objects.update_or_create(
        task_id=str(result.id),
        defaults={
            "label": label[:200],
            "requested_by": requested_by,
            "started": False,
            "message": "Waiting for the task worker to start it",
        },
    )
    return str(result.id)


def settle_from_queue(progress) -> None:
    """A task that failed before it could report (an error before `task_progress`, or a worker
    that lost it) leaves its row waiting for ever: mark the row failed from the queue's record."""
    if progress.finished:
        return
    from django_tasks import TaskResultStatus, default_task_backend

    try:
        result = default_task_backend.get_result(progress.task_id)
    except Exception:  # unknown id, or a backend that cannot look results up
        return
    if result.status == TaskResultStatus.FAILED:
        errors = getattr(result, "errors", None) or []
        lines = errors[-1].traceback.strip().splitlines() if errors else []
        reason = lines[-1] if lines else "an error stopped it before it began"
        progress.failed = progress.finished = True
        progress.message = f"Failed: {reason}"[:500]
        progress.save(update_fields=["failed", "finished", "message", "updated_at"])


@contextmanager
def task_progress(
    task_id: str, label: str, user=None, min_interval: float = 0.5
) -> Iterator[TaskReport]:
    """Write progress of a background task to TaskProgress, at most every `min_interval` seconds."""
    from cdrp.core.models import TaskProgress

    defaults = {"label": label, "started": True, "message": "Started"}
    if user is not None:  # else keep the requester `queue` recorded
        defaults["requested_by"] = user
    row, _ = TaskProgress.objects.update_or_create(task_id=task_id, defaults=defaults)
    report = TaskReport(row.pk, min_interval)
    try:
        yield report
    except BaseException as exc:
        TaskProgress.objects.filter(pk=row.pk).update(
            finished=True, failed=True, message=f"Failed: {exc}"[:500]
        )
        raise
    TaskProgress.objects.filter(pk=row.pk).update(
        finished=True,
        message="Finished",
        result_url=report.result_url,
        result_label=report.result_label,
    )
