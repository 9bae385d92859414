"""Operations: the service's metrics for a monitoring system (Prometheus text format)."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.cache import never_cache

from cdrp.accounts.policy import requires_site_administrator_or_monitor
from cdrp.core import metrics


@requires_site_administrator_or_monitor
@never_cache
def metrics_view(request):
    return HttpResponse(metrics.render(), content_type=metrics.CONTENT_TYPE_LATEST)
