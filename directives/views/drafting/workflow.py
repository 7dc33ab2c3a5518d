"""The directive page and its buttons: one POST form per move, each calling one service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from common.client_ip import client_ip
from common.framing import letter_frame_styles
from directives import services
from directives.documents.pdf import render_directive_html
from directives.errors import DirectiveError
from directives.forms import (
    ApproveForm,
    AttachmentForm,
    CopyLinkForm,
    ReasonForm,
    RemoteConfirmForm,
    SignerReturnForm,
    SignForm,
    SubmitForm,
)
from directives.models import SIGNING_STATES, Attachment, Directive, Dispatch
from directives.selectors.confirmations import (
    issue_question,
    number_question,
    questions_for,
    recall_question,
    return_question,
)
from directives.selectors.drafts import changes_since_return, directive_unsent_copy_lines
from directives.selectors.history import desk_history
from directives.selectors.moves import directive_moves, remote_signature_pending
from directives.selectors.scope import desk_directives, directives_visible_to
from directives.views.confirm import confirmation_page
from directives.views.drafting.common import desk_directive


@letter_frame_styles
@login_required
def directive_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visible = get_object_or_404(directives_visible_to(request.user), pk=pk)
    if not desk_directives(request.user).filter(pk=pk).exists():
        # A receiving unit's officer reads the letter in their inbox.
        dispatch = Dispatch.objects.filter(directive=visible, unit_id=request.user.unit_id).first()
        if dispatch is None:
            raise Http404
        return redirect("directives:inbox_detail", pk=dispatch.pk)
    return _detail_page(request, pk)


def _detail_page(
    request: HttpRequest,
    pk: int,
    *,
    approve_form: forms.Form | None = None,
    reason_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    """The directive page; a refused approval or return shows it again with what was typed in
    both of the signer's forms, the refused one with its errors."""
    directive = (
        Directive.objects.select_related(
            "issuing_unit", "drafting_unit", "drafter", "signer", "replaces"
        )
        .prefetch_related(
            "addressees__group",
            "addressees__unit",
            "copy_recipients__unit",
            "copy_recipients__group",
            "tasks__groups",
            "tasks__units",
            "attachments",
            "replaced_by",
        )
        .get(pk=pk)
    )
    moves = directive_moves(directive=directive, user=request.user)
    pdf_shown = directive.pdf_status == Directive.PdfStatus.READY and bool(directive.pdf)
    events = desk_history(directive)
    response = render(
        request,
        "directives/detail.html",
        {
            "directive": directive,
            # Once the signed PDF exists the page shows it; rendering the HTML would be wasted.
            "letter_html": ""
            if pdf_shown
            else render_directive_html(
                directive,
                draft=not (directive.is_issued_state or directive.status in SIGNING_STATES),
            ),
            "moves": moves,
            "pdf_shown": pdf_shown,
            "events": events,
            "submit_form": SubmitForm(directive=directive) if moves.submit else None,
            "unsent": directive_unsent_copy_lines(directive) if moves.edit else [],
            # The signer deciding sees what changed since they last returned it.
            "changes": changes_since_return(directive) if moves.approve else None,
            "reason_form": reason_form or SignerReturnForm(),
            "recall_form": ReasonForm(auto_id="recall_%s"),
            "approve_form": approve_form or ApproveForm(),
            "questions": questions_for(directive, moves),
            "sign_form": SignForm() if moves.sign else None,
            "remote_signature": remote_signature_pending(directive),
            "confirm_form": RemoteConfirmForm() if moves.sign_confirm else None,
            "attachment_form": AttachmentForm(),
            "is_drafter": directive.drafter_id == request.user.pk,
        },
        status=status,
    )
    return response


@dataclass(frozen=True)
class Move:
    """One button: the form it posts, the service it calls, what the user is told."""

    form: Callable[[HttpRequest, Directive], forms.Form] | None
    call: Callable[..., object]
    success: str
    # Where to go afterwards, from the service's result; the directive page by default.
    then: Callable[[HttpRequest, Directive, object], HttpResponse] | None = None
    # The question asked before a move that cannot be undone; the move waits for `confirm=1`.
    ask: Callable[[Directive], str] | None = None
    # The signer's two forms: a refusal shows the page again with both forms' text.
    keeps_text: bool = False


