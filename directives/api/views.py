"""The API's endpoints: each one finds its object through the pages' scoping selectors (another
unit's object is a 404) and changes it through the pages' services."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from common.client_ip import client_ip
from common.downloads import XLSX_TYPE, export_response, stored_file_response
from directives import services
from directives.api import serializers as s
from directives.api.files import DOWNLOAD
from directives.api.serializers import validated
from directives.api.tracking import MatrixPageSerializer, matrix_page
from directives.exports import matrix_file
from directives.forms import DirectiveFilter
from directives.forms.queries import matrix_query
from directives.forms.workspace import InboxFilter
from directives.models import Assignment, Directive
from directives.selectors.files import letters_openable_by
from directives.selectors.history import desk_event_labels, history_for_unit
from directives.selectors.inbox import inbox_dispatch_assignments, inbox_dispatches
from directives.selectors.matrix import matrix_build
from directives.selectors.moves import directive_moves
from directives.selectors.scope import desk_directives, directives_visible_to, receiving_unit_ids
from directives.selectors.workspace import (
    assignments_visible_to,
    extensions_visible_to,
    tracked_assignments,
    tracked_directives,
)
from directives.services import assignments, extensions
from directives.services.incoming import dispatch_accept, dispatch_acknowledge, dispatch_refuse
from directives.services.notices import notification_mark_read, notifications_for


def _desk_required(user) -> None:
    if not (
        user.has_perm("directives.view_directive") or user.has_perm("directives.add_directive")
    ):
        raise PermissionDenied


FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="Number, symbol, subject and body; accents optional"),
    OpenApiParameter("box", str, enum=["mine", "to_approve", "to_issue", "issued", "recalled"]),
    OpenApiParameter("status", str, enum=list(Directive.Status.values)),
    OpenApiParameter("doc_type", str),
    OpenApiParameter("year", int),
    OpenApiParameter("signer", int),
    OpenApiParameter("drafting_unit", int),
    OpenApiParameter("urgency", str),
]


MATRIX_PARAMETERS = [
    OpenApiParameter("late", str, enum=["1"], description="Only the units late"),
    OpenApiParameter("group", int, description="Only the units of this addressee group"),
]


INBOX_PARAMETERS = [
    OpenApiParameter("q", str, description="Number, symbol, subject; accents optional"),
    OpenApiParameter("acknowledged", str, enum=["no", "yes"]),
    OpenApiParameter("due", str, enum=["soon", "overdue"]),
    OpenApiParameter("urgency", str),
    OpenApiParameter("year", int),
    OpenApiParameter("issuer", int),
]


class DirectiveViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The agency's directives: the list of the drafting desk (its filters and search), one
    directive with what the user may do to it, its drafts and its moves."""

    lookup_value_converter = "int"

    serializer_class = s.DirectiveSerializer

    def get_serializer_class(self):
        return s.DirectiveListSerializer if self.action == "list" else s.DirectiveSerializer

    def get_queryset(self):
        user = self.request.user
        if self.action == "pdf":
            return letters_openable_by(user)
        scope = directives_visible_to if self.action in ("retrieve", "events") else desk_directives
        return scope(user).prefetch_related(
            "addressees",
            "copy_recipients",
            "tasks__groups",
            "tasks__units",
            "replaced_by",
            "attachments__seal",
        )

    def _response(self, directive: Directive, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=directive.pk)
        moves = directive_moves(directive=fresh, user=self.request.user)
        return Response(s.DirectiveSerializer(fresh, context={"moves": moves}).data, status=code)

    @extend_schema(parameters=FILTER_PARAMETERS)
    def list(self, request: Request, *args, **kwargs) -> Response:
        _desk_required(request.user)
        queryset = self.get_queryset().order_by("-updated_at", "-pk")
        flt = DirectiveFilter(request.query_params, queryset=queryset, user=request.user)
        if not flt.is_valid():
            raise exceptions.ValidationError(flt.errors)
        page = self.paginate_queryset(flt.qs)
        return self.get_paginated_response(s.DirectiveListSerializer(page, many=True).data)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return self._response(self.get_object())

    @extend_schema(request=s.DraftInput, responses={201: s.DirectiveSerializer})
    def create(self, request: Request) -> Response:
        """A new draft with its lines and tasks."""
        data = s.DraftInput(data=request.data)
        data.is_valid(raise_exception=True)
        draft = services.directive_save_draft(
            by=request.user, directive=None, ip=client_ip(request), **data.payload()
        )
        return self._response(draft, status.HTTP_201_CREATED)

    @extend_schema(request=s.DraftInput, responses={200: s.DirectiveSerializer})
    def update(self, request: Request, pk=None) -> Response:
        """Rewrite a draft: the fields given, and all its lines and tasks (as the page saves)."""
        directive = self.get_object()
        data = s.DraftInput(data=request.data)
        data.is_valid(raise_exception=True)
        saved = services.directive_save_draft(
            by=request.user, directive=directive, ip=client_ip(request), **data.payload()
        )
        return self._response(saved)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk=None) -> Response:
        services.directive_delete_draft(directive=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _move(self, call: Callable[..., Directive], serializer_class=None) -> Response:
        directive = self.get_object()
        data = validated(serializer_class, self.request) if serializer_class else {}
        result = call(directive, self.request.user, client_ip(self.request), data)
        return self._response(result)

    @extend_schema(request=s.SubmitInput, responses=s.DirectiveSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk=None) -> Response:
        return self._move(
            lambda d, by, ip, data: services.directive_submit(
                directive=d, by=by, signer=data.get("signer"), ip=ip
            ),
            s.SubmitInput,
        )

    @extend_schema(request=None, responses=s.DirectiveSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk=None) -> Response:
        return self._move(
            lambda d, by, ip, data: services.directive_withdraw(directive=d, by=by, ip=ip)
        )

    @extend_schema(request=s.ApproveInput, responses=s.DirectiveSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk=None) -> Response:
        return self._move(
            lambda d, by, ip, data: services.directive_approve(
                directive=d, by=by, ip=ip, comment=data.get("comment", "")
            ),
            s.ApproveInput,
        )

    @extend_schema(request=s.ReasonInput, responses=s.DirectiveSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk=None) -> Response:
        return self._move(
            lambda d, by, ip, data: services.directive_return(
                directive=d, by=by, reason=data.get("reason", ""), ip=ip
            ),
            s.ReasonInput,
        )

    @extend_schema(request=None, responses=s.DirectiveSerializer)
    @action(detail=True, methods=["post"])
    def number(self, request: Request, pk=None) -> Response:
        return self._move(
            lambda d, by, ip, data: services.directive_number(directive=d, by=by, ip=ip)
        )

    @extend_schema(request=None, responses=s.DirectiveSerializer)
    @action(detail=True, methods=["post"], url_path="cancel-number")
    def cancel_number(self, request: Request, pk=None) -> Response:
        return self._move(
            lambda d, by, ip, data: services.directive_number_cancel(directive=d, by=by, ip=ip)
        )

    @extend_schema(request=s.SignInput, responses=s.DirectiveSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk=None) -> Response:
        """The signer signs the numbered letter with their own key (PKCS#12 or token; the
        PIN opens it and is not kept)."""
        return self._move(
            lambda d, by, ip, data: services.directive_sign(
                directive=d, by=by, pin=data["pin"], ip=ip
            ),
            s.SignInput,
        )

    @extend_schema(request=None, responses=s.DirectiveSerializer)
    @action(detail=True, methods=["post"], url_path="sign-remote")
    def sign_remote(self, request: Request, pk=None) -> Response:
        """A signer whose key is at a remote signing service asks it for their signature of the
        numbered letter; the letter then awaits their confirmation (`remote_signature`)."""
        return self._move(
            lambda d, by, ip, data: (
                services.directive_remote_sign_begin(directive=d, by=by, ip=ip).directive
            )
        )

    @extend_schema(request=s.SignInput, responses=s.DirectiveSerializer)
    @action(detail=True, methods=["post"], url_path="sign-confirm")
    def sign_confirm(self, request: Request, pk=None) -> Response:
        """The signer finishes the remote signature with the code the service asks for (their
        PIN or the one-time code sent to their phone; used once, never kept)."""
        return self._move(
            lambda d, by, ip, data: services.directive_remote_sign_finish(
                directive=d, by=by, pin=data["pin"], ip=ip
            ),
            s.SignInput,
        )

    @extend_schema(request=None, responses=s.DirectiveSerializer)
    @action(detail=True, methods=["post"], url_path="sign-cancel")
    def sign_cancel(self, request: Request, pk=None) -> Response:
        """The signer withdraws the remote signature asked for: the letter stays numbered."""
        return self._move(
            lambda d, by, ip, data: services.directive_remote_sign_cancel(directive=d, by=by, ip=ip)
        )

    @extend_schema(request=None, responses=s.DirectiveSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk=None) -> Response:
        """The clerk seals the signed letter with the agency's key and issues it."""
        return self._move(
            lambda d, by, ip, data: services.directive_issue(directive=d, by=by, ip=ip)
        )

    @extend_schema(request=s.ReasonInput, responses=s.DirectiveSerializer)
    @action(detail=True, methods=["post"])
    def recall(self, request: Request, pk=None) -> Response:
        return self._move(
            lambda d, by, ip, data: services.directive_recall(
                directive=d, by=by, reason=data.get("reason", ""), ip=ip
            ),
            s.ReasonInput,
        )

    @extend_schema(request=s.AttachmentInput, responses={201: s.AttachmentSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request: Request, pk=None) -> Response:
        """Attach a file to a draft (multipart `file`), checked by its content and size."""
        directive = self.get_object()
        data = validated(s.AttachmentInput, request)
        made = services.attachment_add(
            directive=directive, by=request.user, upload=data["file"], ip=client_ip(request)
        )
        return Response(s.AttachmentSerializer(made).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.EventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # the whole list, as answered
    def events(self, request: Request, pk=None) -> Response:
        """The directive's history: all of it for its agency's desk, else what the person's
        unit may see (its own steps and the directive-wide ones), as the pages show it."""
        directive = self.get_object()
        if desk_directives(request.user).filter(pk=directive.pk).exists():
            rows = directive.events.select_related("actor").order_by("created_at", "pk")
            labels = desk_event_labels()
        else:
            rows, labels = history_for_unit(directive, request.user.unit_id), {}
        return Response(s.EventSerializer(rows, many=True, context={"labels": labels}).data)

    @extend_schema(parameters=MATRIX_PARAMETERS, responses=MatrixPageSerializer)
    @action(detail=True, methods=["get"])
    def matrix(self, request: Request, pk=None) -> Response:
        """The tracking matrix for the issuing agency's clerk: a row per recipient unit (a
        page of rows), the receipt, each task's cell and the unit's status 01..06; another
        agency's directive, or one not issued, is a 404."""
        directive = get_object_or_404(tracked_directives(request.user), pk=pk)
        built = matrix_build(directive=directive, **matrix_query(request.query_params))
        rows = self.paginate_queryset(built.rows)
        return Response(matrix_page(built, rows, self.paginator))

    def _matrix_export(self, pk, kind: str) -> HttpResponse:
        directive = get_object_or_404(tracked_directives(self.request.user), pk=pk)
        built = matrix_build(directive=directive, **matrix_query(self.request.query_params))
        body, content_type, name = matrix_file(directive=directive, matrix=built, kind=kind)
        return export_response(body, name, content_type)

    @extend_schema(parameters=MATRIX_PARAMETERS, responses={(200, XLSX_TYPE): OpenApiTypes.BINARY})
    @action(detail=True, url_path="matrix/xlsx", **DOWNLOAD)
    def matrix_xlsx(self, request: Request, pk=None) -> HttpResponse:
        """The whole matrix (its filters applied) as the page's XLSX."""
        return self._matrix_export(pk, "xlsx")

    @extend_schema(parameters=MATRIX_PARAMETERS, responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=True, url_path="matrix/csv", **DOWNLOAD)
    def matrix_csv(self, request: Request, pk=None) -> HttpResponse:
        """The whole matrix (its filters applied) as the page's CSV."""
        return self._matrix_export(pk, "csv")

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, **DOWNLOAD)
    def pdf(self, request: Request, pk=None) -> FileResponse:
        """The signed PDF, once the PDF job has made it (404 until then), for those who may
        open the letter: its agency, its recipients, its handlers inside the unit."""
        directive = self.get_object()
        if directive.pdf_status != Directive.PdfStatus.READY or not directive.pdf:
            raise Http404(_("The signed PDF is not ready yet."))
        return stored_file_response(
            directive.pdf, directive.pdf_filename, "application/pdf", inline=False
        )


class InboxViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """My unit's inbox (and the units whose incoming book I keep): the letters received, their
    acknowledgement, and my unit's tasks of each."""

    lookup_value_converter = "int"

    serializer_class = s.DispatchSerializer

    def get_queryset(self):
        if not receiving_unit_ids(self.request.user):
            raise PermissionDenied
        return inbox_dispatches(self.request.user)

    @extend_schema(parameters=INBOX_PARAMETERS)
    def list(self, request: Request, *args, **kwargs) -> Response:
        """The inbox's order (not acknowledged first, the most urgent first) and its filters."""
        flt = InboxFilter(request.query_params, queryset=self.get_queryset(), user=request.user)
        if not flt.is_valid():
            raise exceptions.ValidationError(flt.errors)
        page = self.paginate_queryset(flt.qs)
        return self.get_paginated_response(s.DispatchSerializer(page, many=True).data)

    @extend_schema(request=None, responses=s.DispatchSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk=None) -> Response:
        dispatch = dispatch_acknowledge(
            dispatch=self.get_object(), by=request.user, ip=client_ip(request)
        )
        return Response(s.DispatchSerializer(self.get_queryset().get(pk=dispatch.pk)).data)

    @extend_schema(request=s.AcceptInput, responses={201: s.IncomingEntrySerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk=None) -> Response:
        """Accept the letter into the unit's incoming book (tiếp nhận): its arrival number."""
        dispatch = self.get_object()
        data = validated(s.AcceptInput, request)
        entry = dispatch_accept(
            dispatch=dispatch, by=request.user, note=data["note"], ip=client_ip(request)
        )
        return Response(s.IncomingEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.RefuseInput, responses={201: s.IncomingEntrySerializer})
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk=None) -> Response:
        """Refuse the letter: `misaddressed`, `invalid_signature`, or `other` with a comment."""
        dispatch = self.get_object()
        data = validated(s.RefuseInput, request)
        entry = dispatch_refuse(
            dispatch=dispatch,
            by=request.user,
            reason=data["reason"],
            comment=data["comment"],
            ip=client_ip(request),
        )
        return Response(s.IncomingEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.AssignmentSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # the whole list, as answered
    def tasks(self, request: Request, pk=None) -> Response:
        rows = inbox_dispatch_assignments(self.get_object())
        return Response(s.AssignmentSerializer(rows, many=True).data)


class AssignmentViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """My unit's tasks: start one, report it done (text)."""

    lookup_value_converter = "int"

    serializer_class = s.AssignmentSerializer

    def get_queryset(self):
        user = self.request.user
        if user.unit_id is None:
            return Assignment.objects.none()
        return (
            assignments_visible_to(user)
            .filter(unit_id=user.unit_id)
            .select_related("task", "task__directive", "dispatch")
            .prefetch_related("files")
        )

    def _done(self, assignment: Assignment) -> Response:
        return Response(s.AssignmentSerializer(self.get_queryset().get(pk=assignment.pk)).data)

    @extend_schema(request=None, responses=s.AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk=None) -> Response:
        return self._done(
            assignments.assignment_start(
                assignment=self.get_object(), by=request.user, ip=client_ip(request)
            )
        )

    @extend_schema(request=s.ReportInput, responses=s.AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request: Request, pk=None) -> Response:
        assignment = self.get_object()
        data = validated(s.ReportInput, request)
        return self._done(
            assignments.assignment_report(
                assignment=assignment,
                by=request.user,
                text=data["text"],
                files=data["files"],
                ip=client_ip(request),
            )
        )

    @extend_schema(request=s.ExtensionInput, responses={201: s.ExtensionSerializer})
    @action(detail=True, methods=["post"])
    def extension(self, request: Request, pk=None) -> Response:
        """Ask the issuing agency's clerk for a later due date, with a reason."""
        assignment = self.get_object()  # another unit's task: a 404 before any 400
        data = validated(s.ExtensionInput, request)
        made = extensions.extension_request_create(
            assignment=assignment,
            by=request.user,
            requested_date=data["requested_date"],
            reason=data["reason"],
            ip=client_ip(request),
        )
        return Response(s.ExtensionSerializer(made).data, status=status.HTTP_201_CREATED)


class ReviewViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The issuing agency's clerk: a unit's task of one of the agency's letters, its report
    accepted or sent back with a comment."""

    lookup_value_converter = "int"
    serializer_class = s.TrackedAssignmentSerializer

    def get_queryset(self):
        return (
            tracked_assignments(self.request.user)
            .select_related("task", "unit", "dispatch")
            .prefetch_related("files")
        )

    def _done(self, assignment: Assignment) -> Response:
        fresh = self.get_queryset().get(pk=assignment.pk)
        return Response(s.TrackedAssignmentSerializer(fresh).data)

    @extend_schema(request=s.ReviewInput, responses=s.TrackedAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk=None) -> Response:
        assignment = self.get_object()
        data = validated(s.ReviewInput, request)
        return self._done(
            assignments.assignment_accept(
                assignment=assignment,
                by=request.user,
                comment=data["comment"],
                ip=client_ip(request),
            )
        )

    @extend_schema(request=s.ReviewInput, responses=s.TrackedAssignmentSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk=None) -> Response:
        assignment = self.get_object()
        data = validated(s.ReviewInput, request)
        return self._done(
            assignments.assignment_return(
                assignment=assignment,
                by=request.user,
                comment=data["comment"],
                ip=client_ip(request),
            )
        )


class ExtensionViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Extension requests of the units, decided by the issuing agency's clerk."""

    lookup_value_converter = "int"
    serializer_class = s.ExtensionSerializer

    def get_queryset(self):
        user = self.request.user
        return extensions_visible_to(user).filter(
            assignment__in=tracked_assignments(user).values("pk")
        )

    @extend_schema(request=s.DecideInput, responses=s.ExtensionSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk=None) -> Response:
        extension = self.get_object()
        data = validated(s.DecideInput, request)
        decided = extensions.extension_request_decide(
            extension=extension,
            by=request.user,
            grant=data["grant"],
            new_date=data["new_date"],
            note=data["note"],
            ip=client_ip(request),
        )
        return Response(s.ExtensionSerializer(decided).data)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """My own notices in the portal, newest first."""

    lookup_value_converter = "int"

    serializer_class = s.NotificationSerializer

    def get_queryset(self):
        return notifications_for(self.request.user).order_by("-created_at", "-pk")

    @extend_schema(request=None, responses=s.NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk=None) -> Response:
        row = get_object_or_404(self.get_queryset(), pk=pk)
        row = notification_mark_read(notification=row, by=request.user)
        return Response(s.NotificationSerializer(row).data)
