"""No page answers a malformed parameter with a server error (issue 17, finding 4).

Every GET parameter of every page, those its forms and filter links offer (read from the page
itself) and those the views read (the table below), is sent malformed values, signed in as each
role and signed out: the answer is the page with the filter ignored, or a 400, never a 5xx. A
NUL byte, which no database column can hold, is a 400 wherever it is, in a parameter or in the
path (/verify/%00/).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse

from directives.models import Dispatch, Notification
from recipients import roles
from recipients.models import Unit
from tests.directives.workspace.data import make_issued
from tests.factories import RecipientGroupFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

NUL = "\x00"
# Numbers Python's int() or the database refuse or overflow on, digits that str.isdigit()
# accepts and int() does not ("²"), other scripts' digits, and text no filter expects.
BAD_VALUES = [
    NUL,
    f"7{NUL}",
    "99999",
    "-5",
    "1e20",
    "²",
    "٣",
    "1.5",
    "9" * 400,
    "NaN",
    "-0",
    "'\"<x>",
]
# Parameters the views read that no form on the page may show (paging, the admin's sort and
# search, a PDF inline, the acknowledgement link's PDF, the matrix's filters, `next`).
READ_BY_VIEWS = {
    "home": ["next"],
    "login": ["next"],
    "list": ["page", "box", "q", "status", "doc_type", "year", "signer", "drafting_unit"],
    "register": ["year", "doc_type"],
    "register_xlsx": ["year", "doc_type"],
    "notifications": ["unread", "page"],
    "inbox": ["page", "q", "acknowledged", "due", "urgency", "year", "issuer"],
    "matrix": ["group", "late"],
    "matrix_xlsx": ["group", "late"],
    "matrix_csv": ["group", "late"],
    "pdf": ["inline"],
    "attachment": ["inline"],
    "ack": ["format"],
    "directory": ["q", "kind", "page"],
    "admin_units": ["kind__exact", "is_active__exact", "parent", "q", "o", "p"],
    "admin_users": ["groups__id__exact", "is_staff__exact", "unit__kind__exact", "q", "o", "p"],
    "admin_groups": ["q", "o", "p"],
    "admin_keys": ["backend__exact", "is_active__exact", "q"],
    "admin_log": ["action__exact", "resource_type", "cid", "q", "timestamp__year"],
}
ROLES = ["anonymous", *roles.ALL_ROLES, "superuser"]


@pytest.fixture
def world(db):
    agency = UnitFactory(code="STTTT", name="Sở Thông tin và Truyền thông")
    division = UnitFactory(code="TTBCXB", kind=Unit.Kind.DIVISION, parent=agency)
    district = UnitFactory(code="CHUPAH", kind=Unit.Kind.DISTRICT_COMMITTEE)
    RecipientGroupFactory(units=[district], kinds=["department"])
    people = {
        roles.DRAFTER: UserFactory(unit=division, roles=[roles.DRAFTER]),
        roles.SIGNER: UserFactory(unit=agency, roles=[roles.SIGNER]),
        roles.CLERK: UserFactory(unit=agency, roles=[roles.CLERK]),
        roles.UNIT_OFFICER: UserFactory(unit=district, roles=[roles.UNIT_OFFICER]),
        roles.ADMINISTRATOR: UserFactory(unit=agency, roles=[roles.ADMINISTRATOR]),
        "superuser": UserFactory(unit=agency, is_superuser=True, is_staff=True),
    }
    directive = make_issued(units=[district], issuing_unit=agency, number=1038)
    dispatch = Dispatch.objects.get(directive=directive)
    Notification.objects.create(
        key="bad-params-1",
        user=people[roles.UNIT_OFFICER],
        unit=district,
        directive=directive,
        kind="issued",
        channel="in_app",
    )
    pk = directive.pk
    pages = {
        "home": reverse("home"),
        "login": reverse("login"),
        "list": reverse("directives:list"),
        "create": reverse("directives:create"),
        "detail": reverse("directives:detail", args=[pk]),
        "register": reverse("directives:register"),
        "register_xlsx": reverse("directives:register_xlsx"),
        "paper": reverse("directives:paper_create"),
        "pdf": reverse("directives:pdf", args=[pk]),
        "verify": reverse("directives:verify"),
        "verify_token": reverse("directives:verify_token", args=[directive.verify_token or "x"]),
        "notifications": reverse("directives:notifications"),
        "inbox": reverse("directives:inbox"),
        "inbox_detail": reverse("directives:inbox_detail", args=[dispatch.pk]),
        "dashboard": reverse("directives:dashboard"),
        "matrix": reverse("directives:matrix", args=[pk]),
        "matrix_xlsx": reverse("directives:matrix_xlsx", args=[pk]),
        "matrix_csv": reverse("directives:matrix_csv", args=[pk]),
        "ack": reverse("directives:ack_link", args=["not-a-token"]),
        "directory": reverse("recipients:directory"),
        "admin_units": reverse("admin:recipients_unit_changelist"),
        "admin_users": reverse("admin:recipients_user_changelist"),
        "admin_groups": reverse("admin:recipients_recipientgroup_changelist"),
        "admin_keys": reverse("admin:recipients_signingkeystore_changelist"),
        "admin_log": reverse("admin:auditlog_logentry_changelist"),
    }
    return people, pages


def offered_parameters(response, path: str) -> set[str]:
    """The names a page's GET forms send and the query keys of its links to itself."""
    if "html" not in response.get("Content-Type", "") or not response.content.strip():
        return set()
    page = lxml.html.fromstring(response.content)
    names = set()
    for form in page.xpath("//form[not(@method) or translate(@method, 'GET', 'get')='get']"):
        names |= {n for n in form.xpath(".//*[@name]/@name") if n != "csrfmiddlewaretoken"}
    for href in page.xpath("//a/@href"):
        link = urlsplit(href)
        if link.query and link.path in ("", path):
            names |= {key for key, _value in parse_qsl(link.query, keep_blank_values=True)}
    return names


