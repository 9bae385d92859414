"""Accountability pages under /scrutiny/<partnership>/: public pages first, then /manage/."""

from django.urls import path

from cdrp.scrutiny import views
from cdrp.scrutiny.feeds import call_log_feed

app_name = "scrutiny"
P = "<slug:partnership>/"
urlpatterns = [
    path(P + "face-the-people/", views.sessions, name="sessions"),
    path(P + "face-the-people/<int:ftp_session>/", views.session, name="session"),
    path(P + "calls/", views.calls, name="calls"),
    path(P + "calls/feed.atom", call_log_feed, name="calls-feed"),
    path(P + "calls/new", views.call_new, name="call-new"),
    path(P + "calls/<int:ccfa>/", views.call, name="call"),
    path(P + "reviews/", views.reviews, name="reviews"),
    path(P + "manage/", views.manage, name="manage"),
    path(P + "manage/sessions/new", views.session_new, name="session-new"),
    path(P + "manage/sessions/<int:ftp_session>/", views.session_manage, name="session-manage"),
    path(
        P + "manage/sessions/<int:ftp_session>/publish",
        views.session_publish,
        name="session-publish",
    ),
    path(
        P + "manage/questions/<int:ftp_question>/moderate",
        views.question_moderate,
        name="question-moderate",
    ),
    path(
        P + "manage/questions/<int:ftp_question>/answer",
        views.question_answer,
        name="question-answer",
    ),
    path(P + "manage/councillors/new", views.councillor_new, name="councillor-new"),
    path(P + "manage/calls/<int:ccfa>/", views.call_manage, name="call-manage"),
    path(P + "manage/calls/<int:ccfa>/screen", views.call_screen, name="call-screen"),
    path(P + "manage/calls/<int:ccfa>/refer", views.call_refer, name="call-refer"),
    path(
        P + "manage/calls/<int:ccfa>/recommendations",
        views.call_recommendations,
        name="call-recommendations",
    ),
    path(P + "manage/calls/<int:ccfa>/respond", views.call_respond, name="call-respond"),
    path(P + "manage/reviews/new", views.review_new, name="review-new"),
    path(P + "manage/reviews/<int:scrutiny_review>/", views.review_manage, name="review-manage"),
    path(
        P + "manage/reviews/<int:scrutiny_review>/recommendations",
        views.recommendation_add,
        name="recommendation-add",
    ),
    path(
        P + "manage/recommendations/<int:scrutiny_rec>/respond",
        views.recommendation_respond,
        name="recommendation-respond",
    ),
    path(
        P + "manage/recommendations/<int:scrutiny_rec>/close",
        views.recommendation_close,
        name="recommendation-close",
    ),
]
