"""The drafting page as a drafter uses it: one POST with the letter and its three lists, errors
that keep every typed line, the live preview that saves nothing, attachments, escaped input."""

from __future__ import annotations

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directives.models import Addressee, CopyRecipient, Directive, Event, Task
from tests.directives.drafting.conftest import SUBJECT

pytestmark = pytest.mark.django_db

XSS = "<script>alert('xss')</script>"


def srcdoc_of(page: str) -> str:
    match = re.search(r'srcdoc="([^"]*)"', page)
    assert match, "no letter frame on the page"
    return html.unescape(match.group(1))


def test_drafter_creates_a_draft_with_its_lines(client, drafter, letter_post, recipients):
    client.force_login(drafter)
    assert client.get(reverse("directives:create")).status_code == 200

    response = client.post(reverse("directives:create"), letter_post())

    directive = Directive.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("directives:detail", args=[directive.pk])
    assert directive.status == Directive.Status.DRAFT
    assert directive.drafter == drafter
    assert directive.subject == SUBJECT
    addressees = list(Addressee.objects.filter(directive=directive).order_by("position"))
    assert [(a.group, a.unit) for a in addressees] == [
        (recipients["departments"], None),
        (None, recipients["bao"]),
    ]
    copies = list(CopyRecipient.objects.filter(directive=directive).order_by("position"))
    assert [(c.label, c.purpose, c.unit) for c in copies] == [
        ("Bộ TT&TT (báo cáo)", "report", recipients["bo"]),
        ("Lưu: VT, P.TTBCXB", "archive", None),
    ]
    tasks = list(Task.objects.filter(directive=directive).order_by("position"))
    assert [t.title for t in tasks] == [
        "Phổ biến, quán triệt Bộ Quy tắc ứng xử",
        "Tuyên truyền Bộ Quy tắc trên báo chí",
    ]
    assert set(tasks[0].groups.all()) == {recipients["departments"], recipients["districts"]}
    assert tasks[0].report_required and str(tasks[0].deadline) == "2026-12-31"
    assert list(tasks[1].units.all()) == [recipients["chu_pah"]]

    detail = client.get(response["Location"]).content.decode()
    assert "Các Sở, ban ngành" in detail and "Bộ TT&amp;TT (báo cáo)" in detail


def test_invalid_post_keeps_every_row_and_saves_nothing(client, drafter, letter_post):
    client.force_login(drafter)
    data = letter_post(
        subject="",
        addressees=[
            {"group": "", "unit": "Báo Gia Lai (BAOGL)", "label": "Báo Gia Lai"},
            {"group": "", "unit": "Đơn vị không có thật", "label": "Dòng thứ hai"},
        ],
    )

    response = client.post(reverse("directives:create"), data)

    assert response.status_code == 400
    assert Directive.objects.count() == 0 and Event.objects.count() == 0
    page = response.content.decode()
    # Every typed line is still there, the unknown unit and the missing subject are explained.
    for text in (
        "Dòng thứ hai",
        "Đơn vị không có thật",
        "Bộ TT&amp;TT (báo cáo)",
        "Tuyên truyền Bộ Quy tắc trên báo chí",
        "Lưu: VT, P.TTBCXB",
    ):
        assert text in page
    assert "Trường này là bắt buộc." in page  # Django's Vietnamese "This field is required."
    assert 'name="addressees-TOTAL_FORMS" value="2"' in page


def test_a_line_needs_a_group_or_a_unit(client, drafter, letter_post):
    client.force_login(drafter)
    data = letter_post(addressees=[{"group": "", "unit": "", "label": "Chỉ có nhãn"}])
    response = client.post(reverse("directives:create"), data)
    assert response.status_code == 400
    assert Directive.objects.count() == 0
    page = response.content.decode()
    assert "Mỗi dòng chọn một nhóm hoặc một đơn vị (không chọn cả hai)." in page
    assert 'value="Chỉ có nhãn"' in page  # the typed line is kept for the drafter to fix


