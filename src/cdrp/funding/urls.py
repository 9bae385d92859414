"""Funding and commissioning pages (included under /plans/funding/ by `cdrp.plans.urls`, so in
the namespace "plans": the addresses and names are those the site has always had)."""

from django.urls import path

from cdrp.funding import views

urlpatterns = [
    path("<slug:partnership>/", views.funding_index, name="funding"),
    path("<slug:partnership>/streams/new/", views.stream_new, name="stream-new"),
    path("<slug:partnership>/streams/<int:pk>/", views.stream_detail, name="stream"),
    path(
        "<slug:partnership>/streams/<int:pk>/allocate/",
        views.stream_allocate,
        name="stream-allocate",
    ),
    path(
        "<slug:partnership>/streams/<int:pk>/allocation/",
        views.stream_allocation,
        name="stream-allocation",
    ),
    path(
        "<slug:partnership>/streams/<int:pk>/publish/", views.stream_publish, name="stream-publish"
    ),
    path("<slug:partnership>/projects/new/", views.project_new, name="project-new"),
    path("<slug:partnership>/projects/<int:pk>/", views.project_detail, name="project"),
    path("<slug:partnership>/projects/<int:pk>/spend/", views.project_spend, name="project-spend"),
    path(
        "<slug:partnership>/projects/<int:pk>/variations/",
        views.project_variation,
        name="project-variation",
    ),
    path(
        "<slug:partnership>/projects/<int:pk>/variations/<int:variation>/approve/",
        views.variation_approve,
        name="variation-approve",
    ),
    path(
        "<slug:partnership>/projects/<int:pk>/milestones/",
        views.project_milestone,
        name="project-milestone",
    ),
    path(
        "<slug:partnership>/projects/<int:pk>/milestones/<int:milestone>/complete/",
        views.milestone_complete,
        name="milestone-complete",
    ),
    path(
        "<slug:partnership>/projects/<int:pk>/approve/",
        views.project_approve,
        name="project-approve",
    ),
    path(
        "<slug:partnership>/projects/<int:pk>/complete/",
        views.project_complete,
        name="project-complete",
    ),
    path(
        "<slug:partnership>/projects/<int:pk>/publish/",
        views.project_publish,
        name="project-publish",
    ),
    path(
        "<slug:partnership>/projects/<int:pk>/evaluation/",
        views.evaluation_plan,
        name="project-evaluation",
    ),
    path(
        "<slug:partnership>/projects/<int:pk>/evaluate/",
        views.evaluation_run,
        name="project-evaluate",
    ),
    path("<slug:partnership>/spend.<str:fmt>", views.spend_download, name="spend-download"),
    path("<slug:partnership>/transparency/", views.transparency, name="transparency"),
    path(
        "<slug:partnership>/transparency/streams/<int:pk>/",
        views.transparency_stream,
        name="transparency-stream",
    ),
    path(
        "<slug:partnership>/transparency/projects/<int:pk>/",
        views.transparency_project,
        name="transparency-project",
    ),
]