def _back_to_page(request: HttpRequest, directive: Directive, _result) -> HttpResponse:
    target = "directives:edit" if request.POST.get("back") == "edit" else "directives:detail"
    return redirect(target, pk=directive.pk)


def _to_replacement(request: HttpRequest, _directive: Directive, made) -> HttpResponse:
    # The new draft opens for editing when this user is its drafter.
    target = "directives:edit" if made.drafter_id == request.user.pk else "directives:detail"
    return redirect(target, pk=made.pk)


MOVES: dict[str, Move] = {
    "submit": Move(
        lambda r, d: SubmitForm(r.POST, directive=d),
        lambda d, by, ip, data: services.directive_submit(
            directive=d, by=by, signer=data.get("signer"), ip=ip
        ),
        _("The directive has been submitted for approval."),
    ),
    "withdraw": Move(
        None,
        lambda d, by, ip, data: services.directive_withdraw(directive=d, by=by, ip=ip),
        _("The directive has been withdrawn: it is a draft again and the signer has been told."),
    ),
    "copy_link": Move(
        lambda r, d: CopyLinkForm(r.POST),
        lambda d, by, ip, data: services.copy_recipient_link(
            directive=d, by=by, index=data["index"], unit=data["unit"], ip=ip
        ),
        _("The Nơi nhận line is now sent to the unit as well."),
    ),
    "approve": Move(
        lambda r, d: ApproveForm(r.POST),
        lambda d, by, ip, data: services.directive_approve(
            directive=d, by=by, ip=ip, comment=data.get("comment", "")
        ),
        _("The directive has been approved."),
        keeps_text=True,
    ),
    "return": Move(
        lambda r, d: SignerReturnForm(r.POST),
        lambda d, by, ip, data: services.directive_return(
            directive=d, by=by, reason=data["reason"], ip=ip
        ),
        _("The directive has been returned to draft."),
        ask=return_question,
        keeps_text=True,
    ),
    "number": Move(
        None,
        lambda d, by, ip, data: services.directive_number(directive=d, by=by, ip=ip),
        _("The directive has its number and date; it now awaits the signer's digital signature."),
        ask=number_question,
    ),
    "sign": Move(
        lambda r, d: SignForm(r.POST),
        lambda d, by, ip, data: services.directive_sign(directive=d, by=by, pin=data["pin"], ip=ip),
        _("You have signed the directive; the clerk can now seal and issue it."),
    ),
    "sign_remote": Move(
        None,
        lambda d, by, ip, data: services.directive_remote_sign_begin(directive=d, by=by, ip=ip),
        _(
            "The signature has been asked for from your remote signing service: confirm it on "
            "your phone, then enter the code here."
        ),
    ),
    "sign_confirm": Move(
        lambda r, d: RemoteConfirmForm(r.POST),
        lambda d, by, ip, data: services.directive_remote_sign_finish(
            directive=d, by=by, pin=data["pin"], ip=ip
        ),
        _("You have signed the directive; the clerk can now seal and issue it."),
    ),
    "sign_cancel": Move(
        None,
        lambda d, by, ip, data: services.directive_remote_sign_cancel(directive=d, by=by, ip=ip),
        _("The remote signature has been withdrawn; nothing was signed."),
    ),
    "cancel_number": Move(
        None,
        lambda d, by, ip, data: services.directive_number_cancel(directive=d, by=by, ip=ip),
        _("The numbering has been cancelled; the directive is approved again."),
    ),
    "issue": Move(
        None,
        lambda d, by, ip, data: services.directive_issue(directive=d, by=by, ip=ip),
        _("The directive has been sealed and issued."),
        ask=issue_question,
    ),
    "recall": Move(
        lambda r, d: ReasonForm(r.POST),
        lambda d, by, ip, data: services.directive_recall(
            directive=d, by=by, reason=data["reason"], ip=ip
        ),
        _("The directive has been recalled."),
        ask=recall_question,
    ),
    "replace": Move(
        None,
        lambda d, by, ip, data: services.directive_start_replacement(directive=d, by=by, ip=ip),
        _("A replacement draft has been created; edit it and submit it for approval."),
        _to_replacement,
    ),
    "pdf_retry": Move(
        None,
        lambda d, by, ip, data: services.directive_pdf_retry(directive=d, by=by, ip=ip),
        _("The signed PDF is being made again."),
    ),
    "delete": Move(
        None,
        lambda d, by, ip, data: services.directive_delete_draft(directive=d, by=by),
        _("The draft has been deleted."),
        lambda r, d, result: redirect("directives:list"),
    ),
    "attachment_add": Move(
        lambda r, d: AttachmentForm(r.POST, r.FILES),
        lambda d, by, ip, data: services.attachment_add(
            directive=d, by=by, upload=data["upload"], ip=ip
        ),
        _("The file has been attached."),
        _back_to_page,
    ),
}


