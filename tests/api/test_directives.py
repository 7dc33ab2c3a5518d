"""Contract tests of the directive endpoints, per role: status codes, JSON shapes, scoping
(another unit's directive is a 404), refusals (403 for a role that may not, 409 for a move the
letter's state forbids), messages in the language the request asks for."""

from __future__ import annotations

import pytest

from directives.models import Directive, Dispatch
from directives.services.signing import directive_render_and_sign
from recipients import roles
from tests.api.conftest import token_client
from tests.factories import UserFactory
from tests.signing_keys import PIN, signer_key_issue

pytestmark = pytest.mark.django_db

DIRECTIVES = "/api/v1/directives/"


def draft_body(agency) -> dict:
    return {
        "issuing_unit": agency.sttt.pk,
        "drafting_unit": agency.division.pk,
        "parent_body": "UBND TỈNH GIA LAI",
        "doc_type": "CV",
        "place": "Gia Lai",
        "subject": "thông tin, tuyên truyền Bộ Quy tắc ứng xử trên mạng xã hội",
        "body": "1. Các Sở, ban ngành:\n\n- Phổ biến, quán triệt./.",
        "signing_authority": "KT",
        "head_title": "GIÁM ĐỐC",
        "signer": agency.signer.pk,
        "addressees": [{"group": agency.departments.pk}, {"unit": agency.bao.pk}],
        "copy_recipients": [
            {"label": "Bộ TT&TT (báo cáo)", "unit": agency.bo.pk, "purpose": "report"},
            {"label": "Lưu: VT, P.TTBCXB", "purpose": "archive"},
        ],
        "tasks": [
            {
                "title": "Phổ biến, quán triệt Bộ Quy tắc",
                "deadline": "2026-12-31",
                "report_required": True,
                "groups": [agency.departments.pk],
            }
        ],
    }


