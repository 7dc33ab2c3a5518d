"""The portal speaks Vietnamese whatever the browser asks, English only to whoever picks it.

An office PC with an English Windows sends `Accept-Language: en-US`: every page of every role,
the admin's lists, forms and import/export screens included, must still be Vietnamese, with no
English word of the interface left (third-party apps' missing translations live in the
project's own catalogue). A person who picks English, in the menu or on the profile page, gets
English in every browser they sign in to; signed out, the login page follows what was picked in
that browser.
"""

from __future__ import annotations

import contextlib
import io
import re

import lxml.html
import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse

from directives.models import Assignment, Directive, Dispatch, Notification
from recipients import roles
from recipients.models import Unit, User
from tests.directives.workspace.data import make_issued
from tests.factories import (
    DirectiveFactory,
    RecipientGroupFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}

# Words of the interface's English that no Vietnamese page has: the portal's own msgids and
# those of Django's admin, django-import-export, django-celery-beat, django-axes and
# django-auditlog. Matched as whole words, case-sensitively.
ENGLISH_WORDS = [
    # function words: never in Vietnamese text
    "the",
    "The",
    "and",
    "of",
    "for",
    "with",
    "your",
    "You",
    "you",
    "This",
    "this",
    "are",
    "not",
    "been",
    "has",
    "have",
    "from",
    "Please",
    # the interface
    "Import",
    "Export",
    "File to import",
    "Confirm import",
    "Format",
    "Resource",
    "Periodic tasks",
    "Periodic Tasks",
    "Intervals",
    "Crontabs",
    "Clocked",
    "Solar events",
    "Menu",
    "Save",
    "Delete",
    "Add",
    "Change",
    "History",
    "Search",
    "Filter",
    "Home",
    "Log out",
    "Log in",
    "Welcome",
    "View site",
    "Password",
    "Username",
    "Action",
    "Submit",
    "Cancel",
    "Yes",
    "Unknown",
    "Inbox",
    "Directives",
    "Notifications",
    "Dashboard",
    "Register",
    "Recent actions",
    "Show all",
    "Access attempts",
    "Access failures",
    "Access logs",
    "Log entries",
    "Groups",
    "Users",
    "Units",
    "Tasks",
    "Name",
    "Status",
    "Subject",
    "Deadline",
    "Report",
    "Account locked",
    "Audit log",
    "Actor",
    "Timestamp",
    "Close",
    "Back",
    "Next",
    "Previous",
    "Download",
    "Template",
    "Enabled",
    "Description",
    "Task Name",
    "Axes",
]
ENGLISH = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in ENGLISH_WORDS) + r")(?![\w-])")
# What a person reads besides the text: tooltips, placeholders, labels for screen readers,
# image descriptions, button values.
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


def english_on(html: bytes) -> list[str]:
    """The English words a person reads on the page (its text and its readable attributes),
    outside scripts, styles and the letter's own frame."""
    page = lxml.html.fromstring(html.decode() if isinstance(html, bytes) else html)
    # Scripts and styles are not read; the letter's frame is the letter; time zones are names
    # ("America/Port of Spain"); the audit log's recorded values are data, written as they
    # were when recorded.
    hidden = (
        "//script | //style | //template | //iframe | //noscript | //select[@name='timezone']"
        " | //div[contains(@class, 'field-msg')]//td"
    )
    for element in page.xpath(hidden):
        element.drop_tree()
    texts = [page.text_content()]
    for attribute in READ_ATTRIBUTES:
        texts += page.xpath(f"//@{attribute}")
    texts += page.xpath("//input[@type='submit' or @type='button']/@value")
    found = []
    for text in texts:
        found += [m.group(1) for m in ENGLISH.finditer(text)]
    return sorted(set(found))


