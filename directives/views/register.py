"""Views: the outgoing register (sổ đăng ký văn bản đi) and the entry of a letter signed on paper.

Both are the clerk's: anyone else gets a 403 (these pages hold no object id, so there is nothing
to hide behind a 404). The register's rows come from `register_entries`, scoped to the clerk's
agency.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from common.client_ip import client_ip
from common.downloads import export_response
from directives import services
from directives.errors import DirectiveError, NumberTakenError
from directives.exports import register_file, register_headers
from directives.forms import DraftForms, PaperForm
from directives.forms.queries import register_query
from directives.models import DocumentType, RegisterKind
from directives.selectors.register import (
    register_agency,
    register_keeper,
    register_kinds,
    register_page,
)
from directives.workdays import local_today


def _require_clerk(request: HttpRequest, perm: str | None = None) -> None:
    allowed = request.user.has_perm(perm) if perm else register_keeper(request.user)
    if not allowed:
        raise PermissionDenied


@login_required
def register(request: HttpRequest) -> HttpResponse:
    _require_clerk(request)
    query = register_query(request.GET)
    year, kind, doc_type = query.year, query.kind, query.doc_type
    page, rows = register_page(
        user=request.user, year=year, doc_type=doc_type, kind=kind, page=request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "directives/register.html",
        {
            "year": year,
            "doc_type": doc_type,
            "doc_types": DocumentType.choices,
            "kind": kind,
            "kind_label": RegisterKind(kind).label,
            "kinds": register_kinds(request.user),
            "agency": register_agency(request.user),
            "page": page,
            "rows": rows,
            "query_string": params.urlencode(),
            "headers": register_headers(),
            "years": range(local_today().year, local_today().year - 6, -1),
        },
    )


@login_required
def register_xlsx(request: HttpRequest) -> HttpResponse:
    _require_clerk(request)
    query = register_query(request.GET)
    body, name = register_file(
        user=request.user, year=query.year, kind=query.kind, doc_type=query.doc_type
    )
    return export_response(body, name)


@login_required
def paper_create(request: HttpRequest) -> HttpResponse:
    """A letter signed on paper enters the register under its own number."""
    _require_clerk(request, "directives.enter_paper_directive")
    if request.method == "POST":
        bundle = DraftForms(
            user=request.user, data=request.POST, files=request.FILES, form_class=PaperForm
        )
        if bundle.is_valid():
            data = bundle.form.cleaned_data
            try:
                directive = services.directive_enter_paper(
                    by=request.user,
                    number=data["number"],
                    issued_on=data["issued_on"],
                    pdf_upload=data.get("pdf_upload"),
                    ip=client_ip(request),
                    **bundle.payload(),
                )
            except NumberTakenError as exc:
                bundle.form.add_error("number", str(exc.message))
            except DirectiveError as exc:
                bundle.form.add_error(None, str(exc.message))
            except ValidationError as exc:
                bundle.form.add_error("pdf_upload", exc)
            else:
                messages.success(request, _("The paper letter has been entered in the register."))
                return redirect("directives:detail", pk=directive.pk)
        status = 400
    else:
        bundle = DraftForms(user=request.user, form_class=PaperForm)
        status = 200
    context = bundle.context()
    if status == 400:
        context["error_summary"] = bundle.error_summary(form_id="paper-form")
    return render(request, "directives/paper_form.html", context, status=status)


urlpatterns: list = [
    path("register/", register, name="register"),
    path("register/xlsx/", register_xlsx, name="register_xlsx"),
    path("register/paper/", paper_create, name="paper_create"),
]
