"""The directive page's buttons, pressed by the people who hold each role, and by those who
do not: a refused move shows a message and changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from directives.models import Directive, Event
from recipients import roles
from tests.factories import UnitFactory, UserFactory
from tests.signing_keys import PIN, signer_key_issue

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def draft(client, drafter, letter_post) -> Directive:
    client.force_login(drafter)
    client.post(reverse("directives:create"), letter_post())
    client.logout()
    return Directive.objects.get()


def press(client, user, name: str, directive: Directive, data=None):
    """Press the button and confirm its question, as the page asks."""
    client.force_login(user)
    return client.post(
        reverse(f"directives:{name}", args=[directive.pk]), {"confirm": "1", **(data or {})}
    )


def test_submit_approve_issue_through_the_buttons(client, draft, drafter, signer, clerk):
    page = (client.force_login(drafter), client.get(reverse("directives:detail", args=[draft.pk])))
    assert 'data-testid="submit"' in page[1].content.decode()

    response = press(client, drafter, "submit", draft, {"signer": signer.pk})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Directive.Status.SUBMITTED and draft.signer == signer

    client.force_login(signer)
    page = client.get(reverse("directives:detail", args=[draft.pk])).content.decode()
    assert 'data-testid="approve"' in page and 'data-testid="issue"' not in page
    press(client, signer, "approve", draft, {"comment": "Đồng ý ban hành"})
    draft.refresh_from_db()
    assert draft.status == Directive.Status.APPROVED

    press(client, clerk, "number", draft)
    draft.refresh_from_db()
    assert draft.status == Directive.Status.NUMBERED and draft.number == 1
    signer_key_issue(signer)
    press(client, signer, "sign", draft, {"pin": PIN})
    draft.refresh_from_db()
    assert draft.status == Directive.Status.SIGNED
    response = press(client, clerk, "issue", draft)
    draft.refresh_from_db()
    assert draft.status == Directive.Status.ISSUED and draft.number == 1
    assert draft.dispatches.exists()
    page = client.get(response["Location"]).content.decode()
    assert draft.number_symbol in page
    assert reverse("directives:matrix", args=[draft.pk]) in page
    history = page.split('data-testid="history"')[1]
    for who in ("Trần Văn Bình", "Lê Thị Thu Hương", "Phạm Thị Lan"):
        assert who in history
    assert "127.0.0.1" in history and "Đồng ý ban hành" in history
    verbs = list(Event.objects.filter(directive=draft).values_list("verb", flat=True))
    assert {"submitted", "approved", "numbered", "signed", "issued"} <= set(verbs)


def test_signer_returns_with_a_reason_the_drafter_sees(client, draft, drafter, signer):
    press(client, drafter, "submit", draft, {"signer": signer.pk})

    press(client, signer, "return", draft, {"reason": "Bổ sung căn cứ pháp lý"})

    draft.refresh_from_db()
    assert draft.status == Directive.Status.DRAFT
    client.force_login(drafter)
    page = client.get(reverse("directives:detail", args=[draft.pk])).content.decode()
    assert 'data-testid="return-reason"' in page and "Bổ sung căn cứ pháp lý" in page


def test_return_needs_a_reason(client, draft, drafter, signer):
    press(client, drafter, "submit", draft, {"signer": signer.pk})
    response = press(client, signer, "return", draft, {"reason": ""})
    draft.refresh_from_db()
    assert draft.status == Directive.Status.SUBMITTED
    assert messages_of(response)


@pytest.mark.parametrize(
    ("role", "action", "data"),
    [
        (roles.DRAFTER, "approve", {}),
        (roles.CLERK, "approve", {}),
        (roles.DRAFTER, "issue", {}),
        (roles.SIGNER, "issue", {}),
    ],
)
def test_a_user_without_the_role_is_refused(
    client, draft, drafter, signer, agency, role, action, data
):
    press(client, drafter, "submit", draft, {"signer": signer.pk})
    if action == "issue":
        press(client, signer, "approve", draft)
    draft.refresh_from_db()
    before = (draft.status, draft.number, Event.objects.count())
    intruder = UserFactory(unit=agency, roles=[role])

    response = press(client, intruder, action, draft, data)

    assert response.status_code == 302
    assert messages_of(response), "the refusal must be explained"
    draft.refresh_from_db()
    assert (draft.status, draft.number, Event.objects.count()) == before


def test_issuing_a_draft_is_refused(client, draft, clerk):
    response = press(client, clerk, "issue", draft)
    draft.refresh_from_db()
    assert draft.status == Directive.Status.DRAFT and draft.number is None
    assert messages_of(response)


def test_actions_are_post_only(client, draft, drafter):
    client.force_login(drafter)
    assert client.get(reverse("directives:submit", args=[draft.pk])).status_code == 405


def test_another_agency_sees_nothing(client, draft, letter_post):
    other = UnitFactory(code="SYT", name="Sở Y tế")
    outsider = UserFactory(unit=other, roles=[roles.DRAFTER, roles.SIGNER, roles.CLERK])
    client.force_login(outsider)
    for name in ("detail", "edit"):
        assert client.get(reverse(f"directives:{name}", args=[draft.pk])).status_code == 404
    assert (
        client.post(reverse("directives:edit", args=[draft.pk]), letter_post()).status_code == 404
    )
    assert (
        client.post(reverse("directives:preview_edit", args=[draft.pk]), letter_post()).status_code
        == 404
    )
    assert press(client, outsider, "delete", draft).status_code == 404
    assert Directive.objects.filter(pk=draft.pk).exists()


def test_drafter_deletes_own_draft(client, draft, drafter):
    response = press(client, drafter, "delete", draft)
    assert response["Location"] == reverse("directives:list")
    assert not Directive.objects.filter(pk=draft.pk).exists()


def test_recall_and_replacement(client, draft, drafter, signer, clerk):
    press(client, drafter, "submit", draft, {"signer": signer.pk})
    press(client, signer, "approve", draft)
    press(client, clerk, "number", draft)
    signer_key_issue(signer)
    press(client, signer, "sign", draft, {"pin": PIN})
    press(client, clerk, "issue", draft)

    response = press(client, clerk, "replace", draft)
    replacement = Directive.objects.exclude(pk=draft.pk).get()
    assert replacement.replaces_id == draft.pk and replacement.status == Directive.Status.DRAFT
    assert response.status_code == 302

    press(client, clerk, "recall", draft, {"reason": "Ban hành nhầm đối tượng"})
    draft.refresh_from_db()
    assert draft.status in (Directive.Status.RECALLED, Directive.Status.REPLACED)