@pytest.fixture
def world(db):
    agency = UnitFactory(code="STTTT", name="Sở Thông tin và Truyền thông")
    division = UnitFactory(
        code="TTBCXB", name="Phòng TTBCXB", kind=Unit.Kind.DIVISION, parent=agency
    )
    district = UnitFactory(
        code="CHUPAH", name="UBND huyện Chư Păh", kind=Unit.Kind.DISTRICT_COMMITTEE
    )
    RecipientGroupFactory(units=[district], kinds=["department"])
    people = {
        roles.DRAFTER: UserFactory(unit=division, roles=[roles.DRAFTER]),
        roles.SIGNER: UserFactory(unit=agency, roles=[roles.SIGNER]),
        roles.CLERK: UserFactory(unit=agency, roles=[roles.CLERK]),
        roles.UNIT_OFFICER: UserFactory(
            unit=district, roles=[roles.UNIT_OFFICER], is_unit_head=True
        ),
        roles.ADMINISTRATOR: UserFactory(unit=agency, roles=[roles.ADMINISTRATOR]),
        "superuser": UserFactory(unit=agency, is_superuser=True, is_staff=True),
    }
    issued = make_issued(units=[district], issuing_unit=agency, number=1038)
    draft = DirectiveFactory(
        issuing_unit=agency,
        drafting_unit=division,
        drafter=people[roles.DRAFTER],
        signer=people[roles.SIGNER],
    )
    TaskFactory(directive=draft)
    submitted = DirectiveFactory(
        issuing_unit=agency,
        drafting_unit=division,
        drafter=people[roles.DRAFTER],
        signer=people[roles.SIGNER],
        status=Directive.Status.SUBMITTED,
    )
    dispatch = Dispatch.objects.get(directive=issued)
    assignment = Assignment.objects.filter(dispatch=dispatch).first()
    Notification.objects.create(
        key="language-1",
        user=people[roles.UNIT_OFFICER],
        unit=district,
        directive=issued,
        kind="issued",
        channel="in_app",
    )
    pages = [
        reverse("home"),
        reverse("directives:list"),
        reverse("directives:list") + "?box=to_approve",
        reverse("directives:create"),
        reverse("directives:detail", args=[issued.pk]),
        reverse("directives:detail", args=[draft.pk]),
        reverse("directives:detail", args=[submitted.pk]),
        reverse("directives:edit", args=[draft.pk]),
        reverse("directives:register"),
        reverse("directives:paper_create"),
        reverse("directives:verify"),
        reverse("directives:notifications"),
        reverse("directives:inbox"),
        reverse("directives:inbox_detail", args=[dispatch.pk]),
        reverse("directives:incoming"),
        reverse("directives:incoming_book", args=[district.pk]),
        reverse("directives:incoming_book", args=[agency.pk]),
        reverse("directives:distribution"),
        reverse("directives:dashboard"),
        reverse("directives:matrix", args=[issued.pk]),
        reverse("directives:assignment_review", args=[assignment.pk]),
        reverse("directives:todo"),
        reverse("recipients:directory"),
        reverse("recipients:profile"),
        reverse("recipients:two_factor_enrol"),
        reverse("recipients:two_factor_login"),
        reverse("password_change"),
        *admin_pages(),
    ]
    return people, pages


def admin_pages() -> list[str]:
    """The admin's index, each app's page, and for every registered model its list, its add
    form, the change form of its first record and its import and export screens."""
    pages = [reverse("admin:index")]
    apps = set()
    for model in admin.site._registry:
        opts = model._meta
        apps.add(opts.app_label)
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        pages.append(reverse(f"{prefix}_changelist"))
        for suffix in ("add", "import", "export"):
            try:
                pages.append(reverse(f"{prefix}_{suffix}"))
            except NoReverseMatch:
                continue
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(reverse(f"{prefix}_change", args=[first.pk]))
            with contextlib.suppress(NoReverseMatch):
                pages.append(reverse(f"{prefix}_auditlog", args=[first.pk]))
    pages += [reverse("admin:app_list", args=[app]) for app in sorted(apps)]
    return pages


def walk(client: Client, pages: list[str]) -> tuple[dict[str, list[str]], int]:
    english: dict[str, list[str]] = {}
    read = 0
    for path in pages:
        response = client.get(path, **ENGLISH_BROWSER)
        assert response.status_code < 500, (path, response.status_code)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        read += 1
        page = response.content.decode()
        assert 'lang="vi"' in page, path
        words = english_on(response.content)
        if words:
            english[path] = words
    return english, read


@pytest.mark.parametrize("role", ["anonymous", *roles.ALL_ROLES, "superuser"])
def test_an_english_browser_gets_vietnamese_on_every_page(world, role):
    people, pages = world
    client = Client(raise_request_exception=False)
    if role == "anonymous":
        pages = [reverse("login"), reverse("admin:login"), reverse("directives:verify")]
    else:
        client.force_login(people[role])
    english, read = walk(client, pages)
    assert read >= 3, f"{role} opened only {read} pages"
    assert english == {}, "\n".join(f"{path}: {words}" for path, words in english.items())


def test_the_word_list_finds_english():
    """The check itself: the pages in English are caught."""
    assert english_on(b"<p>Import finished: 2 new</p>") == ["Import"]
    assert english_on(b"<button title='Periodic tasks'>x</button>") == ["Periodic tasks"]
    assert english_on("<p>Nhập dữ liệu từ tệp, Sở Tài chính</p>".encode()) == []
    assert english_on(b"<script>var the = 1;</script><p>ok</p>") == []


