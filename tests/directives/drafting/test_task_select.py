"""A task's groups and units are a searchable multi-select (tom-select, vendored, wired by a
static file) that stays a plain select without scripts; the deadline shows the whole date."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils.translation import override

from directives.forms import TaskForm
from directives.models import Directive

pytestmark = pytest.mark.django_db


def test_the_task_lists_are_searchable_selects_wired_by_static_files(client, drafter):
    client.force_login(drafter)

    page = client.get(reverse("directives:create")).content.decode()

    template = page.split('id="tasks-empty"')[1].split("</template>")[0]
    for name in ("groups", "units"):
        select = re.search(rf'<select name="tasks-__prefix__-{name}"[^>]*>', template).group(0)
        assert "multiple" in select and 'data-searchable="1"' in select
    for path in (
        "vendor/tom-select/tom-select.complete.min.js",
        "vendor/tom-select/tom-select.bootstrap5.min.css",
        "vendor/tom-select/LICENSE",
        "js/multiselect.js",
    ):
        assert finders.find(path), path
    assert "/static/vendor/tom-select/tom-select.complete.min.js" in page
    assert "/static/js/multiselect.js" in page
    # No inline script (the CSP allows only the portal's own files).
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)


def test_the_deadline_is_typed_and_shown_as_day_month_year(client, drafter, letter_post):
    client.force_login(drafter)
    page = client.get(reverse("directives:create")).content.decode()
    template = page.split('id="tasks-empty"')[1].split("</template>")[0]
    deadline = re.search(r'<input[^>]*name="tasks-__prefix__-deadline"[^>]*>', template).group(0)
    assert 'placeholder="dd/mm/yyyy"' in deadline and "portal-date" in deadline
    css = Path(finders.find("css/portal.css")).read_text(encoding="utf-8")
    assert ".portal-date { min-width: 11rem; }" in css
    task = {"title": "Báo cáo", "deadline": "31/12/2026", "groups": []}

    draft_page = client.post(
        reverse("directives:create"),
        letter_post(tasks=[task | {"units": [str(drafter.unit.parent_id)]}]),
    )

    draft = Directive.objects.get()
    assert draft_page.status_code == 302
    assert draft.tasks.get().deadline.isoformat() == "2026-12-31"
    edit = client.get(reverse("directives:edit", args=[draft.pk])).content.decode()
    assert 'name="tasks-0-deadline" value="31/12/2026"' in edit


@pytest.mark.parametrize("typed", ["31/02/2026", "2026/31/12", "mai"])
def test_a_date_that_is_not_one_is_refused_plainly(client, drafter, letter_post, typed):
    client.force_login(drafter)
    tasks = [{"title": "Báo cáo", "deadline": typed, "units": [str(drafter.unit.parent_id)]}]

    response = client.post(reverse("directives:create"), letter_post(tasks=tasks))

    assert response.status_code == 400
    assert not Directive.objects.exists()
    with override("vi"):
        message = str(TaskForm.base_fields["deadline"].error_messages["invalid"])
    assert message in response.content.decode()


def test_several_units_picked_are_saved_without_scripts(client, drafter, letter_post, recipients):
    client.force_login(drafter)
    tasks = [
        {
            "title": "Báo cáo kết quả",
            "deadline": "2026-12-31",
            "units": [str(recipients["chu_pah"].pk), str(recipients["bao"].pk)],
        }
    ]
    client.post(reverse("directives:create"), letter_post(tasks=tasks))
    task = Directive.objects.get().tasks.get()
    assert set(task.units.all()) == {recipients["chu_pah"], recipients["bao"]}
    assert task.deadline.isoformat() == "2026-12-31"