def get(client: Client, path: str, params: dict[str, str]):
    # Built by hand: the test client would encode NUL the same way, but this shows the URL.
    return client.get(f"{path}?{urlencode(params)}")


def check(response, url: str, sent: str, failures: list) -> None:
    if response.status_code >= 500 or (NUL in sent and response.status_code != 400):
        failures.append((url, response.status_code))


@pytest.mark.parametrize("role", ROLES)
def test_no_malformed_parameter_breaks_a_page(world, role):
    people, pages = world
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(people[role])
    failures: list = []
    for name, path in pages.items():
        clean = client.get(path)
        assert clean.status_code < 500, (name, clean.status_code)
        parameters = set(READ_BY_VIEWS.get(name, [])) | offered_parameters(clean, path)
        for value in BAD_VALUES:
            # Every parameter at once, malformed alike ...
            everything = dict.fromkeys(parameters or ["x"], value)
            check(get(client, path, everything), f"{name} {everything!r}", value, failures)
            if clean.status_code != 200:
                continue  # a page this role cannot open refuses before it reads anything
            # ... and each one alone, the others absent.
            for parameter in sorted(parameters):
                check(
                    get(client, path, {parameter: value}),
                    f"{name} {parameter}={value!r}",
                    value,
                    failures,
                )
    assert failures == [], "\n".join(f"{url}: {status}" for url, status in failures)


@pytest.mark.parametrize("role", ["anonymous", roles.UNIT_OFFICER])
def test_malformed_path_parts_are_refused_not_broken(world, role):
    people, _pages = world
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(people[role])
    failures: list = []
    for prefix in ("/verify/", "/ack/"):
        for value in BAD_VALUES:
            response = client.get(prefix + quote(value, safe="") + "/")
            check(response, prefix + repr(value), value, failures)
    assert failures == [], "\n".join(f"{url}: {status}" for url, status in failures)


def test_a_nul_in_a_parameters_name_is_refused(world):
    people, pages = world
    client = Client(raise_request_exception=False)
    client.force_login(people["superuser"])
    for name in ("list", "inbox", "admin_units"):
        assert client.get(pages[name] + "?a%00b=1").status_code == 400, name
