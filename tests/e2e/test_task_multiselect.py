"""The drafting page in a real browser: a task's units are found by typing part of their name
(accents optional) in the searchable multi-select and picked one after the other; the deadline
shows its whole date; the chosen signer fills the printed title and name; a Nơi nhận line
printed but not sent is said, and sent to its unit in one click."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from directives.models import Directive
from recipients import roles
from recipients.models import Unit
from tests.factories import UnitFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

PASSWORD = "Mat-khau-2026"


@pytest.fixture
def desk(db):
    agency = UnitFactory(code="STTTT", name="Sở Thông tin và Truyền thông")
    division = UnitFactory(
        code="TTBCXB", name="Phòng TT-BC-XB", kind=Unit.Kind.DIVISION, parent=agency
    )
    drafter = UserFactory(unit=division, roles=[roles.DRAFTER], username="chuyenvien")
    signer = UserFactory(
        unit=agency,
        roles=[roles.SIGNER],
        username="lanhdao",
        last_name="Lê Thị",
        first_name="Thu Hương",
        title="PHÓ GIÁM ĐỐC",
    )
    units = {
        code: UnitFactory(code=code, name=name, kind=Unit.Kind.DISTRICT_COMMITTEE)
        for code, name in (
            ("CHUPAH", "UBND huyện Chư Păh"),
            ("CHUPRONG", "UBND huyện Chư Prông"),
            ("DAKDOA", "UBND huyện Đak Đoa"),
        )
    }
    units["BAOGL"] = UnitFactory(code="BAOGL", name="Báo Gia Lai", kind=Unit.Kind.PRESS)
    return {"drafter": drafter, "signer": signer, "units": units}


def pick(page, control, typed: str, option: str) -> None:
    control.click()
    control.fill(typed)
    dropdown = page.locator(".ts-dropdown .option")
    expect(dropdown.filter(has_text=option)).to_have_count(1)
    dropdown.filter(has_text=option).click()


def test_search_and_pick_two_units_for_a_task(desk, live_server, page_factory, screenshot):
    page = page_factory()
    page.goto(f"{live_server.url}/login/")
    page.locator("input[name=username]").fill("chuyenvien")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page.locator("input[name=password]")).to_have_count(0)
    page.goto(f"{live_server.url}/directives/new/")
    page.locator("[name=subject]").fill("triển khai Bộ Quy tắc ứng xử")

    # The chosen signer fills the printed title and name.
    page.locator("[name=signer]").select_option(str(desk["signer"].pk))
    expect(page.locator("[name=signer_title]")).to_have_value("PHÓ GIÁM ĐỐC")
    expect(page.locator("[name=signer_name]")).to_have_value("Lê Thị Thu Hương")

    page.locator("#formset-tasks [data-add]").click()
    page.locator("[name='tasks-0-title']").fill("Báo cáo kết quả triển khai")
    control = page.locator("#id_tasks-0-units-ts-control")
    expect(control).to_be_visible()
    # Typed without accents, "chu p" finds both Chư Păh and Chư Prông, not Đak Đoa.
    control.click()
    control.fill("chu p")
    options = page.locator(".ts-dropdown .option")
    expect(options).to_have_count(2)
    expect(options.filter(has_text="Đak Đoa")).to_have_count(0)
    pick(page, control, "chu pah", "UBND huyện Chư Păh")
    pick(page, control, "bao gia", "Báo Gia Lai")
    chosen = page.locator("#id_tasks-0-units").evaluate(
        "s => Array.from(s.selectedOptions).map(o => o.value)"
    )
    units = desk["units"]
    assert sorted(chosen) == sorted([str(units["CHUPAH"].pk), str(units["BAOGL"].pk)])
    expect(
        page.locator("#id_tasks-0-units-ts-control").locator("xpath=..").locator(".item")
    ).to_have_count(2)

    deadline = page.locator("[name='tasks-0-deadline']")
    deadline.fill("31/12/2026")
    width = deadline.evaluate("e => [e.clientWidth, e.scrollWidth]")
    assert width[0] >= 150 and width[1] <= width[0], width
    screenshot(page, "drafting-task-multiselect", full_page=False)

    # A Nơi nhận line naming a unit without linking it: the live preview says it is printed
    # but not sent, and one click sends it to the unit of that name.
    page.locator("#formset-copies [data-add]").click()
    page.locator("[name='copies-0-label']").fill("UBND huyện Đak Đoa (để biết)")
    notice = page.get_by_test_id("unsent-copies")
    expect(notice).to_contain_text("in ra nhưng không gửi")
    screenshot(page, "drafting-unsent-copy", full_page=False)
    notice.get_by_test_id("copy-fill").click()
    expect(page.locator("[name='copies-0-unit']")).to_have_value("UBND huyện Đak Đoa (DAKDOA)")
    expect(page.get_by_test_id("preview-frame")).to_be_visible()
    expect(page.get_by_test_id("unsent-copies")).to_have_count(0)

    page.get_by_test_id("save-draft").click()
    expect(page.get_by_test_id("subject")).to_contain_text("triển khai Bộ Quy tắc ứng xử")
    draft = Directive.objects.get()
    task = draft.tasks.get()
    assert set(task.units.all()) == {units["CHUPAH"], units["BAOGL"]}
    assert task.deadline.isoformat() == "2026-12-31"
    assert draft.signer == desk["signer"] and draft.signer_title == "PHÓ GIÁM ĐỐC"
    assert draft.copy_recipients.get().unit == units["DAKDOA"]
