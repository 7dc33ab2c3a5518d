"""The unit's tasks handled inside it through the API, as the distribution pages do: the head
hands one task to a division or an officer, the handler starts and reports to the head (text
and files), the head approves (the report goes to the issuer) or returns it with a reason.

Every task is found through `distribution_assignments_visible_to` (the tasks the person handles
or whose unit they head; any other is a 404) and changed through the pages' services, which
check the move (`assignment_moves`)."""

from __future__ import annotations

import dataclasses

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.client_ip import client_ip
from directives.api.incoming import AssignInput, HandlerChoiceSerializer, HeadReturnInput
from directives.models import Assignment
from directives.selectors.distribution import (
    distribution_assignments_visible_to,
    handler_choices,
    handler_from_choice,
)
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


class UnitTaskSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="task.title", read_only=True)
    directive = serializers.IntegerField(source="task.directive_id", read_only=True)
    moves = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = (
            "id",
            "directive",
            "task",
            "title",
            "unit",
            "status",
            "due_date",
            "handler_unit",
            "handler_user",
            "handler_due_date",
            "handler_note",
            "handler_report",
            "handler_reported_at",
            "head_review",
            "head_comment",
            "report_text",
            "reported_at",
            "moves",
        )
        read_only_fields = fields

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


def _input(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class UnitTaskViewSet(viewsets.GenericViewSet):
    """The unit's tasks as its head and its handlers work on them inside the unit."""

    lookup_value_converter = "int"
    serializer_class = UnitTaskSerializer

    def get_queryset(self):
        return distribution_assignments_visible_to(self.request.user)

    def _task(self, pk) -> Assignment:
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
        return self._response(self._task(pk))

    @extend_schema(responses=HandlerChoiceSerializer(many=True))
    @action(detail=True, methods=["get"])
    def handlers(self, request: Request, pk=None) -> Response:
        """The divisions and officers the head may hand the task to."""
        choices = handler_choices(self._task(pk).unit)
        return Response(
            HandlerChoiceSerializer([{"value": v, "label": t} for v, t in choices], many=True).data
        )

    @extend_schema(request=AssignInput, responses=UnitTaskSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk=None) -> Response:
        """The head hands the task to a division or an officer of the unit."""
        assignment = self._task(pk)
        data = _input(AssignInput, request)
        handler_unit, handler_user = handler_from_choice(assignment.unit, data["handler"])
        if handler_unit is None and handler_user is None:
            raise exceptions.ValidationError(
                {"handler": [_("Choose one division or one officer to handle it.")]}
            )
        done = assignment_hand_over(
            assignment=assignment,
            by=request.user,
            handler_unit=handler_unit,
            handler_user=handler_user,
            due_date=data["due_date"],
            note=data["note"],
            ip=client_ip(request),
        )
        return self._response(done)

    @extend_schema(request=None, responses=UnitTaskSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk=None) -> Response:
        done = assignment_start(assignment=self._task(pk), by=request.user, ip=client_ip(request))
        return self._response(done)

    @extend_schema(request=HandlerReportInput, responses=UnitTaskSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request: Request, pk=None) -> Response:
        """The handler reports to the head (text, and files as multipart)."""
        assignment = self._task(pk)
        data = _input(HandlerReportInput, request)
        done = assignment_handler_report(
            assignment=assignment,
            by=request.user,
            text=data["text"],
            files=data["files"],
            ip=client_ip(request),
        )
        return self._response(done)

    @extend_schema(request=None, responses=UnitTaskSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk=None) -> Response:
        """The head approves the handler's report: it goes to the issuer."""
        done = assignment_head_approve(
            assignment=self._task(pk), by=request.user, ip=client_ip(request)
        )
        return self._response(done)

    @extend_schema(request=HeadReturnInput, responses=UnitTaskSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk=None) -> Response:
        """The head returns the handler's report with what to complete or correct."""
        assignment = self._task(pk)
        data = _input(HeadReturnInput, request)
        done = assignment_head_return(
            assignment=assignment, by=request.user, reason=data["reason"], ip=client_ip(request)
        )
        return self._response(done)
