from django.urls import path

from recipients import views

app_name = "recipients"

urlpatterns = [
    path("directory/", views.directory, name="directory"),
    path("profile/", views.profile, name="profile"),
]
