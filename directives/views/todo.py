"""The to-do page: what waits for a clerk of the issuing agency and for a unit head."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from directives.selectors import todo

LABELS = {
    todo.TO_NUMBER: _("Approved, waiting to be numbered"),
    todo.TO_ISSUE: _("Signed, waiting to be issued"),
    todo.REPORT: _("Report to review"),
    todo.EXTENSION: _("Extension asked"),
    todo.DELIVERY_FAILED: _("Delivery failed"),
    todo.TO_ASSIGN: _("Arrived, to be assigned"),
    todo.HEAD_REVIEW: _("Handled inside the unit, to review"),
}


@login_required
def todo_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not todo.has_todo_page(user):
        raise Http404
    return render(
        request,
        "directives/todo.html",
        {
            "clerk_items": [(LABELS[i.kind], i) for i in todo.clerk_todo(user)],
            "head_items": [(LABELS[i.kind], i) for i in todo.head_todo(user)],
            "is_clerk": user.has_perm("directives.issue_directive")
            or user.has_perm("directives.track_directive"),
            "is_head": user.is_unit_head,
        },
    )


urlpatterns = [path("todo/", todo_page, name="todo")]
