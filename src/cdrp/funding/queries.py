"""Reading funding: each project's figures (budget, approved variations, spend) and what each
audience sees of a partnership's funding (the public only what is published). These choose
records by partnership and publication, not by who is asking: who may see the pages is decided
in `cdrp.accounts.policy`, where the views and the API ask."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from cdrp.funding.models import FundingStream, Project, Spend, Variation
from cdrp.partnerships.models import Partnership

__all__ = ["ProjectFigures", "figures", "visible_projects", "visible_streams", "with_figures"]


@dataclass(frozen=True)
class ProjectFigures:
    budget: int
    variations: int
    spent: int

    @property
    def available(self) -> int:
        """Budget plus approved variations."""
        return self.budget + self.variations

    @property
    def remaining(self) -> int:
        return self.available - self.spent


def figures(project: Project) -> ProjectFigures:
    spent = project.spend.aggregate(t=Sum("amount_pence"))["t"] or 0
    varied = project.variations.filter(approved=True).aggregate(t=Sum("amount_pence"))["t"] or 0
    return ProjectFigures(project.budget_pence, varied, spent)


def with_figures(queryset):
    """Projects annotated with ``spent_pence`` and ``variations_pence`` (approved only)."""
    spent = (
        Spend.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(t=Sum("amount_pence"))
        .values("t")
    )
    varied = (
        Variation.objects.filter(project=OuterRef("pk"), approved=True)
        .order_by()
        .values("project")
        .annotate(t=Sum("amount_pence"))
        .values("t")
    )
    return queryset.annotate(
        spent_pence=Coalesce(Subquery(spent), 0), variations_pence=Coalesce(Subquery(varied), 0)
    )


def visible_streams(partnership: Partnership, *, public: bool = False):
    """Streams held by the partnership or allocated to it (published ones only for the public)."""
    queryset = FundingStream.objects.filter(
        Q(partnership=partnership) | Q(allocations__partnership=partnership)
    ).distinct()
    if public:
        queryset = queryset.filter(published=True)
    return queryset.select_related("partnership").order_by("-financial_year", "name")


def visible_projects(partnership: Partnership, *, public: bool = False):
    """Projects the partnership commissions, alone or jointly."""
    queryset = Project.objects.filter(
        Q(partnership=partnership) | Q(joint_with=partnership)
    ).distinct()
    if public:
        queryset = queryset.filter(published=True)
    return with_figures(
        queryset.select_related(
            "partnership",
            "lead_organisation",
            "priority",
            "allocation__stream",
            "approval_decision__meeting__group",
        ).prefetch_related("joint_with")
    ).order_by("title")
