"""In a real browser: "Đóng dấu và ban hành" asks first, in a dialog naming the letter's number
and the units it goes to, and issues only once the clerk says yes; "No" changes nothing."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from playwright.sync_api import expect

from directives.models import Addressee, Directive, Dispatch, Register
from directives.services import (
    directive_approve,
    directive_number,
    directive_sign,
    directive_submit,
)
from recipients.models import RecipientGroup, Unit, User
from tests.e2e.test_story import SIGNER_PIN, log_in, province  # noqa: F401  (the fixture)
from tests.factories import DirectiveFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(300),
]


@pytest.fixture
def signed(province) -> Directive:  # noqa: F811
    """A letter of the Sở to the districts and the local press, numbered and signed."""
    drafter = User.objects.get(username="chuyenvien")
    signer = User.objects.get(username="lanhdao")
    clerk = User.objects.get(username="vanthu")
    letter = DirectiveFactory(
        issuing_unit=Unit.objects.get(code="STTTT"),
        drafting_unit=Unit.objects.get(code="TTBCXB"),
        drafter=drafter,
        signer=signer,
    )
    for position, code in enumerate(("ubnd-cap-huyen", "bao-chi-dia-phuong"), start=1):
        group = RecipientGroup.objects.get(code=code)
        Addressee.objects.create(directive=letter, group=group, label=group.name, position=position)
    directive_submit(directive=letter, by=drafter, signer=signer)
    directive_approve(directive=letter, by=signer)
    directive_number(directive=letter, by=clerk)

    def sign() -> Directive:
        # Playwright's event loop runs in this thread (the browser is a session fixture, made
        # first); pyHanko signs in an event loop of its own, so in a thread of its own.
        try:
            return directive_sign(directive=letter, by=signer, pin=SIGNER_PIN)
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(sign).result()


def test_the_clerk_confirms_the_issue_in_a_dialog_naming_the_number_and_the_units(
    signed, live_server, page_factory, screenshot, celery_worker_thread
):
    site = live_server.url
    units = sum(
        RecipientGroup.objects.get(code=code).current_units().count()
        for code in ("ubnd-cap-huyen", "bao-chi-dia-phuong")
    )
    question = f"Ban hành số {signed.number_symbol} đến {units} đơn vị?"
    last_number = Register.objects.get(unit__code="STTTT", year=signed.register_year).last_number

    clerk = page_factory()
    log_in(clerk, site, "vanthu")
    clerk.goto(f"{site}/directives/{signed.pk}/")
    dialog = clerk.get_by_test_id("confirm-modal")

    # "No": the dialog closes and nothing happens.
    clerk.get_by_test_id("issue").click()
    expect(dialog).to_be_visible()
    expect(clerk.get_by_test_id("confirm-modal-question")).to_have_text(question)
    clerk.get_by_test_id("confirm-modal-no").click()
    expect(dialog).to_be_hidden()
    signed.refresh_from_db()
    assert signed.status == Directive.Status.SIGNED

    # "Yes": the letter is issued under the number the dialog named, to as many units.
    clerk.get_by_test_id("issue").click()
    expect(clerk.get_by_test_id("confirm-modal-question")).to_have_text(question)
    expect(clerk.get_by_test_id("confirm-modal-yes")).to_have_text("Đóng dấu và ban hành")
    expect(dialog).to_have_class(re.compile(r"\bshow\b"))
    clerk.wait_for_timeout(400)  # the end of Bootstrap's fade, for the picture
    screenshot(clerk, "issue-confirmation", full_page=False)
    clerk.get_by_test_id("confirm-modal-yes").click()
    expect(clerk.locator(".badge-status").first).to_have_text("Đã ban hành")
    signed.refresh_from_db()
    assert signed.status == Directive.Status.ISSUED
    assert Dispatch.objects.filter(directive=signed).count() == units
    assert f"Ban hành số {signed.number_symbol} " in question
    assert (
        Register.objects.get(unit__code="STTTT", year=signed.register_year).last_number
        == last_number
    )
    # Recall is not the first thing the clerk sees now: it waits under "More actions".
    expect(clerk.get_by_test_id("recall")).to_be_hidden()
    expect(clerk.get_by_test_id("more-actions")).to_be_visible()
    # The worker finishes the PDF (the agency's seal) before the test ends.
    expect(clerk.locator(f"#pdf-status-{signed.pk}")).to_have_attribute(
        "data-status", "ready", timeout=90_000
    )


def test_the_signer_keeps_what_was_typed_in_both_forms(province, live_server, page_factory):  # noqa: F811
    """Approving while a reason for returning is written beside it approves nothing and shows
    both texts again (the page's script carries the other form's text along)."""
    drafter = User.objects.get(username="chuyenvien")
    signer = User.objects.get(username="lanhdao")
    letter = DirectiveFactory(
        issuing_unit=Unit.objects.get(code="STTTT"),
        drafting_unit=Unit.objects.get(code="TTBCXB"),
        drafter=drafter,
        signer=signer,
    )
    group = RecipientGroup.objects.get(code="bao-chi-dia-phuong")
    Addressee.objects.create(directive=letter, group=group, label=group.name, position=1)
    directive_submit(directive=letter, by=drafter, signer=signer)

    page = page_factory()
    log_in(page, live_server.url, "lanhdao")
    page.goto(f"{live_server.url}/directives/{letter.pk}/")
    page.locator("#approve_comment").fill("Đồng ý ban hành")
    page.locator("#return_reason").fill("Thiếu căn cứ pháp lý")
    page.get_by_test_id("approve").click()

    expect(page.get_by_text("Bạn cũng đã ghi lý do trả lại dự thảo.")).to_be_visible()
    expect(page.locator("#approve_comment")).to_have_value("Đồng ý ban hành")
    expect(page.locator("#return_reason")).to_have_value("Thiếu căn cứ pháp lý")
    letter.refresh_from_db()
    assert letter.status == Directive.Status.SUBMITTED
