"""The drafter's desk: writing a draft with its lines, attachments, deleting it, and starting
the replacement of an issued directive."""

from __future__ import annotations

import os

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from common.uploads import check_upload
from directives.errors import DirectiveError, TransitionError
from directives.models import LETTER_FIELDS, Attachment, CopyRecipient, Directive
from directives.selectors.moves import is_signer_for
from directives.services.access import ensure_can_create, ensure_can_edit, ensure_can_replace
from directives.services.events import event_record
from directives.services.lines import (
    apply_fields,
    check_lines,
    read_lines,
    signer_follow,
    validate_directive,
    write_lines,
)
from recipients.models import Unit, User

# A replacement copies the letter but never its register entry, file, workflow or signature.
REPLACEMENT_COPIED_FIELDS = (*(f for f in LETTER_FIELDS if f != "notes"), "signer")


def locked(directive: Directive) -> Directive:
    """The directive re-read under a row lock: decisions use the state nobody else can change."""
    return Directive.objects.select_for_update().get(pk=directive.pk)


def ensure_draft(directive: Directive) -> None:
    if directive.status != Directive.Status.DRAFT:
        raise TransitionError(
            _("Only a draft can be changed; this directive is “%(status)s”.")
            % {"status": directive.get_status_display()}
        )


def _check_replaces(directive: Directive) -> None:
    old = directive.replaces
    if old is None:
        return
    if old.issuing_unit_id != directive.issuing_unit_id:
        raise DirectiveError(_("A directive can only replace one of the same issuing unit."))
    if old.status not in (Directive.Status.ISSUED, Directive.Status.RECALLED):
        raise TransitionError(_("Only an issued or recalled directive can be replaced."))


def _signer_chosen(draft: Directive, *, before: User | None) -> None:
    """A newly chosen signer must be one of the issuing unit's; the printed title and name
    follow the choice. A signer kept from before stays, whatever became of their role."""
    if draft.signer_id is None or (before is not None and before.pk == draft.signer_id):
        return
    if draft.issuing_unit_id is not None and not is_signer_for(draft.signer, draft):
        raise DirectiveError(
            _("%(user)s cannot sign directives of %(unit)s: choose one of its signers.")
            % {"user": draft.signer, "unit": draft.issuing_unit}
        )
    signer_follow(draft, before=before)


def directive_save_draft(
    *,
    by: User,
    directive: Directive | None,
    fields: dict,
    addressees: list[dict],
    copies: list[dict],
    tasks: list[dict],
    ip: str | None = None,
) -> Directive:
    """Create a draft (directive None) or rewrite one, with all its lines, in one transaction."""
    check_lines(addressees, copies, tasks)
    with transaction.atomic():
        if directive is None:
            draft = Directive(drafter=by, status=Directive.Status.DRAFT)
            apply_fields(draft, fields)
            _signer_chosen(draft, before=None)
            validate_directive(draft)
            ensure_can_create(
                by, issuing_unit=draft.issuing_unit, drafting_unit=draft.drafting_unit
            )
            verb = "created"
        else:
            draft = locked(directive)
            ensure_draft(draft)
            ensure_can_edit(by, draft)
            units_before = (draft.issuing_unit_id, draft.drafting_unit_id)
            signer_before = draft.signer
            apply_fields(draft, fields)
            _signer_chosen(draft, before=signer_before)
            validate_directive(draft)
            if (draft.issuing_unit_id, draft.drafting_unit_id) != units_before:
                ensure_can_create(
                    by, issuing_unit=draft.issuing_unit, drafting_unit=draft.drafting_unit
                )
            verb = "updated"
        _check_replaces(draft)
        draft.save()
        write_lines(draft, addressees, copies, tasks)
        event_record(directive=draft, verb=verb, by=by, ip=ip)
    return draft


