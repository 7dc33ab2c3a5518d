"""The schema and Swagger UI (signed-in people only, local files under the CSP); units and
groups; my notifications; my unit's tasks."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from directives.models import Assignment, Notification
from recipients import roles
from recipients.models import Unit
from tests.api.conftest import token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_schema_and_the_docs_are_for_signed_in_people(agency):
    anonymous = APIClient()
    assert anonymous.get("/api/schema/").status_code == 401
    assert anonymous.get("/api/docs/").status_code == 401
    assert anonymous.get("/api/docs/redoc/").status_code == 401

    schema = token_client(agency.drafter).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/directives/{id}/issue/" in paths and "/api/v1/inbox/{id}/acknowledge/" in paths
    assert schema.json()["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_swagger_ui_is_served_from_the_portal_under_its_csp(client, agency):
    client.force_login(agency.drafter)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "<style" not in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attrs for attrs in scripts), "no inline script"
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert all(s.startswith("/") for s in sources), sources
    assert any("swagger-ui-dist" in s for s in sources)
    init = client.get(reverse("api-docs") + "?script")
    assert init.status_code == 200 and b"SwaggerUIBundle" in init.content


def test_redoc_is_served_from_the_portal_under_its_csp_with_a_nonce(client, agency):
    client.force_login(agency.drafter)
    page = client.get("/api/docs/redoc/")
    assert page.status_code == 200
    html = page.content.decode()
    csp = page["Content-Security-Policy"]
    nonce = re.search(r'data-nonce="([^"]+)"', html).group(1)
    # ReDoc's own <style> elements carry this response's nonce; nothing inline is allowed.
    assert f"style-src 'self' 'nonce-{nonce}'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "<style" not in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert len(scripts) == 2 and all("src=" in attrs for attrs in scripts), "no inline script"
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert all(s.startswith("/") for s in sources), sources
    assert any("redoc.standalone.js" in s for s in sources)
    assert 'data-schema-url="/api/schema/"' in html
    # ReDoc's search worker (a blob: URL) on this page only.
    assert "worker-src 'self' blob:" in csp
    # A fresh nonce for every response; the other pages keep their policy.
    assert nonce not in client.get("/api/docs/redoc/")["Content-Security-Policy"]
    for other in ("/api/docs/", reverse("home"), "/api/v1/me/"):
        policy = client.get(other)["Content-Security-Policy"]
        assert "nonce-" not in policy and "blob:" not in policy, other
        assert "worker-src 'self'" in policy, other


def test_units_and_groups_read_for_the_directory_roles(agency):
    client = token_client(agency.drafter)
    units = client.get("/api/v1/units/", {"q": "so tai chinh"})
    assert units.status_code == 200
    assert [u["code"] for u in units.json()["results"]] == ["STC"]
    one = client.get(f"/api/v1/units/{agency.bao.pk}/").json()
    assert one["kind"] == "press" and one["name"] == "Báo Gia Lai"
    groups = client.get("/api/v1/groups/").json()
    press = next(g for g in groups["results"] if g["code"] == "bao-chi")
    assert sorted(press["units"]) == sorted([agency.bao.pk, agency.ptth.pk])
    assert client.get(f"/api/v1/groups/{agency.press.pk}/").json()["code"] == "bao-chi"
    assert client.get("/api/v1/groups/999999/").status_code == 404
    # Only administrators delete units (and none that letters keep).
    assert client.delete(f"/api/v1/units/{agency.bao.pk}/").status_code == 403
    assert Unit.objects.filter(pk=agency.bao.pk).exists()


def test_notifications_are_my_own(agency):
    agency.submitted()  # tells the signer
    mine = token_client(agency.signer).get("/api/v1/notifications/")
    assert mine.status_code == 200 and mine.json()["count"] >= 1
    row = mine.json()["results"][0]
    assert set(row) >= {"id", "subject", "link", "read_at"}
    assert (
        token_client(agency.drafter).post(f"/api/v1/notifications/{row['id']}/read/").status_code
        == 404
    )
    read = token_client(agency.signer).post(f"/api/v1/notifications/{row['id']}/read/")
    assert read.status_code == 200 and read.json()["read_at"]
    assert Notification.objects.get(pk=row["id"]).read_at is not None


def test_my_unit_starts_and_reports_its_task(agency, agency_key):
    issued = agency.issue(agency.signed())
    officer = UserFactory(unit=agency.so_tc, roles=[roles.UNIT_OFFICER])
    client = token_client(officer)
    dispatch = issued.dispatches.get(unit=agency.so_tc)
    tasks = client.get(f"/api/v1/inbox/{dispatch.pk}/tasks/").json()
    assert [t["title"] for t in tasks] == ["Phổ biến, quán triệt Bộ Quy tắc"]
    task = tasks[0]
    early = client.post(f"/api/v1/assignments/{task['id']}/start/")
    assert early.status_code == 409
    assert early.json() == {
        "detail": "Acknowledge receipt of the directive before starting a task."
    }
    client.post(f"/api/v1/inbox/{dispatch.pk}/acknowledge/")
    started = client.post(f"/api/v1/assignments/{task['id']}/start/")
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    empty = client.post(f"/api/v1/assignments/{task['id']}/report/", {"text": ""})
    assert empty.status_code == 400 and isinstance(empty.json()["detail"], str)
    done = client.post(f"/api/v1/assignments/{task['id']}/report/", {"text": "Đã phổ biến."})
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert Assignment.objects.get(pk=task["id"]).report_text == "Đã phổ biến."

    other = Assignment.objects.exclude(unit=agency.so_tc).first()
    assert client.post(f"/api/v1/assignments/{other.pk}/start/").status_code == 404


def test_the_history_the_desk_and_a_receiving_unit_each_see(agency, agency_key):
    issued = agency.issued()
    desk = token_client(agency.clerk).get(f"/api/v1/directives/{issued.pk}/events/")
    assert desk.status_code == 200
    verbs = [e["verb"] for e in desk.json()]
    assert verbs[:2] == ["created", "submitted"] and "issued" in verbs
    assert desk.json()[0]["label"] == "Draft created"
    assert desk.json()[0]["actor"] == agency.drafter.get_full_name()

    officer = UserFactory(unit=agency.so_tc, roles=[roles.UNIT_OFFICER])
    unit = token_client(officer).get(f"/api/v1/directives/{issued.pk}/events/")
    assert unit.status_code == 200
    assert [e["verb"] for e in unit.json()] == ["issued"], "the desk's own steps stay the desk's"


def test_a_unit_reports_with_files_and_asks_for_more_time(agency, agency_key):
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile

    issued = agency.issued()
    officer = UserFactory(unit=agency.so_tc, roles=[roles.UNIT_OFFICER])
    client = token_client(officer)
    dispatch = issued.dispatches.get(unit=agency.so_tc)
    client.post(f"/api/v1/inbox/{dispatch.pk}/acknowledge/")
    task = client.get(f"/api/v1/inbox/{dispatch.pk}/tasks/").json()[0]

    later = (datetime.date.today() + datetime.timedelta(days=60)).isoformat()
    asked = client.post(
        f"/api/v1/assignments/{task['id']}/extension/",
        {"requested_date": later, "reason": "Chờ kinh phí"},
        format="json",
    )
    assert asked.status_code == 201, asked.json()
    assert asked.json()["status"] == "pending" and asked.json()["requested_date"] == later

    report = SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    done = client.post(
        f"/api/v1/assignments/{task['id']}/report/",
        {"text": "Đã triển khai.", "files": [report]},
        format="multipart",
    )
    assert done.status_code == 200, done.json()
    assignment = Assignment.objects.get(pk=task["id"])
    assert assignment.status == "done" and assignment.files.count() == 1


def test_the_inbox_has_the_pages_filters(agency, agency_key):
    first = agency.issued(subject="phòng, chống dịch bệnh mùa mưa")
    agency.issued(subject="an toàn thông tin mạng")
    officer = UserFactory(unit=agency.so_tc, roles=[roles.UNIT_OFFICER])
    client = token_client(officer)
    everything = client.get("/api/v1/inbox/").json()
    assert everything["count"] == 2
    found = client.get("/api/v1/inbox/", {"q": "chong dich benh"}).json()
    assert [r["directive"]["id"] for r in found["results"]] == [first.pk]
    row = found["results"][0]
    client.post(f"/api/v1/inbox/{row['id']}/acknowledge/")
    waiting = client.get("/api/v1/inbox/", {"acknowledged": "no"}).json()
    assert first.pk not in [r["directive"]["id"] for r in waiting["results"]]
    assert waiting["count"] == 1
    assert client.get("/api/v1/inbox/", {"acknowledged": "maybe"}).status_code == 400
    assert token_client(agency.drafter).get("/api/v1/inbox/").status_code == 403


def test_the_clerk_reviews_reports_and_decides_extensions(agency, agency_key):
    import datetime

    issued = agency.issued()
    officer = UserFactory(unit=agency.so_tc, roles=[roles.UNIT_OFFICER])
    unit = token_client(officer)
    dispatch = issued.dispatches.get(unit=agency.so_tc)
    unit.post(f"/api/v1/inbox/{dispatch.pk}/acknowledge/")
    task = unit.get(f"/api/v1/inbox/{dispatch.pk}/tasks/").json()[0]
    later = (datetime.date.today() + datetime.timedelta(days=60)).isoformat()
    asked = unit.post(
        f"/api/v1/assignments/{task['id']}/extension/",
        {"requested_date": later, "reason": "Chờ kinh phí"},
        format="json",
    ).json()
    unit.post(f"/api/v1/assignments/{task['id']}/report/", {"text": "Đã triển khai."})

    clerk = token_client(agency.clerk)
    assert unit.post(f"/api/v1/reviews/{task['id']}/accept/").status_code == 404
    assert (
        unit.post(f"/api/v1/extensions/{asked['id']}/decide/", {"grant": True}).status_code == 404
    )
    sent_back = clerk.post(f"/api/v1/reviews/{task['id']}/return/", {"comment": ""})
    assert sent_back.status_code == 400
    sent_back = clerk.post(f"/api/v1/reviews/{task['id']}/return/", {"comment": "Bổ sung số liệu"})
    assert sent_back.status_code == 200 and sent_back.json()["status"] == "in_progress"
    unit.post(f"/api/v1/assignments/{task['id']}/report/", {"text": "Đã bổ sung."})
    accepted = clerk.post(f"/api/v1/reviews/{task['id']}/accept/", {"comment": "Tốt"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert clerk.post(f"/api/v1/reviews/{task['id']}/accept/").status_code == 409

    decided = clerk.post(
        f"/api/v1/extensions/{asked['id']}/decide/", {"grant": False, "note": "Không"}
    )
    assert decided.status_code == 200 and decided.json()["status"] == "declined"


def test_a_unit_accepts_one_letter_into_its_book_and_refuses_another(agency, agency_key):
    first, second = agency.issued(), agency.issued()
    officer = UserFactory(unit=agency.so_tc, roles=[roles.UNIT_OFFICER])
    client = token_client(officer)
    one = first.dispatches.get(unit=agency.so_tc)
    other = second.dispatches.get(unit=agency.so_tc)

    accepted = client.post(f"/api/v1/inbox/{one.pk}/accept/", {"note": "Chuyển phòng KH"})
    assert accepted.status_code == 201, accepted.json()
    assert accepted.json()["decision"] == "accepted" and accepted.json()["arrival_number"] == 1
    assert client.post(f"/api/v1/inbox/{one.pk}/accept/").status_code == 409

    assert client.post(f"/api/v1/inbox/{other.pk}/refuse/", {"reason": "other"}).status_code == 400
    refused = client.post(
        f"/api/v1/inbox/{other.pk}/refuse/", {"reason": "misaddressed", "comment": ""}
    )
    assert refused.status_code == 201 and refused.json()["decision"] == "refused"
    assert refused.json()["arrival_number"] is None
