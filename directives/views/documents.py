"""Views: the letter's PDF (download, draft preview, live status) and public verification."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from common.downloads import stored_file_response
from common.framing import pdf_frame
from common.ratelimit import ratelimit
from directives.documents.pdf import render_directive_pdf_bytes
from directives.documents.verification import issued_directives, verify_pdf_bytes
from directives.forms.verify import VerifyForm
from directives.models import Directive
from directives.selectors.moves import directive_moves
from directives.selectors.scope import agency_unit_ids, directives_visible_to


@pdf_frame
@login_required
def directive_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The signed PDF, for those who may see the directive (another unit's: 404).

    `?inline=1` shows it inside the page (the inbox's viewer) instead of downloading it.
    """
    directive = get_object_or_404(directives_visible_to(request.user), pk=pk)
    if directive.pdf_status != Directive.PdfStatus.READY or not directive.pdf:
        raise Http404(_("The signed PDF is not ready yet."))
    return stored_file_response(
        directive.pdf,
        directive.pdf_filename,
        "application/pdf",
        inline=request.GET.get("inline") == "1",
    )


@login_required
def directive_preview_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft as PDF with the DỰ THẢO watermark and no number; for the issuing agency."""
    directive = get_object_or_404(directives_visible_to(request.user), pk=pk)
    desk = agency_unit_ids(request.user)
    if not request.user.is_superuser and not (
        directive.issuing_unit_id in desk or directive.drafting_unit_id in desk
    ):
        raise Http404
    data = render_directive_pdf_bytes(directive, draft=True)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="du-thao-{directive.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def directive_pdf_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx partial showing the PDF's progress; it polls itself until done."""
    directive = get_object_or_404(directives_visible_to(request.user), pk=pk)
    context = {
        "directive": directive,
        "moves": directive_moves(directive=directive, user=request.user),
    }
    return render(request, "directives/partials/pdf_status.html", context)


@ratelimit("verify", setting="RATELIMIT_VERIFY", methods=("POST",))
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Public: upload a PDF and learn whether it is a genuine, unaltered letter of the portal."""
    report = None
    status = 200
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            report = verify_pdf_bytes(form.pdf_bytes)
        else:
            status = 400
    else:
        form = VerifyForm()
    return render(
        request, "directives/verify.html", {"form": form, "report": report}, status=status
    )


def verify_token(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the QR code's target. What the portal issued under this token, and its status."""
    directive = get_object_or_404(issued_directives(), verify_token=token)
    return render(request, "directives/verify_token.html", {"directive": directive})


urlpatterns: list = [
    path("directives/<int:pk>/pdf/", directive_pdf, name="pdf"),
    path("directives/<int:pk>/pdf/preview/", directive_preview_pdf, name="preview_pdf"),
    path("directives/<int:pk>/pdf/status/", directive_pdf_status, name="pdf_status"),
    path("verify/", verify, name="verify"),
    path("verify/<str:token>/", verify_token, name="verify_token"),
]
