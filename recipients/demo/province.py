"""The province of Gia Lai before 2025, as plain Python structures: its units and officers."""

from __future__ import annotations

from dataclasses import dataclass

from recipients.models import Unit

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
    abbreviation: str = ""  # written in symbols; empty: the code
    identifier_code: str = ""
    has_normative_register: bool = False


# Identifier codes (mã định danh, Quyết định 20/2020/QĐ-TTg) in the demo: the shape of the
# province's published list, level 1 "H21" for the province; the numbers are illustrative.
PROVINCE_LEVEL1 = "H21"


def identifier(level2: int, level3: int = 0, level4: int = 0) -> str:
    return f"{level4:03d}.{level3:02d}.{level2:02d}.{PROVINCE_LEVEL1}"


# UBND huyện Chư Păh issues letters of its own in the demo: its Văn phòng HĐND và UBND keeps
# its register (the clerk) and drafts, with the Phòng Văn hóa và Thông tin.
ISSUING_DISTRICT = "CHUPAH"


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
            abbreviation="UBND",
            identifier_code=identifier(0),
            has_normative_register=True,
        ),
        DemoUnit(
            "STTTT",
            "Sở Thông tin và Truyền thông",
            K.DEPARTMENT,
            short_name="Sở TT&TT",
            emails=(email("vanthu.stttt"),),
            head_title="GIÁM ĐỐC",
            sort_order=20,
            identifier_code=identifier(31),
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
            abbreviation="VP",
            identifier_code=identifier(31, 1),
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
        order = 100 + 4 * i
        issuing = suffix == ISSUING_DISTRICT
        units += [
            DemoUnit(
                f"UBND.{suffix}",
                f"Ủy ban nhân dân {level} {place}",
                K.DISTRICT_COMMITTEE,
                short_name=f"UBND {level} {place}",
                emails=(email(f"vanthu.{login}"),),
                head_title="CHỦ TỊCH",
                sort_order=order,
                abbreviation="UBND",
                identifier_code=identifier(50 + i),
                has_normative_register=issuing,
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
                abbreviation="VHTT",
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
                abbreviation="TTVHTT",
            ),
        ]
        if issuing:
            units.append(
                DemoUnit(
                    f"VP.{suffix}",
                    f"Văn phòng Hội đồng nhân dân và Ủy ban nhân dân {level} {place}",
                    K.DIVISION,
                    short_name=f"Văn phòng HĐND và UBND {place}",
                    parent=f"UBND.{suffix}",
                    emails=(email(f"vanphong.{login}"),),
                    head_title="CHÁNH VĂN PHÒNG",
                    sort_order=order + 3,
                    abbreviation="VP",
                    identifier_code=identifier(50 + i, 1),
                )
            )
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
