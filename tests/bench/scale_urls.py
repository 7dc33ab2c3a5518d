"""The portal's URLs and `/bench/trivial/`, the floor the inbox's throughput is measured
against (tests/bench/scale.py)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


@login_required
def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial),
    path("", include("portal.urls")),
]
