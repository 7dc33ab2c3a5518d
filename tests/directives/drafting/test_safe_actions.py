"""Moves that cannot be undone ask first, saying what will happen, and the signer's two forms
keep what was typed in each.

The server acts on issue, recall and return only with `confirm=1`: a bare POST (a browser
without script, a double submit) gets the question on a page of its own and changes nothing.
The question of an issue names the number the letter was given when it was numbered and the
units the issue will snapshot; asking takes no number from the register."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from directives.models import Directive, Dispatch, Event, Register
from tests.signing_keys import PIN, signer_key_issue

pytestmark = pytest.mark.django_db

# The sample letter reaches Sở Tài chính (a group), Báo Gia Lai (an addressee), the Bộ (a copy
# line linked to it) and Chư Păh (a task).
UNITS_REACHED = 4


@pytest.fixture
def submitted(client, drafter, signer, letter_post) -> Directive:
    client.force_login(drafter)
    client.post(reverse("directives:create"), letter_post())
    directive = Directive.objects.get()
    client.post(reverse("directives:submit", args=[directive.pk]), {"signer": signer.pk})
    client.logout()
    directive.refresh_from_db()
    assert directive.status == Directive.Status.SUBMITTED
    return directive


def confirmed_press(client, user, name: str, directive: Directive, data=None):
    client.force_login(user)
    return client.post(
        reverse(f"directives:{name}", args=[directive.pk]), {"confirm": "1", **(data or {})}
    )


@pytest.fixture
def signed(client, submitted, signer, clerk) -> Directive:
    confirmed_press(client, signer, "approve", submitted)
    confirmed_press(client, clerk, "number", submitted)
    signer_key_issue(signer)
    confirmed_press(client, signer, "sign", submitted, {"pin": PIN})
    submitted.refresh_from_db()
    assert submitted.status == Directive.Status.SIGNED
    return submitted


def page_of(client, user, directive: Directive) -> str:
    client.force_login(user)
    return client.get(reverse("directives:detail", args=[directive.pk])).content.decode()


def test_the_issue_button_says_the_number_and_the_units_before_it_acts(client, signed, clerk):
    question = f"Ban hành số {signed.number_symbol} đến {UNITS_REACHED} đơn vị?"
    assert signed.number_symbol == "01/STTTT-TTBCXB"
    register_before = list(Register.objects.values_list("pk", "last_number"))

    page = page_of(client, clerk, signed)
    assert f'data-confirm="{question}"' in page  # the modal's question (static/js/actions.js)

    client.force_login(clerk)
    asked = client.post(reverse("directives:issue", args=[signed.pk]))

    assert asked.status_code == 200
    assert question in asked.content.decode()
    assert 'name="confirm" value="1"' in asked.content.decode()
    signed.refresh_from_db()
    assert signed.status == Directive.Status.SIGNED
    assert not Dispatch.objects.filter(directive=signed).exists()
    assert list(Register.objects.values_list("pk", "last_number")) == register_before

    confirmed_press(client, clerk, "issue", signed)
    signed.refresh_from_db()
    assert signed.status == Directive.Status.ISSUED
    assert signed.number_symbol == "01/STTTT-TTBCXB"
    assert Dispatch.objects.filter(directive=signed).count() == UNITS_REACHED
    assert list(Register.objects.values_list("pk", "last_number")) == register_before


def test_recall_asks_first_and_is_not_the_first_thing_after_issuing(client, signed, clerk):
    confirmed_press(client, clerk, "issue", signed)
    page = page_of(client, clerk, signed)

    actions = page.split('id="actions-title"')[1].split("</section>")[0]
    assert 'data-testid="recall"' not in actions
    assert page.index('data-testid="recall"') > page.index("delivery-progress")
    more = page.split('data-testid="more-actions"')[1].split("</details>")[0]
    assert 'data-testid="recall"' in more
    question = f"Thu hồi văn bản {signed.number_symbol} đã gửi đến {UNITS_REACHED} đơn vị?"
    assert question in more

    client.force_login(clerk)
    asked = client.post(reverse("directives:recall", args=[signed.pk]), {"reason": "Nhầm"})
    assert asked.status_code == 200 and question in asked.content.decode()
    assert 'name="reason" value="Nhầm"' in asked.content.decode()  # the reason goes along
    signed.refresh_from_db()
    assert signed.status == Directive.Status.ISSUED

    confirmed_press(client, clerk, "recall", signed, {"reason": "Nhầm"})
    signed.refresh_from_db()
    assert signed.status == Directive.Status.RECALLED and signed.recall_reason == "Nhầm"


def test_return_asks_first(client, submitted, signer):
    question = "Trả lại dự thảo này cho người soạn Trần Văn Bình, kèm lý do của bạn?"
    assert question in page_of(client, signer, submitted)

    asked = client.post(
        reverse("directives:return", args=[submitted.pk]), {"reason": "Bổ sung căn cứ"}
    )
    assert asked.status_code == 200 and question in asked.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Directive.Status.SUBMITTED
    assert not Event.objects.filter(verb="returned").exists()

    confirmed_press(client, signer, "return", submitted, {"reason": "Bổ sung căn cứ"})
    submitted.refresh_from_db()
    assert submitted.status == Directive.Status.DRAFT
    assert submitted.return_reason == "Bổ sung căn cứ"


def textarea(html: str, field_id: str) -> str:
    found = re.search(rf'<textarea[^>]*id="{field_id}"[^>]*>(.*?)</textarea>', html, re.S)
    assert found, field_id
    return found.group(1).strip()


def test_the_signers_two_forms_are_separate_and_labelled(client, submitted, signer):
    page = page_of(client, signer, submitted)
    approve = page.split('data-testid="approve-form"')[1].split("</form>")[0]
    give_back = page.split('data-testid="return-form"')[1].split("</form>")[0]
    assert 'aria-labelledby="approve-title"' in page and 'id="approve-title"' in approve
    assert 'aria-labelledby="return-title"' in page and 'id="return-title"' in give_back
    assert 'id="approve_comment"' in approve and 'id="return_reason"' not in approve
    assert 'id="return_reason"' in give_back and 'id="approve_comment"' not in give_back
    assert re.search(r'<label[^>]*for="return_reason"', give_back)
    assert "Lý do trả lại (bắt buộc)" in give_back


def test_returning_without_a_reason_keeps_the_comment_typed_for_approval(client, submitted, signer):
    client.force_login(signer)
    response = client.post(
        reverse("directives:return", args=[submitted.pk]),
        {"reason": "  ", "comment": "Đồng ý, ban hành ngay", "confirm": "1"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert textarea(html, "approve_comment") == "Đồng ý, ban hành ngay"
    assert "Trường này là bắt buộc." in html.split('data-testid="return-form"')[1]
    submitted.refresh_from_db()
    assert submitted.status == Directive.Status.SUBMITTED


def test_approving_with_a_reason_written_for_returning_keeps_both_and_asks(
    client, submitted, signer
):
    client.force_login(signer)
    response = client.post(
        reverse("directives:approve", args=[submitted.pk]),
        {"comment": "Đồng ý", "reason": "Thiếu căn cứ pháp lý"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert textarea(html, "approve_comment") == "Đồng ý"
    assert textarea(html, "return_reason") == "Thiếu căn cứ pháp lý"
    assert "Bạn cũng đã ghi lý do trả lại dự thảo." in html
    submitted.refresh_from_db()
    assert submitted.status == Directive.Status.SUBMITTED


def test_returning_with_an_approval_comment_typed_keeps_both_and_asks(client, submitted, signer):
    client.force_login(signer)
    response = client.post(
        reverse("directives:return", args=[submitted.pk]),
        {"comment": "Đồng ý", "reason": "Thiếu căn cứ pháp lý", "confirm": "1"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert textarea(html, "approve_comment") == "Đồng ý"
    assert textarea(html, "return_reason") == "Thiếu căn cứ pháp lý"
    assert "Bạn cũng đã ghi ý kiến khi duyệt." in html
    submitted.refresh_from_db()
    assert submitted.status == Directive.Status.SUBMITTED


def test_numbering_names_the_number_it_will_take_and_asking_takes_none(
    client, submitted, signer, clerk
):
    from directives.models import CancelledNumber
    from directives.workdays import local_today

    confirmed_press(client, signer, "approve", submitted)
    today = local_today()
    # Number 1 is held by a cancelled line: the register steps over it, and so does the question.
    CancelledNumber.objects.create(
        unit=submitted.issuing_unit, register_kind="general", year=today.year, number=1
    )
    question = f"Cấp số 02/STTTT-TTBCXB, ngày {today:%d/%m/%Y} cho văn bản này?"
    assert f'data-confirm="{question}"' in page_of(client, clerk, submitted)

    asked = client.post(reverse("directives:number", args=[submitted.pk]))

    assert asked.status_code == 200 and question in asked.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Directive.Status.APPROVED and submitted.number is None
    assert not Register.objects.filter(last_number__gt=0).exists()

    confirmed_press(client, clerk, "number", submitted)
    submitted.refresh_from_db()
    assert submitted.number_symbol == "02/STTTT-TTBCXB"
