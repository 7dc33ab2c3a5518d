"""Pages of the recipients app: the read-only directory for clerks, drafters and signers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from recipients.forms import DirectorySearchForm
from recipients.selectors import directory_groups, directory_units

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
