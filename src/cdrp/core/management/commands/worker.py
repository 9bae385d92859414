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


def _keep_beating(worker_id: str, stop: threading.Event) -> None:
    started_at = timezone.now()
    while True:
        try:
            beat(worker_id, started_at)
        except Exception:  # a missed heartbeat must never stop the worker
            logger.warning("worker heartbeat not recorded", exc_info=True)
        finally:
            connection.close()  # this thread's own connection
        if stop.wait(HEARTBEAT_SECONDS):
            return


class Command(DbWorkerCommand):
    help = "Run the background task worker (imports, assessments, documents)"

    def handle(self, *args, **options):
        worker_id = options.get("worker_id") or f"{socket.gethostname()}-{os.getpid()}"
        stop = threading.Event()
        thread = threading.Thread(
            target=_keep_beating, args=(worker_id, stop), name="cdrp-heartbeat", daemon=True
        )
        thread.start()
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