def copy_recipient_link(
    *, directive: Directive, by: User, index: int, unit: Unit, ip: str | None = None
) -> CopyRecipient:
    """Link a "Nơi nhận" line printed but not sent (the `index`-th line) to a unit, which then
    receives the letter too; the printed line stays as written."""
    with transaction.atomic():
        draft = locked(directive)
        ensure_draft(draft)
        ensure_can_edit(by, draft)
        lines = list(draft.copy_recipients.all())
        if not 0 <= index < len(lines):
            raise DirectiveError(_("This Nơi nhận line is no longer in the draft."))
        line = lines[index]
        if line.unit_id is not None or line.group_id is not None:
            raise DirectiveError(_("This Nơi nhận line is already sent to a unit or group."))
        if not unit.is_active:
            raise DirectiveError(_("%(unit)s no longer receives letters.") % {"unit": unit})
        line.unit = unit
        line.save(update_fields=["unit"])
        event_record(
            directive=draft,
            verb="updated",
            by=by,
            ip=ip,
            data={"copy_line": index + 1, "unit": unit.pk},
        )
    return line


def directive_delete_draft(*, directive: Directive, by: User) -> None:
    """A draft nobody needs any more disappears with its lines, history and attachments."""
    with transaction.atomic():
        draft = locked(directive)
        ensure_draft(draft)
        ensure_can_edit(by, draft)
        files = [a.file for a in draft.attachments.all() if a.file]
        draft.delete()
        for stored in files:
            transaction.on_commit(
                lambda stored=stored: stored.storage.delete(stored.name), robust=True
            )


def attachment_add(
    *, directive: Directive, by: User, upload: UploadedFile, ip: str | None = None
) -> Attachment:
    """Attach a file to a draft; it is checked by its content and size (ValidationError)."""
    checked = check_upload(upload)
    name = os.path.basename(upload.name or "")[:255] or f"tep-dinh-kem.{checked.kind}"
    with transaction.atomic():
        draft = locked(directive)
        ensure_draft(draft)
        ensure_can_edit(by, draft)
        attachment = Attachment(
            directive=draft,
            name=name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=by,
        )
        attachment.file.save(name, upload, save=False)
        try:
            attachment.save()
            event_record(
                directive=draft,
                verb="attachment_added",
                by=by,
                ip=ip,
                data={"name": name, "sha256": checked.sha256},
            )
        except Exception:
            # The file reached the storage before the row: a refused row must not leave it.
            attachment.file.delete(save=False)
            raise
    return attachment


def attachment_remove(*, attachment: Attachment, by: User, ip: str | None = None) -> None:
    with transaction.atomic():
        draft = locked(attachment.directive)
        ensure_draft(draft)
        ensure_can_edit(by, draft)
        stored = attachment.file
        name = attachment.name
        Attachment.objects.filter(pk=attachment.pk).delete()
        event_record(directive=draft, verb="attachment_removed", by=by, ip=ip, data={"name": name})
        if stored:
            transaction.on_commit(lambda: stored.storage.delete(stored.name), robust=True)


def _copy_attachment(attachment: Attachment, *, to: Directive) -> None:
    """A file of its own for the new draft: removing it there must not touch the issued one."""
    copy = Attachment(
        directive=to,
        name=attachment.name,
        content_type=attachment.content_type,
        size=attachment.size,
        sha256=attachment.sha256,
        uploaded_by=attachment.uploaded_by,
    )
    with attachment.file.open("rb") as source:
        copy.file.save(attachment.name, File(source), save=False)
    copy.save()


def directive_start_replacement(
    *, directive: Directive, by: User, ip: str | None = None
) -> Directive:
    """A new draft copying an issued directive (fields, lines, tasks) that will replace it once
    issued. Started by a clerk or a drafter of the issuing agency."""
    with transaction.atomic():
        old = locked(directive)
        if old.status != Directive.Status.ISSUED:
            raise TransitionError(_("Only an issued directive can be replaced."))
        pending = old.replaced_by.exclude(status__in=(Directive.Status.ISSUED,)).first()
        if pending is not None:
            raise TransitionError(
                _("A replacement of this directive is already being prepared (draft #%(pk)d).")
                % {"pk": pending.pk}
            )
        ensure_can_replace(by, old)
        new = Directive(drafter=by, status=Directive.Status.DRAFT, replaces=old)
        for name in REPLACEMENT_COPIED_FIELDS:
            setattr(new, name, getattr(old, name))
        new.save()
        write_lines(new, *read_lines(old))
        for attachment in old.attachments.all():
            _copy_attachment(attachment, to=new)
        event_record(directive=new, verb="created", by=by, ip=ip, data={"replaces": old.pk})
        event_record(
            directive=old, verb="replacement_started", by=by, ip=ip, data={"replacement": new.pk}
        )
    return new
