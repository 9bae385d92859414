"""cdrp serve: the production-style web server (gunicorn, whitenoise static files, no DEBUG)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


def run_gunicorn(host: str, port: int, workers: int, threads: int) -> None:
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


class Command(BaseCommand):
    help = "Serve the web application with gunicorn (production settings, no DEBUG)"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("CDRP_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("CDRP_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args, host, port, workers, threads, **options):
        if settings.DEBUG:
            raise CommandError(
                "CDRP_DEBUG is on: `cdrp serve` is for production; use `cdrp runserver` to develop"
            )
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Serving on http://{host}:{port}/ (Ctrl-C to stop)")
        run_gunicorn(host, port, workers, threads)
