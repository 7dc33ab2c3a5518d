"""Views: notices (placeholder until built)."""

from django.http import HttpResponse
from django.urls import path


def placeholder(request):
    return HttpResponse("")


urlpatterns: list = [
    path("notifications/", placeholder, name="notifications"),
]
