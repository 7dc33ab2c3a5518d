"""Serving a stored file, or a file made for the request, to someone the calling view (a page
or the API) has already scoped: the same headers whichever face serves it."""

from django.http import FileResponse, Http404, HttpResponse

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def stored_file_response(
    stored_file, name: str, content_type: str, *, inline: bool
) -> FileResponse:
    """The file under its own name; a file gone from storage is a 404, not a 500.

    `nosniff` keeps a browser from reading an upload as something other than its checked type.
    """
    try:
        handle = stored_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=not inline, filename=name)
    response["Content-Type"] = content_type or "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def export_response(body: bytes, name: str, content_type: str = XLSX_TYPE) -> HttpResponse:
    """A file made for the request (a spreadsheet, a CSV), as a download."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
