"""cdrp serve: the production-style web server (gunicorn, whitenoise static files, no DEBUG),
with the background task worker (`cdrp worker`) running beside it as a child process, so work
queued from a page (an assessment build, an import) always finishes. Ctrl-C or SIGTERM stops
both."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

#: How often the supervisor looks at the worker, and the least time between two restarts.
CHECK_SECONDS = 2.0
RESTART_SECONDS = 10.0


def worker_command() -> list[str]:
    """The task worker as a child process: the same interpreter and settings as this one,
    for every queue (imports and builds, and the documents rendered ahead of a download)."""
    return [sys.executable, "-m", "cdrp", "worker", "--queue-name", "*"]


class WorkerProcess:
    """`cdrp worker` as a child of the web server: started with it, restarted if it stops on
    its own (at most every RESTART_SECONDS), stopped (SIGTERM, then SIGKILL) with it."""

    def __init__(self, command: list[str] | None = None, out=None):
        self.command = command or worker_command()
        self.out = out or sys.stderr
        self.process: subprocess.Popen | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._owner = os.getpid()
        self._started_at = 0.0
        self._watch: threading.Thread | None = None

    def start(self) -> WorkerProcess:
        self._spawn()
        self._watch = threading.Thread(target=self._supervise, name="cdrp-worker", daemon=True)
        self._watch.start()
        return self

    def _spawn(self) -> None:
        self._started_at = time.monotonic()
        # Our own interpreter with fixed arguments, no shell.
        self.process = subprocess.Popen(self.command)  # noqa: S603  # nosec B603
        print(f"Task worker started (process {self.process.pid})", file=self.out, flush=True)

    def _supervise(self) -> None:
        while not self._stopping.wait(CHECK_SECONDS):
            process = self.process
            if process is None or process.poll() is None:
                continue
            if time.monotonic() - self._started_at < RESTART_SECONDS:
                continue
            with self._lock:
                if self._stopping.is_set():
                    return
                print(
                    f"Task worker stopped (exit {process.returncode}); starting it again",
                    file=self.out,
                    flush=True,
                )
                self._spawn()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        if os.getpid() != self._owner:
            # A gunicorn worker (forked from the server) leaving through this frame: the task
            # worker belongs to the server process, which stops it.
            return
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        print("Task worker stopped", file=self.out, flush=True)


def _gunicorn(host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    from cdrp.wsgi import application

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", "-")
            self.cfg.set("timeout", 120)

        def load(self):
            return application

    Server().run()


def run_gunicorn(
    host: str, port: int, workers: int, threads: int, *, task_worker: bool = True
) -> None:
    """Serve until Ctrl-C or SIGTERM, with the task worker beside gunicorn unless
    `task_worker` is false; the worker is stopped however gunicorn ends."""
    worker = WorkerProcess().start() if task_worker else None
    try:
        _gunicorn(host, port, workers, threads)
    finally:
        if worker is not None:
            worker.stop()


class Command(BaseCommand):
    help = "Serve the web application with gunicorn and the task worker (no DEBUG)"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("CDRP_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("CDRP_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument(
            "--no-task-worker",
            action="store_true",
            help="do not start `cdrp worker` beside the server (run it yourself elsewhere)",
        )

    def handle(self, *args, host, port, workers, threads, no_task_worker, **options):
        if settings.DEBUG:
            raise CommandError(
                "CDRP_DEBUG is on: `cdrp serve` is for production; use `cdrp runserver` to develop"
            )
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            f"Serving on http://{host}:{port}/"
            + ("" if no_task_worker else " with the task worker")
            + " (Ctrl-C to stop)"
        )
        run_gunicorn(host, port, workers, threads, task_worker=not no_task_worker)
