"""Pages of the recipients app: the read-only directory for clerks, drafters and signers, and
a person's own profile (their notice preference)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from recipients.forms import DirectorySearchForm, NoticePreferenceForm
from recipients.selectors import directory_groups, directory_units
from recipients.services import user_notice_preference_set

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
            messages.success(request, _("Your choice is saved."))
            return redirect("recipients:profile")
    else:
        form = NoticePreferenceForm(initial={"notify_by_email": user.notify_by_email})
    return render(request, "recipients/profile.html", {"form": form, "profile_user": user})
