"""Issuing, recall and replacement: the number, the recipients' snapshot, the assignments, and
refusals that leave everything as it was (including the register)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from directives import services
from directives.errors import (
    ConcurrentIssueError,
    DirectiveError,
    PermissionDeniedError,
    TransitionError,
)
from directives.models import (
    Assignment,
    Directive,
    Dispatch,
    Event,
    Notification,
    Register,
    Urgency,
)
from directives.workdays import local_today
from recipients import roles
from recipients.models import Unit
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_issue_numbers_snapshots_and_assigns(agency, django_capture_on_commit_callbacks):
    signed = agency.signed()

    with django_capture_on_commit_callbacks() as callbacks:
        issued = services.directive_issue(directive=signed, by=agency.clerk, ip="10.3.3.3")

    issued.refresh_from_db()
    assert issued.status == Directive.Status.ISSUED
    assert (issued.number, issued.register_year) == (1, local_today().year)
    assert issued.number_symbol == "01/STTTT-TTBCXB" and issued.issued_on == local_today()
    assert issued.issued_at and issued.pdf_status == Directive.PdfStatus.PENDING
    sources = dict(Dispatch.objects.filter(directive=issued).values_list("unit__code", "source"))
    # Groups expanded today (without the issuing Sở itself); each unit once, first source wins;
    # the external ministry receives too.
    assert sources == {
        "STC": "addressee",
        "SYT": "addressee",
        "BAOGL": "addressee",
        "BTTTT": "copy",
        "PTTHGL": "copy",
        "UBND.CHUPAH": "task",
    }
    task1, task2 = issued.tasks.all()
    assignments = Assignment.objects.filter(task__directive=issued)
    # The request keeps the tasks' units as expanded now; the PDF job writes them first, once.
    assert not assignments.exists()
    assert {int(k): sorted(v) for k, v in issued.pending_assignments.items()} == {
        task1.pk: sorted(
            Unit.objects.filter(code__in=["STC", "SYT", "UBND.CHUPAH"]).values_list("pk", flat=True)
        ),
        task2.pk: sorted(
            Unit.objects.filter(code__in=["BAOGL", "PTTHGL"]).values_list("pk", flat=True)
        ),
    }
    assert services.assignments_snapshot_write(directive_id=issued.pk) == 5
    assert services.assignments_snapshot_write(directive_id=issued.pk) == 0
    issued.refresh_from_db()
    assert issued.pending_assignments is None
    assert sorted(assignments.filter(task=task1).values_list("unit__code", flat=True)) == [
        "STC",
        "SYT",
        "UBND.CHUPAH",
    ]
    assert sorted(assignments.filter(task=task2).values_list("unit__code", flat=True)) == [
        "BAOGL",
        "PTTHGL",
    ]
    assert {a.due_date for a in assignments.filter(task=task1)} == {datetime.date(2026, 12, 31)}
    assert all(a.dispatch.unit_id == a.unit_id for a in assignments)
    event = issued.events.last()
    assert (event.verb, event.ip, event.data["number"]) == ("issued", "10.3.3.3", 1)
    # Besides the new versions of what the cache keeps of the inboxes and the bells.
    jobs = [c for c in callbacks if "cache_versions_bump" not in c.__qualname__]
    assert len(jobs) == 1, "the PDF job is enqueued once, after commit"
    assert Register.objects.get(unit=agency.sttt).last_number == 1


def test_the_snapshot_rows_start_as_new_rows_do(agency):
    """The snapshot builds its thousands of rows in bulk: each still gets every default and
    its creation time, as one saved alone would, and the same on SQLite and PostgreSQL."""
    before = timezone.now()
    issued = agency.issue(agency.signed())

    dispatches = list(Dispatch.objects.filter(directive=issued))
    assert dispatches and all(d.delivery == Dispatch.Delivery.PENDING for d in dispatches)
    assert all(d.created_at >= before for d in dispatches)
    assert all(d.delivered_at is None and d.acknowledged_by_id is None for d in dispatches)
    assert all(d.acknowledged_by_name == "" and d.acknowledged_ip is None for d in dispatches)
    assignments = list(Assignment.objects.filter(task__directive=issued))
    assert assignments and all(a.status == Assignment.Status.PENDING for a in assignments)
    assert all(a.updated_at >= before and a.report_text == "" for a in assignments)
    assert all(a.reported_by_id is None and a.reviewed_at is None for a in assignments)


def test_a_flash_letter_waits_above_newer_ordinary_ones_in_the_inbox(agency, client):
    """The letter's urgency goes with each dispatch at issue: the receiving unit's inbox lists
    an older flash letter above a newer ordinary one while both wait for acknowledgement."""
    flash = agency.issued(urgency=Urgency.FLASH)
    ordinary = agency.issued()
    officer = UserFactory(unit=agency.so_tc, roles=[roles.UNIT_OFFICER])
    client.force_login(officer)

    page = client.get(reverse("directives:inbox")).context["page"]

    assert [dispatch.directive_id for dispatch in page.object_list] == [flash.pk, ordinary.pk]


@pytest.mark.parametrize("shared", [False, True], ids=["per-process cache", "shared cache"])
def test_the_inbox_counts_each_letter_and_its_issuer_as_soon_as_it_arrives_or_leaves(
    agency, client, settings, shared
):
    """With a cache every process shares, the inbox keeps its count and its issuers until a
    letter reaches the unit or leaves it (selectors.inbox.inbox_kept): each way in and out
    below is seen on the next page all the same."""
    settings.CACHE_IS_SHARED = shared
    officer = UserFactory(unit=agency.so_tc, roles=[roles.UNIT_OFFICER])
    client.force_login(officer)

    def inbox() -> tuple[int, list[int]]:
        context = client.get(reverse("directives:inbox")).context
        return context["page"].paginator.count, sorted(u.pk for u in context["issuers"])

    first = agency.issued()
    assert inbox() == (1, [agency.sttt.pk])
    # Issued, its tasks not written yet: not there; written by the PDF job: there at once.
    issued = services.directive_issue(directive=agency.signed(), by=agency.clerk)
    assert issued.pending_assignments and inbox() == (1, [agency.sttt.pk])
    services.assignments_snapshot_write(directive_id=issued.pk)
    assert inbox() == (2, [agency.sttt.pk])
    # A letter signed on paper reaches the units as it is entered.
    services.directive_enter_paper(
        by=agency.clerk,
        fields=agency.fields(subject="Văn bản giấy"),
        number=900,
        issued_on=local_today(),
        **agency.lines(),
    )
    assert inbox() == (3, [agency.sttt.pk])
    # One deleted leaves the count.
    Dispatch.objects.filter(directive=first, unit=agency.so_tc).delete()
    assert inbox() == (2, [agency.sttt.pk])


def test_later_edits_of_a_group_change_nothing_issued(agency):
    issued = agency.issued()
    agency.departments.members.add(UnitFactory(code="SXD", name="Sở Xây dựng"))
    agency.so_tc.is_active = False
    agency.so_tc.save()
    codes = set(issued.dispatches.values_list("unit__code", flat=True))
    assert "SXD" not in codes and "STC" in codes


@pytest.mark.parametrize("who", ["drafter", "signer", "other_clerk"])
def test_only_a_clerk_of_the_issuing_unit_issues(agency, other_agency, who):
    signed = agency.signed()
    user = other_agency[roles.CLERK] if who == "other_clerk" else getattr(agency, who)
    events = Event.objects.count()
    with pytest.raises(PermissionDeniedError):
        services.directive_issue(directive=signed, by=user)
    signed.refresh_from_db()
    assert signed.status == Directive.Status.SIGNED and signed.number == 1
    assert not Dispatch.objects.exists() and Event.objects.count() == events
    assert Register.objects.get(unit=agency.sttt).last_number == 1


@pytest.mark.parametrize("state", ["draft", "submitted", "approved", "numbered"])
def test_issuing_before_the_signers_signature_is_refused(agency, state):
    directive = getattr(agency, state)()
    with pytest.raises(TransitionError, match="Only a directive numbered and signed"):
        services.directive_issue(directive=directive, by=agency.clerk)
    directive.refresh_from_db()
    assert directive.status == state and not directive.dispatches.exists()


def test_the_second_clerk_is_told_it_is_already_issued(agency):
    approved = agency.signed()
    colleague = UserFactory(unit=agency.office, roles=[roles.CLERK])
    services.directive_issue(directive=approved, by=agency.clerk)
    events = Event.objects.count()

    # The colleague's page still shows the directive as approved.
    with pytest.raises(ConcurrentIssueError, match="already been issued as number 01/STTTT"):
        services.directive_issue(directive=approved, by=colleague)

    assert Event.objects.count() == events
    assert Register.objects.get(unit=agency.sttt).last_number == 1
    assert Dispatch.objects.filter(directive=approved).count() == 6


def test_a_failed_issue_leaves_the_signed_letter_and_its_number(agency):
    """Every recipient of this directive left the directory after it was signed: the issue
    fails and changes nothing; the letter keeps its number (inside both signatures)."""
    lonely = UnitFactory(code="DVTAM", name="Đơn vị tạm")
    approved = services.directive_save_draft(
        by=agency.drafter,
        directive=None,
        fields=agency.fields(),
        addressees=[{"group": None, "unit": lonely, "label": ""}],
        copies=[],
        tasks=[],
    )
    services.directive_submit(directive=approved, by=agency.drafter, signer=agency.signer)
    services.directive_approve(directive=approved, by=agency.signer)
    numbered = services.directive_number(directive=approved, by=agency.clerk)
    signed = agency.sign(numbered)
    lonely.is_active = False
    lonely.save()
    events = Event.objects.count()

    with pytest.raises(TransitionError, match="Nobody would receive"):
        services.directive_issue(directive=signed, by=agency.clerk)

    signed.refresh_from_db()
    assert (signed.status, signed.number, signed.pdf_status) == ("signed", 1, "none")
    assert Event.objects.count() == events and not Dispatch.objects.exists()
    assert Register.objects.get(unit=agency.sttt).last_number == 1


def test_a_failed_numbering_gives_the_number_back(agency, monkeypatch):
    """The final PDF cannot be made: the numbering rolls back and the number is not burnt."""
    approved = agency.approved()
    events = Event.objects.count()

    def broken(directive):
        raise OSError("WeasyPrint crashed")

    monkeypatch.setattr("directives.services.numbering.render_numbered_pdf", broken)
    with pytest.raises(OSError):
        services.directive_number(directive=approved, by=agency.clerk)
    approved.refresh_from_db()
    assert (approved.status, approved.number, approved.symbol) == ("approved", None, "")
    assert Event.objects.count() == events
    assert not Register.objects.filter(last_number__gt=0).exists()
    monkeypatch.undo()
    assert agency.issued().number == 1, "the number was not burnt"


def test_recall_needs_a_clerk_a_reason_and_an_issued_directive(agency):
    approved = agency.signed()
    with pytest.raises(TransitionError):
        services.directive_recall(directive=approved, by=agency.clerk, reason="Nhầm")
    issued = services.directive_issue(directive=approved, by=agency.clerk)
    with pytest.raises(DirectiveError):
        services.directive_recall(directive=issued, by=agency.clerk, reason=" ")
    with pytest.raises(PermissionDeniedError):
        services.directive_recall(directive=issued, by=agency.signer, reason="Nhầm")
    assert Directive.objects.get(pk=issued.pk).status == Directive.Status.ISSUED

    recalled = services.directive_recall(
        directive=issued, by=agency.clerk, reason="Ban hành nhầm đối tượng"
    )

    assert recalled.status == Directive.Status.RECALLED and recalled.recalled_at
    assert Directive.objects.get(pk=issued.pk).recall_reason == "Ban hành nhầm đối tượng"
    event = recalled.events.last()
    assert (event.verb, event.comment) == ("recalled", "Ban hành nhầm đối tượng")
    # Every recipient is told (by e-mail at least: each test unit has an address).
    told = set(
        Notification.objects.filter(directive=issued, kind="recalled").values_list(
            "unit_id", flat=True
        )
    )
    assert told == set(issued.dispatches.values_list("unit_id", flat=True))


def test_replacement_copies_the_letter_and_replaces_the_old_one_at_issue(agency):
    old = agency.issued()
    new = services.directive_start_replacement(directive=old, by=agency.drafter)

    assert new.status == Directive.Status.DRAFT and new.replaces == old
    assert new.drafter == agency.drafter and new.number is None
    assert new.subject == old.subject and new.body == old.body
    assert list(new.addressees.values_list("group_id", "unit_id", "label")) == list(
        old.addressees.values_list("group_id", "unit_id", "label")
    )
    assert [set(t.groups.all()) for t in new.tasks.all()] == [
        set(t.groups.all()) for t in old.tasks.all()
    ]
    with pytest.raises(TransitionError, match="already being prepared"):
        services.directive_start_replacement(directive=old, by=agency.drafter)

    services.directive_submit(directive=new, by=agency.drafter, signer=agency.signer)
    services.directive_approve(directive=new, by=agency.signer)
    issued = agency.issue_approved(new)

    old.refresh_from_db()
    assert issued.number == 2 and old.status == Directive.Status.REPLACED
    replaced = old.events.get(verb="replaced")
    assert replaced.data == {"replaced_by": new.pk}
    assert Notification.objects.filter(directive=old, kind="replaced").exists()
    with pytest.raises(TransitionError):
        services.directive_start_replacement(directive=old, by=agency.drafter)


def test_replacement_only_of_an_issued_directive_by_its_agency(agency, other_agency):
    approved = agency.approved()
    with pytest.raises(TransitionError):
        services.directive_start_replacement(directive=approved, by=agency.drafter)
    issued = agency.issue_approved(approved)
    with pytest.raises(PermissionDeniedError):
        services.directive_start_replacement(directive=issued, by=other_agency[roles.CLERK])
    assert Directive.objects.count() == 1


def test_a_replacement_has_its_own_copy_of_the_attachments(agency):
    draft = agency.draft()
    services.attachment_add(
        directive=draft,
        by=agency.drafter,
        upload=SimpleUploadedFile("phu-luc.pdf", b"%PDF-1.4\nphu luc\n%%EOF\n"),
    )
    services.directive_submit(directive=draft, by=agency.drafter, signer=agency.signer)
    services.directive_approve(directive=draft, by=agency.signer)
    old = agency.issue_approved(draft)

    new = services.directive_start_replacement(directive=old, by=agency.clerk)
    copy = new.attachments.get()
    services.attachment_remove(attachment=copy, by=agency.clerk)

    original = old.attachments.get()
    assert original.file.read() == b"%PDF-1.4\nphu luc\n%%EOF\n"
    assert copy.file.name != original.file.name


def test_while_the_assignments_are_pending_pages_read_them_as_written(agency):
    """The issue request leaves the tasks' units to the PDF job: meanwhile the clerk's matrix
    reads as it will once they are written, a recipient unit does not see the letter yet (never
    without its tasks), and nothing is delivered before them."""
    from directives.selectors.matrix import matrix_build, state_labels
    from directives.selectors.scope import dispatches_visible_to
    from directives.services.notices.delivery import deliverable

    officer = UserFactory(unit=agency.so_tc, roles=[roles.UNIT_OFFICER])
    issued = services.directive_issue(directive=agency.signed(), by=agency.clerk)
    issued = Directive.objects.get(pk=issued.pk)
    # As the PDF job leaves it, were it not for the pending assignments.
    Directive.objects.filter(pk=issued.pk).update(
        pdf_status=Directive.PdfStatus.READY, pdf="directives/x.pdf", pdf_sha256="b" * 64
    )
    issued.refresh_from_db()
    assert issued.pending_assignments and not deliverable(issued)

    def read(directive):
        built = matrix_build(directive=directive)
        cells = [(r.dispatch.unit.code, [(c.state, c.label) for c in r.cells]) for r in built.rows]
        return cells, built.summary

    pending = read(issued)
    assert not dispatches_visible_to(officer).filter(directive=issued).exists()
    labels = state_labels()
    started = [label for _unit, row in pending[0] for _state, label in row]
    # Three units on the first task, two on the second; the other cells are not assigned.
    assert started.count(labels["not_started"]) == 5
    assert started.count(labels["not_assigned"]) == len(started) - 5

    services.assignments_snapshot_write(directive_id=issued.pk)
    issued.refresh_from_db()
    assert read(issued) == pending
    assert deliverable(issued)
    assert dispatches_visible_to(officer).filter(directive=issued).count() == 1
