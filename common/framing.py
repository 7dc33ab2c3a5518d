"""The one exception to "no page is ever framed": a PDF the portal shows inside its own pages."""

from __future__ import annotations

from functools import wraps

from django.views.decorators.clickjacking import xframe_options_sameorigin


def pdf_frame(view):
    """The view's PDF may be framed by the portal's own pages, never by another site:
    X-Frame-Options SAMEORIGIN (instead of DENY) and CSP frame-ancestors 'self' (not 'none')."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        response = view(*args, **kwargs)
        response._csp_replace = {"frame-ancestors": ["'self'"]}  # django-csp's csp_replace
        return response

    return xframe_options_sameorigin(wrapped)


__all__ = ["pdf_frame"]


def letter_frame_styles(view):
    """The page shows the letter's HTML in a sandboxed srcdoc frame, which inherits the page's
    CSP: the letter is styled by a <style> and by style attributes computed per letter (the
    positions of the seal and the signature), so this page alone allows inline styles.
    Every other page allows styles from the portal's own files only."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        response = view(*args, **kwargs)
        response._csp_update = {"style-src": ["'unsafe-inline'"]}  # django-csp's csp_update
        return response

    return wrapped
