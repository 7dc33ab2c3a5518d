"""The directive list and the drafting page with its live preview."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.client_ip import client_ip
from common.framing import letter_frame_styles
from directives import services
from directives.documents.pdf import render_directive_html
from directives.errors import DirectiveError
from directives.forms import AttachmentForm, DirectiveFilter, DraftForms
from directives.models import Directive
from directives.selectors.drafts import directive_unsent_copy_lines
from directives.selectors.moves import awaiting_signature_q, directive_moves
from directives.selectors.scope import desk_directives
from directives.views.drafting.common import desk_directive, require_desk

PAGE_SIZE = 25


@login_required
def directive_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_desk(user)
    base = desk_directives(user)
    status = Directive.Status
    counts = base.aggregate(
        mine=Count("pk", filter=Q(drafter=user, status__in=[status.DRAFT, status.SUBMITTED])),
        to_approve=Count("pk", filter=awaiting_signature_q(user)),
        to_issue=Count("pk", filter=Q(status=status.APPROVED)),
    )
    queryset = base.select_related("issuing_unit", "drafting_unit", "drafter", "signer").order_by(
        "-updated_at", "-pk"
    )
    flt = DirectiveFilter(request.GET or None, queryset=queryset, user=user)
    page = Paginator(flt.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "directives/list.html",
        {
            "filter": flt,
            "page": page,
            "counts": counts,
            "box": request.GET.get("box", ""),
            "query_string": params.urlencode(),
        },
    )


def _draft_page(request: HttpRequest, directive: Directive | None) -> HttpResponse:
    if directive is not None and directive.status != Directive.Status.DRAFT:
        messages.error(request, _("Only a draft can be edited."))
        return redirect("directives:detail", pk=directive.pk)
    status = 200
    if request.method == "POST":
        bundle = DraftForms(user=request.user, data=request.POST, directive=directive)
        if bundle.is_valid():
            try:
                saved = services.directive_save_draft(
                    by=request.user, directive=directive, ip=client_ip(request), **bundle.payload()
                )
            except DirectiveError as exc:
                bundle.form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("The draft has been saved."))
                target = "directives:edit" if "continue" in request.POST else "directives:detail"
                return redirect(target, pk=saved.pk)
        status = 400
    else:
        bundle = DraftForms(user=request.user, directive=directive)
    context = bundle.context() | {"directive": directive, "attachment_form": AttachmentForm()}
    if status == 400:
        context["error_summary"] = bundle.error_summary()
    if directive is not None:
        context["moves"] = directive_moves(directive=directive, user=request.user)
        if request.method != "POST":
            # Shown until the live preview (which lists them as they are typed) takes over.
            context["unsent"] = directive_unsent_copy_lines(directive)
    return render(request, "directives/form.html", context, status=status)


@letter_frame_styles
@login_required
def directive_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("directives.add_directive"):
        raise PermissionDenied
    return _draft_page(request, None)


@letter_frame_styles
@login_required
def directive_edit(request: HttpRequest, pk: int) -> HttpResponse:
    directive = desk_directive(request, pk)
    if not request.user.has_perm("directives.change_directive"):
        raise PermissionDenied
    return _draft_page(request, directive)


def _preview(request: HttpRequest, directive: Directive | None) -> HttpResponse:
    """The letter exactly as it will print: saved through the service inside a transaction that
    is then rolled back, so the preview shares the print layout and leaves nothing behind."""
    bundle = DraftForms(user=request.user, data=request.POST, directive=directive)
    errors: list[str] = []
    letter = ""
    unsent: list = []
    if bundle.is_valid():
        try:
            with transaction.atomic():
                saved = services.directive_save_draft(
                    by=request.user, directive=directive, ip=client_ip(request), **bundle.payload()
                )
                letter = render_directive_html(saved, draft=True)
                transaction.set_rollback(True)
            unsent = bundle.unsent_copies()
        except DirectiveError as exc:
            errors.append(str(exc.message))
    else:
        errors = bundle.error_list()
    response = render(
        request,
        "directives/partials/preview.html",
        {"letter_html": letter, "errors": errors, "unsent": unsent},
    )
    if errors:
        # Only the list of corrections changes (out of band); the frame keeps the last letter
        # that had none, so the drafter still sees it while typing.
        response["HX-Reswap"] = "none"
    return response


@login_required
@require_POST
def directive_preview(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("directives.add_directive"):
        raise PermissionDenied
    return _preview(request, None)


@login_required
@require_POST
def directive_preview_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _preview(request, desk_directive(request, pk))


urlpatterns: list = [
    path("directives/", directive_list, name="list"),
    path("directives/new/", directive_create, name="create"),
    path("directives/preview/", directive_preview, name="preview"),
    path("directives/<int:pk>/edit/", directive_edit, name="edit"),
    path("directives/<int:pk>/preview/", directive_preview_edit, name="preview_edit"),
]
