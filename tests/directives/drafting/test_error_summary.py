"""A refused save lists its errors at the top of the form, each a link to its field; the live
preview keeps the last good letter while the input has errors."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from directives.models import Directive

pytestmark = pytest.mark.django_db


def summary_links(html: str) -> list[tuple[str, str]]:
    box = html.split('data-testid="error-summary"')[1].split("</div>")[0]
    return re.findall(r'<a[^>]*href="#([^"]+)"[^>]*>(.*?)</a>', box, re.S)


def test_a_refused_save_links_each_error_to_its_field(client, drafter, letter_post):
    client.force_login(drafter)
    data = letter_post(subject="", place="")
    data["tasks-1-deadline"] = "31/31/2026"

    response = client.post(reverse("directives:create"), data)

    assert response.status_code == 400
    assert Directive.objects.count() == 0
    html = response.content.decode()
    # The summary comes first in the form, before any field.
    form = html.split('id="draft-form"')[1]
    assert form.index('data-testid="error-summary"') < form.index('name="issuing_unit"')
    links = summary_links(html)
    anchors = [anchor for anchor, _ in links]
    assert {"id_subject", "id_place", "id_tasks-1-deadline"} <= set(anchors)
    for anchor in anchors:  # every link lands on an element of the page
        assert f'id="{anchor}"' in html, anchor
    texts = dict(links)
    assert texts["id_subject"].startswith("Trích yếu")
    assert texts["id_tasks-1-deadline"].startswith("Nhiệm vụ 2")
    assert "Chưa lưu được: hãy sửa" in html


def test_a_saved_draft_shows_no_summary(client, drafter, letter_post):
    client.force_login(drafter)
    response = client.post(reverse("directives:create"), letter_post(), follow=True)
    assert response.status_code == 200
    assert 'data-testid="error-summary"' not in response.content.decode()


def test_the_preview_of_invalid_input_leaves_the_last_letter_in_place(client, drafter, letter_post):
    client.force_login(drafter)
    good = client.post(reverse("directives:preview"), letter_post())
    assert "HX-Reswap" not in good
    assert 'data-testid="preview-frame"' in good.content.decode()
    # A good letter clears the list of corrections (out of band).
    assert re.search(
        r'<div id="preview-errors" hx-swap-oob="true"[^>]*></div>', good.content.decode()
    )

    bad = client.post(reverse("directives:preview"), letter_post(subject=""))

    assert bad.status_code == 200
    # htmx swaps nothing into the preview's frame: the last good letter stays...
    assert bad["HX-Reswap"] == "none"
    html = bad.content.decode()
    assert "<iframe" not in html
    # ... and only the corrections change, out of band.
    assert re.search(r'<div id="preview-errors" hx-swap-oob="true"', html)
    assert "Trích yếu" in html.split('data-testid="preview-errors"')[1]


def test_a_refused_paper_entry_links_the_taken_number_to_its_field(client, clerk, letter_post):
    client.force_login(clerk)
    data = letter_post(number="1038", issued_on=f"{timezone.localdate().year}-01-15")
    assert client.post(reverse("directives:paper_create"), data).status_code == 302

    again = client.post(reverse("directives:paper_create"), data)

    assert again.status_code == 400
    html = again.content.decode()
    links = dict(summary_links(html))
    assert "id_number" in links and 'id="id_number"' in html
    assert "1038" in links["id_number"]
