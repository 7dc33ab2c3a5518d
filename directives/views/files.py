"""Serving a stored file to someone the calling view has already scoped."""

from django.http import FileResponse, Http404


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
