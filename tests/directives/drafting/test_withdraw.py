"""A drafter takes a submitted draft back before it is approved; the signer is told; never
after approval. The button and the check come from the same moves."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.translation import override

from directives.models import Directive, Event, Notification
from directives.selectors.history import desk_event_labels
from directives.selectors.moves import directive_moves
from recipients import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(make_directive, recipients):
    directive = make_directive(status=Directive.Status.SUBMITTED)
    directive.addressees.create(unit=recipients["bao"], position=0)
    return directive


def page_of(client, user, directive) -> str:
    client.force_login(user)
    return client.get(reverse("directives:detail", args=[directive.pk])).content.decode()


def withdraw(client, user, directive):
    client.force_login(user)
    return client.post(reverse("directives:withdraw", args=[directive.pk]))


def test_the_drafter_withdraws_a_submitted_draft_and_the_signer_is_told(
    client, submitted, drafter, signer
):
    assert 'data-testid="withdraw"' in page_of(client, drafter, submitted)

    response = withdraw(client, drafter, submitted)

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Directive.Status.DRAFT and submitted.signer == signer
    event = Event.objects.get(directive=submitted, verb="withdrawn")
    assert event.actor == drafter
    notice = Notification.objects.get(user=signer, kind="draft_withdrawn")
    assert submitted.subject[:40] in notice.subject
    page = page_of(client, drafter, submitted)
    with override("vi"):
        label = desk_event_labels()["withdrawn"]
    assert label in page.split('data-testid="history"')[1]
    assert 'data-testid="submit"' in page


def test_an_approved_directive_cannot_be_withdrawn(client, submitted, drafter, signer):
    client.force_login(signer)
    client.post(reverse("directives:approve", args=[submitted.pk]), {})
    submitted.refresh_from_db()
    assert submitted.status == Directive.Status.APPROVED
    assert 'data-testid="withdraw"' not in page_of(client, drafter, submitted)
    assert not directive_moves(directive=submitted, user=drafter).withdraw
    events = Event.objects.count()

    response = withdraw(client, drafter, submitted)

    assert [str(m) for m in get_messages(response.wsgi_request)]
    submitted.refresh_from_db()
    assert submitted.status == Directive.Status.APPROVED
    assert Event.objects.count() == events
    assert not Notification.objects.filter(kind="draft_withdrawn").exists()


def test_the_signer_or_a_clerk_cannot_withdraw_it(client, submitted, signer, clerk):
    for user in (signer, clerk):
        assert 'data-testid="withdraw"' not in page_of(client, user, submitted)
        assert not directive_moves(directive=submitted, user=user).withdraw
        withdraw(client, user, submitted)
        submitted.refresh_from_db()
        assert submitted.status == Directive.Status.SUBMITTED


def test_a_drafter_of_another_agency_gets_a_404(client, submitted, recipients):
    outsider = UserFactory(unit=recipients["so_tc"], roles=[roles.DRAFTER])

    assert withdraw(client, outsider, submitted).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == Directive.Status.SUBMITTED
