"""The receiving unit's incoming book through the API, as its pages keep it: the book of a unit
the person keeps (its filters, a page at a time), an entry, a letter entered from paper or
e-mail with its scan, the head's assignment inside the unit, and for a letter with no task the
handler's start and "handled" and the head's approval or return.

Each action finds its entry through the selector its page uses (another unit's entry, or one
the person was never handed, is a 404) and changes it through the page's service, which checks
the move (`entry_moves`) and answers 403 / 409 / 400 itself."""

from __future__ import annotations

import dataclasses

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.client_ip import client_ip
from directives.forms.incoming import IncomingBookFilter
from directives.models import DocumentType, IncomingEntry
from directives.selectors.distribution import (
    distribution_entries_visible_to,
    distribution_letters_visible_to,
    handler_choices,
    handler_from_choice,
)
from directives.selectors.incoming import (
    incoming_book_lines,
    incoming_book_queryset,
    incoming_entries_visible_to,
    receiving_units,
)
from directives.selectors.moves import EntryMoves, entry_moves
from directives.services.distribution import incoming_entry_assign
from directives.services.handling import (
    incoming_entry_head_approve,
    incoming_entry_head_return,
    incoming_entry_mark_handled,
    incoming_entry_start,
)
from directives.services.outside import DuplicateLetterWarning, outside_letter_enter
from recipients.models import Unit, User

# ---------------------------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------------------------


class BookLineSerializer(serializers.Serializer):
    """One line of the book (Phụ lục IV), its columns as the page, the print and the XLSX
    show them (`incoming_book_lines` decides what each shows)."""

    id = serializers.IntegerField(source="entry.pk")
    unit = serializers.IntegerField(source="entry.unit_id")
    source = serializers.CharField(source="entry.source")
    dispatch = serializers.IntegerField(source="entry.dispatch_id", allow_null=True)
    year = serializers.IntegerField(source="entry.year")
    arrival_number = serializers.IntegerField(allow_null=True)
    arrived_at = serializers.DateTimeField()
    issuer = serializers.CharField()
    number_symbol = serializers.CharField()
    letter_date = serializers.DateField(allow_null=True)
    type_subject = serializers.CharField()
    handler = serializers.CharField()
    signed_for = serializers.CharField()
    notes = serializers.CharField()


MOVE_NAMES = [f.name for f in dataclasses.fields(EntryMoves)]
EntryMovesSerializer = type(
    "EntryMovesSerializer",
    (serializers.Serializer,),
    {name: serializers.BooleanField(read_only=True) for name in MOVE_NAMES},
)


class EntrySerializer(serializers.ModelSerializer):
    """An entry of the book with what the person may do to it now (the page's buttons)."""

    directive = serializers.IntegerField(
        source="dispatch.directive_id", read_only=True, allow_null=True, default=None
    )
    number_symbol = serializers.CharField(read_only=True)
    has_scan = serializers.SerializerMethodField()
    moves = serializers.SerializerMethodField()

    class Meta:
        model = IncomingEntry
        fields = (
            "id",
            "unit",
            "source",
            "dispatch",
            "directive",
            "decision",
            "year",
            "arrival_number",
            "arrived_at",
            "issuer_name",
            "number",
            "symbol",
            "number_symbol",
            "letter_date",
            "doc_type_name",
            "subject",
            "note",
            "has_scan",
            "signatures_valid",
            "refusal_reason",
            "handler_unit",
            "handler_user",
            "handler_due_date",
            "handler_note",
            "assigned_at",
            "handling_started_at",
            "handler_report",
            "handler_reported_at",
            "head_review",
            "head_comment",
            "handled_at",
            "recalled_at",
            "recall_reason",
            "moves",
        )
        read_only_fields = fields

    def get_has_scan(self, entry: IncomingEntry) -> bool:
        return bool(entry.scan)

    @extend_schema_field(EntryMovesSerializer)
    def get_moves(self, entry: IncomingEntry) -> dict[str, bool]:
        moves = self.context.get("moves")
        return dataclasses.asdict(moves) if moves is not None else {}


