"""The agenda and its papers: preparing the agenda, uploading and downloading papers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from cdrp.accounts.policy import Permission, requires
from cdrp.core.uploads import upload_limit, upload_refusal
from cdrp.meetings import agenda, restricted
from cdrp.meetings.models import (
    Paper,
)
from cdrp.meetings.papers import add_paper
from cdrp.meetings.views.common import (
    _locked,
    _meeting,
    _restricted_meeting,
)


@requires(Permission.MINUTE)
@require_POST
def meeting_agenda(request, partnership, meeting_id: int):
    meeting = _restricted_meeting(request, meeting_id)
    if locked := _locked(request, meeting):
        return locked
    agenda.prepare_agenda(meeting)
    return redirect("meetings:meeting", partnership=request.partnership.slug, meeting_id=meeting.pk)


@upload_limit("PAPER_MAX_BYTES", "papers")
@requires(Permission.MINUTE)
@require_POST
def paper_upload(request, partnership, meeting_id: int, item_id: int):
    """Add a paper to an agenda item. A file over the limit is refused while it is read (the
    rest of it is never read); what arrives is checked by its content (cdrp.meetings.papers)."""
    meeting = _meeting(request, meeting_id)
    item = get_object_or_404(meeting.agenda.select_related("meeting__group"), pk=item_id)
    if not restricted.may_read(request.user, item):
        raise Http404("No such agenda item")
    if locked := _locked(request, meeting):
        return locked
    refused = upload_refusal(request)
    upload = request.FILES.get("file")
    if refused:
        messages.error(request, refused)
    elif upload is None:
        messages.error(request, "Choose a file to upload")
    else:
        try:
            add_paper(item, upload, request.POST.get("title", "").strip(), request.user)
            messages.success(request, f"Paper added to “{item.title}”")
        except ValidationError as err:
            messages.error(request, "; ".join(err.messages))
    return redirect("meetings:meeting", partnership=request.partnership.slug, meeting_id=meeting.pk)


@requires(Permission.VIEW_MEMBER)
def paper_download(request, partnership, paper_id: int):
    paper = get_object_or_404(
        Paper.objects.select_related("item__meeting__group"),
        pk=paper_id,
        item__meeting__group__partnership=request.partnership,
    )
    if not restricted.may_read(request.user, paper):
        raise Http404("No such paper")
    restricted.audit_reads([paper])
    name = paper.file.name.rsplit("/", 1)[-1]
    return FileResponse(paper.file.open("rb"), as_attachment=True, filename=name)
