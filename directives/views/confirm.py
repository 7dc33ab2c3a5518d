"""The confirmation step before a move that cannot be undone (issue, recall, return, remind).

The move's view acts only on a POST carrying `confirm=1`. The page's script asks the question in
a modal and adds the field (static/js/actions.js); without script, or for a bare POST, the view
answers with this page, which asks the same question and posts the same fields again.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def confirmation_page(request: HttpRequest, *, question: str, back: str) -> HttpResponse:
    """The question before a move that cannot be undone, for a browser without script (or a
    POST without `confirm`): the same form again, with what was posted, plus `confirm=1`."""
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", "confirm")
        for value in values
    ]
    return render(
        request,
        "directives/confirm.html",
        {"question": question, "action": request.path, "fields": fields, "back": back},
    )
