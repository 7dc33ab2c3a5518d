"""The agency's own people are told of what waits for them (notices/people.py): the signer of a
draft submitted to them and of a numbered letter to sign, the drafter of a return, an approval
and an issue, the clerks of a letter to number and to issue; each once, by e-mail only when they
chose it, and never a clerk of another agency. Their menu counts what waits, and the clerk's
to-do page lists it by deadline."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from directives import services
from directives.errors import TransitionError
from directives.models import Notification
from directives.selectors.todo import TO_ISSUE, TO_NUMBER, clerk_todo, menu_counts
from directives.services.notices import people
from recipients import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def told(user, **filters) -> list[str]:
    """The kinds of the in-app notices this person got."""
    return list(
        Notification.objects.filter(
            user=user, channel=Notification.Channel.IN_APP, **filters
        ).values_list("kind", flat=True)
    )


def emails_to(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user, channel=Notification.Channel.EMAIL).values_list(
            "kind", flat=True
        )
    )


def test_submission_tells_the_chosen_signer_only(agency, other_agency):
    other_signer = UserFactory(unit=agency.sttt, roles=[roles.SIGNER])
    directive = agency.submitted()

    assert told(agency.signer) == [people.SUBMITTED]
    row = Notification.objects.get(user=agency.signer)
    assert row.directive_id == directive.pk
    assert row.link == reverse("directives:detail", args=[directive.pk])
    assert told(other_signer) == []
    assert told(agency.drafter) == []  # nobody is told of what they did
    assert told(other_agency[roles.SIGNER]) == []


def test_return_tells_the_drafter_with_the_reason(agency):
    submitted = agency.submitted()
    services.directive_return(directive=submitted, by=agency.signer, reason="Sửa trích yếu")

    assert told(agency.drafter) == [people.RETURNED]
    assert Notification.objects.get(user=agency.drafter).body == "Sửa trích yếu"


def test_approval_tells_the_drafter_and_the_agencys_clerks_not_another_agencys(
    agency, other_agency
):
    agency.approved()

    assert told(agency.drafter) == [people.APPROVED]
    assert told(agency.clerk) == [f"{people.APPROVED}_to_number"]
    assert told(other_agency[roles.CLERK]) == []
    assert told(other_agency[roles.DRAFTER]) == []


def test_numbering_tells_the_signer_and_the_signature_tells_the_clerks(agency):
    numbered = agency.numbered()
    assert told(agency.signer, kind=people.NUMBERED) == [people.NUMBERED]
    assert numbered.number_symbol in Notification.objects.get(kind=people.NUMBERED).subject

    agency.sign(numbered)
    assert told(agency.clerk, kind=people.SIGNED) == [people.SIGNED]
    assert told(agency.signer, kind=people.SIGNED) == []


def test_issue_tells_the_drafter_its_number(agency):
    issued = agency.issued()
    [row] = Notification.objects.filter(user=agency.drafter, kind=people.ISSUED)
    assert issued.number_symbol in row.subject


def test_each_notice_once_even_when_the_step_runs_twice(agency):
    approved = agency.approved()
    before = Notification.objects.count()
    with pytest.raises(TransitionError):
        services.directive_approve(directive=approved, by=agency.signer)
    assert Notification.objects.count() == before

    # The same step reported again (a retried job) writes nothing new.
    event = approved.events.get(verb="approved")
    again = people.directive_people_notify(
        directive=approved, occasion=people.APPROVED, by=agency.signer, key=event.pk
    )
    assert again == []
    assert Notification.objects.count() == before
    assert told(agency.clerk) == [f"{people.APPROVED}_to_number"]


def test_email_only_for_those_who_chose_it(agency, django_capture_on_commit_callbacks):
    agency.drafter.notify_by_email = True
    agency.drafter.email = "binh@sotttt.gialai.gov.vn"
    agency.drafter.save()
    agency.clerk.email = "lan@sotttt.gialai.gov.vn"
    agency.clerk.save()  # has an address but did not choose e-mail

    with django_capture_on_commit_callbacks():
        submitted = agency.submitted()
    with django_capture_on_commit_callbacks() as callbacks:
        services.directive_approve(directive=submitted, by=agency.signer)

    assert emails_to(agency.drafter) == [people.APPROVED]
    [mail] = Notification.objects.filter(user=agency.drafter, channel="email")
    assert mail.address == "binh@sotttt.gialai.gov.vn"
    assert mail.status == Notification.Status.PENDING
    assert mail.link.endswith(reverse("directives:detail", args=[submitted.pk]))
    assert mail.link.startswith("http")
    assert emails_to(agency.clerk) == []
    assert told(agency.clerk) == [f"{people.APPROVED}_to_number"]
    assert callbacks  # the e-mail leaves after commit


def test_the_menu_counts_what_waits(agency, client):
    agency.submitted()
    agency.submitted()
    agency.approved()
    agency.numbered()
    agency.signed()

    assert menu_counts(agency.signer).to_sign == 2 + 1  # two to approve, one numbered to sign
    clerk = menu_counts(agency.clerk)
    assert (clerk.to_number, clerk.to_issue) == (1, 1)
    assert menu_counts(agency.drafter).to_number == 0

    client.force_login(agency.clerk)
    page = client.get(reverse("directives:list")).content.decode()
    assert 'data-testid="to-number-count">1<' in page
    assert 'data-testid="to-issue-count">1<' in page
    client.force_login(agency.signer)
    page = client.get(reverse("directives:list")).content.decode()
    assert 'data-testid="to-sign-count">3<' in page


def test_the_clerks_todo_lists_letters_by_deadline(agency, other_agency, client):
    later = agency.approved(subject="Muộn")
    later.tasks.update(deadline=datetime.date(2027, 3, 1))
    undated = agency.approved(subject="Không hạn")
    undated.tasks.update(deadline=None)
    sooner = agency.signed(subject="Sớm")
    sooner.tasks.update(deadline=datetime.date(2027, 1, 5))

    items = clerk_todo(agency.clerk)
    assert [(i.kind, i.title) for i in items] == [
        (TO_ISSUE, "Sớm"),
        (TO_NUMBER, "Muộn"),
        (TO_NUMBER, "Không hạn"),
    ]
    assert clerk_todo(other_agency[roles.CLERK]) == []
    assert clerk_todo(agency.drafter) == []

    client.force_login(agency.clerk)
    page = client.get(reverse("directives:todo")).content.decode()
    assert page.index("Sớm") < page.index("Muộn") < page.index("Không hạn")

    client.force_login(other_agency[roles.CLERK])
    page = client.get(reverse("directives:todo")).content.decode()
    assert "Sớm" not in page and "Muộn" not in page
    client.force_login(agency.drafter)
    assert client.get(reverse("directives:todo")).status_code == 404
