from django.urls import path

from cdrp.health import views

app_name = "health"
urlpatterns = [
    path("<slug:partnership>/hallmarks/", views.hallmarks, name="hallmarks"),
    path("<slug:partnership>/hallmarks/score", views.hallmarks_score, name="hallmarks-score"),
    path(
        "<slug:partnership>/hallmarks/reported", views.hallmarks_reported, name="hallmarks-reported"
    ),
    path("<slug:partnership>/hallmarks.pdf", views.hallmarks_download, name="hallmarks-pdf"),
    path("<slug:partnership>/skills/", views.skills_home, name="skills"),
    path("<slug:partnership>/skills/new", views.skills_new, name="skills-new"),
    path("<slug:partnership>/skills/<int:pk>/", views.skills_review, name="skills-review"),
    path("<slug:partnership>/skills/<int:pk>/rate", views.skills_rate, name="skills-rate"),
    path(
        "<slug:partnership>/skills/<int:pk>/training", views.skills_training, name="skills-training"
    ),
]
urlpatterns += [
    path("<slug:partnership>/closer-working/", views.appraisal, name="appraisal"),
    path(
        "<slug:partnership>/closer-working.pdf",
        views.appraisal_download,
        name="appraisal-pdf",
    ),
]
urlpatterns += [
    path("<slug:partnership>/duplication/", views.duplication, name="duplication"),
]
