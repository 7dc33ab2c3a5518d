"""The sample letter (công văn 1038/STTTT-TTBCXB of 24 June 2021), built directly from models
and factories so these tests and the benchmark do not depend on the workflow services."""

from __future__ import annotations

import datetime
from pathlib import Path

from directives.models import Directive
from recipients.models import Unit
from tests.factories import (
    AddresseeFactory,
    CopyRecipientFactory,
    DirectiveFactory,
    RecipientGroupFactory,
    UnitFactory,
)

SAMPLE_SUBJECT = "thông tin, tuyên truyền Bộ Quy tắc ứng xử trên mạng xã hội"

SAMPLE_GROUPS = [
    "Các Sở, ban ngành",
    "Ủy ban nhân dân các huyện, thị xã, thành phố",
    "Các cơ quan báo chí địa phương",
    "Văn phòng đại diện, phóng viên thường trú trên địa bàn tỉnh",
]

SAMPLE_COPIES = [
    "Bộ TT&TT (báo cáo)",
    "UBND tỉnh (báo cáo)",
    "Ban Tuyên giáo Tỉnh ủy",
    "Phòng VH&TT cấp huyện",
    "Trung tâm VH, TT&TT cấp huyện",
]

SAMPLE_BODY = (Path(__file__).parent / "sample-letter-body.md").read_text(encoding="utf-8")


def build_sample_letter(**overrides) -> Directive:
    """The letter 1038/STTTT-TTBCXB of 24 June 2021, issued, with its four addressee groups."""
    issuer = UnitFactory(code="STTTT", name="Sở Thông tin và Truyền thông", head_title="GIÁM ĐỐC")
    drafting = UnitFactory(
        code="TTBCXB",
        name="Phòng Thông tin - Báo chí - Xuất bản",
        kind=Unit.Kind.DIVISION,
        parent=issuer,
    )
    fields = {
        "issuing_unit": issuer,
        "drafting_unit": drafting,
        "number": 1038,
        "register_year": 2021,
        "symbol": "STTTT-TTBCXB",
        "issued_on": datetime.date(2021, 6, 24),
        "status": Directive.Status.ISSUED,
        "subject": SAMPLE_SUBJECT,
        "body": SAMPLE_BODY,
    }
    fields.update(overrides)
    directive = DirectiveFactory(**fields)
    for position, label in enumerate(SAMPLE_GROUPS):
        group = RecipientGroupFactory(name=label)
        AddresseeFactory(
            directive=directive, position=position, group=group, unit=None, label=label
        )
    for position, label in enumerate(SAMPLE_COPIES):
        CopyRecipientFactory(directive=directive, position=position, label=label)
    return directive
