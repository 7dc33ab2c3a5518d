"""Walk EVERY URL pattern of the project as someone of another unit: another unit's object is a 404.

For each pattern with a parameter, the walker fills in the id of an object that belongs to unit X
(a directive of agency A sent to X, X's dispatch, assignment, report file, extension, notification,
an attachment of that directive) and requests it, by GET and by POST, as
  * an officer of unit Y (a recipient of agency A too, but not of this directive), and
  * a clerk/drafter/signer of agency B (another issuing agency).
The answer must be a 404, or, for pages closed to that role whatever the id, exactly what a
non-existent id gets (403, 405, or a redirect to the login page), never the object. Nothing of
unit X may change.

Admin pages are staff-only: a 302 to the admin login. Pages that are public by design are reached
only with their token: a guessed token (an id, garbage) shows nothing of the directive.

A NEW pattern with a parameter that this file does not know makes the test fail: add it to
OBJECT_PARAMS (or PUBLIC_BY_TOKEN), so that every future URL is covered.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from directives.models import (
    Attachment,
    Directive,
    Dispatch,
    Event,
    ExtensionRequest,
    IncomingAttachment,
    IncomingBook,
    IncomingEntry,
    Notification,
    ReportFile,
)
from recipients import roles
from recipients.models import ApiToken
from recipients.services import api_token_create
from tests.factories import UnitFactory, UserFactory

# Which object fills which parameter, per URL name. Add every new pattern here.
OBJECT_PARAMS: dict[str, dict[str, str]] = {
    # drafting and workflow
    "directives:detail": {"pk": "directive"},
    "directives:edit": {"pk": "directive"},
    "directives:preview_edit": {"pk": "directive"},
    "directives:submit": {"pk": "directive"},
    "directives:withdraw": {"pk": "directive"},
    "directives:copy_link": {"pk": "directive"},
    "directives:approve": {"pk": "directive"},
    "directives:return": {"pk": "directive"},
    "directives:number": {"pk": "directive"},
    "directives:sign": {"pk": "directive"},
    "directives:sign_remote": {"pk": "directive"},
    "directives:sign_confirm": {"pk": "directive"},
    "directives:sign_cancel": {"pk": "directive"},
    "directives:cancel_number": {"pk": "directive"},
    "directives:issue": {"pk": "directive"},
    "directives:recall": {"pk": "directive"},
    "directives:replace": {"pk": "directive"},
    "directives:pdf_retry": {"pk": "directive"},
    "directives:delete": {"pk": "directive"},
    "directives:attachment_add": {"pk": "directive"},
    "directives:attachment_remove": {"pk": "attachment"},
    # the signed PDF
    "directives:pdf": {"pk": "directive"},
    "directives:preview_pdf": {"pk": "directive"},
    "directives:pdf_status": {"pk": "directive"},
    # dispatch and notifications
    "directives:notification_read": {"pk": "notification"},
    "directives:notification_resend": {"pk": "notification"},
    "directives:delivery_progress": {"pk": "directive"},
    # the units' inbox and the clerks' tracking
    "directives:inbox_detail": {"pk": "dispatch"},
    "directives:inbox_acknowledge": {"pk": "dispatch"},
    "directives:assignment_start": {"pk": "assignment"},
    "directives:assignment_report": {"pk": "assignment"},
    "directives:assignment_extension": {"pk": "assignment"},
    "directives:report_file": {"pk": "report_file"},
    "directives:attachment_file": {"pk": "attachment"},
    "directives:attachment_signature": {"pk": "attachment"},
    "directives:matrix": {"pk": "directive"},
    "directives:matrix_xlsx": {"pk": "directive"},
    "directives:matrix_csv": {"pk": "directive"},
    "directives:matrix_remind": {"pk": "directive"},
    "directives:matrix_accept_reports": {"pk": "directive"},
    "directives:assignment_review": {"pk": "assignment"},
    "directives:assignment_accept": {"pk": "assignment"},
    "directives:assignment_return": {"pk": "assignment"},
    "directives:extension_decide": {"pk": "extension"},
    # the receiving unit: receipt, the incoming book, letters entered from outside the portal
    "directives:letter_accept": {"pk": "dispatch"},
    "directives:letter_refuse": {"pk": "dispatch"},
    "directives:incoming_book": {"unit": "unit_x"},
    "directives:incoming_book_print": {"unit": "unit_x"},
    "directives:incoming_book_xlsx": {"unit": "unit_x"},
    "directives:outside_letter_new": {"unit": "unit_x"},
    "directives:incoming_entry": {"pk": "incoming_entry"},
    "directives:incoming_entry_scan": {"pk": "incoming_entry"},
    "directives:incoming_entry_attachment": {
        "pk": "incoming_entry",
        "file_pk": "incoming_attachment",
    },
    # distribution inside the unit: the head assigns, the handler reports, the head reviews
    "directives:distribution_entry_assign": {"pk": "incoming_entry"},
    "directives:distribution_task": {"pk": "handed_assignment"},
    "directives:distribution_task_assign": {"pk": "assignment"},
    "directives:distribution_start": {"pk": "handed_assignment"},
    "directives:distribution_report": {"pk": "handed_assignment"},
    "directives:distribution_approve": {"pk": "handed_assignment"},
    "directives:distribution_return": {"pk": "handed_assignment"},
    # a person's own API tokens
    "recipients:api_token_revoke": {"pk": "api_token"},
    # the REST API (/api/v1/): the same objects through the same selectors
    "directive-detail": {"pk": "directive"},
    "directive-submit": {"pk": "directive"},
    "directive-withdraw": {"pk": "directive"},
    "directive-approve": {"pk": "directive"},
    "directive-return-": {"pk": "directive"},
    "directive-number": {"pk": "directive"},
    "directive-cancel-number": {"pk": "directive"},
    "directive-sign": {"pk": "directive"},
    "directive-sign-remote": {"pk": "directive"},
    "directive-sign-confirm": {"pk": "directive"},
    "directive-sign-cancel": {"pk": "directive"},
    "directive-issue": {"pk": "directive"},
    "directive-recall": {"pk": "directive"},
    "directive-pdf": {"pk": "directive"},
    "directive-events": {"pk": "directive"},
    "directive-attachments": {"pk": "directive"},
    "inbox-detail": {"pk": "dispatch"},
    "inbox-acknowledge": {"pk": "dispatch"},
    "inbox-tasks": {"pk": "dispatch"},
    "inbox-accept": {"pk": "dispatch"},
    "inbox-refuse": {"pk": "dispatch"},
    "assignment-detail": {"pk": "assignment"},
    "assignment-start": {"pk": "assignment"},
    "assignment-report": {"pk": "assignment"},
    "assignment-extension": {"pk": "assignment"},
    "notification-read": {"pk": "notification"},
    "review-detail": {"pk": "assignment"},
    "review-accept": {"pk": "assignment"},
    "review-return-": {"pk": "assignment"},
    "extension-detail": {"pk": "extension"},
    "extension-decide": {"pk": "extension"},
    "directive-matrix": {"pk": "directive"},
    "directive-matrix-xlsx": {"pk": "directive"},
    "directive-matrix-csv": {"pk": "directive"},
    "incoming-detail": {"pk": "incoming_entry"},
    "incoming-handlers": {"pk": "incoming_entry"},
    "incoming-assign": {"pk": "incoming_entry"},
    "incoming-start": {"pk": "incoming_entry"},
    "incoming-handled": {"pk": "incoming_entry"},
    "incoming-approve": {"pk": "incoming_entry"},
    "incoming-return-": {"pk": "incoming_entry"},
    "unit-task-detail": {"pk": "handed_assignment"},
    "unit-task-handlers": {"pk": "handed_assignment"},
    "unit-task-assign": {"pk": "handed_assignment"},
    "unit-task-start": {"pk": "handed_assignment"},
    "unit-task-report": {"pk": "handed_assignment"},
    "unit-task-approve": {"pk": "handed_assignment"},
    "unit-task-return-": {"pk": "handed_assignment"},
    # the files of the pages through the API
    "incoming-scan": {"pk": "incoming_entry"},
    "attachment-detail": {"pk": "attachment"},
    "attachment-file": {"pk": "attachment"},
    "attachment-signature": {"pk": "attachment"},
    "report-file-file": {"pk": "report_file"},
    # the letter as its handler inside the unit works on it and opens its files
    "directives:distribution_letter": {"pk": "incoming_entry"},
    "directives:distribution_letter_start": {"pk": "incoming_entry"},
    "directives:distribution_letter_handled": {"pk": "incoming_entry"},
    "directives:distribution_letter_approve": {"pk": "incoming_entry"},
    "directives:distribution_letter_return": {"pk": "incoming_entry"},
    "directives:distribution_letter_scan": {"pk": "incoming_entry"},
    "directives:distribution_letter_file": {
        "pk": "incoming_entry",
        "file_pk": "incoming_attachment",
    },
    "directives:distribution_pdf": {"pk": "directive"},
    "directives:distribution_attachment": {"pk": "attachment"},
    "directives:distribution_attachment_signature": {"pk": "attachment"},
    "directives:distribution_report_file": {"pk": "handler_report_file"},
}

# The shared directory (every unit and group, the directory page's list): no unit's own object.
DIRECTORY_PATTERNS = {"unit-detail", "group-detail"}

# Pages whose scoping is built as a plain 404 for everyone outside (no role gate in front).
STRICT_404 = {
    name
    for name in OBJECT_PARAMS
    if name.startswith("directives:")
    and name
    in {
        "directives:inbox_detail",
        "directives:inbox_acknowledge",
        "directives:assignment_start",
        "directives:assignment_report",
        "directives:assignment_extension",
        "directives:report_file",
        "directives:attachment_file",
        "directives:attachment_signature",
        "directives:matrix",
        "directives:matrix_xlsx",
        "directives:matrix_csv",
        "directives:matrix_remind",
        "directives:matrix_accept_reports",
        "directives:assignment_review",
        "directives:assignment_accept",
        "directives:assignment_return",
        "directives:extension_decide",
        "directives:letter_accept",
        "directives:letter_refuse",
        "directives:incoming_book",
        "directives:incoming_book_print",
        "directives:incoming_book_xlsx",
        "directives:outside_letter_new",
        "directives:incoming_entry",
        "directives:incoming_entry_scan",
        "directives:incoming_entry_attachment",
        "directives:distribution_entry_assign",
        "directives:distribution_task",
        "directives:distribution_task_assign",
        "directives:distribution_start",
        "directives:distribution_report",
        "directives:distribution_approve",
        "directives:distribution_return",
        "directives:distribution_letter",
        "directives:distribution_letter_start",
        "directives:distribution_letter_handled",
        "directives:distribution_letter_approve",
        "directives:distribution_letter_return",
        "directives:distribution_letter_scan",
        "directives:distribution_letter_file",
        "directives:distribution_pdf",
        "directives:distribution_attachment",
        "directives:distribution_attachment_signature",
        "directives:distribution_report_file",
    }
}

# Public by design: reached with an unguessable token, not an id.
PUBLIC_BY_TOKEN: dict[str, tuple[str, str]] = {
    "directives:verify_token": ("token", "verify"),
    "directives:ack_link": ("token", "ack"),
}

STAFF_ONLY_NAMESPACES = {"admin"}
MISSING_ID = 987654321
SECRET = "BÍ-MẬT-CHƯ-PĂH-7731"  # in the subject and the report: must never show to intruders
PDF_BYTES = b"%PDF-1.4\n%%EOF\n"


def walk(patterns, prefix: str = "", namespace: str | None = None):
    """Yield (full name, namespace, route, parameter names) for every pattern, recursively."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern):
            params = list(entry.pattern.converters) or list(entry.pattern.regex.groupindex)
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield name, namespace, prefix + str(entry.pattern), params


