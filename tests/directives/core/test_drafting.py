"""Drafting, approval and return through the services: each move allowed for its role, refused
for everyone else with a message, and nothing changed by a refusal."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from directives import services
from directives.errors import DirectiveError, PermissionDeniedError, TransitionError
from directives.models import Attachment, Directive, Event
from recipients import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def snapshot(directive: Directive) -> tuple:
    """What a refused move must leave as it was."""
    directive = Directive.objects.get(pk=directive.pk)
    return (
        directive.status,
        directive.subject,
        directive.signer_id,
        directive.number,
        list(directive.addressees.values_list("label", "group_id", "unit_id")),
        list(directive.tasks.values_list("title", flat=True)),
        Event.objects.filter(directive=directive).count(),
    )


def test_drafter_creates_a_draft_with_its_lines_in_order(agency):
    draft = agency.draft()

    assert draft.status == Directive.Status.DRAFT and draft.drafter == agency.drafter
    assert [a.printed_label for a in draft.addressees.all()] == ["Các Sở, ban ngành", "Báo Gia Lai"]
    assert [c.label for c in draft.copy_recipients.all()][0] == "Bộ TT&TT (báo cáo)"
    first, second = draft.tasks.all()
    assert (first.position, second.position) == (1, 2)
    assert set(first.groups.all()) == {agency.departments, agency.districts}
    assert list(second.units.all()) == [agency.bao] and first.report_required
    event = draft.events.get()
    assert (event.verb, event.actor, event.unit) == ("created", agency.drafter, agency.division)


def test_saving_again_replaces_the_lines(agency):
    draft = agency.draft()
    lines = agency.lines()

    saved = services.directive_save_draft(
        by=agency.drafter,
        directive=draft,
        fields={"subject": "nội dung mới"},
        addressees=lines["addressees"][1:],
        copies=[],
        tasks=lines["tasks"][:1],
        ip="10.0.0.7",
    )

    assert saved.pk == draft.pk and saved.subject == "nội dung mới"
    assert saved.addressees.count() == 1 and saved.tasks.count() == 1
    assert not saved.copy_recipients.exists()
    assert list(saved.events.values_list("verb", "ip")) == [
        ("created", None),
        ("updated", "10.0.0.7"),
    ]


def test_a_colleague_drafter_of_the_agency_may_edit(agency):
    draft = agency.draft()
    colleague = UserFactory(unit=agency.sttt, roles=[roles.DRAFTER])
    lines = agency.lines()
    services.directive_save_draft(by=colleague, directive=draft, fields={"subject": "sửa"}, **lines)
    assert Directive.objects.get(pk=draft.pk).subject == "sửa"


@pytest.mark.parametrize("role", [roles.SIGNER, roles.CLERK, roles.UNIT_OFFICER])
def test_others_cannot_edit_a_draft(agency, role):
    draft = agency.draft()
    before = snapshot(draft)
    intruder = UserFactory(unit=agency.sttt, roles=[role])
    with pytest.raises(PermissionDeniedError):
        services.directive_save_draft(
            by=intruder, directive=draft, fields={"subject": "x"}, **agency.lines()
        )
    assert snapshot(draft) == before


def test_drafter_of_another_agency_cannot_draft_for_this_one(agency, other_agency):
    with pytest.raises(PermissionDeniedError):
        agency.draft(by=other_agency[roles.DRAFTER])
    assert not Directive.objects.exists()


def test_a_user_without_the_drafter_role_cannot_create(agency):
    with pytest.raises(PermissionDeniedError):
        agency.draft(by=agency.clerk)
    assert not Directive.objects.exists()


def test_a_submitted_directive_cannot_be_edited(agency):
    submitted = agency.submitted()
    before = snapshot(submitted)
    with pytest.raises(TransitionError):
        services.directive_save_draft(
            by=agency.drafter, directive=submitted, fields={"subject": "x"}, **agency.lines()
        )
    assert snapshot(submitted) == before


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"addressees": [{"group": "g", "unit": "u", "label": ""}]}, "Kính gửi line 1"),
        ({"addressees": [{"group": None, "unit": None, "label": "x"}]}, "Kính gửi line 1"),
        ({"copies": [{"label": "  ", "unit": None, "group": None}]}, "Nơi nhận line 1"),
        ({"tasks": [{"title": "Báo cáo", "groups": [], "units": []}]}, "Task 1"),
        ({"tasks": [{"title": "", "groups": ["g"], "units": []}]}, "Task 1"),
    ],
)
def test_a_bad_line_is_refused_and_nothing_is_saved(agency, change, words):
    lines = agency.lines() | change
    with pytest.raises(DirectiveError) as refused:
        services.directive_save_draft(
            by=agency.drafter, directive=None, fields=agency.fields(), **lines
        )
    assert words in refused.value.message
    assert not Directive.objects.exists() and not Event.objects.exists()


def test_a_blank_subject_or_unknown_type_is_refused(agency):
    with pytest.raises(DirectiveError, match="trích yếu"):
        agency.draft(subject="")
    with pytest.raises(DirectiveError):
        agency.draft(doc_type="XX")
    assert not Directive.objects.exists()


def test_submit_to_a_signer(agency):
    draft = agency.draft()
    submitted = services.directive_submit(
        directive=draft, by=agency.drafter, signer=agency.signer, ip="10.1.1.1"
    )
    assert submitted.status == Directive.Status.SUBMITTED and submitted.signer == agency.signer
    assert submitted.submitted_at is not None
    event = submitted.events.last()
    assert (event.verb, event.ip, event.data) == (
        "submitted",
        "10.1.1.1",
        {"signer": agency.signer.pk},
    )


def test_submit_refusals_change_nothing(agency, other_agency):
    draft = agency.draft()
    before = snapshot(draft)
    with pytest.raises(DirectiveError):  # a clerk is no signer
        services.directive_submit(directive=draft, by=agency.drafter, signer=agency.clerk)
    with pytest.raises(DirectiveError):  # a signer of another agency
        services.directive_submit(
            directive=draft, by=agency.drafter, signer=other_agency[roles.SIGNER]
        )
    with pytest.raises(PermissionDeniedError):  # only the drafting side submits
        services.directive_submit(directive=draft, by=agency.signer, signer=agency.signer)
    assert snapshot(draft) == before


def test_a_draft_without_recipients_cannot_be_submitted(agency):
    draft = services.directive_save_draft(
        by=agency.drafter,
        directive=None,
        fields=agency.fields(),
        addressees=[],
        copies=[{"label": "Lưu: VT", "unit": None, "group": None}],
        tasks=[],
    )
    with pytest.raises(DirectiveError, match="at least one"):
        services.directive_submit(directive=draft, by=agency.drafter, signer=agency.signer)
    assert Directive.objects.get(pk=draft.pk).status == Directive.Status.DRAFT


def test_the_chosen_signer_approves_with_a_comment(agency):
    submitted = agency.submitted()
    approved = services.directive_approve(
        directive=submitted, by=agency.signer, comment="Đồng ý ban hành", ip="10.2.2.2"
    )
    assert approved.status == Directive.Status.APPROVED and approved.approved_at
    event = approved.events.last()
    assert (event.verb, event.comment, event.actor) == (
        "approved",
        "Đồng ý ban hành",
        agency.signer,
    )


def test_a_deputy_signer_of_the_issuing_unit_may_approve_and_becomes_the_signer(agency):
    submitted = agency.submitted(signer_name="")
    deputy = UserFactory(
        unit=agency.sttt, roles=[roles.SIGNER], last_name="Nguyễn Văn", first_name="Phó"
    )
    approved = services.directive_approve(directive=submitted, by=deputy)
    assert approved.signer == deputy and approved.signer_name == "Nguyễn Văn Phó"


@pytest.mark.parametrize("who", ["drafter", "clerk", "other_signer"])
def test_only_a_signer_of_the_issuing_unit_approves(agency, other_agency, who):
    submitted = agency.submitted()
    before = snapshot(submitted)
    user = other_agency[roles.SIGNER] if who == "other_signer" else getattr(agency, who)
    with pytest.raises(PermissionDeniedError):
        services.directive_approve(directive=submitted, by=user)
    with pytest.raises(PermissionDeniedError):
        services.directive_return(directive=submitted, by=user, reason="Không")
    assert snapshot(submitted) == before


def test_return_needs_a_reason_and_the_drafter_sees_it(agency):
    submitted = agency.submitted()
    before = snapshot(submitted)
    with pytest.raises(DirectiveError):
        services.directive_return(directive=submitted, by=agency.signer, reason="   ")
    assert snapshot(submitted) == before

    returned = services.directive_return(
        directive=submitted, by=agency.signer, reason="Bổ sung căn cứ pháp lý"
    )
    assert returned.status == Directive.Status.DRAFT
    assert Directive.objects.get(pk=submitted.pk).return_reason == "Bổ sung căn cứ pháp lý"
    assert returned.events.last().comment == "Bổ sung căn cứ pháp lý"

    # The drafter corrects it and submits again; the reason has been answered.
    services.directive_save_draft(
        by=agency.drafter,
        directive=returned,
        fields={"legal_bases": "Căn cứ Quyết định số 874/QĐ-BTTTT"},
        **agency.lines(),
    )
    again = services.directive_submit(directive=returned, by=agency.drafter, signer=agency.signer)
    assert again.return_reason == "" and again.status == Directive.Status.SUBMITTED
    verbs = list(again.events.values_list("verb", flat=True))
    assert verbs == ["created", "submitted", "returned", "updated", "submitted"]


def test_attachments_checked_by_content_on_drafts_only(agency, settings):
    draft = agency.draft()
    pdf = SimpleUploadedFile("phu-luc.pdf", PDF_BYTES, content_type="application/pdf")
    attachment = services.attachment_add(directive=draft, by=agency.drafter, upload=pdf)
    assert attachment.content_type == "application/pdf" and len(attachment.sha256) == 64
    assert attachment.file.read() == PDF_BYTES

    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.attachment_add(directive=draft, by=agency.drafter, upload=fake)
    settings.ATTACHMENT_MAX_BYTES = 10
    big = SimpleUploadedFile("lon.pdf", PDF_BYTES)
    with pytest.raises(ValidationError):
        services.attachment_add(directive=draft, by=agency.drafter, upload=big)
    assert Attachment.objects.count() == 1

    services.attachment_remove(attachment=attachment, by=agency.drafter)
    assert not Attachment.objects.exists()
    verbs = list(draft.events.values_list("verb", flat=True))
    assert verbs == ["created", "attachment_added", "attachment_removed"]


def test_no_attachment_on_a_submitted_directive(agency):
    submitted = agency.submitted()
    pdf = SimpleUploadedFile("phu-luc.pdf", PDF_BYTES)
    with pytest.raises(TransitionError):
        services.attachment_add(directive=submitted, by=agency.drafter, upload=pdf)
    assert not Attachment.objects.exists()


def test_delete_draft(agency):
    draft = agency.draft()
    with pytest.raises(PermissionDeniedError):
        services.directive_delete_draft(directive=draft, by=agency.clerk)
    services.directive_delete_draft(directive=draft, by=agency.drafter)
    assert not Directive.objects.exists()

    submitted = agency.submitted()
    with pytest.raises(TransitionError):
        services.directive_delete_draft(directive=submitted, by=agency.drafter)
    assert Directive.objects.filter(pk=submitted.pk).exists()


def test_a_draft_cannot_move_to_another_agency(agency, other_agency):
    draft = agency.draft()
    before = snapshot(draft)
    syt = other_agency[roles.CLERK].unit
    with pytest.raises(PermissionDeniedError):
        services.directive_save_draft(
            by=agency.drafter, directive=draft, fields={"issuing_unit": syt}, **agency.lines()
        )
    assert (
        snapshot(draft) == before and Directive.objects.get(pk=draft.pk).issuing_unit == agency.sttt
    )
