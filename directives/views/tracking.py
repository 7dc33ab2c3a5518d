"""Views: the clerk's tracking matrix, a unit's report under review, and the dashboard.

Directives are looked up through `tracked_directives(user)`: a directive of another agency, or
any directive for someone who does not track, is a 404.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.client_ip import client_ip
from common.downloads import export_response
from common.params import id_param
from directives.exports import matrix_file
from directives.forms.queries import matrix_query
from directives.forms.workspace import AcceptForm, DecideExtensionForm, ReturnForm
from directives.models import Assignment, ExtensionRequest
from directives.selectors import reminding
from directives.selectors.confirmations import remind_question
from directives.selectors.dashboard import dashboard_for
from directives.selectors.matrix import matrix_build, state_labels
from directives.selectors.workspace import (
    extensions_visible_to,
    reports_awaiting_review,
    tracked_assignments,
    tracked_directives,
)
from directives.services import assignments, extensions
from directives.views.confirm import confirmation_page
from directives.views.inbox import SERVICE_ERRORS, _service_error


@login_required
def matrix(request: HttpRequest, pk: int) -> HttpResponse:
    directive = get_object_or_404(
        tracked_directives(request.user).select_related("issuing_unit"), pk=pk
    )
    filters = matrix_query(request.GET)
    built = matrix_build(directive=directive, **filters)
    return render(
        request,
        "directives/tracking/matrix.html",
        {
            "directive": directive,
            "matrix": built,
            "filters": filters,
            "query_string": request.GET.urlencode(),
            "detail_url": reverse("directives:detail", args=[directive.pk]),
            "labels": state_labels(),
            "ext_label": _("Extension requested"),
            # Reversed once, not once per cell: the matrix has hundreds of links.
            "review_prefix": reverse("directives:assignment_review", args=[0])[:-2],
            # Only what the list shows, as rows of values: a 500-unit letter can have hundreds
            # waiting, three model instances each otherwise.
            "waiting_reports": list(
                reports_awaiting_review(directive).values_list(
                    "pk", "reported_at", "task__position", "unit__name"
                )
            ),
            "remind_scopes": reminding.SCOPES,
        },
    )


def _export(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    directive = get_object_or_404(tracked_directives(request.user), pk=pk)
    built = matrix_build(directive=directive, **matrix_query(request.GET))
    body, content_type, name = matrix_file(directive=directive, matrix=built, kind=kind)
    return export_response(body, name, content_type)


@login_required
def matrix_xlsx_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, "xlsx")


@login_required
def matrix_csv_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, "csv")


def _back_to_matrix(request: HttpRequest, directive) -> HttpResponse:
    # Back to the same filtered view; only the matrix's own filters are carried over.
    back = QueryDict(request.POST.get("back", ""))
    kept = urlencode({k: back[k] for k in ("late", "group") if back.get(k, "").isdigit()})
    url = reverse("directives:matrix", args=[directive.pk])
    return redirect(f"{url}?{kept}" if kept else url)


@login_required
@require_POST
def matrix_remind(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Remind now": the ticked units, or only the late ones, only those that have not
    acknowledged, or all. The page asks first (how many units), and reminds on `confirm=1`."""
    directive = get_object_or_404(tracked_directives(request.user), pk=pk)
    ids = [n for n in map(id_param, request.POST.getlist("dispatch")) if n is not None]
    scope = request.POST.get("scope") or reminding.SELECTED
    if scope not in reminding.SCOPES:
        messages.error(request, _("Choose which units to remind."))
        return _back_to_matrix(request, directive)
    if scope == reminding.SELECTED and not ids:
        messages.warning(request, _("Choose at least one unit to remind."))
        return _back_to_matrix(request, directive)
    if request.POST.get("confirm") != "1":
        targets = reminding.remind_targets(directive=directive, scope=scope, dispatch_ids=ids)
        if not targets:
            messages.info(request, _("Nothing to remind: those units are up to date."))
            return _back_to_matrix(request, directive)
        return confirmation_page(
            request,
            question=remind_question(len(targets)),
            back=reverse("directives:matrix", args=[directive.pk]),
        )
    try:
        result = assignments.dispatches_remind_now(
            directive=directive,
            dispatch_ids=ids,
            scope=scope,
            by=request.user,
            ip=client_ip(request),
        )
    except SERVICE_ERRORS as exc:
        _service_error(request, exc)
    else:
        if result.reminded:
            messages.success(request, _("Reminder sent to %(n)d units.") % {"n": result.reminded})
        if result.already_today:
            messages.info(
                request,
                _("%(n)d units were already reminded today: nothing new was sent to them.")
                % {"n": result.already_today},
            )
        if not (result.reminded or result.already_today):
            messages.info(request, _("Nothing to remind: those units are up to date."))
    return _back_to_matrix(request, directive)


