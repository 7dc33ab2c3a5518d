"""The portal's middleware: requests no page can answer are refused up front, the language
of each page, and the audit log's two hooks (the client's address, the mask of the password)."""

from __future__ import annotations

import logging
import time

from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.signals import request_finished
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.html import escape
from django.utils.translation import gettext as _

from common.client_ip import client_ip
from common.logs import context_clear, context_set, request_id_from, user_id_of

request_logger = logging.getLogger("portal.request")
request_finished.connect(context_clear, dispatch_uid="portal.logs.context_clear")


class RequestLogMiddleware:
    """One log line per request (method, path, status, time, user id) and, on every line logged
    while it runs, its id and path (common/logs.py). The id is the proxy's X-Request-ID when it
    sent a sound one (deploy/nginx.conf passes nginx's $request_id), else a new one; the
    response carries it back, so a user's report can be found in the logs. A load balancer's
    health probe that finds the portal well is not logged: it comes every few seconds."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        request_id = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        # Kept until the response is closed (request_finished),
        # so Django's own line about an error response carries them too.
        context_set(
            {"request_id": request_id, "path": request.path, "method": request.method},
            request=request,
        )
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        if not (request.path.startswith("/health/") and response.status_code == 200):
            extra = {
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                "client_ip": client_ip(request),
            }
            user_id = user_id_of(request, resolve=True)
            if user_id is not None:
                extra["user_id"] = user_id
            request_logger.info(
                "%s %s %s", request.method, request.path, response.status_code, extra=extra
            )
        return response


class MalformedRequestMiddleware:
    """A NUL byte in the path or in a query parameter's name or value is a 400.

    No text column can hold one (PostgreSQL refuses the query outright), so a filter, a search
    or a token carrying it could only fail deep in a view. Forms refuse it in POSTed fields on
    their own (Django's ProhibitNullCharactersValidator); the query string and the path are
    checked here, once, for every page and the admin's filters. Malformed numbers are the
    parsing helpers' concern (common/params.py): there a bad value is an ignored filter."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise BadRequest("NUL byte in the path or the query string")
        return self.get_response(request)


class RequestSizeMiddleware:
    """A request whose declared body is larger than the portal takes is a 413 before a byte of
    it is read: REQUEST_MAX_BYTES, VERIFY_REQUEST_MAX_BYTES on the public /verify/ page.

    nginx refuses it first (deploy/nginx.conf, client_max_body_size); this holds where the
    portal runs without it. A body with no Content-Length (chunked) is bounded by Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE for fields, and each file by the upload checks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = (
            settings.VERIFY_REQUEST_MAX_BYTES
            if request.path_info.startswith("/verify/")
            else settings.REQUEST_MAX_BYTES
        )
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise BadRequest("Content-Length is not a number") from None
        if declared > limit:
            message = _("The request is larger than %(limit)d MB; the portal did not read it.") % {
                "limit": limit // (1024 * 1024)
            }
            response = HttpResponse(
                f'<!doctype html><html lang="vi"><meta charset="utf-8"><title>413</title>'
                f"<p>{escape(message)}</p></html>",
                status=413,
            )
            response["Connection"] = "close"  # the unread body must not be taken for a request
            return response
        return self.get_response(request)


def chosen_language(request) -> str:
    """The language a page speaks: the signed-in person's choice, else the one picked in this
    browser (the language cookie), else Vietnamese. Never the browser's Accept-Language: office
    PCs with an English Windows ask for English, and their people read Vietnamese."""
    supported = {code for code, _name in settings.LANGUAGES}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        own = getattr(user, "language", "")
        if own in supported:
            return own
    picked = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return picked if picked in supported else settings.LANGUAGE_CODE


class LanguageMiddleware:
    """Activates chosen_language() for the request, in place of Django's LocaleMiddleware (which
    would follow Accept-Language). It runs after the authentication middleware, so that the
    person's own choice is known; a signed-in person's choice is also written to the language
    cookie, so the login page after signing out speaks it too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        user = getattr(request, "user", None)
        cookie = settings.LANGUAGE_COOKIE_NAME
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "language", "")
            and request.COOKIES.get(cookie) != language
            and cookie not in response.cookies
        ):
            response.set_cookie(
                cookie,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


class NoStoreMiddleware:
    """No cache (the browser's, a proxy's) keeps a page shown to a signed-in user or any PDF:
    `Cache-Control: no-store` (with Django's never-cache companions)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        is_pdf = response.get("Content-Type", "").startswith("application/pdf")
        if signed_in or is_pdf:
            add_never_cache_headers(response)
        return response


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """django-auditlog's, with the client's address read as everywhere else in the portal
    (through TRUSTED_PROXY_COUNT proxies): auditlog's own takes the left-most X-Forwarded-For
    address, which any client can write."""

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)


def audit_mask(value: str) -> str:
    """What the audit log keeps of a masked field (the password hash): that it changed, and
    nothing of it (auditlog's own mask keeps the hash's second half)."""
    return "********" if value else ""


def accepted_language(request) -> str:
    """The first supported language of the request's Accept-Language, or "" (programs say
    which language they read; the pages never follow this header, chosen_language)."""
    from django.utils.translation.trans_real import parse_accept_lang_header

    supported = {code for code, _name in settings.LANGUAGES}
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        base = code.split("-")[0].lower()
        if base in supported:
            return base
    return ""


class ApiLanguageMiddleware:
    """Under /api/ the request's Accept-Language decides (README "REST API"); without one, the
    page's rule (the person's choice, else Vietnamese). Runs inside LanguageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            language = accepted_language(request)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
