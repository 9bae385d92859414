"""The service shell: home page, health check, and task progress pages."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from cdrp.accounts.home import dashboard
from cdrp.accounts.models import partnership_model
from cdrp.accounts.policy import Permission, may_see_task, public, requires, roles_of
from cdrp.core.models import TaskProgress, WorkerHeartbeat
from cdrp.core.objectstore import documents_state
from cdrp.core.progress import settle_from_queue
from cdrp.store import store_state


@public
def home(request):
    """Everyone's front page; a signed-in person's dashboard when an app provides one."""
    view = dashboard()
    if view is not None and request.user.is_authenticated:
        return view(request)
    partnerships = list(partnership_model().objects.all())
    memberships = []
    if request.user.is_authenticated:
        for p in partnerships:
            roles = sorted(r.label for r in roles_of(request.user, p) if r != "public")
            if roles:
                memberships.append((p, roles))
    return render(
        request, "core/home.html", {"partnerships": partnerships, "memberships": memberships}
    )


def database_state() -> dict:
    db = settings.DATABASES["default"]
    state: dict[str, object] = {"vendor": connection.vendor, "name": str(db.get("NAME"))}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        state["ok"] = True
    except Exception as exc:  # any driver error means "unreachable" to a health check
        state.update(
            ok=False,
            error=str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
        )
    return state


@public
@never_cache
def healthz(request):
    db = database_state()
    store = store_state(settings.INCIDENT_STORE)
    # Reachable or not: the object store behind the incident store (its state file listed) and
    # the documents' storage (one HEAD, or a stat on disk).
    root = str(settings.INCIDENT_STORE)
    store["object_store"] = "://" in root and not root.startswith("file:")
    documents = documents_state()
    worker = worker_state() if db["ok"] else {"ok": False, "error": "no database"}
    healthy = db["ok"] and store["ok"] and worker["ok"] and documents["ok"]
    status = "ok" if healthy else "degraded"
    body = {
        "status": status if db["ok"] else "unavailable",
        "database": db,
        "incident_store": store,
        "documents": documents,
        "worker": worker,
    }
    # Only a database this process cannot reach takes it out of a load balancer's rotation:
    # a stale worker or an unreachable store is reported, and the pages that need them say so.
    return JsonResponse(body, status=200 if db["ok"] else 503)


def worker_state() -> dict:
    """The most recent task worker heartbeat, and whether it is recent enough."""
    last = WorkerHeartbeat.objects.order_by("-seen_at").first()
    if last is None:
        return {"ok": False, "error": "no task worker has run: start one with `cdrp worker`"}
    age = (timezone.now() - last.seen_at).total_seconds()
    return {
        "ok": age <= settings.WORKER_STALE_SECONDS,
        "last_seen_seconds": round(age, 1),
        "worker": last.worker_id,
        "host": last.host,
    }


def _progress_for(request, task_id: str) -> TaskProgress:
    progress = get_object_or_404(TaskProgress, task_id=task_id)
    if not may_see_task(request.user, progress):
        raise PermissionDenied
    settle_from_queue(progress)
    return progress


@requires(Permission.VIEW_MEMBER)
@never_cache
def task_page(request, task_id: str):
    progress = _progress_for(request, task_id)
    return render(request, "core/task.html", {"progress": progress, "page_title": progress.label})


@requires(Permission.VIEW_MEMBER)
@never_cache
def task_progress(request, task_id: str):
    """The polled part of the task page. Once the task has finished with a result, a poll
    (HTMX) is sent on to the result's page."""
    progress = _progress_for(request, task_id)
    response = render(request, "core/_task_progress.html", {"progress": progress})
    if (
        progress.finished
        and not progress.failed
        and progress.result_url
        and request.headers.get("HX-Request")
    ):
        response["HX-Redirect"] = progress.result_url
    return response


@public
def glossary(request):
    """The technical terms of the pages and documents, each in plain English (public)."""
    from cdrp.analysis.readings import GLOSSARY

    terms = sorted(
        ({"key": k, "term": t, "text": x} for k, (t, x) in GLOSSARY.items()),
        key=lambda e: e["term"].lower(),
    )
    return render(request, "core/glossary.html", {"terms": terms, "page_title": "Glossary"})