def _kept_text_page(
    request: HttpRequest, directive: Directive, form: forms.Form, errors: list[str]
) -> HttpResponse:
    """The page again after a refused approval or return: the refused form bound, with its
    errors, and the other form holding what was typed in it (carried by the mirror field)."""
    for error in errors:
        form.add_error(None, error)
    if isinstance(form, ApproveForm):
        other = SignerReturnForm(initial={"reason": request.POST.get("reason", "")})
        return _detail_page(request, directive.pk, approve_form=form, reason_form=other, status=400)
    other = ApproveForm(initial={"comment": request.POST.get("comment", "")})
    return _detail_page(request, directive.pk, approve_form=other, reason_form=form, status=400)


def _perform(request: HttpRequest, directive: Directive, move: Move) -> HttpResponse:
    data: dict = {}
    form = move.form(request, directive) if move.form else None
    failed = form is not None and not form.is_valid()
    if failed:
        if move.keeps_text and directive_moves(directive=directive, user=request.user).approve:
            return _kept_text_page(request, directive, form, [])
        for errs in form.errors.values():
            for error in errs:
                messages.error(request, error)
    elif move.ask is not None and request.POST.get("confirm") != "1":
        return confirmation_page(
            request,
            question=move.ask(directive),
            back=reverse("directives:detail", args=[directive.pk]),
        )
    else:
        data = form.cleaned_data if form is not None else {}
        try:
            result = move.call(directive, request.user, client_ip(request), data)
        except DirectiveError as exc:
            messages.error(request, str(exc.message))
            # A signer who still has the two forms gets them back with their text; anyone else
            # (not a signer, or the draft is no longer waiting) goes back to the page.
            if move.keeps_text and directive_moves(directive=directive, user=request.user).approve:
                return _kept_text_page(request, directive, form, [])
            failed = True
        except ValidationError as exc:  # an upload refused by its content or size
            for message in exc.messages:
                messages.error(request, message)
            failed = True
    if failed:
        return _back_to_page(request, directive, None)
    messages.success(request, str(move.success))
    return (move.then or _back_to_page)(request, directive, result)


def _move_view(name: str):
    @sensitive_post_parameters("pin")
    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _perform(request, desk_directive(request, pk), MOVES[name])

    view.__name__ = f"directive_{name}"
    return view


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(
        Attachment.objects.filter(directive__in=desk_directives(request.user)).select_related(
            "directive"
        ),
        pk=pk,
    )
    move = Move(
        None,
        lambda d, by, ip, data: services.attachment_remove(attachment=attachment, by=by, ip=ip),
        _("The attachment has been removed."),
        _back_to_page,
    )
    return _perform(request, attachment.directive, move)


urlpatterns: list = [
    path("directives/<int:pk>/", directive_detail, name="detail"),
    *(
        path(f"directives/<int:pk>/{name.replace('_', '-')}/", _move_view(name), name=name)
        for name in (
            "submit",
            "withdraw",
            "copy_link",
            "approve",
            "return",
            "number",
            "sign",
            "sign_remote",
            "sign_confirm",
            "sign_cancel",
            "cancel_number",
            "issue",
            "recall",
            "replace",
            "pdf_retry",
            "delete",
        )
    ),
    path("directives/<int:pk>/attachments/", _move_view("attachment_add"), name="attachment_add"),
    path("directives/attachments/<int:pk>/remove/", attachment_remove, name="attachment_remove"),
]
