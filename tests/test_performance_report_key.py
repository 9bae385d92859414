"""The quarterly report's PDF is found by a cheap version key (`report_version`: the store's
committed version and the versions of the plan's records and the partnership's manual
series), not by computing the report: the second download computes nothing, and the key
changes whenever the data or the records the report is drawn from change."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from cdrp.core.documents import fingerprint
from test_performance_pages import _plan, cohort, store  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _key(plan, root) -> str:
    from cdrp.performance.report import report_version

    plan.refresh_from_db()
    return fingerprint(*report_version(plan, root, "2022-Q3"))


def test_the_key_follows_the_store_the_plan_and_the_series(fresh_store, south_districts, cohort):  # noqa: F811
    from cdrp.plans.models import SeriesValue, Target
    from cdrp.store import Store

    plan = _plan(south_districts, cohort, approved=False)
    first = _key(plan, fresh_store)
    assert _key(plan, fresh_store) == first  # the same inputs, the same key
    # A new month of a manual series.
    SeriesValue.objects.create(series=cohort, month="2022-07", value=5, denominator=60)
    second = _key(plan, fresh_store)
    assert second != first
    # A target changed in the (draft) plan.
    target = Target.objects.filter(indicator__name="Burglary records").get()
    target.value = Decimal("-10")
    target.save()
    third = _key(plan, fresh_store)
    assert third not in (first, second)
    # A target deleted: the latest change may not move, the count does.
    Target.objects.filter(indicator__name="PPO re-offending").delete()
    fourth = _key(plan, fresh_store)
    assert fourth not in (first, second, third)
    # A new committed version of the incident store (as every import makes).
    opened = Store(fresh_store)
    with opened.lock():
        opened.commit(opened.state())
    assert _key(plan, fresh_store) not in (first, second, third, fourth)
    # Another quarter is another key.
    from cdrp.performance.report import report_version

    assert fingerprint(*report_version(plan, fresh_store, "2022-Q4")) != _key(plan, fresh_store)


def test_the_second_download_computes_nothing_and_a_new_month_renders_again(
    client,
    store,  # noqa: F811
    south_districts,
    cohort,  # noqa: F811
    member,
    monkeypatch,
):
    from cdrp.performance import report
    from cdrp.plans.models import SeriesValue

    _plan(south_districts, cohort)
    computed, rendered = [], []
    real = report.quarterly_report
    monkeypatch.setattr(
        report, "quarterly_report", lambda *a, **k: computed.append(1) or real(*a, **k)
    )
    monkeypatch.setattr(
        report, "render_report_pdf", lambda data: rendered.append(data) or b"%PDF stand-in"
    )
    client.force_login(member)
    url = reverse(
        "plans:performance-report-pdf",
        kwargs={"partnership": "lancashire-south", "quarter": "2022-Q3"},
    )
    first = client.get(url)
    assert first.status_code == 200 and first.content == b"%PDF stand-in"
    assert rendered[0]["label"] == "July to September 2022" and rendered[0]["rows"]
    second = client.get(url)
    assert second.status_code == 200 and (len(computed), len(rendered)) == (1, 1)
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert len(computed) == 1
    SeriesValue.objects.create(series=cohort, month="2022-07", value=5, denominator=60)
    third = client.get(url)
    assert third.status_code == 200 and (len(computed), len(rendered)) == (2, 2)
