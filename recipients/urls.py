from django.http import HttpResponse
from django.urls import path

app_name = "recipients"


def placeholder(request):
    return HttpResponse("")


urlpatterns: list = [path("directory/", placeholder, name="directory")]
