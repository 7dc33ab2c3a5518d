"""The Sở TT&TT's demo letters: the sample letter 1038/STTTT-TTBCXB of 24 June 2021 issued
through the real workflow, and one letter on each desk of the workflow."""

from __future__ import annotations

import datetime

from django.db import transaction

from directives.demo.keys import DEMO_SIGNER_PIN
from directives.models import CopyRecipient, Directive, Register
from directives.services import (
    directive_approve,
    directive_issue,
    directive_number,
    directive_save_draft,
    directive_sign,
    directive_submit,
)
from directives.workdays import local_today
from recipients.models import RecipientGroup, Unit, User

SAMPLE_NUMBER = 1038
SAMPLE_DATE = datetime.date(2021, 6, 24)
SAMPLE_SUBJECT = "thông tin, tuyên truyền Bộ Quy tắc ứng xử trên mạng xã hội"

SAMPLE_BODY_PARAGRAPHS = (
    (
        "Hiện Bộ Thông tin và Truyền thông đã ban hành Quyết định số 874/QĐ-BTTTT ngày "
        "17/6/2021 về việc Ban hành Bộ Quy tắc ứng xử trên mạng xã hội. Bộ quy tắc này giúp "
        "nâng cao nhận thức cho cộng đồng về việc họ nên ứng xử như thế nào trên môi trường "
        "Internet."
    ),
    (
        "Sở Thông tin và Truyền thông (TT&TT) đề nghị các Sở, ban ngành; Ủy ban nhân dân các "
        "huyện, thị xã, thành phố (sau đây gọi chung là cấp huyện); các cơ quan báo chí địa "
        "phương, trung ương, ngành và các tỉnh thành khác đặt văn phòng đại diện, cử phóng viên"
        " thường trú hoạt động báo chí trên địa bàn tỉnh Gia Lai; phối hợp triển khai một số "
        "nội dung sau:"
    ),
    "1. Các Sở, ban ngành; Ủy ban nhân dân các huyện, thị xã, thành phố:",
    (
        "- Phổ biến, quán triệt đến toàn thể công chức, viên chức, người lao động của đơn vị "
        "thực hiện nghiêm Quyết định số 874/QĐ-BTTTT ngày 17/6/2021 của Bộ Thông tin và Truyền "
        "thông, trong đó chú trọng nội dung Quy tắc ứng xử trên môi trường mạng cho tổ chức, cá"
        " nhân; cho cán bộ, công chức, viên chức và người lao động trong cơ quan nhà nước; cho "
        "các cơ quan nhà nước."
    ),
    (
        "- Ủy ban nhân dân cấp huyện chỉ đạo Phòng Văn hóa và Thông tin; Trung tâm Văn hóa, "
        "Thông tin và Thể thao cấp huyện đẩy mạnh công tác tuyên truyền nội dung tại mục 2 của "
        "văn bản này."
    ),
    (
        "2. Các cơ quan báo chí địa phương; Văn phòng đại diện, phóng viên thường trú trên địa "
        "bàn tỉnh:"
    ),
    (
        "- Tuyên truyền, phổ biến mục đích, đối tượng, phạm vi điều chỉnh, nội dung của Bộ Quy "
        "tắc ứng xử trên mạng xã hội được ban hành kèm theo Quyết định số 874/QĐ-BTTTT ngày "
        "17/6/2021 của Bộ Thông tin và Truyền thông."
    ),
    (
        "- Chú trọng thông tin, tuyên truyền quy tắc ứng xử cho tổ chức, cá nhân, quy tắc ứng "
        "xử cho cán bộ, công chức, viên chức và người lao động trong cơ quan nhà nước, quy tắc "
        "ứng xử cho các nhà cung cấp dịch vụ mạng xã hội trên các phương tiện thông tin đại "
        "chúng. Đặc biệt là quy tắc ứng xử chung, đây là những quy tắc áp dụng cho tất cả các "
        "nhóm đối tượng, bao gồm:"
    ),
    (
        "+ Quy tắc Tôn trọng, tuân thủ pháp luật: Tuân thủ pháp luật Việt Nam, tôn trọng quyền "
        "và lợi ích hợp pháp của tổ chức, cá nhân."
    ),
    (
        "+ Quy tắc Lành mạnh: Hành vi, ứng xử trên mạng xã hội phù hợp với các giá trị đạo đức,"
        " văn hóa, truyền thống tốt đẹp của dân tộc Việt Nam."
    ),
    (
        "+ Quy tắc An toàn, bảo mật thông tin: Tuân thủ các quy định và hướng dẫn về bảo vệ an "
        "toàn và bảo mật thông tin."
    ),
    (
        "+ Quy tắc Trách nhiệm: Chịu trách nhiệm về các hành vi, ứng xử trên mạng xã hội; phối "
        "hợp với các cơ quan chức năng để xử lý hành vi, nội dung thông tin vi phạm pháp luật."
    ),
    (
        "- Thông tin khuyến nghị các cơ quan, tổ chức căn cứ vào các văn bản quy phạm pháp luật"
        " hiện hành và Bộ Quy tắc này triển khai thực hiện và phổ biến nội dung của Bộ Quy tắc "
        "phù hợp với chức năng, nhiệm vụ, quyền hạn và đặc thù của cơ quan, tổ chức của mình, "
        "trong đó chú trọng đến việc bảo đảm an toàn, lành mạnh cho “người yếu thế” khi sử dụng"
        " mạng xã hội."
    ),
    (
        "- Thông tin việc người sử dụng và nhà cung cấp dịch vụ mạng xã hội được khuyến khích "
        "thực hiện đầy đủ các nội dung Bộ Quy tắc và tuyên truyền, phổ biến rộng rãi tới các tổ"
        " chức, cá nhân khác sử dụng mạng xã hội."
    ),
    "Chi tiết Quyết định số 874/QĐ-BTTTT ngày 17/6/2021 được đăng tải tại địa chỉ:",
    (
        "<http://sttt.gialai.gov.vn/Documents/van-ban-trung-uong/Thong-tin,-bao-chi,-xuat-ban/Q"
        "uyet-dinh-Ban-hanh-Bo-Quy-tac-ung-xu-tren-mang-xa.aspx>"
    ),
    "Nhận được Công văn này, Sở TT&TT đề nghị các đơn vị quan tâm, triển khai thực hiện./.",
)
SAMPLE_BODY = "\n\n".join(SAMPLE_BODY_PARAGRAPHS)