@login_required
@require_POST
def matrix_accept_reports(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept several reports of the directive at once (the tracking page's list)."""
    directive = get_object_or_404(tracked_directives(request.user), pk=pk)
    ids = [n for n in map(id_param, request.POST.getlist("assignment")) if n is not None]
    if not ids:
        messages.warning(request, _("Choose at least one report to accept."))
        return _back_to_matrix(request, directive)
    form = AcceptForm(request.POST)
    form.is_valid()
    try:
        result = assignments.assignments_accept(
            directive=directive,
            assignment_ids=ids,
            by=request.user,
            comment=form.cleaned_data.get("comment", ""),
            ip=client_ip(request),
        )
    except SERVICE_ERRORS as exc:
        _service_error(request, exc)
    else:
        if result.accepted:
            messages.success(request, _("%(n)d reports accepted.") % {"n": len(result.accepted)})
        for assignment, why in result.skipped:
            messages.info(
                request,
                _("%(unit)s, task %(task)d: not accepted (%(why)s).")
                % {"unit": assignment.unit.name, "task": assignment.task.position, "why": why},
            )
    return _back_to_matrix(request, directive)


def _tracked_assignment(request: HttpRequest, pk: int) -> Assignment:
    return get_object_or_404(
        tracked_assignments(request.user).select_related(
            "task", "task__directive", "unit", "dispatch", "reported_by", "reviewed_by"
        ),
        pk=pk,
    )


@login_required
def assignment_review(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's report on one task, with accept / return and any extension request."""
    assignment = _tracked_assignment(request, pk)
    return render(
        request,
        "directives/tracking/assignment.html",
        {
            "assignment": assignment,
            "directive": assignment.task.directive,
            "files": list(assignment.files.filter(to_issuer=True)),
            "extensions": list(assignment.extensions.select_related("requested_by")),
            "accept_form": AcceptForm(),
            "return_form": ReturnForm(),
            "decide_form": DecideExtensionForm(),
        },
    )


@login_required
@require_POST
def assignment_accept(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _tracked_assignment(request, pk)
    form = AcceptForm(request.POST)
    form.is_valid()
    try:
        assignments.assignment_accept(
            assignment=assignment,
            by=request.user,
            comment=form.cleaned_data.get("comment", ""),
            ip=client_ip(request),
        )
    except SERVICE_ERRORS as exc:
        _service_error(request, exc)
    else:
        messages.success(request, _("Report accepted."))
    return redirect("directives:assignment_review", pk=assignment.pk)


@login_required
@require_POST
def assignment_return(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _tracked_assignment(request, pk)
    try:
        assignments.assignment_return(
            assignment=assignment,
            by=request.user,
            comment=request.POST.get("comment", ""),
            ip=client_ip(request),
        )
    except SERVICE_ERRORS as exc:
        _service_error(request, exc)
    else:
        messages.success(request, _("Report returned to the unit."))
    return redirect("directives:assignment_review", pk=assignment.pk)


@login_required
@require_POST
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    extension: ExtensionRequest = get_object_or_404(
        extensions_visible_to(request.user).filter(
            assignment__in=tracked_assignments(request.user).values("pk")
        ),
        pk=pk,
    )
    form = DecideExtensionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to grant or decline, with a valid date."))
    else:
        try:
            extensions.extension_request_decide(
                extension=extension,
                by=request.user,
                grant=form.cleaned_data["decision"] == "grant",
                new_date=form.cleaned_data["new_date"],
                note=form.cleaned_data["note"],
                ip=client_ip(request),
            )
        except SERVICE_ERRORS as exc:
            _service_error(request, exc)
        else:
            messages.success(request, _("Decision recorded; the unit has been told."))
    return redirect("directives:assignment_review", pk=extension.assignment_id)


# The ranking shows the first units; a province's thousand are one click away.
RANKED_UNITS_SHOWN = 50


@login_required
@permission_required("directives.track_directive", raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    board = dashboard_for(user=request.user)
    show_all = request.GET.get("units") == "all"
    shown = board.units if show_all else board.units[:RANKED_UNITS_SHOWN]
    return render(
        request,
        "directives/tracking/dashboard.html",
        {"board": board, "ranked": shown, "more_units": len(board.units) - len(shown)},
    )


urlpatterns: list = [
    path("dashboard/", dashboard, name="dashboard"),
    path("tracking/<int:pk>/", matrix, name="matrix"),
    path("tracking/<int:pk>/export.xlsx", matrix_xlsx_view, name="matrix_xlsx"),
    path("tracking/<int:pk>/export.csv", matrix_csv_view, name="matrix_csv"),
    path("tracking/<int:pk>/remind/", matrix_remind, name="matrix_remind"),
    path("tracking/<int:pk>/accept-reports/", matrix_accept_reports, name="matrix_accept_reports"),
    path("tracking/tasks/<int:pk>/", assignment_review, name="assignment_review"),
    path("tracking/tasks/<int:pk>/accept/", assignment_accept, name="assignment_accept"),
    path("tracking/tasks/<int:pk>/return/", assignment_return, name="assignment_return"),
    path("tracking/extensions/<int:pk>/decide/", extension_decide, name="extension_decide"),
]
