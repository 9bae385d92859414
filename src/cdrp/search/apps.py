from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "cdrp.search"
    label = "search"
    verbose_name = "Search across a partnership's records"

    def ready(self) -> None:
        from cdrp.search import index, indexers, registry

        # Papers, agenda items, minutes, decisions, actions, assessments and plans; then the
        # `searchable` modules of other apps (see the cdrp.search docstring).
        indexers.register_builtin()
        registry.autodiscover()
        index.connect()