# (group code, label as printed) of the sample's "Kính gửi".
SAMPLE_ADDRESSEES = [
    ("cac-so-ban-nganh", "Các Sở, ban ngành"),
    ("ubnd-cap-huyen", "Ủy ban nhân dân các huyện, thị xã, thành phố"),
    ("bao-chi-dia-phuong", "Các cơ quan báo chí địa phương"),
    ("vpdd-phong-vien-thuong-tru", "Văn phòng đại diện, phóng viên thường trú trên địa bàn tỉnh"),
]
P = CopyRecipient.Purpose
# (label, unit code, group code, purpose) of the sample's "Nơi nhận" beyond "Như trên".
SAMPLE_COPIES = [
    ("Bộ TT&TT (báo cáo)", "BTTTT", None, P.REPORT),
    ("UBND tỉnh (báo cáo)", "UBND", None, P.REPORT),
    ("Ban Tuyên giáo Tỉnh ủy", "BTGTU", None, P.INFO),
    ("Phòng VH&TT cấp huyện", None, "phong-vhtt-cap-huyen", P.INFO),
    ("Trung tâm VH, TT&TT cấp huyện", None, "trung-tam-vhttt-cap-huyen", P.INFO),
    ("Lưu: VT, P.TTBCXB", None, None, P.ARCHIVE),
]
# The two numbered sections of the sample, each a task for its groups.
SAMPLE_TASKS = [
    (
        "Phổ biến, quán triệt Bộ Quy tắc ứng xử trên mạng xã hội đến toàn thể công chức, viên "
        "chức, người lao động; cấp huyện chỉ đạo đẩy mạnh tuyên truyền (mục 1)",
        ("cac-so-ban-nganh", "ubnd-cap-huyen"),
        datetime.date(2021, 7, 15),
        True,
    ),
    (
        "Tuyên truyền, phổ biến Bộ Quy tắc ứng xử trên mạng xã hội trên các phương tiện thông "
        "tin đại chúng (mục 2)",
        ("bao-chi-dia-phuong", "vpdd-phong-vien-thuong-tru"),
        datetime.date(2021, 7, 31),
        False,
    ),
]

LETTERHEAD = {
    "parent_body": "UBND TỈNH GIA LAI",
    "place": "Gia Lai",
    "urgency": "normal",
    "signing_authority": "KT",
    "head_title": "GIÁM ĐỐC",
    "signer_title": "PHÓ GIÁM ĐỐC",
    "signer_name": "Lê Thị Thu Hương",
    "file_copy_holder": "VT, P.TTBCXB",
}


class Demo:
    """The demo province's people, units and groups, looked up once."""

    def __init__(self) -> None:
        self.units = {u.code: u for u in Unit.objects.all()}
        self.groups = {g.code: g for g in RecipientGroup.objects.all()}
        users = User.objects.filter(username__in=["chuyenvien", "lanhdao", "vanthu"])
        self.users = {u.username: u for u in users}

    @property
    def ready(self) -> bool:
        return {"chuyenvien", "lanhdao", "vanthu"} <= set(self.users) and "STTTT" in self.units

    def fields(self, subject: str, body: str, doc_type: str = "CV", **more) -> dict:
        return {
            **LETTERHEAD,
            "issuing_unit": self.units["STTTT"],
            "drafting_unit": self.units["TTBCXB"],
            "doc_type": doc_type,
            "subject": subject,
            "body": body,
            **more,
        }

    def addressees(self, codes: list[tuple[str, str]]) -> list[dict]:
        return [{"group": self.groups[code], "unit": None, "label": label} for code, label in codes]

    def task(self, title: str, groups, deadline, report: bool) -> dict:
        return {
            "title": title,
            "deadline": deadline,
            "report_required": report,
            "groups": [self.groups[code] for code in groups],
            "units": [],
        }

    def exists(self, subject: str) -> bool:
        return Directive.objects.filter(issuing_unit=self.units["STTTT"], subject=subject).exists()


