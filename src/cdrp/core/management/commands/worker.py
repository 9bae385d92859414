"""cdrp worker: runs queued background tasks (imports, assessment builds, PDF rendering)."""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "Run the background task worker (imports, assessments, documents)"
