"""Two-factor login (django-otp): who must use it, the second step, enrolment, backup codes,
the lockout and rate limit on wrong codes, the profile's choice and the superuser's reset."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.core.cache import cache
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from common.sessions import REFRESHED_AT
from recipients import roles
from recipients.middleware import NO_CODE_NEEDED
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Mat-khau-2026"
CODE_URL = reverse("recipients:two_factor_login")
ENROL_URL = reverse("recipients:two_factor_enrol")


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the person's app shows now (or that many 30-second steps later)."""
    device.refresh_from_db()
    value = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0 - steps_ahead * device.step,
        digits=device.digits,
        drift=device.drift,
    )
    return f"{value:0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    right = {code_for(device, steps_ahead=n) for n in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def with_app(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Điện thoại", confirmed=True)


def with_backup_codes(user, *codes: str) -> StaticDevice:
    device = StaticDevice.objects.create(user=user, name="Mã dự phòng", confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return device


@pytest.fixture
def strict_unit(db):
    """An agency whose setting requires two-factor login of its signers, clerks and admins."""
    return UnitFactory(code="STTTT", name="Sở Thông tin và Truyền thông", requires_two_factor=True)


@pytest.fixture
def clerk(strict_unit):
    return UserFactory(username="vanthu", unit=strict_unit, roles=[roles.CLERK])


def reaches_pages(client) -> bool:
    """The person's own profile opens (every signed-in person has one)."""
    return client.get(reverse("recipients:profile")).status_code == 200


def password_login(client, username: str, *, next_url: str = ""):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post("/login/", data)
    assert response.status_code == 302, "the password step itself passes"
    return response


def test_a_required_user_with_an_app_reaches_no_page_before_the_code(client, clerk):
    with_app(clerk)
    password_login(client, "vanthu")
    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"] == f"{CODE_URL}?next=%2F"
    # The admin, another page, the API and an htmx request are all held back.
    for path in ("/admin/", reverse("recipients:profile"), reverse("directives:list")):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(CODE_URL), path
    api = client.get("/api/directives/")
    assert api.status_code == 403 and "mã" in api.json()["detail"].lower()
    htmx = client.get(reverse("directives:list"), HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"].startswith(CODE_URL)
    # The second step's page shows no menu, and logging out works.
    page = client.get(CODE_URL)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Đăng nhập hai bước" in content and reverse("directives:list") not in content
    assert client.post("/logout/").status_code == 302
    assert not client.get("/login/").wsgi_request.user.is_authenticated


def test_the_code_from_the_app_lets_the_person_in_where_they_were_going(client, clerk):
    device = with_app(clerk)
    password_login(client, "vanthu", next_url=reverse("directives:list"))
    session_key = client.session.session_key
    response = client.post(
        CODE_URL, {"otp_token": code_for(device), "next": reverse("directives:list")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("directives:list")
    assert client.session.session_key != session_key, "a new session key once verified"
    assert client.get(reverse("directives:list")).status_code == 200
    # Once verified, no page leads back to the second step, which sends on where asked.
    assert client.get(CODE_URL + "?next=" + CODE_URL)["Location"] == "/"
    assert client.get(CODE_URL + "?next=https://example.com/")["Location"] == "/"
    assert reaches_pages(client)
    device.refresh_from_db()
    assert device.last_used_at is not None


def test_a_wrong_code_does_not_let_in_and_is_counted(client, clerk, settings):
    settings.AXES_ENABLED = True
    device = with_app(clerk)
    password_login(client, "vanthu")
    response = client.post(CODE_URL, {"otp_token": wrong_code(device)})
    assert response.status_code == 200
    assert "Mã không đúng" in response.content.decode()
    assert client.get("/").status_code == 302
    # Counted by django-axes for this username (never storing the code) and by the device.
    attempt = AccessAttempt.objects.get(username="vanthu")
    assert attempt.failures_since_start == 1
    assert wrong_code(device) not in attempt.post_data
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Throttled: even the right code waits now.
    throttled = client.post(CODE_URL, {"otp_token": code_for(device)})
    assert "đợi" in throttled.content.decode()
    assert client.get("/").status_code == 302


def test_wrong_codes_lock_the_username_from_that_address_and_end_the_session(
    client, clerk, settings
):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # let every wrong code through to the lockout
    device = with_app(clerk)
    password_login(client, "vanthu")
    for _ in range(2):
        assert client.post(CODE_URL, {"otp_token": wrong_code(device)}).status_code == 200
    locked = client.post(CODE_URL, {"otp_token": wrong_code(device)})
    assert locked.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in locked.content.decode()
    assert not client.get("/login/").wsgi_request.user.is_authenticated
    # Neither the password nor a right code gets in from here during the cool-off.
    assert client.post("/login/", {"username": "vanthu", "password": PASSWORD}).status_code == 429


def test_the_second_step_is_rate_limited(client, clerk, settings, fresh_rate_window):
    settings.RATELIMIT_ENABLED = True
    settings.RATELIMIT_LOGIN = "2/600"
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    cache.clear()
    device = with_app(clerk)
    password_login(client, "vanthu")
    try:
        assert client.post(CODE_URL, {"otp_token": wrong_code(device)}).status_code == 200
        assert client.post(CODE_URL, {"otp_token": wrong_code(device)}).status_code == 200
        refused = client.post(CODE_URL, {"otp_token": code_for(device)})
        assert refused.status_code == 429 and refused["Retry-After"] == "600"
        assert client.get("/").status_code == 302
    finally:
        cache.clear()


def test_a_backup_code_works_once(client, clerk):
    with_app(clerk)
    with_backup_codes(clerk, "abcd2345", "efgh6723")
    password_login(client, "vanthu")
    response = client.post(CODE_URL, {"otp_token": " ABCD 2345 "})
    assert response.status_code == 302
    assert reaches_pages(client)
    client.post("/logout/")
    password_login(client, "vanthu")
    again = client.post(CODE_URL, {"otp_token": "abcd2345"})
    assert again.status_code == 200 and "Mã không đúng" in again.content.decode()
    assert client.get("/").status_code == 302
    assert list(StaticToken.objects.values_list("token", flat=True)) == ["efgh6723"]


def test_people_not_required_and_without_an_app_are_not_asked(client, strict_unit, settings):
    plain_clerk = UserFactory(username="vanthu2", roles=[roles.CLERK])  # unit without the setting
    officer = UserFactory(username="canbo", unit=strict_unit, roles=[roles.UNIT_OFFICER])
    drafter = UserFactory(username="chuyenvien", unit=strict_unit, roles=[roles.DRAFTER])
    for user in (plain_clerk, officer, drafter):
        password_login(client, user.username)
        assert reaches_pages(client), user.username
        client.post("/logout/")
    # OTP_REQUIRED reaches signers, clerks and administrators only.
    settings.OTP_REQUIRED = True
    for user in (officer, drafter):
        password_login(client, user.username)
        assert reaches_pages(client), user.username
        client.post("/logout/")


def test_enrolment_of_a_required_signer(client, strict_unit):
    UserFactory(username="lanhdao", unit=strict_unit, roles=[roles.SIGNER])
    password_login(client, "lanhdao")
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == f"{ENROL_URL}?next=%2F"
    assert client.get(CODE_URL)["Location"].startswith(ENROL_URL)
    page = client.get(ENROL_URL + "?next=/")
    content = page.content.decode()
    assert page.status_code == 200 and 'src="data:image/svg+xml;base64,' in content
    assert "Content-Security-Policy" in page and "data:" in page["Content-Security-Policy"]
    device = TOTPDevice.objects.get(user__username="lanhdao")
    assert not device.confirmed
    # The key in the page is the device's, for typing by hand.
    assert page.context["secret"].replace(" ", "") in device.config_url
    wrong = client.post(ENROL_URL, {"otp_token": wrong_code(device), "next": "/"})
    assert wrong.status_code == 200 and "Mã không đúng" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/").status_code == 302
    device.throttling_failure_count = 0  # past the throttle's one-second wait
    device.save()
    done = client.post(ENROL_URL, {"otp_token": code_for(device), "next": "/"})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "no-store" in done["Cache-Control"]
    assert all(code in done.content.decode() for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)
    assert reaches_pages(client)
    # Next time: the code page, and a shown backup code works.
    client.post("/logout/")
    password_login(client, "lanhdao")
    assert client.get("/")["Location"].startswith(CODE_URL)
    assert client.post(CODE_URL, {"otp_token": codes[0]}).status_code == 302
    assert reaches_pages(client)


def test_a_password_alone_cannot_set_up_another_app(client, clerk):
    device = with_app(clerk)
    password_login(client, "vanthu")
    response = client.get(ENROL_URL)
    assert response.status_code == 302 and response["Location"].startswith(CODE_URL)
    assert client.post(ENROL_URL, {"otp_token": "123456"})["Location"].startswith(CODE_URL)
    assert list(TOTPDevice.objects.filter(user=clerk)) == [device]


def test_the_unit_setting_is_in_the_admin_and_off_by_default(client, settings):
    unit = UnitFactory(code="CHUPAH", name="UBND huyện Chư Păh")
    assert unit.requires_two_factor is False
    superuser = UserFactory(username="quantri", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    page = client.get(reverse("admin:recipients_unit_change", args=[unit.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="requires_two_factor"' in content
    assert "Bắt buộc đăng nhập hai bước" in content
    signer = UserFactory(username="lanhdao", unit=unit, roles=[roles.SIGNER])
    password_login(client, "lanhdao")
    assert reaches_pages(client)
    client.post("/logout/")
    unit.requires_two_factor = True
    unit.save()
    password_login(client, signer.username)
    assert client.get("/")["Location"].startswith(ENROL_URL)


def test_otp_required_asks_every_signer_clerk_and_administrator(client, settings):
    settings.OTP_REQUIRED = True
    for held in (roles.SIGNER, roles.CLERK, roles.ADMINISTRATOR):
        user = UserFactory(roles=[held])
        assert not user.unit.requires_two_factor
        password_login(client, user.username)
        assert client.get("/")["Location"].startswith(ENROL_URL), held
        client.post("/logout/")
    superuser = UserFactory(unit=None, is_superuser=True, is_staff=True)
    password_login(client, superuser.username)
    assert client.get("/admin/")["Location"].startswith(ENROL_URL)


def test_turned_on_by_choice_on_the_profile_then_asked_then_turned_off(client):
    UserFactory(username="chuyenvien", roles=[roles.DRAFTER])
    password_login(client, "chuyenvien")
    profile = client.get(reverse("recipients:profile"))
    assert 'data-testid="two-factor-enrol-link"' in profile.content.decode()
    client.get(ENROL_URL)
    device = TOTPDevice.objects.get(user__username="chuyenvien")
    assert client.post(ENROL_URL, {"otp_token": code_for(device)}).status_code == 200
    client.post("/logout/")
    password_login(client, "chuyenvien")
    assert client.get("/")["Location"].startswith(CODE_URL)
    client.post(CODE_URL, {"otp_token": code_for(device, steps_ahead=1)})
    assert reaches_pages(client)
    off = client.post(reverse("recipients:two_factor_off"))
    assert off.status_code == 302
    assert not TOTPDevice.objects.filter(user__username="chuyenvien").exists()
    client.post("/logout/")
    password_login(client, "chuyenvien")
    assert reaches_pages(client)


def test_a_required_person_cannot_turn_it_off(client, clerk):
    device = with_app(clerk)
    password_login(client, "vanthu")
    client.post(CODE_URL, {"otp_token": code_for(device)})
    page = client.get(reverse("recipients:profile"))
    assert 'data-testid="two-factor-off"' not in page.content.decode()
    response = client.post(reverse("recipients:two_factor_off"), follow=True)
    assert "không thể tắt" in response.content.decode()
    assert TOTPDevice.objects.filter(user=clerk, confirmed=True).exists()


def test_new_backup_codes_replace_the_old(client, clerk):
    device = with_app(clerk)
    with_backup_codes(clerk, "abcd2345")
    password_login(client, "vanthu")
    client.post(CODE_URL, {"otp_token": code_for(device)})
    response = client.post(reverse("recipients:two_factor_backup_codes"))
    assert response.status_code == 200
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(
        response.context["codes"]
    )
    assert "abcd2345" not in response.context["codes"]


def test_only_a_superuser_resets_a_persons_devices_and_it_is_recorded(client, clerk):
    with_app(clerk)
    with_backup_codes(clerk, "abcd2345")
    url = reverse("admin:recipients_user_two_factor_reset", args=[clerk.pk])
    administrator = UserFactory(username="quantri", roles=[roles.ADMINISTRATOR])
    client.force_login(administrator)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    change = client.get(reverse("admin:recipients_user_change", args=[clerk.pk]))
    assert 'data-testid="two-factor-reset-link"' not in change.content.decode()
    assert TOTPDevice.objects.filter(user=clerk).exists()

    superuser = UserFactory(username="root", is_superuser=True, is_staff=True, unit=None)
    client.force_login(superuser)
    change = client.get(reverse("admin:recipients_user_change", args=[clerk.pk]))
    assert 'data-testid="two-factor-reset-link"' in change.content.decode()
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    assert not StaticDevice.objects.filter(user=clerk).exists()
    entry = LogEntry.objects.get_for_object(clerk).latest("pk")
    assert entry.actor == superuser and entry.action == LogEntry.Action.UPDATE
    deleted = LogEntry.objects.filter(action=LogEntry.Action.DELETE, actor=superuser)
    assert deleted.count() == 2
    # At the next login the clerk, still required, sets up a new app.
    client.logout()
    password_login(client, "vanthu")
    assert client.get("/")["Location"].startswith(ENROL_URL)


def test_an_enrolment_is_recorded_without_its_secret(client, clerk):
    password_login(client, "vanthu")
    client.get(ENROL_URL)
    device = TOTPDevice.objects.get(user=clerk)
    client.post(ENROL_URL, {"otp_token": code_for(device)})
    entries = LogEntry.objects.get_for_object(device)
    assert entries.filter(action=LogEntry.Action.CREATE).exists()
    assert all(device.key not in str(e.changes) for e in entries)


def test_a_new_unit_setting_reaches_a_signed_in_clerk_at_the_sessions_next_refresh(client):
    unit = UnitFactory(code="CHUPAH", name="UBND huyện Chư Păh")
    UserFactory(username="vanthu", unit=unit, roles=[roles.CLERK])
    password_login(client, "vanthu")
    assert reaches_pages(client)
    unit.requires_two_factor = True
    unit.save()
    assert reaches_pages(client), "not asked again on each page before the refresh"
    # As if the login (the last refresh, and the check) had been two minutes ago.
    session = client.session
    session[REFRESHED_AT] -= 120
    session[NO_CODE_NEEDED] -= 120
    session.save()
    assert client.get("/")["Location"].startswith(ENROL_URL)
