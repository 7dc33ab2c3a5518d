from django.urls import path

from recipients import views

app_name = "recipients"

urlpatterns = [
    path("directory/", views.directory, name="directory"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.api_token_new, name="api_token_new"),
    path("profile/tokens/<int:pk>/revoke/", views.api_token_end, name="api_token_revoke"),
    path("two-factor/", views.two_factor_login, name="two_factor_login"),
    path("two-factor/enrol/", views.two_factor_enrol, name="two_factor_enrol"),
    path("two-factor/backup-codes/", views.two_factor_backup_codes, name="two_factor_backup_codes"),
    path("two-factor/off/", views.two_factor_off, name="two_factor_off"),
]
