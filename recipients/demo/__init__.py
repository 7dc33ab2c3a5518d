"""Demo data: the province of Gia Lai before 2025, its units, recipient groups and demo users.

Plain Python structures, loaded by `demo_recipients_load()` (idempotent: update_or_create by
unit code, group code and username). Only for a development portal: every demo user has the
same public password, so `manage.py loaddemo` refuses to run when DEBUG is False.

Contact e-mails use the reserved ".example" top-level domain (RFC 2606) on purpose: the names
look like the province's real addresses, but a demo portal wired to a real SMTP server can
never mail a real government office.
"""

from recipients.demo.loader import (
    DEMO_PASSWORD,
    FAMILY,
    GIVEN,
    DemoGroup,
    DemoUser,
    demo_groups,
    demo_logins,
    demo_recipients_load,
    demo_users,
)
from recipients.demo.province import (
    DEMO_EMAIL_DOMAIN,
    DEPARTMENTS,
    DISTRICTS,
    REPRESENTATIVE_OFFICES,
    DemoUnit,
    K,
    demo_units,
    email,
)

__all__ = [
    "DEMO_EMAIL_DOMAIN",
    "DEMO_PASSWORD",
    "DEPARTMENTS",
    "DISTRICTS",
    "DemoGroup",
    "DemoUnit",
    "DemoUser",
    "FAMILY",
    "GIVEN",
    "K",
    "REPRESENTATIVE_OFFICES",
    "demo_groups",
    "demo_logins",
    "demo_recipients_load",
    "demo_units",
    "demo_users",
    "email",
]
