"""Finding 8 of issue 17: the production settings pass `check --deploy`, and the headers hold:
no framing but the portal's own PDF frame, a strict CSP, nothing signed-in kept in a cache,
sessions that end after inactivity."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from directives.models import Directive
from tests.factories import DirectiveFactory, UserFactory

BASE_DIR = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_in_a_production_like_environment(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "vanban.gialai.gov.vn",
        "SECURE_HSTS_PRELOAD": "1",  # README: once the domain is on the preload list
        "VAR_DIR": str(tmp_path / "var"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr


def test_production_defaults(settings):
    """What `check --deploy` cannot see from the test run (DEBUG is off, the tests are not
    production): the values production gets without setting anything."""
    assert django_settings.X_FRAME_OPTIONS == "DENY"
    assert django_settings.SECURE_HSTS_SECONDS >= 31536000
    assert django_settings.SESSION_COOKIE_AGE == 8 * 3600
    assert django_settings.SESSION_REFRESH_SECONDS == 60


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def issued_pdf(db):
    directive = DirectiveFactory(
        status=Directive.Status.ISSUED,
        number=7,
        register_year=timezone.now().year,
        issued_on=timezone.localdate(),
        issued_at=timezone.now(),
        pdf_sha256="a" * 64,
        pdf_status=Directive.PdfStatus.READY,
    )
    directive.pdf.save("cv-7.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"))
    return directive


def _csp(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in policy.split(";"))
        if part
    }


@pytest.mark.django_db
def test_pages_are_never_framed_and_the_csp_holds_base_and_form_targets(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    csp = _csp(response)
    assert csp["frame-ancestors"] == "'none'"
    assert csp["base-uri"] == "'self'"
    assert csp["form-action"] == "'self'"
    assert "'unsafe-inline'" not in csp["script-src"]


def test_the_portal_frames_its_own_pdf_and_only_it(client, superuser, issued_pdf):
    client.force_login(superuser)
    response = client.get(reverse("directives:pdf", args=[issued_pdf.pk]) + "?inline=1")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert _csp(response)["frame-ancestors"] == "'self'"
    page = client.get(reverse("directives:detail", args=[issued_pdf.pk]))
    assert page["X-Frame-Options"] == "DENY"


def test_signed_in_pages_and_pdfs_are_not_stored(client, superuser, issued_pdf):
    client.force_login(superuser)
    assert "no-store" in client.get(reverse("home"))["Cache-Control"]
    pdf = client.get(reverse("directives:pdf", args=[issued_pdf.pk]))
    assert "no-store" in pdf["Cache-Control"]


@pytest.mark.django_db
def test_a_public_page_may_be_cached(client):
    assert "no-store" not in client.get(reverse("directives:verify")).get("Cache-Control", "")


def test_the_session_ends_after_inactivity_and_requests_extend_it(client, superuser, settings):
    def expiry():
        return Session.objects.get(session_key=client.session.session_key).expire_date

    client.force_login(superuser)
    first = expiry()
    assert (first - timezone.now()).total_seconds() == pytest.approx(8 * 3600, abs=60)
    client.get(reverse("home"))  # within SESSION_REFRESH_SECONDS of the login: no write
    assert expiry() == first
    settings.SESSION_REFRESH_SECONDS = 0
    response = client.get(reverse("home"))
    assert expiry() > first
    assert response.cookies[django_settings.SESSION_COOKIE_NAME]["max-age"] == 8 * 3600


@pytest.mark.django_db
def test_an_idle_session_is_over(client, superuser, settings):
    settings.SESSION_COOKIE_AGE = 1
    client.force_login(superuser)
    import time

    time.sleep(1.5)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.django_db
def test_pages_allow_no_inline_style(client, superuser):
    client.force_login(superuser)
    for url in (reverse("login"), reverse("home"), reverse("directives:inbox")):
        response = client.get(url, follow=True)
        assert _csp(response)["style-src"] == "'self'", url
        assert " style=" not in response.content.decode(), url
        assert "<style" not in response.content.decode(), url


def test_only_the_pages_showing_the_letter_allow_inline_style(client, superuser, issued_pdf):
    """The letter's srcdoc frame inherits the page's policy and is styled inline."""
    Directive.objects.filter(pk=issued_pdf.pk).update(pdf_status=Directive.PdfStatus.NONE)
    client.force_login(superuser)
    page = client.get(reverse("directives:detail", args=[issued_pdf.pk]))
    assert page.status_code == 200
    assert "srcdoc=" in page.content.decode()
    assert "'unsafe-inline'" in _csp(page)["style-src"]
    assert "'unsafe-inline'" not in _csp(page)["script-src"]


def test_no_template_sets_a_style_attribute():
    """Styles live in static/css; the letter's own template (a srcdoc frame and WeasyPrint)
    and the e-mails (no CSP there) are the exceptions."""
    exceptions = {"directives/pdf/letter.html"}
    offenders = [
        str(path.relative_to(BASE_DIR / "templates"))
        for path in (BASE_DIR / "templates").rglob("*.html")
        if "email" not in path.parts
        and str(path.relative_to(BASE_DIR / "templates")) not in exceptions
        and (" style=" in path.read_text() or "<style" in path.read_text())
    ]
    assert offenders == []
