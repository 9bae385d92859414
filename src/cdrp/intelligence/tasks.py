"""Background tasks for long imports, run by `cdrp worker`; progress is shown on /tasks/<id>/."""

from __future__ import annotations

from django_tasks import task

from cdrp.core.progress import task_progress
from cdrp.intelligence.services import incident_store


def _user(user_id: int | None):
    if user_id is None:
        return None
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=user_id).first()


@task(takes_context=True)
def import_police_uk_task(context, paths: list[str], user_id: int | None = None) -> list[dict]:
    """Import police.uk files (as `cdrp import police-uk`); returns one summary per file."""
    from cdrp.store import import_police_uk

    label = "Import police.uk files"
    with task_progress(context.task_result.id, label, _user(user_id)) as report:
        results = import_police_uk(incident_store(), paths, report)
    return [r.as_dict() for r in results]


@task(takes_context=True)
def import_partner_task(context, path: str, mapping: str, user_id: int | None = None) -> dict:
    """Import one partner file with its YAML mapping (as `cdrp import partner`)."""
    from cdrp.store.partner import import_partner

    with task_progress(context.task_result.id, "Import partner data", _user(user_id)) as report:
        report(0, 1, path)
        result = import_partner(incident_store(), path, mapping)
        report(1, 1, result.status)
    return result.as_dict()
