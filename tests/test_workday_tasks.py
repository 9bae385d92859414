"""Work that always finishes where you can see it: `cdrp serve` runs the task worker beside
gunicorn; a queued task's page exists at once ("Waiting to start"), follows it and links to
(and sends HTMX polls on to) its result; a rebuild replaces the draft of the same period."""

from __future__ import annotations

import copy
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks import task

from cdrp.core.models import TaskProgress
from cdrp.core.progress import queue, task_progress
from cdrp.store import Store

SOUTH = ["E07000118", "E07000126", "E07000127"]


# The worker beside the server ------------------------------------------------------------------


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("ending", [KeyboardInterrupt, SystemExit])
def test_serve_runs_the_worker_as_a_child_and_stops_it_with_the_server(monkeypatch, ending):
    from cdrp.core.management.commands import serve

    sleeper = [sys.executable, "-c", "import time; time.sleep(120)"]
    monkeypatch.setattr(serve, "worker_command", lambda: sleeper)
    seen = {}

    def fake_gunicorn(host, port, workers, threads):
        children = subprocess.run(
            ["ps", "-o", "pid=,args=", "--ppid", str(__import__("os").getpid())],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        seen["children"] = children
        seen["pid"] = next(
            int(line.split()[0]) for line in children.splitlines() if "time.sleep(120)" in line
        )
        assert _alive(seen["pid"])
        raise ending()  # Ctrl-C, or gunicorn's arbiter leaving on SIGTERM

    monkeypatch.setattr(serve, "_gunicorn", fake_gunicorn)
    with pytest.raises(ending):
        serve.run_gunicorn("127.0.0.1", 0, 1, 1)
    assert "time.sleep(120)" in seen["children"]
    assert not _alive(seen["pid"])


def test_the_worker_is_started_again_when_it_stops_on_its_own(monkeypatch):
    from cdrp.core.management.commands import serve

    monkeypatch.setattr(serve, "CHECK_SECONDS", 0.05)
    monkeypatch.setattr(serve, "RESTART_SECONDS", 0.0)
    worker = serve.WorkerProcess([sys.executable, "-c", "pass"], out=open("/dev/null", "w"))
    worker.start()
    first = worker.process.pid
    import time

    deadline = time.monotonic() + 20
    while worker.process.pid == first and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.stop()
    assert worker.process.pid != first


def test_serve_without_the_worker_starts_no_child(monkeypatch):
    from cdrp.core.management.commands import serve

    started = []
    monkeypatch.setattr(serve.WorkerProcess, "start", lambda self: started.append(self) or self)
    monkeypatch.setattr(serve, "_gunicorn", lambda *a: None)
    serve.run_gunicorn("127.0.0.1", 0, 1, 1, task_worker=False)
    assert started == []
    serve.run_gunicorn("127.0.0.1", 0, 1, 1)
    assert len(started) == 1


# The task page ----------------------------------------------------------------------------------


@task(takes_context=True)
def make_thing(context, n: int) -> dict:
    with task_progress(context.task_result.id, "Make a thing", min_interval=0) as report:
        report(1, 2, "half way")
        report.result("/made/thing/", "Open the thing")
    return {"n": n, "url": "/made/thing/"}


@task()
def breaks_at_once(n: int) -> int:
    raise LookupError(f"no partnership {n}")


@pytest.mark.django_db(transaction=True)
def test_a_queued_task_has_a_page_at_once_and_it_leads_to_the_result(client, member):
    task_id = queue(make_thing, "Make a thing", member, 7)
    client.force_login(member)
    waiting = client.get(f"/tasks/{task_id}/")
    assert waiting.status_code == 200
    text = waiting.content.decode()
    assert "Waiting to start" in text and "Open the thing" not in text
    assert f'hx-get="/tasks/{task_id}/progress"' in text

    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    row = TaskProgress.objects.get(task_id=task_id)
    assert row.started and row.finished and row.result_url == "/made/thing/"
    done = client.get(f"/tasks/{task_id}/").content.decode()
    assert "Finished" in done and 'href="/made/thing/"' in done and "Open the thing" in done
    assert "hx-get" not in done
    poll = client.get(f"/tasks/{task_id}/progress", HTTP_HX_REQUEST="true")
    assert poll["HX-Redirect"] == "/made/thing/"
    assert "HX-Redirect" not in client.get(f"/tasks/{task_id}/progress")


@pytest.mark.django_db(transaction=True)
def test_a_task_that_fails_before_it_reports_is_shown_failed_not_waiting(client, member):
    task_id = queue(breaks_at_once, "Break", member, 3)
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    client.force_login(member)
    text = client.get(f"/tasks/{task_id}/").content.decode()
    assert "Failed" in text and "no partnership 3" in text and "hx-get" not in text
    assert TaskProgress.objects.get(task_id=task_id).failed


@pytest.mark.django_db
def test_a_waiting_task_is_still_only_for_its_requester(client, member, analyst):
    task_id = queue(make_thing, "Make a thing", member, 1)
    client.force_login(analyst)
    assert client.get(f"/tasks/{task_id}/").status_code == 403


# Rebuilding replaces the draft --------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(reference_store):
    from cdrp.intelligence.assessments import build

    root, _ = reference_store
    return build(districts=SOUTH, end="2022-11", store=Store(root), save=False)


def _copy(built, partnership, **changes):
    record = copy.copy(built)
    record.document = copy.deepcopy(built.document)
    record.fingerprint = copy.deepcopy(built.fingerprint)
    record.pk = None
    record.partnership = partnership
    for name, value in changes.items():
        setattr(record, name, value)
    return record


@pytest.mark.django_db
def test_a_rebuild_replaces_the_draft_of_the_period_and_leaves_other_states_alone(
    built, south_districts
):
    from cdrp.intelligence.assessment_tasks import save_replacing_draft
    from cdrp.intelligence.models import Assessment

    first = save_replacing_draft(_copy(built, south_districts))
    again = save_replacing_draft(_copy(built, south_districts, build_seconds=1.5))
    assert again.pk == first.pk and again.version == first.version + 1
    assert Assessment.objects.count() == 1 and Assessment.objects.get().build_seconds == 1.5

    Assessment.objects.filter(pk=first.pk).update(status=Assessment.Status.REVIEWED)
    beside = save_replacing_draft(_copy(built, south_districts))
    assert beside.pk != first.pk and Assessment.objects.count() == 2

    other = save_replacing_draft(_copy(built, south_districts, period_end="2022-10"))
    assert other.pk not in (first.pk, beside.pk) and Assessment.objects.count() == 3


@pytest.mark.django_db
def test_older_duplicate_drafts_of_the_period_are_removed_by_a_rebuild(built, south_districts):
    from cdrp.intelligence.assessment_tasks import save_replacing_draft
    from cdrp.intelligence.models import Assessment

    _copy(built, south_districts).save()
    _copy(built, south_districts).save()
    kept = save_replacing_draft(_copy(built, south_districts))
    assert list(Assessment.objects.values_list("pk", flat=True)) == [kept.pk]


@pytest.mark.django_db(transaction=True)
def test_the_build_button_replaces_the_draft_and_the_task_page_leads_to_it(
    client, analyst, built, south_districts, reference_store, settings
):
    from cdrp.intelligence.models import Assessment

    settings.INCIDENT_STORE = reference_store[0]
    existing = _copy(built, south_districts)
    existing.save()
    client.force_login(analyst)
    response = client.post(
        reverse("intelligence:assessment-build", kwargs={"partnership": "lancashire-south"}),
        {"kind": "strategic", "end": "2022-11", "months": "12"},
    )
    task_page = response["Location"]
    assert "Waiting to start" in client.get(task_page).content.decode()
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    record = Assessment.objects.get()
    assert record.pk == existing.pk and record.version == 2 and record.built_by == analyst
    url = reverse(
        "intelligence:assessment-detail",
        kwargs={"partnership": "lancashire-south", "pk": record.pk},
    )
    page = client.get(task_page).content.decode()
    assert f'href="{url}"' in page and "Open the draft" in page
    assert client.get(task_page + "progress", HTTP_HX_REQUEST="true")["HX-Redirect"] == url


def test_a_forked_web_worker_leaving_does_not_stop_the_task_worker():
    import os

    from cdrp.core.management.commands import serve

    worker = serve.WorkerProcess(
        [sys.executable, "-c", "import time; time.sleep(60)"], out=open("/dev/null", "w")
    ).start()
    try:
        child = os.fork()
        if child == 0:  # as a gunicorn worker does when it exits through run_gunicorn's frame
            worker.stop()
            os._exit(0)
        os.waitpid(child, 0)
        assert worker.running
    finally:
        worker.stop()
    assert not worker.running
