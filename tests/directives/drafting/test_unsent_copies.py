"""A "Nơi nhận" line linked to no unit is said plainly before submission: printed but not sent,
with a one-click way to send it to the unit of the same name (accents and case ignored)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from directives.models import CopyRecipient, Directive, Event
from recipients import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

COPIES = [
    {"label": "ubnd huyen chu pah (để biết)", "purpose": "info", "group": "", "unit": ""},
    {"label": "Bộ TT&TT (báo cáo)", "purpose": "report", "group": "", "unit": "BTTTT"},
    {"label": "Ban Tuyên giáo Tỉnh ủy", "purpose": "info", "group": "", "unit": ""},
    {"label": "Lưu: VT, P.TTBCXB", "purpose": "archive", "group": "", "unit": ""},
]


def unsent_box(page: str) -> str:
    assert 'data-testid="unsent-copies"' in page
    return page.split('data-testid="unsent-copies"')[1].split("</div>")[0]


def test_the_live_preview_names_the_lines_printed_but_not_sent(client, drafter, letter_post):
    client.force_login(drafter)

    page = client.post(reverse("directives:preview"), letter_post(copies=COPIES)).content.decode()

    box = unsent_box(page)
    assert "in ra nhưng không gửi" in box
    assert "ubnd huyen chu pah (để biết)" in box and "Ban Tuyên giáo Tỉnh ủy" in box
    # The unit of the same name, accents aside, in one click; the filing line and the linked
    # line are not listed.
    assert 'data-fill-unit="id_copies-0-unit"' in box
    assert 'data-unit-text="UBND huyện Chư Păh (CHUPAH)"' in box
    assert box.count("data-fill-unit") == 1
    assert "Lưu: VT" not in box and "Bộ TT&amp;TT" not in box


def test_a_preview_with_every_line_sent_says_nothing(client, drafter, letter_post):
    client.force_login(drafter)
    page = client.post(reverse("directives:preview"), letter_post()).content.decode()
    assert 'data-testid="unsent-copies"' not in page


def test_after_a_save_the_draft_pages_show_them_and_one_click_sends_it_to_the_unit(
    client, drafter, letter_post, recipients
):
    client.force_login(drafter)
    client.post(reverse("directives:create"), letter_post(copies=COPIES))
    draft = Directive.objects.get()

    edit = client.get(reverse("directives:edit", args=[draft.pk])).content.decode()
    assert "ubnd huyen chu pah (để biết)" in unsent_box(edit)
    detail = client.get(reverse("directives:detail", args=[draft.pk])).content.decode()
    box = unsent_box(detail)
    assert 'data-testid="copy-link"' in box
    assert f'name="unit" value="{recipients["chu_pah"].pk}"' in box

    response = client.post(
        reverse("directives:copy_link", args=[draft.pk]),
        {"index": "0", "unit": recipients["chu_pah"].pk},
    )

    assert response.status_code == 302
    line = CopyRecipient.objects.get(directive=draft, position=0)
    assert line.unit == recipients["chu_pah"] and line.label == "ubnd huyen chu pah (để biết)"
    assert Event.objects.filter(directive=draft, verb="updated", data__copy_line=1).exists()
    detail = client.get(reverse("directives:detail", args=[draft.pk])).content.decode()
    box = unsent_box(detail)
    assert "chu pah" not in box and "Ban Tuyên giáo Tỉnh ủy" in box


@pytest.mark.parametrize("index", ["1", "9", "-1", "x"])
def test_a_bad_line_is_refused_with_a_message_and_nothing_changes(
    client, drafter, letter_post, recipients, index
):
    client.force_login(drafter)
    client.post(reverse("directives:create"), letter_post(copies=COPIES))
    draft = Directive.objects.get()
    before = list(CopyRecipient.objects.values_list("pk", "unit_id").order_by("pk"))

    response = client.post(
        reverse("directives:copy_link", args=[draft.pk]),
        {"index": index, "unit": recipients["chu_pah"].pk},
    )

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)]
    assert list(CopyRecipient.objects.values_list("pk", "unit_id").order_by("pk")) == before


def test_another_agencys_drafter_gets_a_404(client, drafter, letter_post, recipients):
    client.force_login(drafter)
    client.post(reverse("directives:create"), letter_post(copies=COPIES))
    draft = Directive.objects.get()
    outsider = UserFactory(unit=recipients["so_tc"], roles=[roles.DRAFTER])
    client.force_login(outsider)

    response = client.post(
        reverse("directives:copy_link", args=[draft.pk]),
        {"index": "0", "unit": recipients["chu_pah"].pk},
    )

    assert response.status_code == 404
    assert CopyRecipient.objects.get(directive=draft, position=0).unit is None
