"""The moves inside the receiving unit that a letter (`incoming/`) and a unit's task
(`unit-tasks/`) share, written once: the head's list of handlers and assignment to a division or
an officer, the handler's start, the head's approval or return. Each viewset names its services
and the keyword they take the object by; the services check the move and the handler (one
division or one officer of the unit: `_handler_check`), as for the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.client_ip import client_ip
from directives.api.serializers import validated
from directives.selectors.distribution import handler_choices, handler_from_choice


class AssignInput(serializers.Serializer):
    handler = serializers.CharField(
        help_text="`unit:<id>` (a division of the unit) or `user:<id>` (one of its officers), "
        "as `GET .../{id}/handlers/` lists them."
    )
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)


class HandlerChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class HeadReturnInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


def inside_unit_schema(shape: type[serializers.Serializer]):
    """The schema of the shared moves, each answering with the viewset's own object."""
    return extend_schema_view(
        assign=extend_schema(request=AssignInput, responses=shape),
        start=extend_schema(request=None, responses=shape),
        approve=extend_schema(request=None, responses=shape),
        return_=extend_schema(request=HeadReturnInput, responses=shape),
    )


class InsideUnitActions:
    """`handlers/`, `assign/`, `start/`, `approve/` and `return/` of a handed object."""

    subject: ClassVar[str]  # the services' keyword for the object: "entry" or "assignment"
    assign_service: ClassVar[Callable]
    start_service: ClassVar[Callable]
    approve_service: ClassVar[Callable]
    return_service: ClassVar[Callable]

    def _object(self, pk):  # the viewset's own lookup through its page's selector
        raise NotImplementedError

    def _response(self, obj) -> Response:
        raise NotImplementedError

    @extend_schema(responses=HandlerChoiceSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # the whole list, as answered
    def handlers(self, request: Request, pk=None) -> Response:
        """The divisions and officers the head may hand it to."""
        choices = [{"value": v, "label": t} for v, t in handler_choices(self._object(pk).unit)]
        return Response(HandlerChoiceSerializer(choices, many=True).data)

    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk=None) -> Response:
        """The unit's head hands it to a division or an officer of the unit, with a deadline
        (never after the issuer's) and a note."""
        obj = self._object(pk)
        data = validated(AssignInput, request)
        handler_unit, handler_user = handler_from_choice(obj.unit, data["handler"])
        done = type(self).assign_service(
            **{self.subject: obj},
            by=request.user,
            handler_unit=handler_unit,
            handler_user=handler_user,
            due_date=data["due_date"],
            note=data["note"],
            ip=client_ip(request),
        )
        return self._response(done)

    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk=None) -> Response:
        """The handler starts on it (the issuer sees 05)."""
        return self._simple(type(self).start_service, pk)

    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk=None) -> Response:
        """The head approves the handler's account: it goes to the issuer (a task's report) or
        the letter is done (06)."""
        return self._simple(type(self).approve_service, pk)

    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk=None) -> Response:
        """The head returns the handler's account with what to complete or correct."""
        obj = self._object(pk)
        data = validated(HeadReturnInput, request)
        done = type(self).return_service(
            **{self.subject: obj}, by=request.user, reason=data["reason"], ip=client_ip(request)
        )
        return self._response(done)

    def _simple(self, service: Callable, pk) -> Response:
        obj = self._object(pk)
        done = service(**{self.subject: obj}, by=self.request.user, ip=client_ip(self.request))
        return self._response(done)
