"""The portal-to-portal edXML endpoint: another installation posts a message (the body, XML) with
the shared token; the answer is JSON. The message goes through the same receiving service as the
inbox folder: entered in the addressed unit's book, or refused with its reason, nothing saved."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import path
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from common.ratelimit import ratelimit
from directives.services.exchange_in import edxml_message_receive


def _authorised(request: HttpRequest) -> bool:
    given = request.headers.get("Authorization", "")
    return constant_time_compare(given, f"Bearer {settings.EDXML_PEER_TOKEN}")


@csrf_exempt
@require_POST
@ratelimit("edxml", setting="RATELIMIT_EDXML", methods=("POST",))
def edxml_endpoint(request: HttpRequest) -> JsonResponse:
    if not settings.EDXML_PEER_TOKEN:
        raise Http404
    if not _authorised(request):
        return JsonResponse({"error": "unauthorized"}, status=401)
    limit = settings.EDXML_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return JsonResponse({"status": "02", "reason": "too_large"}, status=413)
    data = request.read(limit + 1)  # one byte more: the service refuses it as too large
    result = edxml_message_receive(data=data)
    if result.refused:
        body = {"status": "02", "code": result.code, "reason": result.reason}
        return JsonResponse(body, status=422)
    if result.status:
        body = {"status": result.status, "recorded": True}
        if result.statuses:  # a recall: the statuses sent back (13, then 15 or 16)
            body["statuses"] = result.statuses
        return JsonResponse(body, status=201)
    entry = result.entry
    body = {
        "status": "03",
        "statuses": result.statuses,
        "arrival_number": entry.arrival_number,
        "year": entry.year,
        "document_id": entry.edxml_document_id,
    }
    return JsonResponse(body, status=201)


urlpatterns: list = [path("exchange/edxml/", edxml_endpoint, name="edxml_endpoint")]