def test_a_drafter_creates_a_draft_with_its_lines_and_tasks(agency):
    response = token_client(agency.drafter).post(DIRECTIVES, draft_body(agency), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["signer"] == agency.signer.pk
    assert [a["group"] for a in body["addressees"]] == [agency.departments.pk, None]
    assert [c["purpose"] for c in body["copy_recipients"]] == ["report", "archive"]
    assert body["tasks"][0]["groups"] == [agency.departments.pk]
    assert body["tasks"][0]["deadline"] == "2026-12-31"
    assert body["moves"]["edit"] is True and body["moves"]["submit"] is True
    assert body["moves"]["approve"] is False and body["moves"]["issue"] is False
    draft = Directive.objects.get(pk=body["id"])
    assert draft.drafter == agency.drafter and draft.tasks.count() == 1
    assert list(draft.events.values_list("verb", flat=True)) == ["created"]


def test_bad_input_is_a_400_with_the_field_errors_and_nothing_saved(agency):
    body = draft_body(agency) | {"doc_type": "NOPE", "signer": 999999}
    body["tasks"] = [{"title": "", "groups": []}]
    response = token_client(agency.drafter).post(DIRECTIVES, body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) >= {"doc_type", "signer", "tasks"}
    # A line's errors under its index, as DRF gives them.
    assert isinstance(errors["doc_type"], list) and errors["tasks"]["0"]["title"]
    assert not Directive.objects.exists()


def test_a_rule_of_the_service_is_a_400_with_its_message(agency):
    body = draft_body(agency)
    body["tasks"] = [{"title": "Một việc", "groups": [], "units": []}]
    response = token_client(agency.drafter).post(DIRECTIVES, body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Task 1: choose the groups or units that must carry it out."
    }
    assert not Directive.objects.exists()


def test_messages_follow_accept_language(agency):
    draft = agency.draft()
    english = token_client(agency.drafter, language="en").post(f"{DIRECTIVES}{draft.pk}/approve/")
    vietnamese = token_client(agency.drafter, language="vi").post(
        f"{DIRECTIVES}{draft.pk}/approve/"
    )
    assert english.status_code == vietnamese.status_code == 409
    assert english.json()["detail"] == "Only a directive awaiting approval can be approved."
    assert vietnamese.json()["detail"] != english.json()["detail"]


def test_the_list_has_the_pages_filters_search_and_pagination(agency):
    first = agency.draft(subject="phòng, chống dịch bệnh mùa mưa")
    agency.submitted(subject="an toàn thông tin mạng")
    client = token_client(agency.drafter)
    response = client.get(DIRECTIVES)
    assert response.status_code == 200
    page = response.json()
    assert set(page) == {"count", "next", "previous", "results"} and page["count"] == 2
    assert set(page["results"][0]) >= {"id", "status", "subject", "number", "symbol"}

    found = client.get(DIRECTIVES, {"q": "phong chong dich"}).json()
    assert [d["id"] for d in found["results"]] == [first.pk]
    drafts = client.get(DIRECTIVES, {"status": "submitted"}).json()
    assert [d["status"] for d in drafts["results"]] == ["submitted"]
    assert client.get(DIRECTIVES, {"status": "nonsense"}).status_code == 400


def test_another_agencys_directive_is_a_404_everywhere(agency, other_agency):
    draft = agency.draft()
    outsider = token_client(other_agency[roles.DRAFTER])
    assert outsider.get(f"{DIRECTIVES}{draft.pk}/").status_code == 404
    assert outsider.post(f"{DIRECTIVES}{draft.pk}/submit/").status_code == 404
    assert outsider.put(f"{DIRECTIVES}{draft.pk}/", {}, format="json").status_code == 404
    assert outsider.delete(f"{DIRECTIVES}{draft.pk}/").status_code == 404
    assert outsider.get(f"{DIRECTIVES}{draft.pk}/pdf/").status_code == 404
    assert draft.pk not in [d["id"] for d in outsider.get(DIRECTIVES).json()["results"]]
    assert Directive.objects.get(pk=draft.pk).status == Directive.Status.DRAFT


def test_a_unit_officer_has_no_desk_list(agency):
    officer = UserFactory(unit=agency.so_tc, roles=[roles.UNIT_OFFICER])
    assert token_client(officer).get(DIRECTIVES).status_code == 403


def test_editing_a_draft_rewrites_it_and_a_submitted_one_is_a_409(agency):
    draft = agency.draft()
    client = token_client(agency.drafter)
    body = draft_body(agency) | {"subject": "chủ đề mới"}
    response = client.put(f"{DIRECTIVES}{draft.pk}/", body, format="json")
    assert response.status_code == 200 and response.json()["subject"] == "chủ đề mới"
    assert len(response.json()["tasks"]) == 1

    assert client.post(f"{DIRECTIVES}{draft.pk}/submit/", {}, format="json").status_code == 200
    again = client.put(f"{DIRECTIVES}{draft.pk}/", body, format="json")
    assert again.status_code == 409
    assert Directive.objects.get(pk=draft.pk).status == Directive.Status.SUBMITTED


def test_the_drafter_cannot_approve_number_or_issue(agency, agency_key):
    drafter = token_client(agency.drafter)
    submitted = agency.submitted()
    assert drafter.post(f"{DIRECTIVES}{submitted.pk}/approve/").status_code == 403
    approved = agency.approved()
    assert drafter.post(f"{DIRECTIVES}{approved.pk}/number/").status_code == 403
    signed = agency.signed()
    response = drafter.post(f"{DIRECTIVES}{signed.pk}/issue/")
    assert response.status_code == 403 and response.json()["detail"]
    assert Directive.objects.get(pk=signed.pk).status == Directive.Status.SIGNED


def test_the_signer_returns_with_a_reason_and_a_missing_reason_is_a_400(agency):
    submitted = agency.submitted()
    signer = token_client(agency.signer)
    assert signer.post(f"{DIRECTIVES}{submitted.pk}/return/", {}).status_code == 400
    response = signer.post(f"{DIRECTIVES}{submitted.pk}/return/", {"reason": "Sửa trích yếu"})
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    assert response.json()["return_reason"] == "Sửa trích yếu"


def test_issuing_twice_is_a_409(agency, agency_key):
    issued = agency.issued()
    response = token_client(agency.clerk).post(f"{DIRECTIVES}{issued.pk}/issue/")
    assert response.status_code == 409
    assert "already been issued" in response.json()["detail"]


def test_draft_to_acknowledgement_with_tokens(agency, agency_key):
    """The README's script: every step a different person's token."""
    signer_key_issue(agency.signer)
    drafter, signer, clerk = (
        token_client(u) for u in (agency.drafter, agency.signer, agency.clerk)
    )
    made = drafter.post(DIRECTIVES, draft_body(agency), format="json").json()
    url = f"{DIRECTIVES}{made['id']}/"
    assert drafter.post(url + "submit/").json()["status"] == "submitted"
    assert signer.post(url + "approve/", {"comment": "Đồng ý"}).json()["status"] == "approved"
    numbered = clerk.post(url + "number/").json()
    assert numbered["status"] == "numbered" and numbered["symbol"]
    assert signer.post(url + "sign/", {"pin": PIN}).json()["status"] == "signed"
    issued = clerk.post(url + "issue/").json()
    assert issued["status"] == "issued"
    assert clerk.get(url + "pdf/").status_code == 404  # the PDF job has not run yet
    assert directive_render_and_sign(directive_id=made["id"]) is True
    pdf = clerk.get(url + "pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")

    officer = UserFactory(unit=agency.so_tc, roles=[roles.UNIT_OFFICER])
    inbox = token_client(officer).get("/api/v1/inbox/").json()
    assert [row["directive"]["id"] for row in inbox["results"]] == [made["id"]]
    row = inbox["results"][0]
    assert row["acknowledged_at"] is None
    acknowledged = token_client(officer).post(f"/api/v1/inbox/{row['id']}/acknowledge/")
    assert acknowledged.status_code == 200 and acknowledged.json()["acknowledged_at"]
    assert Dispatch.objects.get(pk=row["id"]).acknowledged_by == officer
    # The officer reads the letter itself, but never another unit's dispatch.
    assert token_client(officer).get(url).status_code == 200
    other = Dispatch.objects.exclude(unit=agency.so_tc).first()
    assert token_client(officer).post(f"/api/v1/inbox/{other.pk}/acknowledge/").status_code == 404


def test_the_drafter_withdraws_a_submitted_draft_and_deletes_a_draft(agency):
    drafter = token_client(agency.drafter)
    submitted = agency.submitted()
    withdrawn = drafter.post(f"{DIRECTIVES}{submitted.pk}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "draft"
    assert drafter.post(f"{DIRECTIVES}{submitted.pk}/withdraw/").status_code == 409
    assert token_client(agency.signer).delete(f"{DIRECTIVES}{submitted.pk}/").status_code == 403
    assert drafter.delete(f"{DIRECTIVES}{submitted.pk}/").status_code == 204
    assert not Directive.objects.filter(pk=submitted.pk).exists()


def test_the_clerk_cancels_a_numbering_and_recalls_an_issued_letter(agency, agency_key):
    clerk = token_client(agency.clerk)
    numbered = agency.numbered()
    cancelled = clerk.post(f"{DIRECTIVES}{numbered.pk}/cancel-number/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "approved"

    issued = agency.issued()
    assert clerk.post(f"{DIRECTIVES}{issued.pk}/recall/", {"reason": ""}).status_code == 400
    assert (
        token_client(agency.drafter)
        .post(f"{DIRECTIVES}{issued.pk}/recall/", {"reason": "Sai sót"})
        .status_code
        == 403
    )
    recalled = clerk.post(f"{DIRECTIVES}{issued.pk}/recall/", {"reason": "Sai sót số liệu"})
    assert recalled.status_code == 200 and recalled.json()["status"] == "recalled"
    assert recalled.json()["recall_reason"] == "Sai sót số liệu"
    assert clerk.post(f"{DIRECTIVES}{issued.pk}/recall/", {"reason": "lần hai"}).status_code == 409


def test_a_signer_with_a_wrong_pin_is_a_400_and_nothing_is_signed(agency):
    signer_key_issue(agency.signer)
    numbered = agency.numbered()
    response = token_client(agency.signer).post(f"{DIRECTIVES}{numbered.pk}/sign/", {"pin": "000"})
    assert response.status_code == 400 and response.json()["detail"]
    assert Directive.objects.get(pk=numbered.pk).status == Directive.Status.NUMBERED
    missing = token_client(agency.signer).post(f"{DIRECTIVES}{numbered.pk}/sign/", {})
    assert missing.status_code == 400 and "pin" in missing.json()


def test_the_drafter_attaches_a_file_checked_by_its_content(agency):
    from django.core.files.uploadedfile import SimpleUploadedFile

    draft = agency.draft()
    drafter = token_client(agency.drafter)
    pdf = SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    made = drafter.post(f"{DIRECTIVES}{draft.pk}/attachments/", {"file": pdf}, format="multipart")
    assert made.status_code == 201, made.json()
    assert made.json()["name"] == "ke-hoach.pdf" and made.json()["size"] == 15
    detail = drafter.get(f"{DIRECTIVES}{draft.pk}/").json()
    assert [a["name"] for a in detail["attachments"]] == ["ke-hoach.pdf"]

    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    refused = drafter.post(
        f"{DIRECTIVES}{draft.pk}/attachments/", {"file": fake}, format="multipart"
    )
    assert refused.status_code == 400 and isinstance(refused.json()["detail"], str)
    assert draft.attachments.count() == 1
    submitted = agency.submitted()
    late = SimpleUploadedFile("muon.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    response = drafter.post(
        f"{DIRECTIVES}{submitted.pk}/attachments/", {"file": late}, format="multipart"
    )
    assert response.status_code == 409


def test_without_accept_language_a_token_speaks_its_owners_language(agency):
    from rest_framework.test import APIClient

    from recipients.services import api_token_create

    draft = agency.draft()
    agency.drafter.language = "en"
    agency.drafter.save(update_fields=["language"])
    _token, secret = api_token_create(user=agency.drafter, name="no language", days=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    english = client.post(f"{DIRECTIVES}{draft.pk}/approve/")
    assert english.json()["detail"] == "Only a directive awaiting approval can be approved."

    agency.drafter.language = ""
    agency.drafter.save(update_fields=["language"])
    vietnamese = client.post(f"{DIRECTIVES}{draft.pk}/approve/")
    assert vietnamese.status_code == 409
    assert vietnamese.json()["detail"] != english.json()["detail"]


def test_the_drafter_removes_a_drafts_attachment_and_nobody_else_does(agency, other_agency):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from directives.models import Event

    draft = agency.draft()
    drafter = token_client(agency.drafter)
    pdf = SimpleUploadedFile("phu-luc.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    made = drafter.post(f"{DIRECTIVES}{draft.pk}/attachments/", {"file": pdf}, format="multipart")
    url = f"/api/v1/attachments/{made.json()['id']}/"

    # The signer of the agency sees the draft but may not edit it; another agency finds nothing.
    refused = token_client(agency.signer).delete(url)
    assert refused.status_code == 403 and refused.json()["detail"]
    assert token_client(other_agency[roles.DRAFTER]).delete(url).status_code == 404
    assert token_client(agency.drafter).delete("/api/v1/attachments/987654321/").status_code == 404
    assert draft.attachments.count() == 1

    assert drafter.delete(url).status_code == 204
    assert not draft.attachments.exists()
    assert Event.objects.filter(directive=draft, verb="attachment_removed").exists()
    assert drafter.delete(url).status_code == 404


def test_an_attachment_of_a_submitted_letter_stays_with_a_409(agency):
    from django.core.files.uploadedfile import SimpleUploadedFile

    draft = agency.draft()
    drafter = token_client(agency.drafter)
    pdf = SimpleUploadedFile("phu-luc.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    made = drafter.post(f"{DIRECTIVES}{draft.pk}/attachments/", {"file": pdf}, format="multipart")
    submitted = drafter.post(
        f"{DIRECTIVES}{draft.pk}/submit/", {"signer": agency.signer.pk}, format="json"
    )
    assert submitted.status_code == 200, submitted.json()
    response = token_client(agency.drafter, language="vi").delete(
        f"/api/v1/attachments/{made.json()['id']}/"
    )
    assert response.status_code == 409
    assert "dự thảo" in response.json()["detail"].lower()
    assert draft.attachments.count() == 1