class OutsideLetterInput(serializers.Serializer):
    """A letter that arrived on paper or by e-mail: the page's form, field by field; the
    service checks the scan by its content and size, as for the page."""

    unit = serializers.IntegerField(
        required=False, help_text="A unit whose book you keep; your first one when left out."
    )
    source = serializers.ChoiceField(
        choices=[IncomingEntry.Source.PAPER.value, IncomingEntry.Source.EMAIL.value],
        default=IncomingEntry.Source.PAPER.value,
    )
    issuer_name = serializers.CharField(max_length=255)
    number = serializers.CharField(max_length=16, required=False, default="", allow_blank=True)
    symbol = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)
    letter_date = serializers.DateField()
    doc_type = serializers.ChoiceField(
        choices=DocumentType.choices, required=False, default=DocumentType.CONG_VAN
    )
    subject = serializers.CharField()
    scan = serializers.FileField()
    note = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)
    confirm_duplicate = serializers.BooleanField(required=False, default=False)


class AssignInput(serializers.Serializer):
    handler = serializers.CharField(
        help_text="`unit:<id>` (a division of the unit) or `user:<id>` (one of its officers), "
        "as `GET incoming/{id}/handlers/` lists them."
    )
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)


class HandlerChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class HandledInput(serializers.Serializer):
    text = serializers.CharField(max_length=2000)


class HeadReturnInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


BOOK_PARAMETERS = [
    OpenApiParameter("unit", int, description="A unit whose book you keep (default: the first)"),
    OpenApiParameter("year", int, description="The book's year (default: this year)"),
    OpenApiParameter("date_from", str, description="Arrived on or after (YYYY-MM-DD)"),
    OpenApiParameter("date_to", str, description="Arrived on or before (YYYY-MM-DD)"),
    OpenApiParameter("q", str, description="Issuer, number, symbol, type, subject, notes"),
]


def _book_unit(user: User, value) -> Unit:
    """A unit whose book the person keeps (their first when not named); another is a 404."""
    units = receiving_units(user)
    if not units:
        raise PermissionDenied
    if value in (None, ""):
        return units[0]
    for unit in units:
        if str(unit.pk) == str(value):
            return unit
    raise Http404


