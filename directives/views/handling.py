"""Views of a letter handled inside the receiving unit: its page for the handler and the head
(the letter's facts, its signed PDF and attachments, the unit's tasks of it, and for a letter
with no task the handler's "handled" and the head's review), and the files a handler opens.
Thin: forms parse, services decide; every object comes through the distribution selectors, so
another unit's letter, file or report is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.client_ip import client_ip
from common.downloads import stored_file_response
from common.framing import pdf_frame
from directives.errors import DirectiveError
from directives.forms.distribution import HandledForm, HeadReturnForm
from directives.models import AttachmentSeal, Directive, IncomingAttachment
from directives.selectors.distribution import (
    distribution_attachments_visible_to,
    distribution_directives_visible_to,
    distribution_letters_visible_to,
    distribution_report_files_visible_to,
    letter_files_context,
    letter_tasks,
)
from directives.selectors.incoming import recalled_note
from directives.selectors.moves import entry_moves
from directives.services.handling import (
    incoming_entry_head_approve,
    incoming_entry_head_return,
    incoming_entry_mark_handled,
    incoming_entry_mark_opened,
    incoming_entry_start,
)
from directives.services.seals import sealed_download


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(getattr(exc, "message", exc))


@login_required
def distribution_letter(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(distribution_letters_visible_to(request.user), pk=pk)
    incoming_entry_mark_opened(entry=entry, by=request.user)
    directive = entry.dispatch.directive if entry.dispatch_id else None
    return render(
        request,
        "directives/distribution/letter.html",
        {
            "entry": entry,
            "moves": entry_moves(entry=entry, user=request.user),
            "tasks": letter_tasks(entry),
            "handled_form": HandledForm(initial={"text": entry.handler_report}),
            "return_form": HeadReturnForm(),
            **letter_files_context(directive),
            "entry_files": list(entry.attachments.all()),
            "recalled": recalled_note(entry),
        },
    )


def _act(request: HttpRequest, pk: int, action) -> HttpResponse:
    entry = get_object_or_404(distribution_letters_visible_to(request.user), pk=pk)
    try:
        done = action(entry)
    except (ValidationError, DirectiveError) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, done)
    return redirect("directives:distribution_letter", pk=entry.pk)


@login_required
@require_POST
def letter_start(request: HttpRequest, pk: int) -> HttpResponse:
    def action(entry):
        incoming_entry_start(entry=entry, by=request.user, ip=client_ip(request))
        return _("Work on the letter has started.")

    return _act(request, pk, action)


@login_required
@require_POST
def letter_handled(request: HttpRequest, pk: int) -> HttpResponse:
    def action(entry):
        form = HandledForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Say in a few words how the letter was handled."))
        incoming_entry_mark_handled(
            entry=entry, by=request.user, text=form.cleaned_data["text"], ip=client_ip(request)
        )
        return _("The letter went to the head of the unit for review.")

    return _act(request, pk, action)


@login_required
@require_POST
def letter_approve(request: HttpRequest, pk: int) -> HttpResponse:
    def action(entry):
        incoming_entry_head_approve(entry=entry, by=request.user, ip=client_ip(request))
        return _("The letter is handled.")

    return _act(request, pk, action)


@login_required
@require_POST
def letter_return(request: HttpRequest, pk: int) -> HttpResponse:
    def action(entry):
        form = HeadReturnForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Say what the handler should complete or correct."))
        incoming_entry_head_return(
            entry=entry, by=request.user, reason=form.cleaned_data["reason"], ip=client_ip(request)
        )
        return _("The letter went back to the handler.")

    return _act(request, pk, action)


@pdf_frame
@login_required
def handled_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The letter's signed PDF for its handler inside the unit (`?inline=1` to view it)."""
    directive = get_object_or_404(distribution_directives_visible_to(request.user), pk=pk)
    if directive.pdf_status != Directive.PdfStatus.READY or not directive.pdf:
        raise Http404
    return stored_file_response(
        directive.pdf,
        directive.pdf_filename,
        "application/pdf",
        inline=request.GET.get("inline") == "1",
    )


@pdf_frame
@login_required
def handled_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """An attachment of a letter handed to the user inside their unit (the sealed version)."""
    item = get_object_or_404(distribution_attachments_visible_to(request.user), pk=pk)
    stored, name, content_type = sealed_download(item)
    inline = request.GET.get("inline") == "1" and content_type == "application/pdf"
    return stored_file_response(stored, name, content_type, inline=inline)


@login_required
def handled_attachment_signature(request: HttpRequest, pk: int) -> FileResponse:
    """The detached signature (.p7s) of a non-PDF attachment of such a letter."""
    item = get_object_or_404(
        distribution_attachments_visible_to(request.user).filter(
            seal__kind=AttachmentSeal.Kind.CADES
        ),
        pk=pk,
    )
    return stored_file_response(
        item.seal.file, item.seal.name, "application/pkcs7-signature", inline=False
    )


@pdf_frame
@login_required
def handled_scan(request: HttpRequest, pk: int) -> FileResponse:
    """The scan of a letter that came from outside the portal, for its handler."""
    entry = get_object_or_404(distribution_letters_visible_to(request.user).exclude(scan=""), pk=pk)
    inline = request.GET.get("inline") == "1"
    return stored_file_response(
        entry.scan, entry.scan_name or "scan.pdf", "application/pdf", inline=inline
    )


@login_required
def handled_letter_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """A file that came with an edXML letter, for its handler and the unit's head."""
    entry = get_object_or_404(distribution_letters_visible_to(request.user), pk=pk)
    item = get_object_or_404(IncomingAttachment.objects.filter(entry=entry), pk=file_pk)
    return stored_file_response(item.file, item.name, item.content_type, inline=False)


@login_required
def handled_report_file(request: HttpRequest, pk: int) -> FileResponse:
    """A file of a task's report, for its handler and the unit's head."""
    item = get_object_or_404(distribution_report_files_visible_to(request.user), pk=pk)
    return stored_file_response(item.file, item.name, item.content_type, inline=False)


urlpatterns: list = [
    path("distribution/letters/<int:pk>/", distribution_letter, name="distribution_letter"),
    path("distribution/letters/<int:pk>/start/", letter_start, name="distribution_letter_start"),
    path(
        "distribution/letters/<int:pk>/handled/", letter_handled, name="distribution_letter_handled"
    ),
    path(
        "distribution/letters/<int:pk>/approve/", letter_approve, name="distribution_letter_approve"
    ),
    path("distribution/letters/<int:pk>/return/", letter_return, name="distribution_letter_return"),
    path("distribution/letters/<int:pk>/scan/", handled_scan, name="distribution_letter_scan"),
    path(
        "distribution/letters/<int:pk>/files/<int:file_pk>/",
        handled_letter_file,
        name="distribution_letter_file",
    ),
    path("distribution/directives/<int:pk>/pdf/", handled_pdf, name="distribution_pdf"),
    path("distribution/attachments/<int:pk>/", handled_attachment, name="distribution_attachment"),
    path(
        "distribution/attachments/<int:pk>/signature/",
        handled_attachment_signature,
        name="distribution_attachment_signature",
    ),
    path(
        "distribution/report-files/<int:pk>/",
        handled_report_file,
        name="distribution_report_file",
    ),
]
