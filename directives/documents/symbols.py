"""The symbol of a letter's number (ký hiệu), as the register gives it and the draft shows it.

Symbols are built from the units' abbreviations (ký hiệu viết tắt: "UBND", "STTTT", "VP"), not
from their unique codes: the province's committee and a district's both write "UBND", and their
numbers stay apart because each issuing unit keeps its own registers."""

from __future__ import annotations

from django.utils import timezone

from directives.models import Directive, RegisterKind


def register_kind_for(directive: Directive) -> str:
    """The register that numbers the letter: the issuing unit's register of legal normative
    documents for a normative document when the unit keeps one, else its general register."""
    if directive.is_normative and directive.issuing_unit.has_normative_register:
        return RegisterKind.NORMATIVE
    return RegisterKind.GENERAL


def symbol_for(directive: Directive) -> str:
    """The part after the number's slash: công văn ISSUER-DRAFTING ("STTTT-TTBCXB"), a typed
    document TYPE-ISSUER ("QĐ-STTTT"); a legal normative document carries its year first
    ("2021/QĐ-UBND", Luật Ban hành văn bản quy phạm pháp luật, Điều 8). A công văn drafted by
    the issuer itself carries its abbreviation once."""
    issuer = directive.issuing_unit.symbol_abbreviation
    if directive.is_cong_van:
        drafting = directive.drafting_unit.symbol_abbreviation
        same = directive.drafting_unit_id == directive.issuing_unit_id or drafting == issuer
        return issuer if same else f"{issuer}-{drafting}"
    symbol = f"{directive.doc_type}-{issuer}"
    if directive.is_normative:
        year = directive.register_year or timezone.localdate().year
        return f"{year}/{symbol}"
    return symbol