def test_removed_and_blank_rows_are_not_saved(client, drafter, letter_post):
    client.force_login(drafter)
    data = letter_post(
        addressees=[
            {"group": "", "unit": "BAOGL", "label": ""},
            {"group": "", "unit": "STC", "label": "bỏ dòng này", "DELETE": "on"},
            {"group": "", "unit": "", "label": ""},
        ]
    )
    assert client.post(reverse("directives:create"), data).status_code == 302
    labels = list(Addressee.objects.values_list("unit__code", flat=True))
    assert labels == ["BAOGL"]


def test_edit_keeps_lines_and_changes_them(client, drafter, letter_post):
    client.force_login(drafter)
    client.post(reverse("directives:create"), letter_post())
    directive = Directive.objects.get()
    page = client.get(reverse("directives:edit", args=[directive.pk])).content.decode()
    assert "Báo Gia Lai (BAOGL)" in page and 'name="tasks-TOTAL_FORMS" value="2"' in page

    data = letter_post(subject="v/v sửa đổi", tasks=[])
    response = client.post(reverse("directives:edit", args=[directive.pk]), data)

    assert response.status_code == 302
    directive.refresh_from_db()
    assert directive.subject == "v/v sửa đổi"
    assert directive.tasks.count() == 0 and directive.addressees.count() == 2


def test_preview_shows_the_letter_and_saves_nothing(client, drafter, letter_post):
    client.force_login(drafter)

    response = client.post(reverse("directives:preview"), letter_post())

    assert response.status_code == 200
    letter = srcdoc_of(response.content.decode())
    assert "DỰ THẢO" in letter and "Kính gửi:" in letter
    assert "SỞ THÔNG TIN<br>VÀ TRUYỀN THÔNG" in letter and "- Bộ TT&amp;TT (báo cáo);" in letter
    assert "<strong>Bộ Quy tắc</strong>" in letter
    assert Directive.objects.count() == 0 and Event.objects.count() == 0
    assert Addressee.objects.count() == 0 and Task.objects.count() == 0


def test_preview_of_an_existing_draft_changes_nothing(client, drafter, letter_post):
    client.force_login(drafter)
    client.post(reverse("directives:create"), letter_post())
    directive = Directive.objects.get()
    events = Event.objects.count()

    response = client.post(
        reverse("directives:preview_edit", args=[directive.pk]),
        letter_post(subject="tiêu đề chỉ để xem thử"),
    )

    assert "tiêu đề chỉ để xem thử" in srcdoc_of(response.content.decode())
    directive.refresh_from_db()
    assert directive.subject == SUBJECT and Event.objects.count() == events


def test_preview_lists_what_is_missing(client, drafter, letter_post):
    client.force_login(drafter)
    response = client.post(reverse("directives:preview"), letter_post(subject=""))
    assert response.status_code == 200
    assert 'data-testid="preview-errors"' in response.content.decode()
    assert Directive.objects.count() == 0


def test_script_typed_anywhere_is_escaped(client, drafter, letter_post):
    client.force_login(drafter)
    data = letter_post(
        subject=f"v/v {XSS}",
        body=f"Đoạn 1 {XSS}\n\n<img src=x onerror=alert(1)> [bấm](javascript:alert(1))",
        addressees=[{"group": "", "unit": "BAOGL", "label": f"Báo {XSS}"}],
        copies=[{"label": f"Lưu {XSS}", "purpose": "archive", "group": "", "unit": ""}],
    )
    preview = client.post(reverse("directives:preview"), data).content.decode()
    client.post(reverse("directives:create"), data)
    directive = Directive.objects.get()
    detail = client.get(reverse("directives:detail", args=[directive.pk])).content.decode()

    for page in (preview, detail):
        assert XSS not in page
        letter = srcdoc_of(page)
        assert "<script" not in letter and "onerror" not in letter
        assert "javascript:" not in letter
        assert "&lt;script&gt;" in letter  # shown as text, not run


