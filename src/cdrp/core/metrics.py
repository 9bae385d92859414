"""What the service is doing, in the Prometheus text format (served at ``/metrics``).

- ``cdrp_request_seconds``: request latency by route (the URL pattern, never the concrete path, so
  a partnership's slug or a record's id never becomes a label), method and status class;
- ``cdrp_task_queue_depth`` and ``cdrp_task_queue_oldest_seconds``: background tasks waiting, by
  queue, and how long the oldest has waited;
- ``cdrp_worker_last_seen_seconds``: seconds since the most recent worker heartbeat;
- ``cdrp_import_rows``: rows the incident store's imports read, by outcome (imported,
  quarantined);
- ``cdrp_store_rows``, ``cdrp_store_bytes``, ``cdrp_store_version``: what the store holds.

The request histogram lives in each server process. Under several processes (gunicorn workers)
set ``PROMETHEUS_MULTIPROC_DIR`` to a shared empty folder and every process's requests are
summed, as prometheus_client documents. The queue, worker and store figures are read from the
database and the store when scraped, so any process reports the whole site.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from cdrp.core.models import WorkerHeartbeat
from cdrp.store import Store

__all__ = ["CONTENT_TYPE_LATEST", "MetricsMiddleware", "render"]

_REQUESTS = CollectorRegistry(auto_describe=True)
REQUEST_SECONDS = Histogram(
    "cdrp_request_seconds",
    "Time to answer a request, by URL route, method and status class",
    ["route", "method", "status"],
    registry=_REQUESTS,
    buckets=(0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    route = match.route or match.view_name or "unmatched"
    return "/" + route.lstrip("^").replace("\\Z", "").replace("$", "")


class MetricsMiddleware:
    """Times every request into `cdrp_request_seconds` (outermost, so the time is the whole
    answer)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        REQUEST_SECONDS.labels(
            route=_route(request),
            method=request.method if request.method in {"GET", "POST", "HEAD"} else "other",
            status=f"{response.status_code // 100}xx",
        ).observe(time.perf_counter() - start)
        return response


class _SiteCollector(Collector):
    """Figures read when scraped: the task queue, the workers' heartbeats, the incident store."""

    def collect(self) -> Iterator[Metric]:
        from django_tasks_db.models import DBTaskResult  # the queue's table (an installed app)

        now = timezone.now()
        depth = GaugeMetricFamily(
            "cdrp_task_queue_depth", "Background tasks waiting to run", labels=["queue"]
        )
        oldest = GaugeMetricFamily(
            "cdrp_task_queue_oldest_seconds",
            "Seconds the oldest waiting task has waited",
            labels=["queue"],
        )
        waiting = (
            DBTaskResult.objects.filter(status="READY")
            .values("queue_name")
            .annotate(n=Count("id"), first=Min("enqueued_at"))
        )
        seen = set()
        for row in waiting:
            seen.add(row["queue_name"])
            depth.add_metric([row["queue_name"]], row["n"])
            oldest.add_metric([row["queue_name"]], (now - row["first"]).total_seconds())
        for queue in settings.TASKS["default"].get("QUEUES", ["default"]):
            if queue not in seen:
                depth.add_metric([queue], 0)
                oldest.add_metric([queue], 0)
        yield depth
        yield oldest

        last = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True)
        worker = GaugeMetricFamily(
            "cdrp_worker_last_seen_seconds",
            "Seconds since the most recent task worker heartbeat (absent: no worker has run)",
        )
        if seen_at := last.first():
            worker.add_metric([], (now - seen_at).total_seconds())
        yield worker

        state = Store(settings.INCIDENT_STORE).state()
        incidents = [f for f in state["files"] if f["table"] == ""]
        imports = GaugeMetricFamily(
            "cdrp_import_rows", "Rows read by the store's imports, by outcome", labels=["outcome"]
        )
        for outcome in ("imported", "quarantined"):
            imports.add_metric([outcome], sum(int(r.get(outcome) or 0) for r in state["imports"]))
        yield imports
        yield GaugeMetricFamily(
            "cdrp_store_rows", "Incident rows in the store", value=sum(f["rows"] for f in incidents)
        )
        yield GaugeMetricFamily(
            "cdrp_store_bytes",
            "Bytes of the store's incident files",
            value=sum(int(f.get("bytes") or 0) for f in incidents),
        )
        yield GaugeMetricFamily(
            "cdrp_store_version", "The store's committed version", value=state["version"]
        )


def render() -> bytes:
    """Every metric, in the Prometheus text exposition format."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessRequests())
    registry.register(_SiteCollector())
    return generate_latest(registry)


class _ProcessRequests(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from _REQUESTS.collect()
