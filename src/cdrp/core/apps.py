from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cdrp.core"
    label = "core"
    verbose_name = "Service shell"

    def ready(self) -> None:
        # The incident store learns how to reach S3 and which lock its imports take.
        from cdrp.core import cache, objectstore

        objectstore.setup()
        # Saves and deletes of cdrp records make cached public pages stale (cdrp.core.cache).
        cache.connect()
