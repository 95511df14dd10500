"""Account pages. Mounted at the site root: log-in and two-factor under ``accounts/``, the
personal API tokens inside the mission (``m/<mission_slug>/tokens/``)."""

from django.urls import path

from palava.accounts import views

app_name = "accounts"
urlpatterns = [
    path("accounts/login/", views.login_page, name="login"),
    path("accounts/logout/", views.logout_page, name="logout"),
    path("accounts/two-factor/", views.two_factor, name="two_factor"),
    path("accounts/two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("accounts/two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("m/<slug:mission_slug>/tokens/", views.tokens, name="tokens"),
    path(
        "m/<slug:mission_slug>/tokens/<uuid:public_id>/revoke/",
        views.token_revoke_page,
        name="token_revoke",
    ),
]
