"""Loading the demo units, groups and officers (idempotent: update_or_create by code)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from recipients import roles
from recipients.demo.province import (
    DEPARTMENTS,
    DISTRICTS,
    REPRESENTATIVE_OFFICES,
    K,
    demo_units,
    email,
)
from recipients.models import RecipientGroup, Unit, User

DEMO_PASSWORD = "demo12345"  # noqa: S105 - printed on purpose; loaddemo refuses when DEBUG=False


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
        # The Sở's own inbox: letters other issuers send to the Sở (UBND huyện Chư Păh's).
        DemoUser("stttt", "Đỗ Thị", "Hạnh", "STTTT", (roles.UNIT_OFFICER,), title="Văn thư Sở"),
        # The Sở's head distributes its incoming letters; an officer of Phòng TTBCXB handles one.
        DemoUser(
            "stttt.truong",
            "Nguyễn Hữu",
            "Hoàng",
            "STTTT",
            (roles.UNIT_OFFICER,),
            title="GIÁM ĐỐC",
            is_unit_head=True,
        ),
        DemoUser(
            "ttbcxb",
            "Lê Thị",
            "Ngọc Anh",
            "TTBCXB",
            (roles.UNIT_OFFICER,),
            title="Chuyên viên Phòng TTBCXB",
        ),
        # UBND huyện Chư Păh issues its own letters: its drafter, signer and clerk.
        DemoUser(
            "chupah.chuyenvien",
            "Rơ Châm",
            "H'Lan",
            "VHTT.CHUPAH",
            (roles.DRAFTER,),
            title="Chuyên viên Phòng Văn hóa và Thông tin",
        ),
        DemoUser(
            "chupah.lanhdao",
            "Nguyễn Văn",
            "Quang",
            "UBND.CHUPAH",
            (roles.SIGNER,),
            title="PHÓ CHỦ TỊCH",
        ),
        DemoUser("chupah.vanthu", "Trần Thị", "Hoa", "VP.CHUPAH", (roles.CLERK,), title="Văn thư"),
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
                    "abbreviation": spec.abbreviation or spec.code,
                    "identifier_code": spec.identifier_code,
                    "has_normative_register": spec.has_normative_register,
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
