"""Approved minutes stay as approved: the guards every write of a meeting record passes.

Once a meeting's minutes are approved, its minutes, attendance, decisions and votes (and the
meeting itself, its agenda, papers, declarations of interest and the actions raised at it)
cannot change by any path: services, pages, the API and the admin all save through the model,
and the model refuses here (`MinutesLocked`, before anything is written). Queryset bulk writes
are refused by `cdrp.meetings.models.LockedQuerySet`; a delete, whether of one record, of a
queryset or by cascade, sends pre_delete for each row and is refused here too. A correction is
an amendment agreed at a later meeting (`MinutesAmendment`, made by
`cdrp.meetings.services.amend_minutes`): a new version, never a change to the old one.

Saves with ``raw=True`` (loaddata restoring a dump) are not changes and pass.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, pre_delete, pre_save

from cdrp.meetings.models import (
    APPROVAL_NEEDS,
    Action,
    AgendaItem,
    Attendance,
    Decision,
    Declaration,
    Meeting,
    Minutes,
    MinutesAmendment,
    MinutesLocked,
    Paper,
    Vote,
    check_approvable,
    meeting_id_of,
    raise_unapprovable,
    refuse_if_locked,
)

__all__ = ["connect", "check_approvable", "APPROVAL_NEEDS"]

GUARDED = (Meeting, Attendance, Decision, Vote, AgendaItem, Paper, Declaration)


def _before_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    ids = {meeting_id_of(instance)}
    if instance.pk is not None and sender is not Meeting:
        # A record moved from a locked meeting leaves that meeting changed too.
        stored = sender._base_manager.filter(pk=instance.pk).first()
        if stored is not None:
            ids.add(meeting_id_of(stored))
    refuse_if_locked(ids)


def _minutes_before_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    stored = Minutes._base_manager.filter(pk=instance.pk).first() if instance.pk else None
    if stored is not None and stored.approved:
        refuse_if_locked({stored.meeting_id}, "text")
    if stored is not None and stored.meeting_id != instance.meeting_id:
        refuse_if_locked({instance.meeting_id})
    if instance.approved:
        missing = check_approvable(instance.meeting_id, instance.text)
        if missing:
            raise_unapprovable(missing)


def _amendment_before_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if instance.pk is not None:
        raise MinutesLocked(
            "text", "An amendment of approved minutes is a version of its own: it never changes"
        )


def _amendment_before_delete(sender, instance, **kwargs):
    raise MinutesLocked(
        "", "An amendment of approved minutes is kept: every version of the minutes stays"
    )


def _before_delete(sender, instance, **kwargs):
    if sender is Minutes:
        refuse_if_locked({instance.meeting_id})
        return
    refuse_if_locked({meeting_id_of(instance)})


def _action_before_save(sender, instance, raw=False, **kwargs):
    # Closing an action is its follow-up, not a change to the meeting: only raising a new one at
    # (or moving one to) a meeting whose minutes are approved is refused.
    if raw or instance.meeting_id is None:
        return
    if instance.pk is not None:
        stored = Action._base_manager.filter(pk=instance.pk).values_list("meeting_id", flat=True)
        if stored.first() == instance.meeting_id:
            return
    refuse_if_locked({instance.meeting_id})


def _votes_cast_by_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if not action.startswith("pre_"):
        return
    if not reverse:
        refuse_if_locked({meeting_id_of(instance)})
        return
    # From the person's side: the votes named (or, on clear, all the person's votes).
    votes = Vote._base_manager.filter(pk__in=pk_set) if pk_set else instance.votes_cast.all()
    refuse_if_locked(set(votes.values_list("decision__meeting_id", flat=True)))


def connect() -> None:
    for model in GUARDED:
        uid = f"meetings-lock-{model._meta.label}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
        pre_delete.connect(_before_delete, sender=model, dispatch_uid=uid)
    pre_save.connect(_minutes_before_save, sender=Minutes, dispatch_uid="meetings-lock-minutes")
    pre_delete.connect(_before_delete, sender=Minutes, dispatch_uid="meetings-lock-minutes")
    pre_save.connect(_amendment_before_save, sender=MinutesAmendment, dispatch_uid="meetings-amend")
    pre_delete.connect(
        _amendment_before_delete, sender=MinutesAmendment, dispatch_uid="meetings-amend"
    )
    pre_save.connect(_action_before_save, sender=Action, dispatch_uid="meetings-lock-action")
    m2m_changed.connect(
        _votes_cast_by_changed, sender=Vote.cast_by.through, dispatch_uid="meetings-lock-cast-by"
    )
