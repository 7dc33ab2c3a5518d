"""The unit's tasks handled inside it through the API, as the distribution pages do: the head
hands one task to a division or an officer, the handler starts and reports to the head (text
and files), the head approves (the report goes to the issuer) or returns it with a reason.

Every task is found through `distribution_assignments_visible_to` (the tasks the person handles
or whose unit they head; any other is a 404) and changed through the pages' services, which
check the move (`assignment_moves`). The moves a letter shares are `InsideUnitActions`'."""

from __future__ import annotations

import dataclasses

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.client_ip import client_ip
from directives.api.inside import InsideUnitActions, inside_unit_schema
from directives.api.serializers import (
    ReportFileSerializer,
    TrackedAssignmentSerializer,
    validated,
)
from directives.models import Assignment, ReportFile
from directives.selectors.distribution import distribution_assignments_visible_to
from directives.selectors.moves import AssignmentMoves, assignment_moves
from directives.services.assignments import assignment_start
from directives.services.distribution import (
    assignment_hand_over,
    assignment_handler_report,
    assignment_head_approve,
    assignment_head_return,
)

TaskMovesSerializer = type(
    "UnitTaskMovesSerializer",
    (serializers.Serializer,),
    {f.name: serializers.BooleanField(read_only=True) for f in dataclasses.fields(AssignmentMoves)},
)


class UnitTaskSerializer(TrackedAssignmentSerializer):
    """The task as the issuer follows it, with its handling inside the unit and the person's
    moves; its files include the handler's, waiting for the head."""

    moves = serializers.SerializerMethodField()

    class Meta(TrackedAssignmentSerializer.Meta):
        fields = (
            *TrackedAssignmentSerializer.Meta.fields,
            "handler_unit",
            "handler_user",
            "handler_due_date",
            "handler_note",
            "handler_report",
            "handler_reported_at",
            "head_review",
            "head_comment",
            "moves",
        )
        read_only_fields = fields

    def report_files(self, assignment: Assignment) -> list[ReportFile]:
        return list(assignment.files.all())

    @extend_schema_field(ReportFileSerializer(many=True))
    def get_files(self, assignment: Assignment) -> list[dict]:
        return super().get_files(assignment)

    @extend_schema_field(TaskMovesSerializer)
    def get_moves(self, assignment: Assignment) -> dict[str, bool]:
        moves = self.context.get("moves")
        return dataclasses.asdict(moves) if moves is not None else {}


class HandlerReportInput(serializers.Serializer):
    """JSON with `text`, or multipart with `text` and any number of `files`."""

    text = serializers.CharField(max_length=20000)
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, write_only=True
    )


@inside_unit_schema(UnitTaskSerializer)
class UnitTaskViewSet(InsideUnitActions, viewsets.GenericViewSet):
    """The unit's tasks as its head and its handlers work on them inside the unit."""

    lookup_value_converter = "int"
    serializer_class = UnitTaskSerializer
    subject = "assignment"
    assign_service = assignment_hand_over
    start_service = assignment_start
    approve_service = assignment_head_approve
    return_service = assignment_head_return

    def get_queryset(self):
        return distribution_assignments_visible_to(self.request.user).prefetch_related("files")

    def _object(self, pk) -> Assignment:
        return get_object_or_404(self.get_queryset(), pk=pk)

    def _response(self, assignment: Assignment) -> Response:
        fresh = self.get_queryset().get(pk=assignment.pk)
        moves = assignment_moves(assignment=fresh, user=self.request.user)
        return Response(UnitTaskSerializer(fresh, context={"moves": moves}).data)

    def list(self, request: Request) -> Response:
        """The tasks I handle or whose unit I head, by deadline."""
        rows = self.get_queryset().order_by("handler_due_date", "due_date", "pk")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(UnitTaskSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk=None) -> Response:
        return self._response(self._object(pk))

    @extend_schema(request=HandlerReportInput, responses=UnitTaskSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request: Request, pk=None) -> Response:
        """The handler reports to the head (text, and files as multipart)."""
        assignment = self._object(pk)
        data = validated(HandlerReportInput, request)
        done = assignment_handler_report(
            assignment=assignment,
            by=request.user,
            text=data["text"],
            files=data["files"],
            ip=client_ip(request),
        )
        return self._response(done)
