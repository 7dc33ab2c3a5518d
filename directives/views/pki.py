"""The development CA's CRL at the distribution point its certificates name (DEBUG only)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from directives.documents.pki import dev_pki_ensure
from directives.documents.revocation import CRL_PATH, crl_current


def dev_ca_crl(request: HttpRequest) -> HttpResponse:
    if not settings.DEBUG:
        raise Http404
    files = dev_pki_ensure()
    crl = crl_current(files.directory, files.password)
    if crl is None:
        raise Http404
    return HttpResponse(crl.read_bytes(), content_type="application/pkix-crl")


urlpatterns: list = [path(CRL_PATH.lstrip("/"), dev_ca_crl, name="dev_ca_crl")]
