"""cdrp worker: runs queued background tasks (imports, assessment builds, PDF rendering).

Beside the queue it keeps a heartbeat (`cdrp.core.models.WorkerHeartbeat`) every few seconds, so
`/healthz` and `/metrics` can tell a worker that is idle from one that has gone.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.db import connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from cdrp.core.models import WorkerHeartbeat

logger = logging.getLogger("cdrp.worker")

HEARTBEAT_SECONDS = 15.0


def beat(worker_id: str, started_at) -> None:
    """Record that the worker `worker_id` is alive now."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id[:100],
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": timezone.now(),
        },
    )


def _beat_safely(worker_id: str, started_at) -> None:
    try:
        beat(worker_id, started_at)
    except Exception:  # a missed heartbeat must never stop the worker
        logger.warning("worker heartbeat not recorded", exc_info=True)


def _keep_beating(worker_id: str, started_at, stop: threading.Event) -> None:
    """Every HEARTBEAT_SECONDS until `stop`, on this thread's own connection (the first beat
    is written by the worker itself before it starts, so a short batch run writes from one
    thread only)."""
    while not stop.wait(HEARTBEAT_SECONDS):
        try:
            _beat_safely(worker_id, started_at)
        finally:
            connection.close()  # this thread's own connection


class Command(DbWorkerCommand):
    help = "Run the background task worker (imports, assessments, documents)"

    def handle(self, *args, **options):
        worker_id = options.get("worker_id") or f"{socket.gethostname()}-{os.getpid()}"
        started_at = timezone.now()
        _beat_safely(worker_id, started_at)
        stop = threading.Event()
        thread = threading.Thread(
            target=_keep_beating,
            args=(worker_id, started_at, stop),
            name="cdrp-heartbeat",
            daemon=True,
        )
        thread.start()
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
