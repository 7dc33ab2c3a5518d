"""Views: the unit officer's inbox, a received directive, and the unit's work on its tasks.

Every object is looked up through the scoping selectors: another unit's dispatch, assignment,
report file or attachment is a 404, never a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.cache import cache_read_ahead
from common.client_ip import client_ip
from common.downloads import stored_file_response
from common.framing import pdf_frame
from directives.errors import PermissionDeniedError, TransitionError
from directives.forms.workspace import ExtensionForm, InboxFilter, ReportForm
from directives.models import Assignment, AttachmentSeal, Directive
from directives.selectors.distribution import distribution_letters_visible_to
from directives.selectors.history import history_for_unit
from directives.selectors.inbox import (
    InboxRows,
    inbox_dispatch_assignments,
    inbox_dispatches,
    inbox_filter_fields_kept_as,
    inbox_issuer_ids,
    inbox_issuers,
    inbox_kept_keys,
    inbox_letters,
)
from directives.selectors.moves import assignment_moves, dispatch_entry, dispatch_moves
from directives.selectors.notices import unread_kept_keys
from directives.selectors.scope import receiving_unit_ids
from directives.selectors.workspace import (
    assignments_visible_to,
    attachments_visible_to,
    report_files_visible_to,
)
from directives.services import assignments, extensions
from directives.services.incoming import dispatch_acknowledge
from directives.services.receipts import AckLinkError, dispatch_mark_seen
from directives.services.seals import sealed_download

PAGE_SIZE = 25


# ---------------------------------------------------------------------------------------------
# Forms and filters
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    if not receiving_unit_ids(request.user):
        raise PermissionDenied  # neither a unit officer nor a clerk keeping a book
    # What the page keeps in the cache (its count, its issuers, its filter's fields, the
    # bell's count) read at once rather than one by one.
    with cache_read_ahead(inbox_kept_keys(request.user) + unread_kept_keys(request.user)):
        return _inbox_page(request)


def _inbox_page(request: HttpRequest) -> HttpResponse:
    # The task figures are read for the page's rows only (InboxRows).
    queryset = inbox_letters(request.user)
    issuers = inbox_issuers(request.user, ids=inbox_issuer_ids(request.user, kept=True))
    # The whole inbox (no filter chosen) has its count kept until its next letter, and its
    # filter's fields drawn from the cache: the filter itself is only made on a miss.
    filtered = any(v for k, v in request.GET.items() if k != "page")
    if filtered:
        flt = InboxFilter(request.GET, queryset=queryset, user=request.user, issuers=issuers)
        listed, form = flt.qs, flt.form
    else:
        listed = queryset
        form = SimpleLazyObject(
            lambda: InboxFilter(None, queryset=queryset, user=request.user, issuers=issuers).form
        )
    rows = InboxRows(
        listed,
        count_kept_for=None if filtered else request.user,
        units=receiving_unit_ids(request.user),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "directives/inbox/list.html",
        {
            "filter_form": form,
            "filled": filtered,
            "issuers": issuers,
            "fields_kept_as": inbox_filter_fields_kept_as(request.user),
            "page": page,
            "query_string": params.urlencode(),
        },
    )


def _my_dispatch(request: HttpRequest, pk: int):
    return get_object_or_404(inbox_dispatches(request.user), pk=pk)


def _my_assignment(request: HttpRequest, pk: int) -> Assignment:
    user = request.user
    if user.unit_id is None:
        raise Http404
    return get_object_or_404(
        assignments_visible_to(user)
        .filter(unit_id=user.unit_id)
        .select_related("task", "task__directive", "dispatch"),
        pk=pk,
    )


@login_required
def inbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dispatch = _my_dispatch(request, pk)
    directive = dispatch.directive
    if dispatch.seen_at is None:
        dispatch_mark_seen(dispatch=dispatch, by=request.user)
    pdf_url = reverse("directives:pdf", args=[directive.pk])
    tasks = inbox_dispatch_assignments(dispatch)
    entry = dispatch_entry(dispatch)
    return render(
        request,
        "directives/inbox/detail.html",
        {
            "dispatch": dispatch,
            "directive": directive,
            "pdf_url": pdf_url,
            "pdf_ready": bool(directive.pdf) and directive.pdf_status == Directive.PdfStatus.READY,
            "attachments": list(directive.attachments.select_related("seal")),
            "assignments": [(a, assignment_moves(assignment=a, user=request.user)) for a in tasks],
            "history": history_for_unit(directive, dispatch.unit_id),
            "entry": entry,
            "letter_page": entry is not None
            and distribution_letters_visible_to(request.user).filter(pk=entry.pk).exists(),
            "multi_unit": len(receiving_unit_ids(request.user)) > 1,
            "moves": dispatch_moves(dispatch=dispatch, user=request.user),
            "is_live": directive.status == Directive.Status.ISSUED,
        },
    )


@login_required
@require_POST
def inbox_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    dispatch = _my_dispatch(request, pk)
    try:
        dispatch_acknowledge(dispatch=dispatch, by=request.user, ip=client_ip(request))
    except (AckLinkError, PermissionDeniedError) as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Receipt acknowledged."))
    return redirect("directives:inbox_detail", pk=dispatch.pk)


def _service_error(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc))


SERVICE_ERRORS = (TransitionError, PermissionDeniedError, ValidationError)


@login_required
@require_POST
def assignment_start(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _my_assignment(request, pk)
    try:
        assignments.assignment_start(assignment=assignment, by=request.user, ip=client_ip(request))
    except SERVICE_ERRORS as exc:
        _service_error(request, exc)
    else:
        messages.success(request, _("The task is now in progress."))
    return redirect("directives:inbox_detail", pk=assignment.dispatch_id)


@login_required
def assignment_report(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_form_page(
        request,
        pk,
        form_class=ReportForm,
        template="directives/inbox/report_form.html",
        done=_("Your report has been submitted."),
        submit=lambda assignment, data, ip: assignments.assignment_report(
            assignment=assignment, by=request.user, text=data["text"], files=data["files"], ip=ip
        ),
    )


@login_required
def assignment_extension(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_form_page(
        request,
        pk,
        form_class=ExtensionForm,
        template="directives/inbox/extension_form.html",
        done=_("Your extension request has been sent to the clerk."),
        submit=lambda assignment, data, ip: extensions.extension_request_create(
            assignment=assignment,
            by=request.user,
            requested_date=data["requested_date"],
            reason=data["reason"],
            ip=ip,
        ),
    )


def _task_form_page(request, pk, *, form_class, template, done, submit) -> HttpResponse:
    """A unit's form about one of its tasks: the service's refusal is shown on the form."""
    assignment = _my_assignment(request, pk)
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            submit(assignment, form.cleaned_data, client_ip(request))
        except ValidationError as exc:
            form.add_error(None, exc)
        except (TransitionError, PermissionDeniedError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect("directives:inbox_detail", pk=assignment.dispatch_id)
    return render(
        request,
        template,
        {"assignment": assignment, "directive": assignment.task.directive, "form": form},
    )


@login_required
def report_file(request: HttpRequest, pk: int) -> FileResponse:
    """A file of a unit's report: for that unit's officers and the issuing agency's clerks."""
    item = get_object_or_404(report_files_visible_to(request.user), pk=pk)
    return stored_file_response(item.file, item.name, item.content_type, inline=False)


