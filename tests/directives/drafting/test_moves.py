"""What a user may do to a directive is computed once (`directive_moves`): the page shows the
button exactly when the service accepts the move, and a refused POST changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from directives import services
from directives.errors import PermissionDeniedError, TransitionError
from directives.models import Directive, Event
from directives.selectors.moves import directive_moves
from recipients import roles
from tests.factories import AddresseeFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

ANOTHER_SIGNER = "Văn bản này đang chờ lãnh đạo khác xem xét, ký duyệt."
NOT_APPROVED = "Chỉ văn bản đã được duyệt ký mới được cấp số."
NOT_A_SIGNER = "Chỉ lãnh đạo có thẩm quyền ký mới được duyệt hoặc trả lại văn bản."
NOT_A_DRAFT = "Chỉ văn bản ở trạng thái dự thảo mới được trình ký."


def page(client, user, directive: Directive) -> str:
    client.force_login(user)
    return client.get(reverse("directives:detail", args=[directive.pk])).content.decode()


def press(client, user, name: str, directive: Directive, data=None):
    """Press the button and confirm its question, as the page asks."""
    client.force_login(user)
    response = client.post(
        reverse(f"directives:{name}", args=[directive.pk]), {"confirm": "1", **(data or {})}
    )
    return response, [str(m) for m in get_messages(response.wsgi_request)]


def button(name: str) -> str:
    return f'data-testid="{name}"'


@pytest.fixture
def submitted(make_directive, recipients) -> Directive:
    directive = make_directive(status=Directive.Status.SUBMITTED)
    AddresseeFactory(directive=directive, unit=recipients["so_tc"], label="Sở Tài chính")
    return directive


@pytest.fixture
def deputy(agency):
    return UserFactory(unit=agency, roles=[roles.SIGNER], username="phogiamdoc")


@pytest.fixture
def outside_signer(db):
    other = UnitFactory(code="SNV", name="Sở Nội vụ")
    return UserFactory(unit=other, roles=[roles.SIGNER], username="lanhdao-snv")


# --- approve / return: the chosen signer or a deputy of the issuing unit --------------------


def test_deputy_signer_of_the_issuing_unit_sees_approve_and_approves(client, submitted, deputy):
    html = page(client, deputy, submitted)
    assert button("approve") in html and button("return") in html

    response, _ = press(client, deputy, "approve", submitted, {"comment": "Thay Giám đốc"})

    submitted.refresh_from_db()
    assert response.status_code == 302
    assert submitted.status == Directive.Status.APPROVED and submitted.signer == deputy


def test_deputy_signer_may_approve_through_the_service(submitted, deputy):
    assert directive_moves(directive=submitted, user=deputy).approve
    services.directive_approve(directive=submitted, by=deputy)
    assert Directive.objects.get(pk=submitted.pk).status == Directive.Status.APPROVED


def test_signer_of_another_unit_has_no_button_and_the_service_refuses(
    client, submitted, outside_signer
):
    assert not directive_moves(directive=submitted, user=outside_signer).approve
    with pytest.raises(PermissionDeniedError):
        services.directive_approve(directive=submitted, by=outside_signer)
    with pytest.raises(PermissionDeniedError):
        services.directive_return(directive=submitted, by=outside_signer, reason="Không đồng ý")
    submitted.refresh_from_db()
    assert submitted.status == Directive.Status.SUBMITTED


def test_signer_of_another_unit_gets_404_on_the_page_and_the_button(
    client, submitted, outside_signer
):
    client.force_login(outside_signer)
    assert client.get(reverse("directives:detail", args=[submitted.pk])).status_code == 404
    response, _ = press(client, outside_signer, "approve", submitted)
    assert response.status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == Directive.Status.SUBMITTED


def test_drafter_pressing_approve_is_refused_in_vietnamese(client, submitted, drafter):
    assert button("approve") not in page(client, drafter, submitted)

    response, messages = press(client, drafter, "approve", submitted)

    assert NOT_A_SIGNER in messages
    submitted.refresh_from_db()
    assert submitted.status == Directive.Status.SUBMITTED
    assert not Event.objects.filter(directive=submitted, verb="approved").exists()


# --- edit / submit: the drafter's, on a draft only ----------------------------------------


def test_drafter_sees_edit_and_submit_only_on_a_draft(client, make_directive, drafter):
    draft = make_directive(status=Directive.Status.DRAFT)
    html = page(client, drafter, draft)
    assert button("submit") in html and reverse("directives:edit", args=[draft.pk]) in html

    for status in (Directive.Status.SUBMITTED, Directive.Status.APPROVED):
        other = make_directive(status=status)
        html = page(client, drafter, other)
        assert button("submit") not in html
        assert reverse("directives:edit", args=[other.pk]) not in html
        assert not directive_moves(directive=other, user=drafter).edit


def test_submitting_a_submitted_directive_is_refused_and_changes_nothing(
    client, submitted, drafter, signer
):
    response, messages = press(client, drafter, "submit", submitted, {"signer": signer.pk})
    assert NOT_A_DRAFT in messages
    submitted.refresh_from_db()
    assert submitted.status == Directive.Status.SUBMITTED
    with pytest.raises(TransitionError):
        services.directive_submit(directive=submitted, by=drafter, signer=signer)


def test_clerk_cannot_submit_a_draft(make_directive, clerk, signer, recipients):
    draft = make_directive(status=Directive.Status.DRAFT)
    AddresseeFactory(directive=draft, unit=recipients["so_tc"], label="Sở Tài chính")
    assert not directive_moves(directive=draft, user=clerk).submit
    with pytest.raises(PermissionDeniedError):
        services.directive_submit(directive=draft, by=clerk, signer=signer)
    assert Directive.objects.get(pk=draft.pk).status == Directive.Status.DRAFT


# --- number, then issue: the issuing unit's clerk, once approved, once signed ----------------


def test_clerk_numbers_an_approved_letter_and_issues_a_signed_one(client, make_directive, clerk):
    for status in (Directive.Status.DRAFT, Directive.Status.SUBMITTED):
        html = page(client, clerk, make_directive(status=status))
        assert button("number") not in html and button("issue") not in html
    html = page(client, clerk, make_directive(status=Directive.Status.APPROVED))
    assert button("number") in html and button("issue") not in html
    html = page(client, clerk, make_directive(status=Directive.Status.SIGNED, number=7))
    assert button("issue") in html and button("cancel-number") in html
    assert button("number") not in html


def test_numbering_a_submitted_directive_is_refused_in_vietnamese(client, submitted, clerk):
    response, messages = press(client, clerk, "number", submitted)
    assert NOT_APPROVED in messages
    submitted.refresh_from_db()
    assert submitted.status == Directive.Status.SUBMITTED and submitted.number is None


def test_clerk_of_another_unit_may_not_number_or_issue(make_directive):
    approved = make_directive(status=Directive.Status.APPROVED)
    signed = make_directive(status=Directive.Status.SIGNED, number=3)
    other_clerk = UserFactory(unit=UnitFactory(code="SNV"), roles=[roles.CLERK])
    assert not directive_moves(directive=approved, user=other_clerk).number
    assert not directive_moves(directive=signed, user=other_clerk).issue
    with pytest.raises(PermissionDeniedError):
        services.directive_number(directive=approved, by=other_clerk)
    with pytest.raises(PermissionDeniedError):
        services.directive_issue(directive=signed, by=other_clerk)
    assert Directive.objects.get(pk=approved.pk).status == Directive.Status.APPROVED
    assert Directive.objects.get(pk=signed.pk).status == Directive.Status.SIGNED


def test_the_deputy_finds_the_letter_in_awaiting_my_approval_and_an_outsider_does_not(
    client, submitted, deputy, outside_signer
):
    """The list's box and its count follow the same rule as the Approve button."""
    url = reverse("directives:list")
    client.force_login(deputy)
    response = client.get(url, {"box": "to_approve"})
    assert [d.pk for d in response.context["page"].object_list] == [submitted.pk]
    assert response.context["counts"]["to_approve"] == 1
    client.force_login(outside_signer)
    response = client.get(url, {"box": "to_approve"})
    assert list(response.context["page"].object_list) == []