def _input(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class IncomingViewSet(viewsets.GenericViewSet):
    """My unit's incoming book (sổ văn bản đến) and the letters handled inside the unit."""

    lookup_value_converter = "int"
    serializer_class = EntrySerializer

    def _queryset(self) -> QuerySet[IncomingEntry]:
        """The entries the action's page would find: the book keeper's, the head's, or the
        handler's; any other entry is a 404."""
        user = self.request.user
        if self.action == "assign" or self.action == "handlers":
            return distribution_entries_visible_to(user)
        if self.action in ("start", "handled", "approve", "return_"):
            return distribution_letters_visible_to(user)
        return IncomingEntry.objects.filter(
            Q(pk__in=incoming_entries_visible_to(user).values("pk"))
            | Q(pk__in=distribution_letters_visible_to(user).values("pk"))
        ).select_related("dispatch", "dispatch__directive", "unit")

    def get_queryset(self):
        return self._queryset()

    def _entry(self, pk) -> IncomingEntry:
        return get_object_or_404(self._queryset(), pk=pk)

    def _response(self, entry: IncomingEntry, code: int = status.HTTP_200_OK) -> Response:
        fresh = (
            IncomingEntry.objects.select_related("dispatch", "dispatch__directive", "unit")
            .filter(pk=entry.pk)
            .get()
        )
        moves = entry_moves(entry=fresh, user=self.request.user)
        return Response(EntrySerializer(fresh, context={"moves": moves}).data, status=code)

    @extend_schema(parameters=BOOK_PARAMETERS, responses=BookLineSerializer(many=True))
    def list(self, request: Request) -> Response:
        """The accepted letters of the book, by arrival number, a page at a time, with the
        page's filters (the year's book unless `year` names another)."""
        unit = _book_unit(request.user, request.query_params.get("unit"))
        flt = IncomingBookFilter(
            request.query_params, queryset=incoming_book_queryset(user=request.user, unit=unit)
        )
        if not flt.is_valid():
            raise exceptions.ValidationError(flt.errors)
        page = self.paginate_queryset(flt.qs)
        lines = incoming_book_lines(page)
        return self.get_paginated_response(BookLineSerializer(lines, many=True).data)

    def retrieve(self, request: Request, pk=None) -> Response:
        return self._response(self._entry(pk))

    @extend_schema(request=OutsideLetterInput, responses={201: EntrySerializer})
    def create(self, request: Request) -> Response:
        """Enter a letter that arrived on paper or by e-mail, with its scanned PDF (multipart):
        the book's next arrival number. The same issuer, number, symbol and date entered before
        is a 409 naming the entries, unless `confirm_duplicate` is true."""
        data = dict(_input(OutsideLetterInput, request))
        unit = _book_unit(request.user, data.pop("unit", None))
        try:
            entry = outside_letter_enter(by=request.user, unit=unit, ip=client_ip(request), **data)
        except DuplicateLetterWarning as exc:
            return Response(
                {"detail": exc.message, "duplicates": [e.pk for e in exc.existing]},
                status=status.HTTP_409_CONFLICT,
            )
        return self._response(entry, status.HTTP_201_CREATED)

    @extend_schema(responses=HandlerChoiceSerializer(many=True))
    @action(detail=True, methods=["get"])
    def handlers(self, request: Request, pk=None) -> Response:
        """The divisions and officers the head may assign the letter to."""
        entry = self._entry(pk)
        choices = [{"value": v, "label": label} for v, label in handler_choices(entry.unit)]
        return Response(HandlerChoiceSerializer(choices, many=True).data)

    @extend_schema(request=AssignInput, responses=EntrySerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk=None) -> Response:
        """The unit's head assigns the letter to a division or an officer inside the unit,
        with a deadline (never after the issuer's) and a note."""
        entry = self._entry(pk)
        data = _input(AssignInput, request)
        handler_unit, handler_user = handler_from_choice(entry.unit, data["handler"])
        if handler_unit is None and handler_user is None:
            raise exceptions.ValidationError(
                {"handler": [_("Choose one division or one officer to handle it.")]}
            )
        done = incoming_entry_assign(
            entry=entry,
            by=request.user,
            handler_unit=handler_unit,
            handler_user=handler_user,
            due_date=data["due_date"],
            note=data["note"],
            ip=client_ip(request),
        )
        return self._response(done)

    @extend_schema(request=None, responses=EntrySerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk=None) -> Response:
        """The handler starts on a letter with no task for the unit (the issuer sees 05)."""
        entry = incoming_entry_start(entry=self._entry(pk), by=request.user, ip=client_ip(request))
        return self._response(entry)

    @extend_schema(request=HandledInput, responses=EntrySerializer)
    @action(detail=True, methods=["post"])
    def handled(self, request: Request, pk=None) -> Response:
        """The handler says how the letter was handled; it goes to the head for review."""
        entry = self._entry(pk)
        data = _input(HandledInput, request)
        done = incoming_entry_mark_handled(
            entry=entry, by=request.user, text=data["text"], ip=client_ip(request)
        )
        return self._response(done)

    @extend_schema(request=None, responses=EntrySerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk=None) -> Response:
        """The head approves the handler's account: the letter is done (06)."""
        entry = incoming_entry_head_approve(
            entry=self._entry(pk), by=request.user, ip=client_ip(request)
        )
        return self._response(entry)

    @extend_schema(request=HeadReturnInput, responses=EntrySerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk=None) -> Response:
        """The head returns the handler's account with what to complete or correct."""
        entry = self._entry(pk)
        data = _input(HeadReturnInput, request)
        done = incoming_entry_head_return(
            entry=entry, by=request.user, reason=data["reason"], ip=client_ip(request)
        )
        return self._response(done)
