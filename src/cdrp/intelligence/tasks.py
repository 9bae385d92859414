"""Background tasks for long imports, run by `cdrp worker`; progress is shown on /tasks/<id>/."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.db import DatabaseError
from django_tasks import task

from cdrp.accounts.notifications import run_checks
from cdrp.analysis.errors import RefusedInput
from cdrp.core.progress import task_progress
from cdrp.intelligence.hooks import check_partner_import
from cdrp.intelligence.services import incident_store
from cdrp.store import import_police_uk
from cdrp.store.inputs import ImportResult
from cdrp.store.partner import import_partner, load_mapping

logger = logging.getLogger("cdrp.import")


def _user(user_id: int | None):
    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id).first()


def _by(user) -> str:
    return f"{user.get_username()} (background task)" if user else "background task"


@task(takes_context=True)
def import_police_uk_task(
    context,
    paths: list[str],
    user_id: int | None = None,
    replace: bool = False,
    reason: str = "",
) -> list[dict]:
    """Import police.uk files (as `cdrp import police-uk`); returns one summary per file.

    A file that would replace a month with fewer rows or an emptied column comes back with
    status 'refused' and the figures, unless `replace` (with the person's `reason`) confirms
    it; the replacement is recorded in the store's manifest with the requesting user."""
    label = "Import police.uk files"
    user = _user(user_id)
    with task_progress(context.task_result.id, label, user) as report:
        results = import_police_uk(
            incident_store(), paths, report, replace=replace, by=_by(user), reason=reason
        )
    try:
        run_checks(only="data")  # a new month loaded: its partnerships' staff are told
    except DatabaseError:  # the import stands; the morning checks will tell them instead
        logger.warning("notifications after the police.uk import were not sent", exc_info=True)
    return [r.as_dict() for r in results]


@task(takes_context=True)
def import_partner_task(
    context,
    path: str,
    mapping: str,
    user_id: int | None = None,
    replace: bool = False,
    reason: str = "",
) -> dict:
    """Import one partner file with its YAML mapping (as `cdrp import partner`). Refused, with
    nothing written, when a registered gate refuses it (no information sharing agreement covers
    its dataset: `cdrp.intelligence.hooks.check_partner_import`)."""
    user = _user(user_id)
    with task_progress(context.task_result.id, "Import partner data", user) as report:
        report(0, 1, path)
        loaded = load_mapping(mapping)
        try:
            check_partner_import(loaded)
        except RefusedInput as exc:
            report(1, 1, "refused")
            return ImportResult(
                file=path, kind="partner", status="refused", source=loaded["source"],
                message=exc.message,
            ).as_dict()  # fmt: skip
        result = import_partner(
            incident_store(), path, loaded, replace=replace, by=_by(user), reason=reason
        )
        report(1, 1, result.status)
    return result.as_dict()
