"""`{% pdf_signatures directive %}`: the signatures of the directive's issued PDF, checked from
its bytes (cached by its hash), in the shared partial. The page has already scoped `directive`."""

from __future__ import annotations

from django import template

from directives.selectors.signatures import directive_pdf_signatures

register = template.Library()


@register.inclusion_tag("directives/partials/signatures.html")
def pdf_signatures(directive):
    return {"report": directive_pdf_signatures(directive), "compact": True}
