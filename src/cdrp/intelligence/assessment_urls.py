"""Strategic assessment pages (included under /intelligence/assessments/)."""

from django.urls import path

from cdrp.intelligence import assessment_views as views

urlpatterns = [
    path("<slug:partnership>/", views.assessment_list, name="assessment-list"),
    path("<slug:partnership>/build/", views.assessment_build, name="assessment-build"),
    path("<slug:partnership>/<int:pk>/", views.assessment_detail, name="assessment-detail"),
    path(
        "<slug:partnership>/<int:pk>/document.<str:fmt>",
        views.assessment_download,
        name="assessment-download",
    ),
    path("<slug:partnership>/<int:pk>/review/", views.assessment_review, name="assessment-review"),
    path(
        "<slug:partnership>/<int:pk>/approve/", views.assessment_approve, name="assessment-approve"
    ),
    path(
        "<slug:partnership>/<int:pk>/publish/", views.assessment_publish, name="assessment-publish"
    ),
    path("<slug:partnership>/published/", views.published_list, name="assessment-published"),
    path(
        "<slug:partnership>/published/<int:pk>/",
        views.published_detail,
        name="assessment-published-detail",
    ),
    path(
        "<slug:partnership>/published/<int:pk>/document.<str:fmt>",
        views.published_download,
        name="assessment-published-download",
    ),
]
