from django.urls import path

from cdrp.community import views
from cdrp.community.feeds import FEEDS

app_name = "community"

urlpatterns = [
    path("", views.finder, name="finder"),
    path("area/<str:code>/", views.area, name="area"),
    path("area/<str:code>/alerts/", views.subscribe, name="subscribe"),
    path("alerts/confirm/<str:token>/", views.confirm, name="confirm"),
    path("alerts/stop/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<slug:partnership>/map/", views.area_map, name="map"),
    path("<slug:partnership>/have-your-say/", views.survey_list, name="surveys"),
    path("<slug:partnership>/surveys/<int:survey_id>/", views.survey_answer, name="survey-answer"),
    path(
        "<slug:partnership>/surveys/<int:survey_id>/results/",
        views.survey_results,
        name="survey-results",
    ),
    path("<slug:partnership>/summaries/<int:summary_id>/", views.summary, name="summary"),
    path("<slug:partnership>/pact/<int:pact_id>/", views.pact_public, name="pact"),
    path("<slug:partnership>/feeds/plans.atom", FEEDS["plans"], name="feed-plans"),
    path("<slug:partnership>/feeds/minutes.atom", FEEDS["minutes"], name="feed-minutes"),
    path("<slug:partnership>/feeds/decisions.atom", FEEDS["decisions"], name="feed-decisions"),
    path(
        "<slug:partnership>/feeds/consultations.atom",
        FEEDS["consultations"],
        name="feed-consultations",
    ),
    # Coordinators
    path("<slug:partnership>/manage/", views.manage, name="manage"),
    path("<slug:partnership>/manage/surveys/new/", views.survey_new, name="survey-new"),
    path(
        "<slug:partnership>/manage/surveys/<int:survey_id>/",
        views.survey_edit,
        name="survey-edit",
    ),
    path(
        "<slug:partnership>/manage/surveys/<int:survey_id>/<str:step>/",
        views.survey_step,
        name="survey-step",
    ),
    path("<slug:partnership>/manage/moderation/", views.moderation, name="moderation"),
    path("<slug:partnership>/manage/pact/new/", views.pact_new, name="pact-new"),
    path("<slug:partnership>/manage/pact/<int:pact_id>/", views.pact_manage, name="pact-manage"),
    path(
        "<slug:partnership>/manage/summaries/<int:assessment_id>/",
        views.summary_edit,
        name="summary-edit",
    ),
    path(
        "<slug:partnership>/manage/actions/<int:action_id>/public/",
        views.action_publish,
        name="action-publish",
    ),
]
