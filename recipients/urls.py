from django.urls import path

from recipients import views

app_name = "recipients"

urlpatterns = [
    path("directory/", views.directory, name="directory"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.api_token_new, name="api_token_new"),
    path("profile/tokens/<int:pk>/revoke/", views.api_token_end, name="api_token_revoke"),
]