def test_a_signed_in_english_person_gets_english_and_others_do_not(world, client):
    people, _pages = world
    drafter = people[roles.DRAFTER]
    client.force_login(drafter)
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("directives:list")}
    )
    assert response.status_code == 302
    drafter.refresh_from_db()
    assert drafter.language == "en"
    page = client.get(reverse("directives:list")).content.decode()
    assert 'lang="en"' in page
    assert "Log out" in page and "Đăng xuất" not in page

    # Another browser, with no cookie: the person's choice still holds once signed in ...
    elsewhere = Client()
    elsewhere.force_login(drafter)
    assert 'lang="en"' in elsewhere.get(reverse("directives:list")).content.decode()
    # ... and the cookie it is given keeps the login page in English after signing out.
    elsewhere.post(reverse("logout"))
    assert 'lang="en"' in elsewhere.get(reverse("login")).content.decode()

    # A colleague whose browser asks for English reads Vietnamese.
    colleague = Client()
    colleague.force_login(people[roles.SIGNER])
    page = colleague.get(reverse("directives:list"), **ENGLISH_BROWSER).content.decode()
    assert 'lang="vi"' in page and "Đăng xuất" in page


def test_the_profile_page_sets_the_language(world, client):
    people, _pages = world
    officer = people[roles.UNIT_OFFICER]
    client.force_login(officer)
    page = client.get(reverse("recipients:profile"), **ENGLISH_BROWSER).content.decode()
    assert 'name="language"' in page and 'lang="vi"' in page
    response = client.post(reverse("recipients:profile"), {"language": "en"})
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.language == User.Language.ENGLISH
    page = client.get(reverse("recipients:profile")).content.decode()
    assert 'lang="en"' in page and "Your choice is saved." in page
    client.post(reverse("recipients:profile"), {"language": "vi"})
    officer.refresh_from_db()
    assert officer.language == "vi"
    assert 'lang="vi"' in client.get(reverse("directives:inbox")).content.decode()
    # A language the portal does not speak is refused, nothing changes.
    response = client.post(reverse("recipients:profile"), {"language": "fr"})
    assert response.status_code == 200
    officer.refresh_from_db()
    assert officer.language == "vi"


def test_signed_out_pages_follow_the_browsers_pick_not_its_accept_language(client):
    page = client.get(reverse("login"), **ENGLISH_BROWSER).content.decode()
    assert 'lang="vi"' in page and "Đăng nhập" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    page = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in page and "Log in" in page


def test_the_lockout_page_is_vietnamese_to_an_english_browser(client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    UserFactory(username="vanthu")
    for _ in range(3):
        client.post("/login/", {"username": "vanthu", "password": "sai"}, **ENGLISH_BROWSER)
    locked = client.post(
        "/login/", {"username": "vanthu", "password": "Mat-khau-2026"}, **ENGLISH_BROWSER
    )
    assert locked.status_code == 429
    assert 'lang="vi"' in locked.content.decode()
    assert english_on(locked.content) == []


def test_the_import_preview_and_its_result_are_vietnamese(world):
    """The screens the walk cannot reach by GET: the preview of a file, the result line."""
    people, _pages = world
    client = Client()
    client.force_login(people[roles.ADMINISTRATOR])
    upload = io.BytesIO("Mã đơn vị,Tên đơn vị,Loại đơn vị\nSYT,Sở Y tế,Sở\n".encode())
    upload.name = "don-vi.csv"
    url = reverse("admin:recipients_unit_import")
    preview = client.post(url, {"import_file": upload, "format": ""}, **ENGLISH_BROWSER)
    assert preview.status_code == 200 and preview.context["confirm_form"] is not None
    assert english_on(preview.content) == []
    page = preview.content.decode()
    assert "Xác nhận nhập" in page and "Mã đơn vị" in page
    confirm = preview.context["confirm_form"]
    done = client.post(
        reverse("admin:recipients_unit_process_import"),
        {name: confirm.initial.get(name) or confirm[name].value() for name in confirm.fields},
        follow=True,
        **ENGLISH_BROWSER,
    )
    assert "Đã nhập xong: 1 mới" in done.content.decode()
    assert english_on(done.content) == []
    bad = io.BytesIO(b"code,name,phone\nX,Y,1\n")
    bad.name = "don-vi.csv"
    refused = client.post(url, {"import_file": bad, "format": ""}, **ENGLISH_BROWSER)
    assert english_on(refused.content) == []
    assert "phone" in refused.content.decode()


def test_the_file_copy_placeholder_is_printed_not_swallowed(world, client):
    """ "Lưu: VT, <đơn vị soạn thảo>": the angle brackets are text, not a tag."""
    people, _pages = world
    client.force_login(people[roles.DRAFTER])
    html = client.get(reverse("directives:create")).content.decode()
    assert "“Lưu: VT, &lt;đơn vị soạn thảo&gt;”" in html
    text = lxml.html.fromstring(html).text_content()
    assert "“Lưu: VT, <đơn vị soạn thảo>”" in text


def test_the_admins_javascript_widgets_speak_vietnamese(world, client):
    people, _pages = world
    client.force_login(people["superuser"])
    catalogue = client.get(reverse("admin:jsi18n"), **ENGLISH_BROWSER).content.decode()
    assert "Ch\\u1ecdn t\\u1ea5t c\\u1ea3 %s" in catalogue or "Chọn tất cả %s" in catalogue
    assert "Th\\u1ee9 Hai" in catalogue or "Thứ Hai" in catalogue