def test_attachments_are_checked_by_content(client, drafter, letter_post, settings):
    client.force_login(drafter)
    client.post(reverse("directives:create"), letter_post())
    directive = Directive.objects.get()
    url = reverse("directives:attachment_add", args=[directive.pk])

    fake = SimpleUploadedFile("phu-luc.pdf", b"MZ this is not a pdf", "application/pdf")
    response = client.post(url, {"upload": fake, "back": "edit"}, follow=True)
    assert directive.attachments.count() == 0
    assert "phu-luc.pdf" in response.content.decode()  # the message names the refused file

    settings.ATTACHMENT_MAX_BYTES = 100
    big = SimpleUploadedFile("lon.pdf", b"%PDF-1.4\n" + b"0" * 200, "application/pdf")
    client.post(url, {"upload": big})
    assert directive.attachments.count() == 0

    settings.ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
    good = SimpleUploadedFile("phu-luc.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    response = client.post(url, {"upload": good, "back": "edit"})
    assert response["Location"] == reverse("directives:edit", args=[directive.pk])
    assert list(directive.attachments.values_list("name", flat=True)) == ["phu-luc.pdf"]


def test_only_drafters_reach_the_drafting_page(client, signer, letter_post):
    client.force_login(signer)
    assert client.get(reverse("directives:create")).status_code == 403
    assert client.post(reverse("directives:create"), letter_post()).status_code == 403
    assert Directive.objects.count() == 0


def test_new_draft_offers_the_parent_body_the_agency_used_last(
    client, drafter, make_directive, agency
):
    client.force_login(drafter)
    form = client.get(reverse("directives:create")).context["form"]
    assert not form.initial.get("parent_body")
    make_directive(subject="cũ", parent_body="UBND TỈNH GIA LAI")
    form = client.get(reverse("directives:create")).context["form"]
    assert form.initial["parent_body"] == "UBND TỈNH GIA LAI"
    # The issuer's name as printed, with the drafter's line break, likewise.
    make_directive(subject="mới", issuer_name="SỞ THÔNG TIN VÀ\nTRUYỀN THÔNG")
    form = client.get(reverse("directives:create")).context["form"]
    assert form.initial["issuer_name"] == "SỞ THÔNG TIN VÀ\nTRUYỀN THÔNG"


@pytest.mark.parametrize("server", ["runserver", "production"])
def test_the_preview_gets_the_letters_fonts_across_its_sandbox(
    client, drafter, letter_post, settings, tmp_path, server
):
    """The preview is a sandboxed frame (an opaque origin), so a browser fetches its @font-face
    fonts cross-origin: they must come with Access-Control-Allow-Origin, and the page's CSP,
    which the srcdoc frame inherits, must allow font-src 'self'. Both as `make run` serves them
    (DEBUG, whitenoise from the finders) and as production does (collectstatic, manifest)."""
    from django.core.management import call_command

    if server == "runserver":
        settings.DEBUG = True
    else:
        settings.STATIC_ROOT = tmp_path / "staticfiles"
        # Production's storage (whitenoise's CompressedManifestStaticFilesStorage) less the .gz
        # and .br twins, which take two minutes of brotli and change nothing of the headers.
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
            },
        }
        call_command("collectstatic", interactive=False, verbosity=0)
    client.force_login(drafter)
    page = client.get(reverse("directives:create"))
    assert "font-src 'self'" in page["Content-Security-Policy"]

    letter = srcdoc_of(client.post(reverse("directives:preview"), letter_post()).content.decode())

    urls = re.findall(r'@font-face\s*\{[^}]*url\("([^"]+)"\)', letter)
    assert len(urls) == 4
    for url in urls:
        response = client.get(url, headers={"Origin": "null"})
        assert response.status_code == 200, url
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response["Content-Type"] == "font/ttf"
        bundled = settings.BASE_DIR / "static" / url.removeprefix(settings.STATIC_URL)
        assert b"".join(response.streaming_content) == bundled.read_bytes()