@pytest.fixture
def world(db, settings, tmp_path):
    """Agency A issued a directive to unit X; X acknowledged, reported, asked for more time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from tests.directives.workspace.data import make_issued

    agency_a = UnitFactory(code="STTTT", name="Sở Thông tin và Truyền thông")
    unit_x = UnitFactory(code="CHUPAH", name="UBND huyện Chư Păh")
    unit_y = UnitFactory(code="BAOGL", name="Báo Gia Lai")
    agency_b = UnitFactory(code="SYT", name="Sở Y tế")
    officer_x = UserFactory(unit=unit_x, roles=[roles.UNIT_OFFICER])
    UserFactory(unit=agency_a, roles=[roles.CLERK])
    directive = make_issued(
        units=[unit_x], issuing_unit=agency_a, number=1038, subject=f"v/v {SECRET}"
    )
    # Unit Y is a genuine recipient of agency A, just not of this directive.
    make_issued(units=[unit_y], issuing_unit=agency_a, number=1039, subject="thư của Y")
    make_issued(units=[unit_y], issuing_unit=agency_b, number=5, subject="thư của B")
    dispatch = Dispatch.objects.get(directive=directive, unit=unit_x)
    dispatch.acknowledged_at = timezone.now()
    dispatch.seen_at = timezone.now()
    dispatch.save()
    assignment = dispatch.assignments.order_by("task__position").first()
    assignment.status = "done"
    assignment.report_text = SECRET
    assignment.reported_at = timezone.now()
    assignment.save()
    report_file = ReportFile(
        assignment=assignment, name="bao-cao.pdf", content_type="application/pdf", size=15
    )
    report_file.file.save("bao-cao.pdf", io.BytesIO(PDF_BYTES))
    attachment = Attachment(
        directive=directive, name="phu-luc.pdf", content_type="application/pdf", size=15
    )
    attachment.file.save("phu-luc.pdf", io.BytesIO(PDF_BYTES))
    # X distributes: its head handed the second task to a division, which reported to the head.
    division_x = UnitFactory(code="VP.CHUPAH", kind="division", parent=unit_x)
    UserFactory(unit=unit_x, roles=[roles.UNIT_OFFICER], is_unit_head=True)
    handler_x = UserFactory(unit=division_x, roles=[roles.UNIT_OFFICER])
    handed = dispatch.assignments.order_by("task__position").last()
    handed.status = "in_progress"
    handed.handler_unit = division_x
    handed.handler_report = SECRET
    handed.handler_note = SECRET
    handed.head_review = "waiting"
    handed.save()
    # ... with a file for the head only (not yet the issuer's).
    handler_report_file = ReportFile(
        assignment=handed,
        name="du-thao-bao-cao.pdf",
        content_type="application/pdf",
        size=15,
        to_issuer=False,
    )
    handler_report_file.file.save("du-thao-bao-cao.pdf", io.BytesIO(PDF_BYTES))
    extension = ExtensionRequest.objects.create(
        assignment=handed,
        requested_date=timezone.localdate() + datetime.timedelta(days=60),
        reason=SECRET,
        requested_by=officer_x,
    )
    notification = Notification.objects.create(
        key="isolation:1",
        kind="issued",
        channel=Notification.Channel.IN_APP,
        directive=directive,
        dispatch=dispatch,
        unit=unit_x,
        user=officer_x,
        subject=SECRET,
    )
    incoming_entry = IncomingEntry(
        unit=unit_x,
        source=IncomingEntry.Source.PAPER,
        year=timezone.localdate().year,
        arrival_number=1,
        arrived_at=timezone.now(),
        issuer_name="Sở Tài chính",
        number="7",
        symbol="STC-NS",
        letter_date=timezone.localdate(),
        subject=SECRET,
        scan_name="cv-den.pdf",
        # The head handed it to the division, which marked it handled for the head's review.
        handler_unit=division_x,
        assigned_at=timezone.now(),
        handler_report=SECRET,
        head_review="waiting",
    )
    incoming_entry.scan.save("cv-den.pdf", io.BytesIO(PDF_BYTES), save=False)
    incoming_entry.save()
    incoming_attachment = IncomingAttachment(
        entry=incoming_entry,
        name="phu-luc-den.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        sha256="c" * 64,
    )
    incoming_attachment.file.save("phu-luc-den.pdf", io.BytesIO(PDF_BYTES), save=False)
    incoming_attachment.save()
    return {
        "unit_x": unit_x,
        "incoming_entry": incoming_entry,
        "incoming_attachment": incoming_attachment,
        "directive": directive,
        "dispatch": dispatch,
        "assignment": assignment,
        "handed_assignment": handed,
        "handler_report_file": handler_report_file,
        "handler_x": handler_x,
        "report_file": report_file,
        "attachment": attachment,
        "extension": extension,
        "notification": notification,
        "api_token": api_token_create(user=officer_x, name="X's program", days=30)[0],
        # Y's officer is its head too: heading a unit opens nothing of another's.
        "officer_y": UserFactory(unit=unit_y, roles=[roles.UNIT_OFFICER], is_unit_head=True),
        "clerk_b": UserFactory(unit=agency_b, roles=[roles.CLERK, roles.DRAFTER, roles.SIGNER]),
    }


def state_of(world) -> tuple:
    """Everything an intruder's request could change about unit X's objects."""
    d = Directive.objects.get(pk=world["directive"].pk)
    dispatch = Dispatch.objects.get(pk=world["dispatch"].pk)
    assignments = list(
        dispatch.assignments.order_by("pk").values_list(
            "status", "due_date", "report_text", "handler_unit", "handler_user", "head_review"
        )
    )
    return (
        d.status,
        d.updated_at,
        dispatch.acknowledged_at,
        dispatch.seen_at,
        assignments,
        ExtensionRequest.objects.get(pk=world["extension"].pk).status,
        Notification.objects.get(pk=world["notification"].pk).read_at,
        Notification.objects.count(),
        Event.objects.count(),
        ReportFile.objects.count(),
        list(
            IncomingEntry.objects.order_by("pk").values_list(
                "pk",
                "decision",
                "arrival_number",
                "handler_unit",
                "handler_user",
                "handler_opened_at",
                "handling_started_at",
                "head_review",
                "handled_at",
            )
        ),
        list(ReportFile.objects.order_by("pk").values_list("pk", "to_issuer")),
        IncomingBook.objects.count(),
        list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at")),
    )


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def login_redirect(response) -> bool:
    location = response.get("Location", "")
    return response.status_code == 302 and (
        location.startswith(reverse("login")) or location.startswith(reverse("admin:login"))
    )


def test_every_url_pattern_hides_another_units_objects(client, world):
    unknown, object_patterns, admin_patterns, token_patterns = [], [], [], []
    for name, namespace, route, params in walk(get_resolver().url_patterns):
        if not params:
            continue
        top_ns = (namespace or "").split(":")[0]
        if top_ns in STAFF_ONLY_NAMESPACES:
            admin_patterns.append((name, route, params))
        elif name in PUBLIC_BY_TOKEN:
            token_patterns.append(name)
        elif name in DIRECTORY_PATTERNS:
            continue
        elif name in OBJECT_PARAMS and set(OBJECT_PARAMS[name]) == set(params):
            object_patterns.append(name)
        else:
            unknown.append(f"{name or '(unnamed)'} {route} {params}")
    assert not unknown, (
        "New URL patterns that the isolation walker cannot fill; add them to OBJECT_PARAMS or "
        f"PUBLIC_BY_TOKEN in tests/test_isolation.py: {unknown}"
    )
    assert "directives:inbox_detail" in object_patterns  # the walk really happened

    before = state_of(world)
    secret = SECRET.encode()
    failures = []
    for who in ("officer_y", "clerk_b"):
        client.force_login(world[who])
        for name in object_patterns:
            spec = OBJECT_PARAMS[name]
            url = reverse(name, kwargs={p: world[kind].pk for p, kind in spec.items()})
            missing = reverse(name, kwargs=dict.fromkeys(spec, MISSING_ID))
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                control = getattr(client, method)(missing)
                content = body_of(response)
                if secret in content or SECRET.encode("ascii", "xmlcharrefreplace") in content:
                    failures.append(f"{who} {method.upper()} {url}: shows unit X's data")
                if response.status_code == 404:
                    continue
                post_only = method == "get" and response.status_code == control.status_code == 405
                if name in STRICT_404 and not post_only:
                    failures.append(f"{who} {method.upper()} {url}: {response.status_code}")
                elif not (
                    response.status_code in (302, 403, 405)
                    and response.status_code == control.status_code
                    and (response.status_code != 302 or login_redirect(response))
                ):
                    failures.append(
                        f"{who} {method.upper()} {url}: {response.status_code} "
                        f"(non-existent id: {control.status_code})"
                    )
    assert not failures, "\n".join(failures)
    assert state_of(world) == before


def test_the_handler_inside_the_unit_reaches_what_was_handed_to_them(client, world):
    """The control of the walk: the division's officer opens the letter handed to them, its
    attachment and scan, and the file of the report waiting for the head."""
    client.force_login(world["handler_x"])
    for name, kind in (
        ("directives:distribution_letter", "incoming_entry"),
        ("directives:distribution_letter_scan", "incoming_entry"),
        ("directives:distribution_attachment", "attachment"),
        ("directives:distribution_report_file", "handler_report_file"),
        ("directives:distribution_task", "handed_assignment"),
        # ... and the same files through the API
        ("incoming-scan", "incoming_entry"),
        ("attachment-file", "attachment"),
        ("report-file-file", "handler_report_file"),
        ("unit-task-detail", "handed_assignment"),
    ):
        response = client.get(reverse(name, kwargs={"pk": world[kind].pk}))
        assert response.status_code == 200, name
    entry, item = world["incoming_entry"], world["incoming_attachment"]
    url = reverse("directives:distribution_letter_file", args=[entry.pk, item.pk])
    assert client.get(url).status_code == 200
    # The issuer's side never reaches the file waiting for the head, in the pages or the API.
    clerk_a = UserFactory(unit=world["directive"].issuing_unit, roles=[roles.CLERK])
    client.force_login(clerk_a)
    for name in ("directives:report_file", "report-file-file"):
        url = reverse(name, kwargs={"pk": world["handler_report_file"].pk})
        assert client.get(url).status_code == 404, name
    assert (
        client.get(reverse("report-file-file", args=[world["report_file"].pk])).status_code == 200
    )


def admin_kwargs(params: list[str], world) -> dict[str, str]:
    values = {
        "app_label": "recipients",
        "object_id": str(world["directive"].pk),
        "content_type_id": "1",
        "url": "recipients/unit/",
        "id": str(world["directive"].pk),
    }
    return {p: values.get(p, "1") for p in params}


def test_admin_pages_are_staff_only(client, world):
    client.force_login(world["officer_y"])
    checked = 0
    for name, namespace, _route, params in walk(get_resolver().url_patterns):
        if not params or (namespace or "").split(":")[0] not in STAFF_ONLY_NAMESPACES:
            continue
        url = reverse(name, kwargs=admin_kwargs(params, world)) if name else None
        if url is None:
            continue
        response = client.get(url)
        assert login_redirect(response), f"{url}: {response.status_code}"
        checked += 1
    assert checked > 0


def test_public_pages_are_reached_only_by_their_token(client, world):
    """/verify/<token>/ and /ack/<token>/ show nothing for a guessed token."""
    directive, dispatch = world["directive"], world["dispatch"]
    before = state_of(world)
    client.force_login(world["officer_y"])
    present = {name for name, *_ in walk(get_resolver().url_patterns)}
    for name, (param, kind) in PUBLIC_BY_TOKEN.items():
        if name not in present:
            continue  # not built yet
        for guess in (str(directive.pk), str(dispatch.pk), "x" * 32):
            url = reverse(name, kwargs={param: guess})
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code in (200, 400, 404, 410), url
                assert SECRET.encode() not in body_of(response), url
        if kind == "verify":
            real = reverse(name, kwargs={param: directive.verify_token})
            assert client.get(real).status_code == 200
    assert state_of(world) == before


def test_the_todo_page_shows_nothing_of_another_agency(client, world):
    """Agency A's report and extension request wait for A's clerks: B's clerk, and a unit head
    of another unit, see neither on their to-do page nor in their menu's counts."""
    clerk_a = UserFactory(unit=world["directive"].issuing_unit, roles=[roles.CLERK])
    client.force_login(clerk_a)
    assert SECRET.encode() in client.get(reverse("directives:todo")).content  # the control

    head_y = UserFactory(
        unit=world["officer_y"].unit, roles=[roles.UNIT_OFFICER], is_unit_head=True
    )
    for who in (world["clerk_b"], head_y):
        client.force_login(who)
        response = client.get(reverse("directives:todo"))
        assert response.status_code == 200
        assert SECRET.encode() not in response.content
        assert b'data-kind="' not in response.content
    # Neither a clerk nor a head (the world's officer_y heads unit Y): no to-do page.
    client.force_login(UserFactory(unit=world["officer_y"].unit, roles=[roles.UNIT_OFFICER]))
    assert client.get(reverse("directives:todo")).status_code == 404
