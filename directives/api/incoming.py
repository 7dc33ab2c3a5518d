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
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.client_ip import client_ip
from common.downloads import XLSX_TYPE, export_response, stored_file_response
from directives.api.files import DOWNLOAD
from directives.api.inside import InsideUnitActions, inside_unit_schema
from directives.api.serializers import AttachmentSerializer, letter_pdf_url, validated
from directives.exports import incoming_book_file, incoming_book_print_html
from directives.forms.incoming import IncomingBookFilter
from directives.models import DocumentType, IncomingEntry
from directives.selectors.distribution import (
    distribution_entries_visible_to,
    distribution_letters_visible_to,
)
from directives.selectors.files import incoming_entries_openable_by
from directives.selectors.incoming import (
    incoming_book_lines,
    incoming_book_queryset,
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
    scan_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
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
            "scan_url",
            "pdf_url",
            "attachments",
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

    def get_scan_url(self, entry: IncomingEntry) -> str | None:
        """The scan of a letter entered from paper or e-mail."""
        return reverse("incoming-scan", args=[entry.pk]) if entry.scan else None

    def get_pdf_url(self, entry: IncomingEntry) -> str | None:
        """The signed PDF of a letter of the portal."""
        return letter_pdf_url(entry.dispatch.directive if entry.dispatch_id else None)

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, entry: IncomingEntry) -> list[dict]:
        """The attachments of a letter of the portal."""
        if entry.dispatch_id is None:
            return []
        items = entry.dispatch.directive.attachments.all()
        return AttachmentSerializer(items, many=True).data

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


class HandledInput(serializers.Serializer):
    text = serializers.CharField(max_length=2000)


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


@inside_unit_schema(EntrySerializer)
class IncomingViewSet(InsideUnitActions, viewsets.GenericViewSet):
    """My unit's incoming book (sổ văn bản đến) and the letters handled inside the unit."""

    lookup_value_converter = "int"
    serializer_class = EntrySerializer
    subject = "entry"
    assign_service = incoming_entry_assign
    start_service = incoming_entry_start
    approve_service = incoming_entry_head_approve
    return_service = incoming_entry_head_return

    def _queryset(self) -> QuerySet[IncomingEntry]:
        """The entries the action's page would find: the book keeper's, the head's, or the
        handler's; any other entry is a 404."""
        user = self.request.user
        if self.action == "assign" or self.action == "handlers":
            return distribution_entries_visible_to(user)
        if self.action in ("start", "handled", "approve", "return_"):
            return distribution_letters_visible_to(user)
        return (
            incoming_entries_openable_by(user)
            .select_related("dispatch", "dispatch__directive", "unit")
            .prefetch_related("dispatch__directive__attachments__seal")
        )

    def get_queryset(self):
        return self._queryset()

    def _object(self, pk) -> IncomingEntry:
        return get_object_or_404(self._queryset(), pk=pk)

    def _response(self, entry: IncomingEntry, code: int = status.HTTP_200_OK) -> Response:
        fresh = (
            IncomingEntry.objects.select_related("dispatch", "dispatch__directive", "unit")
            .prefetch_related("dispatch__directive__attachments__seal")
            .get(pk=entry.pk)
        )
        moves = entry_moves(entry=fresh, user=self.request.user)
        return Response(EntrySerializer(fresh, context={"moves": moves}).data, status=code)

    def _book(self, request: Request) -> tuple[Unit, IncomingBookFilter]:
        """The unit's book and the page's filters over it; a filter that is not one is a 400."""
        unit = _book_unit(request.user, request.query_params.get("unit"))
        flt = IncomingBookFilter(
            request.query_params, queryset=incoming_book_queryset(user=request.user, unit=unit)
        )
        if not flt.is_valid():
            raise exceptions.ValidationError(flt.errors)
        return unit, flt

    @extend_schema(parameters=BOOK_PARAMETERS, responses=BookLineSerializer(many=True))
    def list(self, request: Request) -> Response:
        """The accepted letters of the book, by arrival number, a page at a time, with the
        page's filters (the year's book unless `year` names another)."""
        _unit, flt = self._book(request)
        page = self.paginate_queryset(flt.qs)
        lines = incoming_book_lines(page)
        return self.get_paginated_response(BookLineSerializer(lines, many=True).data)

    @extend_schema(parameters=BOOK_PARAMETERS, responses={(200, XLSX_TYPE): OpenApiTypes.BINARY})
    @action(detail=False, **DOWNLOAD)
    def xlsx(self, request: Request) -> HttpResponse:
        """The whole selection of the book's filters as a spreadsheet (the page's XLSX)."""
        unit, flt = self._book(request)
        return export_response(*incoming_book_file(unit=unit, book_filter=flt))

    @extend_schema(parameters=BOOK_PARAMETERS, responses={(200, "text/html"): OpenApiTypes.STR})
    @action(detail=False, url_path="print", **DOWNLOAD)
    def print_(self, request: Request) -> HttpResponse:
        """The whole selection of the book's filters as the page's print view (HTML)."""
        unit, flt = self._book(request)
        html = incoming_book_print_html(request=request, unit=unit, book_filter=flt)
        return HttpResponse(html, content_type="text/html; charset=utf-8")

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, **DOWNLOAD)
    def scan(self, request: Request, pk=None) -> FileResponse:
        """The scan of a letter entered from paper or e-mail, for the book's keeper and the
        letter's handlers (404 for a letter of the portal: its PDF is `directives/{id}/pdf/`)."""
        entry = get_object_or_404(self.get_queryset().exclude(scan=""), pk=pk)
        return stored_file_response(
            entry.scan, entry.scan_name or "scan.pdf", "application/pdf", inline=False
        )

    def retrieve(self, request: Request, pk=None) -> Response:
        return self._response(self._object(pk))

    @extend_schema(request=OutsideLetterInput, responses={201: EntrySerializer})
    def create(self, request: Request) -> Response:
        """Enter a letter that arrived on paper or by e-mail, with its scanned PDF (multipart):
        the book's next arrival number. The same issuer, number, symbol and date entered before
        is a 409 naming the entries, unless `confirm_duplicate` is true."""
        data = dict(validated(OutsideLetterInput, request))
        unit = _book_unit(request.user, data.pop("unit", None))
        try:
            entry = outside_letter_enter(by=request.user, unit=unit, ip=client_ip(request), **data)
        except DuplicateLetterWarning as exc:
            return Response(
                {"detail": exc.message, "duplicates": [e.pk for e in exc.existing]},
                status=status.HTTP_409_CONFLICT,
            )
        return self._response(entry, status.HTTP_201_CREATED)

    @extend_schema(request=HandledInput, responses=EntrySerializer)
    @action(detail=True, methods=["post"])
    def handled(self, request: Request, pk=None) -> Response:
        """The handler says how the letter was handled; it goes to the head for review."""
        entry = self._object(pk)
        data = validated(HandledInput, request)
        done = incoming_entry_mark_handled(
            entry=entry, by=request.user, text=data["text"], ip=client_ip(request)
        )
        return self._response(done)
