from django.urls import path

from cdrp.partnerships import views

app_name = "partnerships"
urlpatterns = [
    path("", views.partnership_list, name="list"),
    path("<slug:partnership>/", views.partnership_detail, name="detail"),
]
