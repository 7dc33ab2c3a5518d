"""Pages of the recipients app: the read-only directory for clerks, drafters and signers, and
a person's own profile (their language, their notice preference) and the menu's language switch."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from recipients.forms import DirectorySearchForm, NoticePreferenceForm
from recipients.models import User
from recipients.selectors import directory_groups, directory_units
from recipients.services import user_language_set, user_notice_preference_set

UNITS_PER_PAGE = 100


@login_required
@permission_required("recipients.view_directory", raise_exception=True)
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET or None)
    query, kind = "", ""
    if form.is_valid():
        query, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
    page = Paginator(directory_units(query=query, kind=kind), UNITS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "query": query,
        "kind": kind,
        "page": page,
        "groups": directory_groups(query=query) if not kind else [],
    }
    # htmx live search swaps only the results.
    template = (
        "recipients/partials/directory_results.html"
        if request.headers.get("HX-Request")
        else "recipients/directory.html"
    )
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = NoticePreferenceForm(request.POST)
        if form.is_valid():
            user_notice_preference_set(user=user, by_email=form.cleaned_data["notify_by_email"])
            response = redirect("recipients:profile")
            if form.cleaned_data["language"]:
                user_language_set(user=user, language=form.cleaned_data["language"])
                _remember_in_browser(response, user.language)
            with translation.override(user.language or translation.get_language()):
                messages.success(request, _("Your choice is saved."))
            return response
    else:
        form = NoticePreferenceForm(
            initial={
                "notify_by_email": user.notify_by_email,
                "language": user.language or get_language(),
            }
        )
    return render(request, "recipients/profile.html", {"form": form, "profile_user": user})


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """The menu's language buttons: Django's set_language (the cookie, the way back to the
    page), and for a signed-in person their own choice, kept for every browser they use."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in User.Language.values:
        user_language_set(user=request.user, language=language)
    return response


def _remember_in_browser(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
