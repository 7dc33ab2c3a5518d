"""What administrators change is recorded (django-auditlog) and shown in the admin; a directive's
own history (Event) stays append-only, with no admin page to change or delete it."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse

from directives.models import CancelledNumber, Event, Register
from recipients.models import SigningKeyStore, Unit
from tests.factories import DirectiveFactory, RecipientGroupFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def updates_of(obj) -> list[dict]:
    return [
        e.changes_dict
        for e in LogEntry.objects.get_for_object(obj).filter(action=LogEntry.Action.UPDATE)
    ]


def test_units_groups_and_their_members_are_recorded():
    unit = UnitFactory(code="CHUPAH", name="UBND huyện Chư Păh")
    assert LogEntry.objects.get_for_object(unit).filter(action=LogEntry.Action.CREATE).exists()
    unit.name = "Ủy ban nhân dân huyện Chư Păh"
    unit.save()
    assert {"name": ["UBND huyện Chư Păh", "Ủy ban nhân dân huyện Chư Păh"]} in updates_of(unit)
    group = RecipientGroupFactory(name="Các huyện")
    group.members.add(unit)
    assert any(c.get("members", {}).get("objects") == [str(unit)] for c in updates_of(group))


def test_a_new_seal_image_is_recorded():
    unit = UnitFactory(code="STTTT")
    unit.seal_image = SimpleUploadedFile("dau.png", PNG, content_type="image/png")
    unit.save()
    assert any("seal_image" in c for c in updates_of(unit))


def test_roles_and_the_permissions_of_groups_are_recorded():
    user = UserFactory()
    clerk = Group.objects.get(name="Clerk")
    user.groups.add(clerk)
    assert any(c.get("groups", {}).get("objects") == [str(clerk)] for c in updates_of(user))
    clerk.permissions.add(Permission.objects.get(codename="change_unit"))
    assert any("permissions" in c for c in updates_of(clerk))


def test_registers_and_key_stores_are_recorded():
    unit = UnitFactory(code="STTTT")
    register = Register.objects.create(unit=unit, year=2026)
    register.last_number = 5
    register.save()
    assert {"last_number": ["0", "5"]} in updates_of(register)
    cancelled = CancelledNumber.objects.create(unit=unit, year=2026, number=3)
    assert LogEntry.objects.get_for_object(cancelled).exists()
    store = SigningKeyStore.objects.create(
        unit=unit, backend=SigningKeyStore.Backend.PKCS12, pkcs12_path="/etc/portal/stttt.p12"
    )
    store.pkcs12_path = "/etc/portal/stttt-2027.p12"
    store.save()
    assert any("pkcs12_path" in c for c in updates_of(store))


def test_admin_changes_carry_who_and_the_clients_address(client, settings, administrator):
    settings.TRUSTED_PROXY_COUNT = 1
    unit = UnitFactory(code="CHUPAH", name="UBND huyện Chư Păh", kind="district_committee")
    client.force_login(administrator)
    response = client.post(
        reverse("admin:recipients_unit_change", args=[unit.pk]),
        {
            "name": "UBND huyện Chư Păh (mới)",
            "short_name": unit.short_name,
            "code": "CHUPAH",
            "kind": "district_committee",
            "contact_emails": "",
            "is_active": "on",
            "sort_order": "0",
        },
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5",  # the left one written by the client
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(unit).latest("pk")
    assert entry.actor == administrator
    assert entry.remote_addr == "203.0.113.5"
    assert entry.changes_dict["name"] == ["UBND huyện Chư Păh", "UBND huyện Chư Păh (mới)"]


@pytest.mark.parametrize("model", ["unit", "recipientgroup", "user"], ids=["unit", "group", "user"])
def test_the_admin_shows_each_records_history(client, administrator, model):
    obj = {
        "unit": lambda: UnitFactory(code="CHUPAH", name="UBND huyện Chư Păh"),
        "recipientgroup": lambda: RecipientGroupFactory(name="Các huyện"),
        "user": lambda: UserFactory(username="chupah"),
    }[model]()
    client.force_login(administrator)
    history = reverse(f"admin:recipients_{model}_auditlog", args=[obj.pk])
    # The change form's "History" button leads there.
    button = client.get(reverse(f"admin:recipients_{model}_history", args=[obj.pk]))
    assert button.status_code == 302 and button["Location"] == history
    page = client.get(history)
    assert page.status_code == 200
    assert list(page.context["log_entries"]) == list(LogEntry.objects.get_for_object(obj))
    assert "Nhật ký thay đổi" in page.content.decode()  # in Vietnamese, like the rest
    changelist = client.get(reverse(f"admin:recipients_{model}_changelist"))
    assert history in changelist.content.decode()


def test_administrators_read_the_log_and_nobody_edits_it(client, administrator):
    unit = UnitFactory(code="CHUPAH")
    entry = LogEntry.objects.get_for_object(unit).get()
    client.force_login(administrator)
    assert client.get(reverse("admin:auditlog_logentry_changelist")).status_code == 200
    assert client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk])).status_code == 200
    assert (
        client.post(reverse("admin:auditlog_logentry_delete", args=[entry.pk])).status_code == 403
    )
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_directive_events_have_no_admin_page(client):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    directive = DirectiveFactory()
    event = Event.objects.create(directive=directive, verb="created", actor=superuser)
    assert not admin.site.is_registered(Event)
    for name, args in (
        ("admin:directives_event_changelist", []),
        ("admin:directives_event_change", [event.pk]),
        ("admin:directives_event_delete", [event.pk]),
    ):
        with pytest.raises(NoReverseMatch):
            reverse(name, args=args)
    client.force_login(superuser)
    assert client.get(f"/admin/directives/event/{event.pk}/delete/").status_code == 404
    assert Event.objects.filter(pk=event.pk).exists()


def test_every_admin_registered_model_of_the_portal_is_audited():
    """A model an administrator can change in the admin has its changes recorded."""
    from auditlog.registry import auditlog

    for model in admin.site._registry:
        if model._meta.app_label in ("recipients", "directives", "auth"):
            assert auditlog.contains(model), model
    assert auditlog.contains(Unit)