@pdf_frame
@login_required
def attachment_file(request: HttpRequest, pk: int) -> FileResponse:
    """An attachment of a directive the user may open."""
    item = get_object_or_404(attachments_visible_to(request.user), pk=pk)
    stored, name, content_type = sealed_download(item)  # seals: the agency-signed version
    inline = request.GET.get("inline") == "1" and content_type == "application/pdf"
    return stored_file_response(stored, name, content_type, inline=inline)


@login_required
def attachment_signature(request: HttpRequest, pk: int) -> FileResponse:
    """The detached signature (.p7s) of a non-PDF attachment the user may open."""
    item = get_object_or_404(
        attachments_visible_to(request.user).filter(seal__kind=AttachmentSeal.Kind.CADES), pk=pk
    )
    return stored_file_response(
        item.seal.file, item.seal.name, "application/pkcs7-signature", inline=False
    )


urlpatterns: list = [
    path("inbox/", inbox, name="inbox"),
    path("inbox/<int:pk>/", inbox_detail, name="inbox_detail"),
    path("inbox/<int:pk>/acknowledge/", inbox_acknowledge, name="inbox_acknowledge"),
    path("inbox/tasks/<int:pk>/start/", assignment_start, name="assignment_start"),
    path("inbox/tasks/<int:pk>/report/", assignment_report, name="assignment_report"),
    path("inbox/tasks/<int:pk>/extension/", assignment_extension, name="assignment_extension"),
    path("inbox/report-files/<int:pk>/", report_file, name="report_file"),
    path("inbox/attachments/<int:pk>/", attachment_file, name="attachment_file"),
    path(
        "inbox/attachments/<int:pk>/signature/",
        attachment_signature,
        name="attachment_signature",
    ),
]
