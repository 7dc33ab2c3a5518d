"""Views: a person's notifications, the public acknowledgement link, delivery progress and
the clerk's resend of a failed e-mail.

The acknowledgement link is the only page here reached without signing in: its token is the
key. A GET shows the directive and a button; only the POST of that button acknowledges.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.client_ip import client_ip
from common.ratelimit import ratelimit
from directives.errors import DirectiveError
from directives.forms.receipts import AckForm
from directives.models import Notification
from directives.selectors.workspace import tracked_directives
from directives.services.incoming import dispatch_acknowledge
from directives.services.notices import (
    delivery_progress,
    notification_mark_read,
    notification_resend,
    notifications_for,
    notifications_mark_all_read,
)
from directives.services.receipts import (
    AckLinkError,
    AckLinkExpired,
    AckLinkInvalid,
    AckLinkUsed,
    ack_token_read,
)

PAGE_SIZE = 30
ACK_ERROR_STATUS = {AckLinkInvalid: 400, AckLinkExpired: 410, AckLinkUsed: 200}


# ---------------------------------------------------------------------------------------------
# Notifications of the signed-in person
# ---------------------------------------------------------------------------------------------


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    rows = notifications_for(request.user)
    if request.GET.get("unread"):
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "directives/notices/list.html",
        {"page": page, "only_unread": bool(request.GET.get("unread"))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one's own notice read; a GET (clicking the notice) then goes where it points."""
    row = get_object_or_404(notifications_for(request.user), pk=pk)
    notification_mark_read(notification=row, by=request.user)
    if (
        request.method == "GET"
        and row.link
        and url_has_allowed_host_and_scheme(row.link, allowed_hosts={request.get_host()})
    ):
        return redirect(row.link)
    return redirect("directives:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(by=request.user)
    if count:
        messages.success(request, _("All notifications marked as read."))
    return redirect("directives:notifications")


# ---------------------------------------------------------------------------------------------
# Delivery progress and resend (the issuing agency's clerks)
# ---------------------------------------------------------------------------------------------


@login_required
def delivery_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    directive = get_object_or_404(tracked_directives(request.user), pk=pk)
    return render(
        request,
        "directives/partials/delivery_progress.html",
        {"directive": directive, "progress": delivery_progress(directive), "can_resend": True},
    )


@login_required
@require_POST
def notification_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(
        Notification.objects.filter(
            directive__in=tracked_directives(request.user).values("pk"),
            channel=Notification.Channel.EMAIL,
        ),
        pk=pk,
    )
    try:
        notification_resend(notification=row, by=request.user, ip=client_ip(request))
    except DirectiveError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("The e-mail to %(address)s will be sent again.") % {"address": row.address}
        )
    if request.headers.get("HX-Request"):
        directive = row.directive
        return render(
            request,
            "directives/partials/delivery_progress.html",
            {"directive": directive, "progress": delivery_progress(directive), "can_resend": True},
        )
    return redirect("directives:detail", pk=row.directive_id)


# ---------------------------------------------------------------------------------------------
# The public acknowledgement link
# ---------------------------------------------------------------------------------------------


def _ack_problem(request: HttpRequest, error: AckLinkError) -> HttpResponse:
    status = ACK_ERROR_STATUS.get(type(error), 410)
    return render(
        request,
        "directives/notices/ack_problem.html",
        {"error": error, "problem": type(error).__name__},
        status=status,
    )


@ratelimit("ack", setting="RATELIMIT_ACK")
@require_http_methods(["GET", "POST"])
def ack_link(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "GET" and request.GET.get("format") == "pdf":
        return _ack_pdf(request, token)
    try:
        dispatch = ack_token_read(token)
    except AckLinkError as error:
        return _ack_problem(request, error)
    form = AckForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            return render(
                request,
                "directives/notices/ack.html",
                {"dispatch": dispatch, "form": form},
                status=400,
            )
        user = request.user
        # A signed-in person of another unit acknowledges nothing in their own name.
        by = user if user.is_authenticated and user.unit_id == dispatch.unit_id else None
        try:
            dispatch = dispatch_acknowledge(
                dispatch=dispatch,
                by=by,
                by_name=form.cleaned_data["name"],
                ip=client_ip(request),
            )
        except AckLinkError as error:
            return _ack_problem(request, error)
        return render(request, "directives/notices/ack_done.html", {"dispatch": dispatch})
    return render(
        request,
        "directives/notices/ack.html",
        {
            "dispatch": dispatch,
            "form": form,
            "pdf_url": f"{reverse('directives:ack_link', args=[token])}?format=pdf",
        },
    )


def _ack_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The signed PDF for the holder of a valid link (the e-mail's link when it was too big)."""
    try:
        dispatch = ack_token_read(token, allow_used=True)
    except AckLinkError as error:
        return _ack_problem(request, error)
    directive = dispatch.directive
    return FileResponse(
        directive.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=False,
        filename=directive.pdf_filename,
    )


urlpatterns: list = [
    path("notifications/", notifications, name="notifications"),
    path("notifications/read-all/", notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", notification_read, name="notification_read"),
    path("notifications/<int:pk>/resend/", notification_resend_view, name="notification_resend"),
    path("directives/<int:pk>/delivery/", delivery_progress_view, name="delivery_progress"),
    path("ack/<str:token>/", ack_link, name="ack_link"),
]
