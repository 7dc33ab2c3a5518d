"""Views of distribution inside the unit: the desk (the head's letters to assign and reports to
review, the handler's tasks), the head's assignment of a letter or a task, the handler's task
page with its report, the head's approval or return. Thin: forms parse, services decide, every
object comes through the distribution selectors (another unit's is a 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.client_ip import client_ip
from directives.errors import DirectiveError
from directives.forms.distribution import HandlerReportForm, HandOverForm, HeadReturnForm
from directives.models import IncomingEntry
from directives.selectors.distribution import (
    distribution_assignments_visible_to,
    distribution_desk,
    distribution_entries_visible_to,
    handler_choices,
    handler_from_choice,
    handler_report_files,
    letter_files_context,
)
from directives.selectors.moves import assignment_moves, entry_moves
from directives.services.assignments import assignment_start
from directives.services.distribution import (
    assignment_hand_over,
    assignment_handler_report,
    assignment_head_approve,
    assignment_head_return,
    incoming_entry_assign,
)
from directives.services.handling import incoming_entry_mark_opened


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(getattr(exc, "message", exc))


@login_required
def distribution_home(request: HttpRequest) -> HttpResponse:
    return render(
        request, "directives/distribution/desk.html", {"desk": distribution_desk(request.user)}
    )


def _hand_over_page(request, *, unit, template_context, service, target_url, service_kwargs):
    form = HandOverForm(request.POST or None, choices=handler_choices(unit))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            handler_unit, handler_user = handler_from_choice(unit, form.cleaned_data["handler"])
            try:
                service(
                    by=request.user,
                    handler_unit=handler_unit,
                    handler_user=handler_user,
                    due_date=form.cleaned_data["due_date"],
                    note=form.cleaned_data["note"],
                    ip=client_ip(request),
                    **service_kwargs,
                )
            except (ValidationError, DirectiveError) as exc:
                form.add_error(None, _message(exc))
            else:
                messages.success(request, _("Assigned inside the unit."))
                return redirect(target_url)
        status = 400
    return render(
        request,
        "directives/distribution/hand_over.html",
        {**template_context, "form": form},
        status=status,
    )


@login_required
def entry_assign(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(distribution_entries_visible_to(request.user), pk=pk)
    if not entry_moves(entry=entry, user=request.user).assign:
        messages.error(request, _("Only the head of the unit can assign this letter."))
        return redirect("directives:distribution")
    return _hand_over_page(
        request,
        unit=entry.unit,
        template_context={"entry": entry},
        service=incoming_entry_assign,
        target_url="directives:distribution",
        service_kwargs={"entry": entry},
    )


@login_required
def task_hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(distribution_assignments_visible_to(request.user), pk=pk)
    if not assignment_moves(assignment=assignment, user=request.user).hand_over:
        messages.error(
            request, _("Only the head of the unit can assign this task, while it is open.")
        )
        return redirect("directives:distribution_task", pk=assignment.pk)
    return _hand_over_page(
        request,
        unit=assignment.unit,
        template_context={"assignment": assignment},
        service=assignment_hand_over,
        target_url="directives:distribution",
        service_kwargs={"assignment": assignment},
    )


@login_required
def distribution_task(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(distribution_assignments_visible_to(request.user), pk=pk)
    entry = IncomingEntry.objects.filter(dispatch_id=assignment.dispatch_id).first()
    if entry is not None:
        incoming_entry_mark_opened(entry=entry, by=request.user)
    return render(
        request,
        "directives/distribution/task.html",
        {
            "assignment": assignment,
            "moves": assignment_moves(assignment=assignment, user=request.user),
            "report_form": HandlerReportForm(initial={"text": assignment.handler_report}),
            "return_form": HeadReturnForm(),
            **letter_files_context(assignment.task.directive),
            "handler_files": handler_report_files(assignment),
            "entry": entry,
        },
    )


def _act(request: HttpRequest, pk: int, action) -> HttpResponse:
    assignment = get_object_or_404(distribution_assignments_visible_to(request.user), pk=pk)
    try:
        done = action(assignment)
    except (ValidationError, DirectiveError) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, done)
    return redirect("directives:distribution_task", pk=assignment.pk)


@login_required
@require_POST
def distribution_start(request: HttpRequest, pk: int) -> HttpResponse:
    def action(a):
        assignment_start(assignment=a, by=request.user, ip=client_ip(request))
        return _("Work on the task has started.")

    return _act(request, pk, action)


@login_required
@require_POST
def distribution_report(request: HttpRequest, pk: int) -> HttpResponse:
    def action(a):
        form = HandlerReportForm(request.POST, request.FILES)
        if not form.is_valid():
            raise ValidationError(_("Write the report for the head of the unit."))
        assignment_handler_report(
            assignment=a,
            by=request.user,
            text=form.cleaned_data["text"],
            files=form.cleaned_data["files"],
            ip=client_ip(request),
        )
        return _("Your report went to the head of the unit for review.")

    return _act(request, pk, action)


@login_required
@require_POST
def distribution_approve(request: HttpRequest, pk: int) -> HttpResponse:
    def action(a):
        assignment_head_approve(assignment=a, by=request.user, ip=client_ip(request))
        return _("The report went to the issuer.")

    return _act(request, pk, action)


@login_required
@require_POST
def distribution_return(request: HttpRequest, pk: int) -> HttpResponse:
    def action(a):
        form = HeadReturnForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Say what the handler should complete or correct."))
        assignment_head_return(
            assignment=a, by=request.user, reason=form.cleaned_data["reason"], ip=client_ip(request)
        )
        return _("The report went back to the handler.")

    return _act(request, pk, action)


urlpatterns: list = [
    path("distribution/", distribution_home, name="distribution"),
    path("distribution/letters/<int:pk>/assign/", entry_assign, name="distribution_entry_assign"),
    path("distribution/tasks/<int:pk>/", distribution_task, name="distribution_task"),
    path("distribution/tasks/<int:pk>/assign/", task_hand_over, name="distribution_task_assign"),
    path("distribution/tasks/<int:pk>/start/", distribution_start, name="distribution_start"),
    path("distribution/tasks/<int:pk>/report/", distribution_report, name="distribution_report"),
    path("distribution/tasks/<int:pk>/approve/", distribution_approve, name="distribution_approve"),
    path("distribution/tasks/<int:pk>/return/", distribution_return, name="distribution_return"),
]
