"""The signer sees what changed since the version he returned: the version is kept with the
return, and the review page shows the differences of subject, body, Kính gửi, Nơi nhận and
tasks, every piece escaped."""

from __future__ import annotations

import pytest
from django.urls import reverse

from directives.models import Directive, Event

pytestmark = pytest.mark.django_db


def detail(client, user, directive) -> str:
    client.force_login(user)
    return client.get(reverse("directives:detail", args=[directive.pk])).content.decode()


@pytest.fixture
def returned(client, drafter, signer, letter_post):
    client.force_login(drafter)
    client.post(reverse("directives:create"), letter_post(signer=str(signer.pk)))
    draft = Directive.objects.get()
    client.post(reverse("directives:submit", args=[draft.pk]), {})
    client.force_login(signer)
    client.post(
        reverse("directives:return", args=[draft.pk]), {"reason": "Sửa trích yếu", "confirm": "1"}
    )
    draft.refresh_from_db()
    assert draft.status == Directive.Status.DRAFT
    return draft


def test_the_return_keeps_the_version_the_signer_read(returned):
    version = Event.objects.get(directive=returned, verb="returned").data["version"]
    assert version["subject"] == returned.subject
    assert "Bộ TT&TT (báo cáo)" in version["copies"]
    assert "1. Phổ biến, quán triệt Bộ Quy tắc ứng xử" in version["tasks"]


def test_the_signer_sees_what_changed_since_he_returned_it(
    client, returned, drafter, signer, letter_post, recipients
):
    changed = letter_post(
        signer=str(signer.pk),
        subject="tuyên truyền Bộ Quy tắc ứng xử trên mạng xã hội năm 2026",
        copies=[
            {"label": "Bộ TT&TT (báo cáo)", "purpose": "report", "group": "", "unit": "BTTTT"},
            {"label": "UBND tỉnh (b/c)", "purpose": "report", "group": "", "unit": ""},
        ],
    )
    client.force_login(drafter)
    client.post(reverse("directives:edit", args=[returned.pk]), changed)
    client.post(reverse("directives:submit", args=[returned.pk]), {})

    page = detail(client, signer, returned)

    box = page.split('data-testid="changes-since-return"')[1].split("</section>")[0]
    assert "Sửa trích yếu" in box
    subject = box.split('data-testid="diff-subject"')[1].split("</div>")[0]
    assert "<ins>" in subject and "năm 2026" in subject.split("<ins>")[-1]
    assert "<del>" in subject and "thông tin, " in subject
    copies = box.split('data-testid="diff-copies"')[1].split("</div>")[0]
    # A list changes by whole lines: the line kept, the one removed, the one added.
    assert "<span>Bộ TT&amp;TT (báo cáo) → " in copies
    assert "<del>Lưu: VT, P.TTBCXB\n</del>" in copies
    assert "<ins>UBND tỉnh (b/c)</ins>" in copies
    # The body, Kính gửi and tasks did not change: not listed.
    for name in ("body", "addressees", "tasks"):
        assert f'data-testid="diff-{name}"' not in box


def test_every_piece_is_escaped(client, returned, drafter, signer, letter_post):
    client.force_login(drafter)
    client.post(
        reverse("directives:edit", args=[returned.pk]),
        letter_post(signer=str(signer.pk), body="<script>alert(1)</script> & <b>đậm</b>"),
    )
    client.post(reverse("directives:submit", args=[returned.pk]), {})

    page = detail(client, signer, returned)

    body = page.split('data-testid="diff-body"')[1].split("</div>")[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "&amp;" in body
    assert "<script>alert" not in page and "<b>đậm" not in page


def test_nothing_changed_says_so_and_the_drafter_does_not_see_the_box(
    client, returned, drafter, signer
):
    client.force_login(drafter)
    client.post(reverse("directives:submit", args=[returned.pk]), {})
    assert 'data-testid="changes-since-return"' not in detail(client, drafter, returned)

    page = detail(client, signer, returned)

    assert 'data-testid="no-changes"' in page


def test_a_first_submission_shows_no_changes(client, drafter, signer, letter_post):
    client.force_login(drafter)
    client.post(reverse("directives:create"), letter_post(signer=str(signer.pk)))
    draft = Directive.objects.get()
    client.post(reverse("directives:submit", args=[draft.pk]), {})

    assert 'data-testid="changes-since-return"' not in detail(client, signer, draft)
