from django.urls import path

from cdrp.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.login, name="login"),
    path("sign-out/", views.logout, name="logout"),
    path("", views.account, name="account"),
    path("tokens/", views.token_create, name="token-create"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
    path("audit/", views.audit, name="audit"),
    path("roles/<slug:partnership>/", views.roles, name="roles"),
    path("roles/<slug:partnership>/<int:role_id>/remove/", views.role_remove, name="role-remove"),
    path("set-password/<uidb64>/<token>/", views.set_password, name="set-password"),
]
