"""Structured logs: what each log line is about (README "Logs", docs/deployment.md).

A request (portal.middleware.RequestLogMiddleware) or a Celery task (portal/celery.py) says what
it is into a context variable; `ContextFilter`, on the console handler, copies it onto every
record logged meanwhile, so the JSON line of any logger (the portal's, Django's, Celery's, a
library's) carries the request id, the user id and the path, or the task's name and id. A value
that is not known is left out, never written as null.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

# The fields of the request or task being served; each holder sets its own.
_context: ContextVar[dict | None] = ContextVar("log_context", default=None)
_request: ContextVar[object | None] = ContextVar("log_request", default=None)

# An id the proxy sent (nginx's $request_id: 32 hex digits) is kept so one request has one id in
# both logs; anything else is replaced, so a client cannot put text of its choice in the logs.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def request_id_from(header: str | None) -> str:
    return header if header and _REQUEST_ID.match(header) else uuid.uuid4().hex


def context_set(fields: dict | None, *, request: object | None = None):
    """Enter the fields of a request or a task; the tokens to hand to `context_reset`."""
    return _context.set(fields), _request.set(request)


def context_clear(**_kwargs) -> None:
    """The request is over (Django's request_finished, connected in portal/middleware.py):
    later lines belong to no request."""
    _context.set(None)
    _request.set(None)


def context_reset(tokens) -> None:
    fields_token, request_token = tokens
    _context.reset(fields_token)
    _request.reset(request_token)


def user_id_of(request: object, *, resolve: bool = False) -> int | None:
    """The signed-in user's id. While a request runs only a user already read from the session
    is used (logging never costs a query); `resolve` reads it for the request's own line."""
    # `_cached_user` is where django.contrib.auth's middleware keeps the user once read.
    user = getattr(request, "user" if resolve else "_cached_user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return user.pk
    return None


class ContextFilter(logging.Filter):
    """Adds the current request's or task's fields to each record (never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = _context.get()
        if fields:
            for key, value in fields.items():
                if value is not None and not hasattr(record, key):
                    setattr(record, key, value)
        request = _request.get()
        if request is not None and not hasattr(record, "user_id"):
            user_id = user_id_of(request)
            if user_id is not None:
                record.user_id = user_id
        return True
