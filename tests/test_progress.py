"""Background tasks report progress that a page can poll; the terminal gets a rich bar."""

import io

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus, task
from rich.console import Console

from cdrp.core.models import TaskProgress
from cdrp.core.progress import task_progress, terminal_progress

pytestmark = pytest.mark.django_db


def test_task_progress_is_written_and_finished(member):
    with task_progress("t-1", "Import police.uk data", user=member, min_interval=0) as report:
        report(5, 20, "2022-01")
        row = TaskProgress.objects.get(task_id="t-1")
        assert (row.done, row.total, row.message, row.percent) == (5, 20, "2022-01", 25)
    row.refresh_from_db()
    assert row.finished and not row.failed and row.percent == 100


def test_a_failing_task_is_marked_failed_with_its_reason(member):
    with pytest.raises(ValueError), task_progress("t-2", "Build", user=member, min_interval=0):
        raise ValueError("no data for 2020-06")
    row = TaskProgress.objects.get(task_id="t-2")
    assert row.failed and "no data for 2020-06" in row.message


def test_the_progress_page_is_for_its_requester_and_administrators(
    client, member, analyst, superuser
):
    TaskProgress.objects.create(task_id="t-3", label="Import", requested_by=member, done=1, total=4)
    client.force_login(analyst)
    assert client.get("/tasks/t-3/").status_code == 403
    client.force_login(member)
    page = client.get("/tasks/t-3/").content.decode()
    assert "25%" in page and 'hx-get="/tasks/t-3/progress"' in page
    client.force_login(superuser)
    assert client.get("/tasks/t-3/progress").status_code == 200


@task(takes_context=True)
def count_to(context, n: int) -> int:
    with task_progress(context.task_result.id, "Counting", min_interval=0) as report:
        for i in range(1, n + 1):
            report(i, n, f"at {i}")
    return n


@pytest.mark.django_db(transaction=True)
def test_a_task_queued_in_the_database_is_run_by_cdrp_worker_and_reports_progress():
    result = count_to.enqueue(3)
    assert not TaskProgress.objects.filter(task_id=result.id).exists()
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == 3
    row = TaskProgress.objects.get(task_id=result.id)
    assert row.finished and (row.done, row.total) == (3, 3)


def test_terminal_progress_draws_a_bar():
    out = io.StringIO()
    with terminal_progress(
        "Importing", console=Console(file=out, width=100, force_terminal=False)
    ) as report:
        report(3, 3, "done")
    assert "Importing" in out.getvalue() and "3/3" in out.getvalue()
