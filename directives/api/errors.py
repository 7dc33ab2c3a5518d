"""Errors as JSON, in the language the request chose (LocaleMiddleware: the language cookie,
else Accept-Language, else Vietnamese).

- 400 `{"field": ["message", ...]}` for bad input, or `{"detail": "..."}` for a refused one;
- 401 / 403 / 404 `{"detail": "..."}` (another unit's object is a 404, as in the pages);
- 409 `{"detail": "..."}` when the object's state forbids the move or changed meanwhile.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from directives.errors import (
    DirectiveError,
    NumberTakenError,
    PermissionDeniedError,
    TransitionError,
)
from directives.services.receipts import AckLinkError


def _status_of(exc: DirectiveError) -> int:
    if isinstance(exc, PermissionDeniedError):
        return status.HTTP_403_FORBIDDEN
    if isinstance(exc, TransitionError | NumberTakenError):  # ConcurrentIssueError included
        return status.HTTP_409_CONFLICT
    return status.HTTP_400_BAD_REQUEST


def api_exception_handler(exc, context):
    if isinstance(exc, DirectiveError):
        return Response({"detail": exc.message}, status=_status_of(exc))
    if isinstance(exc, AckLinkError):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exception_handler(exceptions.ValidationError(exc.message_dict), context)
        return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
    return exception_handler(exc, context)
