"""The drafter chooses the signer on the drafting page from the issuing unit's signers; the
printed title and name follow the choice (and stay editable); submitting goes to that signer."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from directives.models import Directive, Notification
from recipients import roles
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def director(agency):
    return UserFactory(
        unit=agency,
        roles=[roles.SIGNER],
        username="giamdoc",
        last_name="Nguyễn Văn",
        first_name="Minh",
        title="GIÁM ĐỐC",
    )


@pytest.fixture
def titled_signer(signer):
    signer.title = "PHÓ GIÁM ĐỐC"
    signer.save(update_fields=["title"])
    return signer


def save(client, user, data, directive=None):
    client.force_login(user)
    url = (
        reverse("directives:edit", args=[directive.pk])
        if directive
        else reverse("directives:create")
    )
    return client.post(url, data)


def test_the_draft_page_offers_the_issuing_units_signers_with_their_title_and_name(
    client, drafter, titled_signer, director
):
    elsewhere = UnitFactory(code="STC", name="Sở Tài chính")
    UserFactory(unit=elsewhere, roles=[roles.SIGNER], last_name="Đỗ", first_name="Ngoại")
    UserFactory(unit=drafter.unit, roles=[roles.DRAFTER], last_name="Hồ", first_name="Thảo")
    client.force_login(drafter)

    page = client.get(reverse("directives:create")).content.decode()

    choice = page.split('name="signer"')[1].split("</select>")[0]
    assert f'value="{titled_signer.pk}"' in choice and f'value="{director.pk}"' in choice
    assert 'data-title="PHÓ GIÁM ĐỐC"' in choice and 'data-name="Lê Thị Thu Hương"' in choice
    assert "Ngoại" not in choice and "Thảo" not in choice


def test_the_printed_signer_follows_the_choice(client, drafter, titled_signer, letter_post):
    save(
        client, drafter, letter_post(signer=str(titled_signer.pk), signer_title="", signer_name="")
    )

    draft = Directive.objects.get()
    assert draft.signer == titled_signer
    assert (draft.signer_title, draft.signer_name) == ("PHÓ GIÁM ĐỐC", "Lê Thị Thu Hương")


def test_another_signer_chosen_replaces_the_previous_ones_title_and_name(
    client, drafter, titled_signer, director, letter_post
):
    save(
        client, drafter, letter_post(signer=str(titled_signer.pk), signer_title="", signer_name="")
    )
    draft = Directive.objects.get()

    # The page still shows the previous signer's title and name (no script ran).
    save(
        client,
        drafter,
        letter_post(
            signer=str(director.pk), signer_title="PHÓ GIÁM ĐỐC", signer_name="Lê Thị Thu Hương"
        ),
        draft,
    )

    draft.refresh_from_db()
    assert draft.signer == director
    assert (draft.signer_title, draft.signer_name) == ("GIÁM ĐỐC", "Nguyễn Văn Minh")


def test_a_name_the_drafter_wrote_stays(client, drafter, titled_signer, letter_post):
    save(
        client,
        drafter,
        letter_post(signer=str(titled_signer.pk), signer_title="", signer_name="Lê T. Thu Hương"),
    )

    draft = Directive.objects.get()
    assert draft.signer_name == "Lê T. Thu Hương" and draft.signer_title == "PHÓ GIÁM ĐỐC"


def test_a_signer_of_another_unit_is_refused_and_nothing_is_saved(client, drafter, letter_post):
    outsider = UserFactory(unit=UnitFactory(code="STC"), roles=[roles.SIGNER])

    response = save(client, drafter, letter_post(signer=str(outsider.pk)))

    assert response.status_code == 400
    assert Directive.objects.count() == 0


def test_submitting_goes_to_the_chosen_signer_without_asking_again(
    client, drafter, titled_signer, letter_post
):
    save(client, drafter, letter_post(signer=str(titled_signer.pk)))
    draft = Directive.objects.get()
    page = client.get(reverse("directives:detail", args=[draft.pk])).content.decode()
    assert 'data-testid="submit-to"' in page and "Lê Thị Thu Hương" in page
    assert f'type="hidden" name="signer" value="{titled_signer.pk}"' in page

    client.post(reverse("directives:submit", args=[draft.pk]), {})

    draft.refresh_from_db()
    assert draft.status == Directive.Status.SUBMITTED and draft.signer == titled_signer
    assert Notification.objects.filter(user=titled_signer, kind="draft_submitted").exists()


def test_a_draft_saved_without_a_signer_chooses_at_submission(
    client, drafter, signer, make_directive, recipients
):
    draft = make_directive(signer=None, signer_name="")
    draft.addressees.create(unit=recipients["bao"], position=0)
    client.force_login(drafter)
    page = client.get(reverse("directives:detail", args=[draft.pk])).content.decode()
    assert '<select name="signer"' in page

    refused = client.post(reverse("directives:submit", args=[draft.pk]), {})
    draft.refresh_from_db()
    assert draft.status == Directive.Status.DRAFT
    assert [str(m) for m in get_messages(refused.wsgi_request)]

    client.post(reverse("directives:submit", args=[draft.pk]), {"signer": signer.pk})
    draft.refresh_from_db()
    assert draft.status == Directive.Status.SUBMITTED and draft.signer == signer
    assert draft.signer_name == "Lê Thị Thu Hương"
