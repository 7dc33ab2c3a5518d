"""How a directive is named in notices: its number and symbol, as an office writes it."""

from __future__ import annotations

from directives.models import Directive


def number_label(directive: Directive) -> str:
    """ "1038/STTTT-TTBCXB", or the start of the subject before a number exists."""
    return directive.number_symbol or directive.subject[:80]


def email_subject(directive: Directive) -> str:
    """ "[Số 1038/STTTT-TTBCXB] V/v thông tin, tuyên truyền ..." for a công văn; a typed
    document names its type instead: "[Số 15/KH-STTTT] Kế hoạch triển khai ..."."""
    subject = " ".join(directive.subject.split())
    if directive.is_cong_van:
        lead = subject if subject.lower().startswith("v/v") else f"V/v {subject}"
    else:
        lead = f"{directive.type_title.capitalize()} {subject}".strip()
    prefix = f"[Số {directive.number_symbol}] " if directive.number_symbol else ""
    return f"{prefix}{lead}"[:500]
