"""The API's JSON shapes. Input serializers check types only; every rule of the workflow is
the services' (their refusals come back as 400 / 403 / 409, directives.api.errors)."""

from __future__ import annotations

import dataclasses

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from directives.models import (
    LETTER_FIELDS,
    Addressee,
    Assignment,
    Attachment,
    AttachmentSeal,
    CopyRecipient,
    Directive,
    Dispatch,
    Event,
    ExtensionRequest,
    IncomingEntry,
    Notification,
    ReportFile,
    Task,
)
from directives.selectors.moves import DirectiveMoves, remote_signature_pending
from recipients.models import RecipientGroup, Unit, User

# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


class AddresseeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Addressee
        fields = ("group", "unit", "label")


class CopySerializer(serializers.ModelSerializer):
    class Meta:
        model = CopyRecipient
        fields = ("label", "unit", "group", "purpose")


def _download(name: str, pk: int) -> str:
    """The path of one of the API's downloads (`GET` it with the same token)."""
    return reverse(name, args=[pk])


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    signature_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = (
            "id",
            "name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "url",
            "signature_url",
        )
        read_only_fields = fields

    def get_url(self, item: Attachment) -> str:
        return _download("attachment-file", item.pk)

    def get_signature_url(self, item: Attachment) -> str | None:
        """The agency's detached signature of a non-PDF attachment, once sealed."""
        seal = getattr(item, "seal", None)
        if seal is None or seal.kind != AttachmentSeal.Kind.CADES:
            return None
        return _download("attachment-signature", item.pk)


class ReportFileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ReportFile
        fields = ("id", "name", "content_type", "size", "sha256", "uploaded_at", "url")
        read_only_fields = fields

    def get_url(self, item: ReportFile) -> str:
        return _download("report-file-file", item.pk)


def letter_pdf_url(directive: Directive | None) -> str | None:
    """The signed PDF's download once the PDF job has made it."""
    if directive is None or directive.pdf_status != Directive.PdfStatus.READY:
        return None
    return _download("directive-pdf", directive.pk) if directive.pdf else None


class AttachmentInput(serializers.Serializer):
    file = serializers.FileField()


class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ("id", "position", "title", "deadline", "report_required", "groups", "units")


MOVE_NAMES = [f.name.rstrip("_") for f in dataclasses.fields(DirectiveMoves)]


def _moves_shape() -> type[serializers.Serializer]:
    """What the user may do now (the page's buttons); the services refuse the rest."""
    attrs = {name: serializers.BooleanField(read_only=True) for name in MOVE_NAMES}
    return type("DirectiveMovesSerializer", (serializers.Serializer,), attrs)


DirectiveMovesSerializer = _moves_shape()


class DirectiveListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Directive
        fields = (
            "id",
            "status",
            "number",
            "symbol",
            "issued_on",
            "doc_type",
            "urgency",
            "subject",
            "issuing_unit",
            "drafting_unit",
            "drafter",
            "signer",
            "updated_at",
        )
        read_only_fields = fields


class RemoteSignatureSerializer(serializers.Serializer):
    """The signature asked for from the signer's remote service and not confirmed yet ("chờ ký
    số"): the request code is what the page shows, for the signer to match on their phone."""

    requested_at = serializers.DateTimeField(read_only=True)
    request_code = serializers.SerializerMethodField()

    def get_request_code(self, request) -> str:
        return request.hash_b64[:12]


class DirectiveSerializer(serializers.ModelSerializer):
    addressees = AddresseeSerializer(many=True, read_only=True)
    copy_recipients = CopySerializer(many=True, read_only=True)
    tasks = TaskSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    pdf_url = serializers.SerializerMethodField()
    remote_signature = serializers.SerializerMethodField()
    moves = serializers.SerializerMethodField()

    class Meta:
        model = Directive
        fields = (
            "id",
            "status",
            "number",
            "symbol",
            "issued_on",
            *LETTER_FIELDS,
            "drafter",
            "signer",
            "return_reason",
            "recall_reason",
            "pdf_status",
            "pdf_url",
            "created_at",
            "updated_at",
            "submitted_at",
            "approved_at",
            "numbered_at",
            "issued_at",
            "addressees",
            "copy_recipients",
            "tasks",
            "attachments",
            "remote_signature",
            "moves",
        )
        read_only_fields = fields

    def get_pdf_url(self, directive: Directive) -> str | None:
        return letter_pdf_url(directive)

    @extend_schema_field(RemoteSignatureSerializer(allow_null=True))
    def get_remote_signature(self, directive: Directive) -> dict | None:
        if directive.status != Directive.Status.NUMBERED:
            return None
        pending = remote_signature_pending(directive)
        return RemoteSignatureSerializer(pending).data if pending else None

    @extend_schema_field(DirectiveMovesSerializer)
    def get_moves(self, directive: Directive) -> dict[str, bool]:
        moves = self.context.get("moves")
        if moves is None:
            return {}
        return {name.rstrip("_"): value for name, value in dataclasses.asdict(moves).items()}


REPORT_FIELDS = ("status", "due_date", "report_text", "reported_at", "files")


class AssignmentSerializer(serializers.ModelSerializer):
    """A unit's task as the unit reports on it: its report's text and the files that went to
    the issuer with it."""

    title = serializers.CharField(source="task.title", read_only=True)
    files = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = ("id", "task", "title", *REPORT_FIELDS)
        read_only_fields = fields

    def report_files(self, assignment: Assignment) -> list[ReportFile]:
        # A handler's files waiting for the head stay inside the unit (UnitTaskSerializer).
        return [f for f in assignment.files.all() if f.to_issuer]

    @extend_schema_field(ReportFileSerializer(many=True))
    def get_files(self, assignment: Assignment) -> list[dict]:
        return ReportFileSerializer(self.report_files(assignment), many=True).data


