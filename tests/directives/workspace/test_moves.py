"""The receiving unit's moves (`dispatch_moves`, `assignment_moves`): the inbox shows the button
exactly when the service accepts it; another unit's officer gets a 404."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from directives.errors import PermissionDeniedError, TransitionError
from directives.models import Assignment, Dispatch
from directives.selectors.moves import assignment_moves, dispatch_moves
from directives.services.assignments import assignment_start
from directives.services.incoming import dispatch_acknowledge

pytestmark = pytest.mark.django_db

ACK = 'data-testid="acknowledge"'
ACKED = "Đã xác nhận đã nhận văn bản."


def inbox_page(client, user, dispatch: Dispatch) -> str:
    client.force_login(user)
    return client.get(reverse("directives:inbox_detail", args=[dispatch.pk])).content.decode()


def test_officer_sees_acknowledge_only_until_acknowledged(client, officer_x, dispatch_x):
    assert ACK in inbox_page(client, officer_x, dispatch_x)

    response = client.post(reverse("directives:inbox_acknowledge", args=[dispatch_x.pk]))

    assert ACKED in [str(m) for m in get_messages(response.wsgi_request)]
    dispatch_x.refresh_from_db()
    assert dispatch_x.acknowledged_by == officer_x
    assert not dispatch_moves(dispatch=dispatch_x, user=officer_x).acknowledge
    html = inbox_page(client, officer_x, dispatch_x)
    assert ACK not in html and 'data-testid="acknowledged"' in html


def test_officer_of_another_unit_gets_404_and_the_service_refuses(client, officer_y, dispatch_x):
    client.force_login(officer_y)
    assert client.get(reverse("directives:inbox_detail", args=[dispatch_x.pk])).status_code == 404
    response = client.post(reverse("directives:inbox_acknowledge", args=[dispatch_x.pk]))
    assert response.status_code == 404

    assert not dispatch_moves(dispatch=dispatch_x, user=officer_y).acknowledge
    with pytest.raises(PermissionDeniedError):
        dispatch_acknowledge(dispatch=dispatch_x, by=officer_y)
    dispatch_x.refresh_from_db()
    assert dispatch_x.acknowledged_at is None


def test_the_issuing_clerk_cannot_acknowledge_for_the_unit(clerk, dispatch_x):
    with pytest.raises(PermissionDeniedError):
        dispatch_acknowledge(dispatch=dispatch_x, by=clerk)
    dispatch_x.refresh_from_db()
    assert dispatch_x.acknowledged_at is None


def test_start_shows_after_acknowledgement_and_the_service_follows(client, officer_x, dispatch_x):
    task = Assignment.objects.filter(dispatch=dispatch_x).order_by("task__position").first()
    html = inbox_page(client, officer_x, dispatch_x)
    assert 'data-testid="start"' not in html and 'data-testid="report-link"' not in html
    with pytest.raises(TransitionError):
        assignment_start(assignment=task, by=officer_x)

    dispatch_acknowledge(dispatch=dispatch_x, by=officer_x)
    task.refresh_from_db()
    assert assignment_moves(assignment=task, user=officer_x).start
    html = inbox_page(client, officer_x, dispatch_x)
    assert 'data-testid="start"' in html and 'data-testid="report-link"' in html

    client.post(reverse("directives:assignment_start", args=[task.pk]))
    task.refresh_from_db()
    assert task.status == Assignment.Status.IN_PROGRESS
    mine = inbox_page(client, officer_x, dispatch_x).split(
        f'data-testid="task-{task.task.position}"'
    )
    assert 'data-testid="start"' not in mine[1].split('data-testid="task-')[0]


def test_officer_of_another_unit_may_not_start_a_task(client, officer_x, officer_y, dispatch_x):
    dispatch_acknowledge(dispatch=dispatch_x, by=officer_x)
    task = Assignment.objects.filter(dispatch=dispatch_x).first()
    assert not assignment_moves(assignment=task, user=officer_y).start
    with pytest.raises(PermissionDeniedError):
        assignment_start(assignment=task, by=officer_y)
    client.force_login(officer_y)
    assert client.post(reverse("directives:assignment_start", args=[task.pk])).status_code == 404
    task.refresh_from_db()
    assert task.status == Assignment.Status.PENDING
