from django.urls import path

from . import views

app_name = "recipients"

urlpatterns = [path("directory/", views.directory, name="directory")]
