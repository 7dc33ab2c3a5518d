"""The symbol of a letter's number (ký hiệu), as the register gives it and the draft shows it."""

from __future__ import annotations

from directives.models import Directive


def symbol_for(directive: Directive) -> str:
    """The part after the slash: công văn ISSUER-DRAFTING ("STTTT-TTBCXB"), a typed document
    TYPE-ISSUER ("QĐ-STTTT"). A công văn drafted by the issuer itself carries its code once."""
    issuer = directive.issuing_unit.code
    if directive.is_cong_van:
        drafting = directive.drafting_unit.code
        return issuer if drafting == issuer else f"{issuer}-{drafting}"
    return f"{directive.doc_type}-{issuer}"
