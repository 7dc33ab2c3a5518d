"""The one-click acknowledgement link: reused, expired, forged, recalled, outdated links show a
clear page and change nothing; recall and replacement tell every unit."""

from __future__ import annotations

import time

import pytest
from django.core import signing
from django.urls import reverse

from directives.models import Directive, Dispatch, Event, Notification
from directives.services.notices import directive_fan_out, withdrawal_notices_create
from directives.services.receipts import ACK_SALT, ack_token_make
from tests.directives.dispatch.conftest import make_ready, make_units

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(agency):
    units = make_units(2)
    directive = make_ready(units, issuing_unit=agency)
    return directive, Dispatch.objects.filter(directive=directive).order_by("pk").first()


def link(token: str) -> str:
    return reverse("directives:ack_link", kwargs={"token": token})


def state(dispatch: Dispatch) -> tuple:
    dispatch.refresh_from_db()
    return dispatch.acknowledged_at, dispatch.seen_at, Event.objects.count()


def assert_problem(response, status: int, problem: str) -> None:
    assert response.status_code == status
    html = response.content.decode()
    assert f'data-problem="{problem}"' in html
    assert 'id="ack-form"' not in html


def test_a_get_shows_the_document_and_changes_nothing(client, sent):
    directive, dispatch = sent
    before = state(dispatch)
    response = client.get(link(ack_token_make(dispatch)))
    assert response.status_code == 200
    html = response.content.decode()
    assert directive.subject in html and 'id="ack-form"' in html
    assert state(dispatch) == before


def test_a_reused_link_says_already_acknowledged(client, sent):
    _directive, dispatch = sent
    url = link(ack_token_make(dispatch))
    assert client.post(url).status_code == 200
    after_first = state(dispatch)
    assert after_first[0] is not None
    for method in (client.get, client.post):
        assert_problem(method(url), 200, "AckLinkUsed")
    assert state(dispatch) == after_first


def test_an_expired_link_is_refused(client, sent, settings):
    _directive, dispatch = sent
    settings.ACK_LINK_MAX_AGE_DAYS = 30

    class MadeLongAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 31 * 86400)

    token = MadeLongAgo(salt=ACK_SALT).sign_object(
        {"d": dispatch.pk, "h": dispatch.directive.pdf_sha256}
    )
    before = state(dispatch)
    for method in (client.get, client.post):
        assert_problem(method(link(token)), 410, "AckLinkExpired")
    assert state(dispatch) == before


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-3] + ("abc" if not token.endswith("abc") else "xyz"),
        lambda token: signing.TimestampSigner(salt="another.purpose").sign_object(
            {"d": 1, "h": "x"}
        ),
        lambda token: "not-a-token",
    ],
    ids=["altered", "other-salt", "garbage"],
)
def test_a_forged_link_is_refused(client, sent, forge):
    _directive, dispatch = sent
    token = forge(ack_token_make(dispatch))
    before = state(dispatch)
    for method in (client.get, client.post):
        assert_problem(method(link(token)), 400, "AckLinkInvalid")
    assert state(dispatch) == before


def test_a_link_of_a_recalled_directive_is_refused(client, sent):
    directive, dispatch = sent
    url = link(ack_token_make(dispatch))
    Directive.objects.filter(pk=directive.pk).update(status=Directive.Status.RECALLED)
    before = state(dispatch)
    for method in (client.get, client.post):
        assert_problem(method(url), 410, "AckLinkWithdrawn")
    assert state(dispatch) == before


def test_a_link_for_an_older_pdf_is_refused(client, sent):
    directive, dispatch = sent
    url = link(ack_token_make(dispatch))
    Directive.objects.filter(pk=directive.pk).update(pdf_sha256="b" * 64)
    before = state(dispatch)
    assert_problem(client.post(url), 410, "AckLinkOutdated")
    assert state(dispatch) == before


def test_recall_and_replacement_tell_every_unit_once(
    agency, smtp_sink, celery_eager, django_capture_on_commit_callbacks
):
    units = make_units(3)
    old = make_ready(units, issuing_unit=agency)
    new = make_ready(units, issuing_unit=agency, number=1090)
    with django_capture_on_commit_callbacks(execute=True):
        directive_fan_out(directive_id=old.pk)
    delivered = len(smtp_sink.messages)
    with django_capture_on_commit_callbacks(execute=True):
        withdrawal_notices_create(directive=old, replacement=new)
        withdrawal_notices_create(directive=old, replacement=new)
    rows = Notification.objects.filter(directive=old, kind="replaced")
    assert rows.filter(channel="in_app").count() == 3
    assert rows.filter(channel="email").count() == 6
    # Each address: the letter, then its replacement notice, once.
    assert sorted(smtp_sink.count_by_address().values()) == [2] * 6
    text = smtp_sink.messages[delivered].get_body(("plain",)).get_content()
    assert "1038/STTTT-TTBCXB" in text and "1090/STTTT-TTBCXB" in text

    recalled = make_ready(units[:1], issuing_unit=agency, number=1100, recall_reason="Sai sót")
    with django_capture_on_commit_callbacks(execute=True):
        directive_fan_out(directive_id=recalled.pk)
        withdrawal_notices_create(directive=recalled, replacement=None)
    assert Notification.objects.filter(directive=recalled, kind="recalled").count() == 3


def test_a_unit_the_letter_never_reached_is_recorded_not_sent_and_not_told(
    agency, clerk, smtp_sink, celery_eager, django_capture_on_commit_callbacks
):
    """Recalled while the fan-out runs: the unit already served is told; the unit whose
    delivery had not started is "not sent (recalled)", never "sent", and hears nothing of a
    letter it never received, in the matrix, the progress and the export alike."""
    from directives.exports import matrix_table
    from directives.selectors.matrix import matrix_build
    from directives.services import directive_recall
    from directives.services.notices import delivery_progress, dispatches_deliver

    units = make_units(2)
    directive = make_ready(units, issuing_unit=agency)
    served = Dispatch.objects.get(directive=directive, unit=units[0])
    dispatches_deliver(dispatch_ids=[served.pk])
    with django_capture_on_commit_callbacks(execute=True):
        directive_recall(directive=directive, by=clerk, reason="Sai thể thức")
    # The job of the second unit runs after the recall, as a queued job would.
    with django_capture_on_commit_callbacks(execute=True):
        directive_fan_out(directive_id=directive.pk)
        dispatches_deliver(dispatch_ids=list(directive.dispatches.values_list("pk", flat=True)))
    deliveries = dict(directive.dispatches.values_list("unit_id", "delivery"))
    assert deliveries == {units[0].pk: "sent", units[1].pk: "withdrawn"}
    told = Notification.objects.filter(directive=directive, kind="recalled")
    assert set(told.values_list("unit_id", flat=True)) == {units[0].pk}
    never = {"u0001@gialai.gov.vn", "u0001-0@gialai.gov.vn"}
    assert not never & set(smtp_sink.count_by_address())
    assert set(smtp_sink.count_by_address().values()) == {2}  # the letter, then the recall
    progress = delivery_progress(directive)
    assert (progress.sent, progress.withdrawn, progress.pending) == (1, 1, 0)
    header, rows, states = matrix_table(matrix_build(directive=directive))
    by_code = {row[1]: (row[2], state[2]) for row, state in zip(rows, states, strict=True)}
    assert by_code["U0001"] == ("Chưa gửi (đã thu hồi)", "withdrawn")
