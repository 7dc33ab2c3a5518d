"""Views: the unit officer's inbox, a received directive, and the unit's work on its tasks.

Every object is looked up through the scoping selectors: another unit's dispatch, assignment,
report file or attachment is a 404, never a 403.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from directives.errors import PermissionDeniedError, TransitionError
from directives.models import Assignment, Directive, Urgency
from directives.selectors.history import history_for_unit
from directives.selectors.inbox import inbox_dispatch_assignments, inbox_dispatches, inbox_search
from directives.selectors.workspace import (
    DEADLINE_SOON_DAYS,
    assignments_visible_to,
    attachments_visible_to,
    report_files_visible_to,
)
from directives.services import assignments, extensions
from directives.services.receipts import AckLinkError, dispatch_acknowledge, dispatch_mark_seen
from directives.workdays import local_today, overdue_cutoff
from recipients.models import Unit

PAGE_SIZE = 25


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


# ---------------------------------------------------------------------------------------------
# Forms and filters
# ---------------------------------------------------------------------------------------------


class InboxFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("Search"), method="filter_q")
    acknowledged = django_filters.ChoiceFilter(
        label=gettext_lazy("Receipt"),
        choices=[
            ("no", gettext_lazy("Not acknowledged")),
            ("yes", gettext_lazy("Acknowledged")),
        ],
        method="filter_acknowledged",
        empty_label=gettext_lazy("All"),
    )
    due = django_filters.ChoiceFilter(
        label=gettext_lazy("Deadline"),
        choices=[
            ("soon", gettext_lazy("Due within 7 days")),
            ("overdue", gettext_lazy("Overdue")),
        ],
        method="filter_due",
        empty_label=gettext_lazy("All"),
    )
    urgency = django_filters.ChoiceFilter(
        label=gettext_lazy("Urgency"),
        field_name="directive__urgency",
        choices=Urgency.choices,
        empty_label=gettext_lazy("All"),
    )
    year = django_filters.NumberFilter(
        label=gettext_lazy("Year"), field_name="directive__issued_on__year"
    )
    issuer = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Issued by"),
        field_name="directive__issuing_unit",
        queryset=Unit.objects.none(),
        empty_label=gettext_lazy("All"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["issuer"].queryset = Unit.objects.filter(
            pk__in=Directive.objects.filter(dispatches__unit_id=user.unit_id).values(
                "issuing_unit_id"
            )
        )
        for name, field in self.form.fields.items():
            css = (
                "form-select form-select-sm"
                if name
                in {
                    "acknowledged",
                    "due",
                    "urgency",
                    "issuer",
                }
                else "form-control form-control-sm"
            )
            field.widget.attrs["class"] = css

    def filter_q(self, queryset, name, value):
        return inbox_search(queryset, self.user, value)

    def filter_acknowledged(self, queryset, name, value):
        return queryset.filter(acknowledged_at__isnull=(value == "no"))

    def filter_due(self, queryset, name, value):
        today = local_today()
        if value == "overdue":
            return queryset.filter(overdue_count__gt=0)
        # Not overdue yet (a Saturday deadline is still "soon" on Monday), due within the week.
        return queryset.filter(
            next_due__gt=overdue_cutoff(today),
            next_due__lte=today + datetime.timedelta(days=DEADLINE_SOON_DAYS),
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each one is checked by content in the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class ReportForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Report"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("What your unit did, with figures where relevant."),
    )
    files = MultipleFileField(
        label=gettext_lazy("Attached files"),
        required=False,
        help_text=gettext_lazy("PDF, Word, Excel, OpenDocument or images."),
    )


class ExtensionForm(forms.Form):
    requested_date = forms.DateField(
        label=gettext_lazy("New due date requested"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 4}))


# ---------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------


@login_required
@permission_required("directives.receive_directive", raise_exception=True)
def inbox(request: HttpRequest) -> HttpResponse:
    queryset = inbox_dispatches(request.user)
    flt = InboxFilter(request.GET or None, queryset=queryset, user=request.user)
    page = Paginator(flt.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "directives/inbox/list.html",
        {
            "filter": flt,
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
    can_ack = directive.status == Directive.Status.ISSUED and (
        dispatch.acknowledged_at is None or dispatch.acknowledged_pdf_sha256 != directive.pdf_sha256
    )
    return render(
        request,
        "directives/inbox/detail.html",
        {
            "dispatch": dispatch,
            "directive": directive,
            "pdf_url": pdf_url,
            "pdf_ready": bool(directive.pdf) and directive.pdf_status == Directive.PdfStatus.READY,
            "attachments": list(directive.attachments.all()),
            "assignments": inbox_dispatch_assignments(dispatch),
            "history": history_for_unit(directive, request.user.unit_id),
            "can_ack": can_ack,
            "is_live": directive.status == Directive.Status.ISSUED,
        },
    )


@login_required
@require_POST
def inbox_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    dispatch = _my_dispatch(request, pk)
    try:
        dispatch_acknowledge(dispatch=dispatch, by=request.user, ip=client_ip(request))
    except AckLinkError as exc:
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


def _download(stored_file, name: str, content_type: str, *, inline: bool) -> FileResponse:
    try:
        handle = stored_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=not inline, filename=name)
    response["Content-Type"] = content_type or "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def report_file(request: HttpRequest, pk: int) -> FileResponse:
    """A file of a unit's report: for that unit's officers and the issuing agency's clerks."""
    item = get_object_or_404(report_files_visible_to(request.user), pk=pk)
    return _download(item.file, item.name, item.content_type, inline=False)


@login_required
def attachment_file(request: HttpRequest, pk: int) -> FileResponse:
    """An attachment of a directive the user may open."""
    item = get_object_or_404(attachments_visible_to(request.user), pk=pk)
    inline = request.GET.get("inline") == "1" and item.content_type == "application/pdf"
    return _download(item.file, item.name, item.content_type, inline=inline)


urlpatterns: list = [
    path("inbox/", inbox, name="inbox"),
    path("inbox/<int:pk>/", inbox_detail, name="inbox_detail"),
    path("inbox/<int:pk>/acknowledge/", inbox_acknowledge, name="inbox_acknowledge"),
    path("inbox/tasks/<int:pk>/start/", assignment_start, name="assignment_start"),
    path("inbox/tasks/<int:pk>/report/", assignment_report, name="assignment_report"),
    path("inbox/tasks/<int:pk>/extension/", assignment_extension, name="assignment_extension"),
    path("inbox/report-files/<int:pk>/", report_file, name="report_file"),
    path("inbox/attachments/<int:pk>/", attachment_file, name="attachment_file"),
]
