from django.urls import path

from cdrp.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.login, name="login"),
    path("sign-out/", views.logout, name="logout"),
    path("", views.account, name="account"),
    path("password/", views.password_change, name="password-change"),
    path("reset-password/", views.password_reset, name="password-reset"),
    path("reset-password/sent/", views.password_reset_sent, name="password-reset-sent"),
    path("two-factor/verify/", views.two_factor_verify, name="two-factor-verify"),
    path("two-factor/set-up/", views.two_factor_set_up, name="two-factor-set-up"),
    path("two-factor/backup-codes/", views.two_factor_backup_codes, name="two-factor-backup-codes"),
    path("two-factor/turn-off/", views.two_factor_turn_off, name="two-factor-turn-off"),
    path("tokens/", views.token_create, name="token-create"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
    path("audit/", views.audit, name="audit"),
    path("roles/<slug:partnership>/", views.roles, name="roles"),
    path("roles/<slug:partnership>/<int:role_id>/remove/", views.role_remove, name="role-remove"),
    path("set-password/<uidb64>/<token>/", views.set_password, name="set-password"),
]