def sample_letter(demo: Demo) -> Directive | None:
    sttt = demo.units["STTTT"]
    done = Directive.objects.filter(
        issuing_unit=sttt, register_year=SAMPLE_DATE.year, number=SAMPLE_NUMBER
    ).first()
    if done is not None:
        return None
    drafter, signer, clerk = (demo.users[n] for n in ("chuyenvien", "lanhdao", "vanthu"))
    copies = [
        {
            "label": label,
            "unit": demo.units.get(unit) if unit else None,
            "group": demo.groups.get(group) if group else None,
            "purpose": purpose,
        }
        for label, unit, group, purpose in SAMPLE_COPIES
    ]
    with transaction.atomic():
        register, _new = Register.objects.get_or_create(unit=sttt, year=SAMPLE_DATE.year)
        if register.last_number < SAMPLE_NUMBER - 1:
            register.last_number = SAMPLE_NUMBER - 1
            register.save(update_fields=["last_number"])
        draft = directive_save_draft(
            by=drafter,
            directive=None,
            fields=demo.fields(SAMPLE_SUBJECT, SAMPLE_BODY),
            addressees=demo.addressees(SAMPLE_ADDRESSEES),
            copies=copies,
            tasks=[demo.task(*spec) for spec in SAMPLE_TASKS],
        )
        directive_submit(directive=draft, by=drafter, signer=signer)
        directive_approve(directive=draft, by=signer, comment="Đồng ý ban hành.")
        numbered = directive_number(directive=draft, by=clerk, on=SAMPLE_DATE)
        signed = directive_sign(directive=numbered, by=signer, pin=DEMO_SIGNER_PIN)
        return directive_issue(directive=signed, by=clerk)


def pending_letters(demo: Demo) -> list[str]:
    """A draft for the drafter, one awaiting the signer's approval, one approved for the clerk
    to number, and one numbered for the signer to sign with her key."""
    drafter, signer, clerk = (demo.users[n] for n in ("chuyenvien", "lanhdao", "vanthu"))
    soon = local_today() + datetime.timedelta(days=21)
    everyone = [SAMPLE_ADDRESSEES[0], SAMPLE_ADDRESSEES[1]]
    specs = [
        (
            "tăng cường bảo đảm an toàn thông tin mạng trong dịp Tết Nguyên đán",
            "CV",
            everyone,
            None,
        ),
        (
            "thông tin, tuyên truyền về chuyển đổi số trên địa bàn tỉnh",
            "KH",
            everyone,
            "submit",
        ),
        (
            "đôn đốc báo cáo kết quả tuyên truyền Bộ Quy tắc ứng xử trên mạng xã hội",
            "CV",
            everyone,
            "approve",
        ),
        (
            "triển khai Ngày Chuyển đổi số tỉnh Gia Lai năm nay",
            "CV",
            everyone,
            "number",
        ),
    ]
    made = []
    for subject, doc_type, addressees, until in specs:
        if demo.exists(subject):
            continue
        body = DEMO_BODIES[doc_type]
        with transaction.atomic():
            draft = directive_save_draft(
                by=drafter,
                directive=None,
                fields=demo.fields(subject, body, doc_type),
                addressees=demo.addressees(addressees),
                copies=[{"label": "Lưu: VT, P.TTBCXB", "purpose": P.ARCHIVE}],
                tasks=[
                    demo.task(
                        "Báo cáo kết quả thực hiện về Sở Thông tin và Truyền thông",
                        [code for code, _label in addressees],
                        soon,
                        True,
                    )
                ],
            )
            if until in ("submit", "approve", "number"):
                directive_submit(directive=draft, by=drafter, signer=signer)
            if until in ("approve", "number"):
                directive_approve(directive=draft, by=signer)
            if until == "number":
                directive_number(directive=draft, by=clerk)
        made.append(subject)
    return made


DEMO_BODIES = {
    "CV": (
        "Sở Thông tin và Truyền thông đề nghị các cơ quan, đơn vị:\n\n"
        "1. Rà soát, kiểm tra các hệ thống thông tin thuộc phạm vi quản lý.\n\n"
        "- Bảo đảm an toàn thông tin, kịp thời khắc phục các điểm yếu, lỗ hổng.\n\n"
        "2. Báo cáo kết quả thực hiện về Sở Thông tin và Truyền thông đúng thời hạn./."
    ),
    "KH": (
        "1. Mục đích, yêu cầu\n\n"
        "- Nâng cao nhận thức của cán bộ, công chức, viên chức và người dân về chuyển đổi số.\n\n"
        "2. Nội dung tuyên truyền\n\n"
        "- Các chủ trương, chính sách về chuyển đổi số; các mô hình, cách làm hay./."
    ),
}
