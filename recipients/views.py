"""Pages of the recipients app: the read-only directory for clerks, drafters and signers, and
a person's own profile (their notice preference and their API tokens)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from recipients.forms import ApiTokenForm, DirectorySearchForm, NoticePreferenceForm
from recipients.selectors import api_tokens_of, directory_groups, directory_units
from recipients.services import api_token_create, api_token_revoke, user_notice_preference_set

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


def _profile_page(request: HttpRequest, *, form=None, token_form=None, secret=None, status=200):
    user = request.user
    context = {
        "form": form or NoticePreferenceForm(initial={"notify_by_email": user.notify_by_email}),
        "token_form": token_form or ApiTokenForm(),
        "tokens": api_tokens_of(user),
        "new_secret": secret,
        "profile_user": user,
    }
    return render(request, "recipients/profile.html", context, status=status)


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
        return _profile_page(request, form=form, status=400)
    return _profile_page(request)


@login_required
@require_POST
def api_token_new(request: HttpRequest) -> HttpResponse:
    """Make a token; its secret is on this one response only (never stored, never again)."""
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, secret = api_token_create(
                user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # NoStoreMiddleware keeps the page (and the secret) out of every cache.
            return _profile_page(request, secret=secret)
    return _profile_page(request, token_form=form, status=400)


@login_required
@require_POST
def api_token_end(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(api_tokens_of(request.user), pk=pk)
    api_token_revoke(token=token, by=request.user)
    messages.success(request, _("The token has been revoked."))
    return redirect("recipients:profile")
