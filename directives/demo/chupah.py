"""UBND huyện Chư Păh's demo letters: a second issuing unit, with its own register, people
and keys."""

from __future__ import annotations

from django.db import transaction

from directives.demo.keys import DEMO_SIGNER_PIN, sign_and_deliver, signer_key_ensure
from directives.documents.pki import dev_unit_certificate_issue
from directives.models import CopyRecipient, Directive
from directives.services import (
    directive_approve,
    directive_issue,
    directive_number,
    directive_save_draft,
    directive_sign,
    directive_submit,
)
from recipients.models import Unit, User

P = CopyRecipient.Purpose

CHUPAH = "UBND.CHUPAH"
CHUPAH_PEOPLE = ("chupah.chuyenvien", "chupah.lanhdao", "chupah.vanthu")
CHUPAH_NAME = "Ủy ban nhân dân huyện Chư Păh"
CHUPAH_REPORT_SUBJECT = "báo cáo kết quả tuyên truyền Bộ Quy tắc ứng xử trên mạng xã hội"
CHUPAH_REPORT_BODY = (
    "Thực hiện Công văn số 1038/STTTT-TTBCXB ngày 24/6/2021 của Sở Thông tin và Truyền thông "
    "về việc thông tin, tuyên truyền Bộ Quy tắc ứng xử trên mạng xã hội, Ủy ban nhân dân huyện "
    "Chư Păh báo cáo kết quả thực hiện như sau:\n\n"
    "1. Công tác phổ biến, quán triệt\n\n"
    "- Đã phổ biến Quyết định số 874/QĐ-BTTTT đến toàn thể cán bộ, công chức, viên chức và "
    "người lao động của các cơ quan, đơn vị thuộc huyện.\n\n"
    "2. Công tác tuyên truyền\n\n"
    "- Phòng Văn hóa và Thông tin, Trung tâm Văn hóa, Thông tin và Thể thao huyện đăng tải tin, "
    "bài trên Trang thông tin điện tử huyện và hệ thống truyền thanh cơ sở.\n\n"
    "Ủy ban nhân dân huyện Chư Păh báo cáo Sở Thông tin và Truyền thông biết, tổng hợp./."
)
CHUPAH_DECISION_SUBJECT = "ban hành Quy chế quản lý, vận hành Trang thông tin điện tử huyện Chư Păh"
CHUPAH_DECISION_BODY = (
    "Điều 1. Ban hành kèm theo Quyết định này Quy chế quản lý, vận hành Trang thông tin điện tử "
    "huyện Chư Păh.\n\n"
    "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.\n\n"
    "Điều 3. Chánh Văn phòng HĐND và UBND huyện, Trưởng phòng Văn hóa và Thông tin, Giám đốc "
    "Trung tâm Văn hóa, Thông tin và Thể thao huyện và các cơ quan, đơn vị có liên quan chịu "
    "trách nhiệm thi hành Quyết định này./."
)
CHUPAH_LETTERHEAD = {
    "parent_body": "",
    "issuer_name": "ỦY BAN NHÂN DÂN\nHUYỆN CHƯ PĂH",
    "place": "Chư Păh",
    "urgency": "normal",
    "signing_authority": "TM_KT",
    "collective_body": "ỦY BAN NHÂN DÂN",
    "head_title": "CHỦ TỊCH",
    "signer_title": "PHÓ CHỦ TỊCH",
    "signer_name": "Nguyễn Văn Quang",
}


def chupah_letters(stdout) -> list[str]:
    """UBND huyện Chư Păh's own letters: its report to the Sở, issued from its register with
    its own keys, and a legal normative decision waiting for its clerk to number it."""
    units = {u.code: u for u in Unit.objects.filter(code__in=[CHUPAH, "VHTT.CHUPAH", "STTTT"])}
    people = {u.username: u for u in User.objects.filter(username__in=CHUPAH_PEOPLE)}
    if len(units) < 3 or len(people) < len(CHUPAH_PEOPLE):
        return []
    chupah = units[CHUPAH]
    drafter, signer, clerk = (people[name] for name in CHUPAH_PEOPLE)
    signer_key_ensure(signer, organisation=CHUPAH_NAME)
    dev_unit_certificate_issue(unit_code=chupah.code, organisation=CHUPAH_NAME)
    base = {
        **CHUPAH_LETTERHEAD,
        "issuing_unit": chupah,
        "drafting_unit": units["VHTT.CHUPAH"],
        "drafter_initials": "VHTT",
    }
    made = []
    existing = Directive.objects.filter(issuing_unit=chupah)
    if not existing.filter(subject=CHUPAH_REPORT_SUBJECT).exists():
        with transaction.atomic():
            draft = directive_save_draft(
                by=drafter,
                directive=None,
                fields={
                    **base,
                    "doc_type": "CV",
                    "subject": CHUPAH_REPORT_SUBJECT,
                    "body": CHUPAH_REPORT_BODY,
                },
                addressees=[
                    {
                        "group": None,
                        "unit": units["STTTT"],
                        "label": "Sở Thông tin và Truyền thông tỉnh Gia Lai",
                    }
                ],
                copies=[{"label": "Lưu: VT, VHTT", "purpose": P.ARCHIVE}],
                tasks=[],
            )
            directive_submit(directive=draft, by=drafter, signer=signer)
            directive_approve(directive=draft, by=signer, comment="Đồng ý.")
            numbered = directive_number(directive=draft, by=clerk)
            signed = directive_sign(directive=numbered, by=signer, pin=DEMO_SIGNER_PIN)
            report = directive_issue(directive=signed, by=clerk)
        sign_and_deliver(report, stdout)
        made.append(report.number_symbol)
    if not existing.filter(subject=CHUPAH_DECISION_SUBJECT).exists():
        targets = Unit.objects.filter(code__in=["VHTT.CHUPAH", "TTVH.CHUPAH"]).order_by("code")
        with transaction.atomic():
            draft = directive_save_draft(
                by=drafter,
                directive=None,
                fields={
                    **base,
                    "doc_type": "QĐ",
                    "is_normative": True,
                    "subject": CHUPAH_DECISION_SUBJECT,
                    "legal_bases": (
                        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\n"
                        "Căn cứ Luật Ban hành văn bản quy phạm pháp luật ngày 22 tháng 6 "
                        "năm 2015;"
                    ),
                    "body": CHUPAH_DECISION_BODY,
                },
                addressees=[{"group": None, "unit": u, "label": u.name} for u in targets],
                copies=[{"label": "Lưu: VT, VHTT", "purpose": P.ARCHIVE}],
                tasks=[],
            )
            directive_submit(directive=draft, by=drafter, signer=signer)
            directive_approve(directive=draft, by=signer)
        made.append(CHUPAH_DECISION_SUBJECT)
    return made
