"""Demo data: the province of Gia Lai before 2025, its units, recipient groups and demo users.

Plain Python structures, loaded by `demo_recipients_load()` (idempotent: update_or_create by
unit code, group code and username). Only for a development portal: every demo user has the
same public password, so `manage.py loaddemo` refuses to run when DEBUG is False.

Contact e-mails use the reserved ".example" top-level domain (RFC 2606) on purpose: the names
look like the province's real addresses, but a demo portal wired to a real SMTP server can
never mail a real government office.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from . import roles
from .models import RecipientGroup, Unit, User

DEMO_PASSWORD = "demo12345"  # noqa: S105 - printed on purpose; loaddemo refuses when DEBUG=False
DEMO_EMAIL_DOMAIN = "gialai.gov.vn.example"

K = Unit.Kind


def email(local: str, domain: str = DEMO_EMAIL_DOMAIN) -> str:
    return f"{local}@{domain}"


@dataclass(frozen=True)
class DemoUnit:
    code: str
    name: str
    kind: str
    short_name: str = ""
    parent: str | None = None
    emails: tuple[str, ...] = ()
    head_title: str = ""
    is_external: bool = False
    sort_order: int = 0


# (code suffix, "thành phố" / "thị xã" / "huyện", place name, login name)
DISTRICTS: list[tuple[str, str, str, str]] = [
    ("PLEIKU", "thành phố", "Pleiku", "pleiku"),
    ("ANKHE", "thị xã", "An Khê", "ankhe"),
    ("AYUNPA", "thị xã", "Ayun Pa", "ayunpa"),
    ("CHUPAH", "huyện", "Chư Păh", "chupah"),
    ("CHUPRONG", "huyện", "Chư Prông", "chuprong"),
    ("CHUPUH", "huyện", "Chư Pưh", "chupuh"),
    ("CHUSE", "huyện", "Chư Sê", "chuse"),
    ("DAKDOA", "huyện", "Đak Đoa", "dakdoa"),
    ("DAKPO", "huyện", "Đak Pơ", "dakpo"),
    ("DUCCO", "huyện", "Đức Cơ", "ducco"),
    ("IAGRAI", "huyện", "Ia Grai", "iagrai"),
    ("IAPA", "huyện", "Ia Pa", "iapa"),
    ("KBANG", "huyện", "Kbang", "kbang"),
    ("KONGCHRO", "huyện", "Kông Chro", "kongchro"),
    ("KRONGPA", "huyện", "Krông Pa", "krongpa"),
    ("MANGYANG", "huyện", "Mang Yang", "mangyang"),
    ("PHUTHIEN", "huyện", "Phú Thiện", "phuthien"),
]

# (code, name, short name, head's title, e-mail local part)
DEPARTMENTS: list[tuple[str, str, str, str, str]] = [
    ("VPUBND", "Văn phòng Ủy ban nhân dân tỉnh", "VP UBND tỉnh", "CHÁNH VĂN PHÒNG", "vpubnd"),
    ("SNV", "Sở Nội vụ", "Sở Nội vụ", "GIÁM ĐỐC", "snv"),
    ("STC", "Sở Tài chính", "Sở Tài chính", "GIÁM ĐỐC", "stc"),
    ("SKHDT", "Sở Kế hoạch và Đầu tư", "Sở KH&ĐT", "GIÁM ĐỐC", "skhdt"),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "Sở GD&ĐT", "GIÁM ĐỐC", "sgddt"),
    ("SYT", "Sở Y tế", "Sở Y tế", "GIÁM ĐỐC", "syt"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "Sở VHTT&DL", "GIÁM ĐỐC", "svhttdl"),
    ("STP", "Sở Tư pháp", "Sở Tư pháp", "GIÁM ĐỐC", "stp"),
    ("SCT", "Sở Công Thương", "Sở Công Thương", "GIÁM ĐỐC", "sct"),
    ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", "Sở NN&PTNT", "GIÁM ĐỐC", "snnptnt"),
    ("STNMT", "Sở Tài nguyên và Môi trường", "Sở TN&MT", "GIÁM ĐỐC", "stnmt"),
    ("SXD", "Sở Xây dựng", "Sở Xây dựng", "GIÁM ĐỐC", "sxd"),
    ("SGTVT", "Sở Giao thông vận tải", "Sở GTVT", "GIÁM ĐỐC", "sgtvt"),
    ("SLDTBXH", "Sở Lao động - Thương binh và Xã hội", "Sở LĐ-TB&XH", "GIÁM ĐỐC", "sldtbxh"),
    ("SKHCN", "Sở Khoa học và Công nghệ", "Sở KH&CN", "GIÁM ĐỐC", "skhcn"),
    ("SNGV", "Sở Ngoại vụ", "Sở Ngoại vụ", "GIÁM ĐỐC", "sngv"),
    ("TTT", "Thanh tra tỉnh", "Thanh tra tỉnh", "CHÁNH THANH TRA", "thanhtra"),
    ("BDT", "Ban Dân tộc tỉnh", "Ban Dân tộc", "TRƯỞNG BAN", "bandantoc"),
    ("CAT", "Công an tỉnh Gia Lai", "Công an tỉnh", "GIÁM ĐỐC", "congan"),
    ("BCHQS", "Bộ Chỉ huy Quân sự tỉnh Gia Lai", "Bộ CHQS tỉnh", "CHỈ HUY TRƯỞNG", "bchqs"),
]

# (code, name, login name)
REPRESENTATIVE_OFFICES: list[tuple[str, str, str]] = [
    ("VPDD.NHANDAN", "Văn phòng đại diện Báo Nhân Dân tại Gia Lai", "nhandan"),
    ("VPDD.THANHNIEN", "Văn phòng đại diện Báo Thanh Niên tại Gia Lai", "thanhnien"),
    ("PVTT.TUOITRE", "Phóng viên thường trú Báo Tuổi Trẻ tại Gia Lai", "tuoitre"),
    ("PVTT.VNEXPRESS", "Phóng viên thường trú Báo điện tử VnExpress tại Gia Lai", "vnexpress"),
    ("CQTT.TTXVN", "Cơ quan thường trú Thông tấn xã Việt Nam tại Gia Lai", "ttxvn"),
    ("CQTT.VOV", "Cơ quan thường trú Đài Tiếng nói Việt Nam khu vực Tây Nguyên", "vov"),
]


def demo_units() -> list[DemoUnit]:
    """Every demo unit, parents before children."""
    units = [
        DemoUnit(
            "BTTTT",
            "Bộ Thông tin và Truyền thông",
            K.MINISTRY,
            short_name="Bộ TT&TT",
            emails=(email("vanthu", "mic.gov.vn.example"),),
            head_title="BỘ TRƯỞNG",
            is_external=True,
            sort_order=1,
        ),
        DemoUnit(
            "UBND",
            "Ủy ban nhân dân tỉnh Gia Lai",
            K.PROVINCIAL_COMMITTEE,
            short_name="UBND tỉnh",
            emails=(email("vanthu.ubnd"),),
            head_title="CHỦ TỊCH",
            sort_order=10,
        ),
        DemoUnit(
            "STTTT",
            "Sở Thông tin và Truyền thông",
            K.DEPARTMENT,
            short_name="Sở TT&TT",
            emails=(email("vanthu.stttt"),),
            head_title="GIÁM ĐỐC",
            sort_order=20,
        ),
        DemoUnit(
            "VPS",
            "Văn phòng Sở Thông tin và Truyền thông",
            K.DIVISION,
            short_name="Văn phòng Sở",
            parent="STTTT",
            emails=(email("vanphong.stttt"),),
            head_title="CHÁNH VĂN PHÒNG",
            sort_order=21,
        ),
        DemoUnit(
            "TTBCXB",
            "Phòng Thông tin - Báo chí - Xuất bản",
            K.DIVISION,
            short_name="P.TTBCXB",
            parent="STTTT",
            emails=(email("ttbcxb.stttt"),),
            head_title="TRƯỞNG PHÒNG",
            sort_order=22,
        ),
        DemoUnit(
            "BCVTCNTT",
            "Phòng Bưu chính, Viễn thông và Công nghệ thông tin",
            K.DIVISION,
            short_name="P.BCVT&CNTT",
            parent="STTTT",
            emails=(email("bcvtcntt.stttt"),),
            head_title="TRƯỞNG PHÒNG",
            sort_order=23,
        ),
        DemoUnit(
            "TTS",
            "Thanh tra Sở Thông tin và Truyền thông",
            K.DIVISION,
            short_name="Thanh tra Sở",
            parent="STTTT",
            emails=(email("thanhtra.stttt"),),
            head_title="CHÁNH THANH TRA",
            sort_order=24,
        ),
        DemoUnit(
            "TTCNTT",
            "Trung tâm Công nghệ thông tin và Truyền thông",
            K.DIVISION,
            short_name="Trung tâm CNTT&TT",
            parent="STTTT",
            emails=(email("ttcntt.stttt"),),
            head_title="GIÁM ĐỐC",
            sort_order=25,
        ),
    ]
    for i, (code, name, short, head, local) in enumerate(DEPARTMENTS):
        units.append(
            DemoUnit(
                code,
                name,
                K.DEPARTMENT,
                short_name=short,
                emails=(email(f"vanthu.{local}"),),
                head_title=head,
                sort_order=30 + i,
            )
        )
    for i, (suffix, level, place, login) in enumerate(DISTRICTS):
        order = 100 + 3 * i
        units += [
            DemoUnit(
                f"UBND.{suffix}",
                f"Ủy ban nhân dân {level} {place}",
                K.DISTRICT_COMMITTEE,
                short_name=f"UBND {level} {place}",
                emails=(email(f"vanthu.{login}"),),
                head_title="CHỦ TỊCH",
                sort_order=order,
            ),
            DemoUnit(
                f"VHTT.{suffix}",
                f"Phòng Văn hóa và Thông tin {level} {place}",
                K.DIVISION,
                short_name=f"Phòng VH&TT {place}",
                parent=f"UBND.{suffix}",
                emails=(email(f"vhtt.{login}"),),
                head_title="TRƯỞNG PHÒNG",
                sort_order=order + 1,
            ),
            DemoUnit(
                f"TTVH.{suffix}",
                f"Trung tâm Văn hóa, Thông tin và Thể thao {level} {place}",
                K.OTHER,
                short_name=f"Trung tâm VH-TT&TT {place}",
                parent=f"UBND.{suffix}",
                emails=(email(f"ttvh.{login}"),),
                head_title="GIÁM ĐỐC",
                sort_order=order + 2,
            ),
        ]
    units += [
        DemoUnit(
            "BAOGL",
            "Báo Gia Lai",
            K.PRESS,
            short_name="Báo Gia Lai",
            emails=(email("toasoan.baogialai"),),
            head_title="TỔNG BIÊN TẬP",
            sort_order=300,
        ),
        DemoUnit(
            "PTTHGL",
            "Đài Phát thanh - Truyền hình Gia Lai",
            K.PRESS,
            short_name="Đài PT-TH Gia Lai",
            emails=(email("vanthu.ptth"),),
            head_title="GIÁM ĐỐC",
            sort_order=301,
        ),
    ]
    for i, (code, name, login) in enumerate(REPRESENTATIVE_OFFICES):
        units.append(
            DemoUnit(
                code,
                name,
                K.REPRESENTATIVE_OFFICE,
                emails=(email(login, "press.example"),),
                head_title="TRƯỞNG VĂN PHÒNG" if code.startswith("VPDD") else "",
                sort_order=400 + i,
            )
        )
    units.append(
        DemoUnit(
            "BTGTU",
            "Ban Tuyên giáo Tỉnh ủy Gia Lai",
            K.OTHER,
            short_name="Ban Tuyên giáo Tỉnh ủy",
            emails=(email("bantuyengiao", "tinhuy.gialai.example"),),
            head_title="TRƯỞNG BAN",
            sort_order=500,
        )
    )
    return units


@dataclass(frozen=True)
class DemoGroup:
    code: str
    name: str
    description: str
    kinds: tuple[str, ...] = ()
    members: tuple[str, ...] = ()


def demo_groups() -> list[DemoGroup]:
    # "Các Sở, ban ngành" lists its members explicitly instead of "every department": the
    # issuing Sở TT&TT is itself a department and must not be sent its own letters; an
    # administrator adds a new department to the group when one is created.
    departments = tuple(code for code, *_ in DEPARTMENTS)
    return [
        DemoGroup(
            "cac-so-ban-nganh",
            "Các Sở, ban ngành",
            "Các sở, ban, ngành thuộc UBND tỉnh (trừ Sở Thông tin và Truyền thông).",
            members=departments,
        ),
        DemoGroup(
            "ubnd-cap-huyen",
            "Ủy ban nhân dân các huyện, thị xã, thành phố",
            "17 đơn vị hành chính cấp huyện.",
            kinds=(K.DISTRICT_COMMITTEE,),
        ),
        DemoGroup(
            "bao-chi-dia-phuong",
            "Các cơ quan báo chí địa phương",
            "Báo Gia Lai, Đài Phát thanh - Truyền hình Gia Lai.",
            members=("BAOGL", "PTTHGL"),
        ),
        DemoGroup(
            "vpdd-phong-vien-thuong-tru",
            "Văn phòng đại diện, phóng viên thường trú trên địa bàn tỉnh",
            "Cơ quan báo chí trung ương, ngành và các tỉnh đặt văn phòng đại diện, "
            "cử phóng viên thường trú tại Gia Lai.",
            kinds=(K.REPRESENTATIVE_OFFICE,),
        ),
        DemoGroup(
            "phong-vhtt-cap-huyen",
            "Phòng Văn hóa và Thông tin cấp huyện",
            "Phòng Văn hóa và Thông tin của 17 huyện, thị xã, thành phố.",
            members=tuple(f"VHTT.{s}" for s, *_ in DISTRICTS),
        ),
        DemoGroup(
            "trung-tam-vhttt-cap-huyen",
            "Trung tâm VH, TT&TT cấp huyện",
            "Trung tâm Văn hóa, Thông tin và Thể thao của 17 huyện, thị xã, thành phố.",
            members=tuple(f"TTVH.{s}" for s, *_ in DISTRICTS),
        ),
    ]


@dataclass(frozen=True)
class DemoUser:
    username: str
    last_name: str
    first_name: str
    unit: str
    roles: tuple[str, ...]
    title: str = ""
    is_unit_head: bool = False
    is_staff: bool = False


FAMILY = [
    "Nguyễn Văn",
    "Trần Thị",
    "Lê Văn",
    "Phạm Thị",
    "Hoàng Văn",
    "Võ Thị",
    "Đặng Văn",
    "Bùi Thị",
]
GIVEN = ["Hùng", "Lan", "Dũng", "Mai", "Thắng", "Hà", "Phong", "Ngọc", "Sơn", "Thảo", "Tâm"]


def _person(i: int) -> tuple[str, str]:
    return FAMILY[i % len(FAMILY)], GIVEN[(i * 3) % len(GIVEN)]


def demo_users() -> list[DemoUser]:
    users = [
        DemoUser(
            "quantri",
            "Nguyễn Văn",
            "Quản",
            "VPS",
            (roles.ADMINISTRATOR,),
            title="Chuyên viên quản trị hệ thống",
            is_staff=True,
        ),
        DemoUser(
            "chuyenvien", "Trần Minh", "Tuấn", "TTBCXB", (roles.DRAFTER,), title="Chuyên viên"
        ),
        DemoUser("lanhdao", "Lê Thị", "Thu Hương", "STTTT", (roles.SIGNER,), title="PHÓ GIÁM ĐỐC"),
        DemoUser("vanthu", "Phạm Thị", "Lan", "VPS", (roles.CLERK,), title="Văn thư"),
    ]
    officer = (roles.UNIT_OFFICER,)
    n = 0
    for suffix, _level, _place, login in DISTRICTS:
        for username, title, head in (
            (login, "Chuyên viên Văn phòng HĐND và UBND", False),
            (f"{login}.truong", "Chánh Văn phòng HĐND và UBND", True),
        ):
            family, given = _person(n)
            n += 1
            users.append(
                DemoUser(
                    username, family, given, f"UBND.{suffix}", officer, title, is_unit_head=head
                )
            )
    press = [("baogialai", "BAOGL"), ("ptthgialai", "PTTHGL")]
    press += [(login, code) for code, _name, login in REPRESENTATIVE_OFFICES]
    for login, code in press:
        family, given = _person(n)
        n += 1
        users.append(DemoUser(login, family, given, code, officer, "Phóng viên", True))
    for code, _name, _short, _head, local in DEPARTMENTS:
        family, given = _person(n)
        n += 1
        users.append(DemoUser(local, family, given, code, officer, "Văn thư", True))
    return users


def demo_recipients_load() -> dict[str, int]:
    """Create or update the demo province; running it again changes nothing but passwords."""
    with transaction.atomic():
        created = {"units": 0, "groups": 0, "users": 0}
        by_code: dict[str, Unit] = {}
        for spec in demo_units():
            unit, is_new = Unit.objects.update_or_create(
                code=spec.code,
                defaults={
                    "name": spec.name,
                    "short_name": spec.short_name,
                    "kind": spec.kind,
                    "parent": by_code[spec.parent] if spec.parent else None,
                    "contact_emails": ", ".join(spec.emails),
                    "head_title": spec.head_title,
                    "is_external": spec.is_external,
                    "is_active": True,
                    "sort_order": spec.sort_order,
                },
            )
            by_code[spec.code] = unit
            created["units"] += is_new
        for i, spec in enumerate(demo_groups()):
            group, is_new = RecipientGroup.objects.update_or_create(
                code=spec.code,
                defaults={
                    "name": spec.name,
                    "description": spec.description,
                    "kinds": list(spec.kinds),
                    "sort_order": i + 1,
                },
            )
            group.members.set([by_code[c] for c in spec.members])
            created["groups"] += is_new
        role_groups = {g.name: g for g in Group.objects.filter(name__in=roles.ALL_ROLES)}
        # One hash for everyone: hashing ~70 times would take many seconds for nothing.
        password = make_password(DEMO_PASSWORD)
        for spec in demo_users():
            user, is_new = User.objects.update_or_create(
                username=spec.username,
                defaults={
                    "last_name": spec.last_name,
                    "first_name": spec.first_name,
                    "email": email(spec.username),
                    "unit": by_code[spec.unit],
                    "title": spec.title,
                    "is_unit_head": spec.is_unit_head,
                    "is_staff": spec.is_staff,
                    "is_active": True,
                    "password": password,
                },
            )
            user.groups.set([role_groups[r] for r in spec.roles if r in role_groups])
            created["users"] += is_new
    return {
        "units": Unit.objects.filter(code__in=by_code).count(),
        "groups": RecipientGroup.objects.filter(code__in=[g.code for g in demo_groups()]).count(),
        "users": User.objects.filter(username__in=[u.username for u in demo_users()]).count(),
        "created_units": created["units"],
        "created_groups": created["groups"],
        "created_users": created["users"],
    }


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(username, name, roles, unit) of the demo users, for the table loaddemo prints."""
    names = {u.code: u.short_name or u.name for u in demo_units()}
    return [
        (u.username, f"{u.last_name} {u.first_name}", ", ".join(u.roles), names[u.unit])
        for u in demo_users()
    ]
