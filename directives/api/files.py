"""The files a person downloads in the pages, through the API: a letter's attachments (and the
detached signature of a non-PDF one), a report's files, and the clerk's register as XLSX.

Each file is found through the files selectors (the union of the pages' own: another unit's
file is a 404) and served as the pages serve it (`stored_file_response`: its own name, a
download, `nosniff`; `no-store` from the middleware). The letter's signed PDF and an incoming
letter's scan are actions of their own objects (`directives/{id}/pdf/`, `incoming/{id}/scan/`),
the incoming book's XLSX and print view: the book's (`incoming/xlsx/`, `incoming/print/`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response

from common.client_ip import client_ip
from common.downloads import XLSX_TYPE, export_response, stored_file_response
from directives import services
from directives.exports import register_file
from directives.forms.queries import register_query
from directives.models import Attachment, AttachmentSeal, DocumentType, RegisterKind
from directives.selectors.files import attachments_openable_by, report_files_openable_by
from directives.selectors.register import register_keeper
from directives.selectors.scope import desk_directives
from directives.services.seals import sealed_download


class DownloadNegotiation(BaseContentNegotiation):
    """A download answers whatever the program's `Accept` names (`application/pdf`, `*/*`):
    the file is what it is, and its errors (401, 403, 404) come as the API's JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


DOWNLOAD = {"methods": ["get"], "content_negotiation_class": DownloadNegotiation}

ANY_FILE = {
    (200, "*/*"): OpenApiResponse(
        OpenApiTypes.BINARY, description="The file, under its own name and content type."
    )
}
PDF_FILE = {(200, "application/pdf"): OpenApiTypes.BINARY}
P7S_FILE = {(200, "application/pkcs7-signature"): OpenApiTypes.BINARY}


class AttachmentViewSet(viewsets.GenericViewSet):
    """A letter's attachments, for those who may open the letter (its agency, its recipients,
    its handlers inside the unit)."""

    lookup_value_converter = "int"

    def get_queryset(self):
        if self.action == "destroy":
            # The page's scope: the agency's desk; a recipient's copy is no draft of theirs.
            return Attachment.objects.filter(
                directive__in=desk_directives(self.request.user)
            ).select_related("directive")
        return attachments_openable_by(self.request.user)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk=None) -> Response:
        """Remove an attachment of a draft, as its drafter does on the draft's page (403 for
        who may not edit the draft, 409 once the letter is no longer a draft)."""
        services.attachment_remove(
            attachment=self.get_object(), by=request.user, ip=client_ip(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=ANY_FILE)
    @action(detail=True, **DOWNLOAD)
    def file(self, request: Request, pk=None) -> FileResponse:
        """The attachment as a recipient downloads it: the agency-signed PDF in place of a
        sealed PDF, the file itself otherwise."""
        stored, name, content_type = sealed_download(self.get_object())
        return stored_file_response(stored, name, content_type, inline=False)

    @extend_schema(responses=P7S_FILE)
    @action(detail=True, **DOWNLOAD)
    def signature(self, request: Request, pk=None) -> FileResponse:
        """The agency's detached signature (.p7s) of a non-PDF attachment (404 for others)."""
        item = get_object_or_404(
            self.get_queryset().filter(seal__kind=AttachmentSeal.Kind.CADES), pk=pk
        )
        return stored_file_response(
            item.seal.file, item.seal.name, "application/pkcs7-signature", inline=False
        )


class ReportFileViewSet(viewsets.GenericViewSet):
    """The files of a unit's report on a task: for the issuer's agency once the report went to
    it, for the unit, and inside the unit for the handler and the head."""

    lookup_value_converter = "int"

    def get_queryset(self):
        return report_files_openable_by(self.request.user)

    @extend_schema(responses=ANY_FILE)
    @action(detail=True, **DOWNLOAD)
    def file(self, request: Request, pk=None) -> FileResponse:
        item = self.get_object()
        return stored_file_response(item.file, item.name, item.content_type, inline=False)


class RegisterViewSet(viewsets.ViewSet):
    """The outgoing register (sổ đăng ký văn bản đi) of the clerk's agency."""

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="The register's year (default: this year)"),
            OpenApiParameter("register", str, enum=list(RegisterKind.values)),
            OpenApiParameter("doc_type", str, enum=list(DocumentType.values)),
        ],
        responses={(200, XLSX_TYPE): OpenApiTypes.BINARY},
    )
    @action(detail=False, **DOWNLOAD)
    def xlsx(self, request: Request) -> HttpResponse:
        """The year's register (the general one, or the normative documents') as the page's
        XLSX; for the clerk only (403 otherwise). A value that is not one is no filter."""
        if not register_keeper(request.user):
            raise PermissionDenied
        query = register_query(request.query_params)
        body, name = register_file(
            user=request.user, year=query.year, kind=query.kind, doc_type=query.doc_type
        )
        return export_response(body, name)
