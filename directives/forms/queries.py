"""The query strings of the clerk's books and exports, each read in one place for its page, its
download and the API: a value that is not one is as if it were absent."""

from __future__ import annotations

from dataclasses import dataclass

from common.params import id_param, year_param
from directives.models import DocumentType, RegisterKind
from directives.workdays import local_today


@dataclass(frozen=True)
class RegisterQuery:
    year: int
    kind: str
    doc_type: str


def register_query(params) -> RegisterQuery:
    """The year (this year unless a plausible one is given), the register (the general one
    unless another is named) and a document type (none unless a known one)."""
    kind = params.get("register", "")
    doc_type = params.get("doc_type", "")
    return RegisterQuery(
        year=year_param(params.get("year")) or local_today().year,
        kind=kind if kind in RegisterKind.values else RegisterKind.GENERAL,
        doc_type=doc_type if doc_type in DocumentType.values else "",
    )


def matrix_query(params) -> dict:
    """The tracking matrix's filters (`matrix_build`'s keywords): only the late units
    (`late=1`), only one addressee group's units (`group`)."""
    return {"only_late": params.get("late") == "1", "group_id": id_param(params.get("group"))}