class DispatchSerializer(serializers.ModelSerializer):
    directive = DirectiveListSerializer(read_only=True)

    class Meta:
        model = Dispatch
        fields = ("id", "unit", "directive", "delivered_at", "seen_at", "acknowledged_at")
        read_only_fields = fields


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ("id", "kind", "subject", "body", "link", "directive", "created_at", "read_at")
        read_only_fields = fields


# ---------------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------------


def validated(serializer_class: type[serializers.Serializer], request) -> dict:
    """The request's body checked by `serializer_class` (its field errors are a 400)."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _units():
    return Unit.objects.all()


class AddresseeInput(serializers.Serializer):
    group = serializers.PrimaryKeyRelatedField(
        queryset=RecipientGroup.objects.all(), allow_null=True, required=False
    )
    unit = serializers.PrimaryKeyRelatedField(queryset=_units(), allow_null=True, required=False)
    label = serializers.CharField(max_length=255, allow_blank=True, required=False, default="")


class CopyInput(serializers.Serializer):
    label = serializers.CharField(max_length=255)
    unit = serializers.PrimaryKeyRelatedField(queryset=_units(), allow_null=True, required=False)
    group = serializers.PrimaryKeyRelatedField(
        queryset=RecipientGroup.objects.all(), allow_null=True, required=False
    )
    purpose = serializers.ChoiceField(
        choices=CopyRecipient.Purpose.choices, required=False, default=CopyRecipient.Purpose.INFO
    )


class TaskInput(serializers.Serializer):
    title = serializers.CharField(max_length=1000)
    deadline = serializers.DateField(allow_null=True, required=False, default=None)
    report_required = serializers.BooleanField(required=False, default=False)
    groups = serializers.PrimaryKeyRelatedField(
        queryset=RecipientGroup.objects.all(), many=True, required=False, default=list
    )
    units = serializers.PrimaryKeyRelatedField(
        queryset=_units(), many=True, required=False, default=list
    )


class DraftInput(serializers.ModelSerializer):
    """A draft's fields and all its lines; saving rewrites the lines (as the drafting page)."""

    signer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )
    addressees = AddresseeInput(many=True, required=False, default=list)
    copy_recipients = CopyInput(many=True, required=False, default=list)
    tasks = TaskInput(many=True, required=False, default=list)

    class Meta:
        model = Directive
        fields = (*LETTER_FIELDS, "signer", "addressees", "copy_recipients", "tasks")
        extra_kwargs = {name: {"required": False} for name in LETTER_FIELDS}

    def payload(self) -> dict:
        data = dict(self.validated_data)
        addressees = [dict(line) for line in data.pop("addressees", [])]
        copies = [dict(line) for line in data.pop("copy_recipients", [])]
        tasks = [dict(line) for line in data.pop("tasks", [])]
        return {"fields": data, "addressees": addressees, "copies": copies, "tasks": tasks}


class SubmitInput(serializers.Serializer):
    signer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )


class ApproveInput(serializers.Serializer):
    comment = serializers.CharField(allow_blank=True, required=False, default="")


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class SignInput(serializers.Serializer):
    pin = serializers.CharField(write_only=True, style={"input_type": "password"})


class ReportInput(serializers.Serializer):
    """JSON with `text`, or multipart with `text` and any number of `files`."""

    text = serializers.CharField(allow_blank=True, required=False, default="")
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, write_only=True
    )


class ExtensionInput(serializers.Serializer):
    requested_date = serializers.DateField()
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class ExtensionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExtensionRequest
        fields = ("id", "assignment", "requested_date", "reason", "status", "requested_at")
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ("id", "verb", "label", "created_at", "actor", "unit", "comment")
        read_only_fields = fields

    def get_label(self, event: Event) -> str:
        known = getattr(event, "label", None)  # history_for_unit words each row itself
        return str(known or self.context.get("labels", {}).get(event.verb, event.verb))

    def get_actor(self, event: Event) -> str:
        if event.actor is not None:
            return event.actor.get_full_name() or event.actor.get_username()
        return event.actor_name


class ReviewInput(serializers.Serializer):
    comment = serializers.CharField(allow_blank=True, required=False, default="")


class DecideInput(serializers.Serializer):
    grant = serializers.BooleanField()
    new_date = serializers.DateField(allow_null=True, required=False, default=None)
    note = serializers.CharField(allow_blank=True, required=False, default="")


class TrackedAssignmentSerializer(AssignmentSerializer):
    """A unit's task as the issuing agency's clerk follows it."""

    directive = serializers.IntegerField(source="task.directive_id", read_only=True)

    class Meta(AssignmentSerializer.Meta):
        fields = ("id", "directive", "task", "title", "unit", *REPORT_FIELDS)
        read_only_fields = fields


class AcceptInput(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, required=False, default="")


class RefuseInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")
    comment = serializers.CharField(allow_blank=True, required=False, default="")


class IncomingEntrySerializer(serializers.ModelSerializer):
    """The letter's line in the receiving unit's incoming book (or its refusal)."""

    class Meta:
        model = IncomingEntry
        fields = (
            "id",
            "unit",
            "dispatch",
            "decision",
            "year",
            "arrival_number",
            "arrived_at",
            "refusal_reason",
            "signatures_valid",
        )
        read_only_fields = fields
