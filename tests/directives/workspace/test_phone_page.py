"""What the officer's pages send a phone, read from the HTML and the headers (the browser test
tests/e2e/test_accessibility.py draws them at 390 px): the letter for PDF.js from the portal's own
files under a CSP that lets its worker start, the frame left to wider screens, the tasks first,
the filters folded, the bell outside the folded menu; axe-core stays with the tests."""

from __future__ import annotations

import io
from pathlib import Path

import lxml.html
import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.directives.workspace.data import PDF_BYTES

pytestmark = pytest.mark.django_db


def test_the_letter_page_hands_the_pdf_to_pdfjs_on_phones(client, officer_x, dispatch_x):
    directive = dispatch_x.directive
    directive.pdf.save("x.pdf", io.BytesIO(PDF_BYTES), save=True)
    client.force_login(officer_x)
    response = client.get(reverse("directives:inbox_detail", args=[dispatch_x.pk]))
    page = lxml.html.fromstring(response.content)
    pdf_url = reverse("directives:pdf", args=[directive.pk])

    (viewer,) = page.xpath("//*[@data-pdf-viewer]")
    assert viewer.get("data-pdf-url") == pdf_url
    assert "d-md-none" in viewer.get("class")
    for name in ("data-pdf-lib", "data-pdf-worker"):
        path = viewer.get(name).removeprefix(settings.STATIC_URL)
        assert finders.find(path), f"{name} {path} is not one of the portal's static files"
    (frame,) = page.xpath("//iframe[@data-testid='pdf-frame']")
    assert frame.get("loading") == "lazy" and "d-none d-md-block" in frame.get("class")
    assert page.xpath("//a[@data-testid='pdf-download']/@href") == [pdf_url]
    scripts = page.xpath("//script[@type='module']/@src")
    assert any(src.endswith("js/pdf-viewer.js") for src in scripts)
    assert not page.xpath("//script[not(@src)]"), "no inline script (CSP)"
    # The unit's tasks come first on a narrow screen, after the letter from lg up.
    tasks_column = page.xpath("//*[@data-testid='my-tasks']/ancestor::div[contains(@class,'col-')]")
    assert "order-first" in tasks_column[0].get("class")

    csp = dict(
        part.strip().split(" ", 1)
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    )
    assert csp["worker-src"] == "'self'" and csp["script-src"] == "'self'"


def test_the_inbox_folds_its_filters_and_keeps_the_bell_out_of_the_menu(client, officer_x):
    client.force_login(officer_x)
    page = lxml.html.fromstring(client.get(reverse("directives:inbox")).content)
    (filters,) = page.xpath("//*[@id='inbox-filters']")
    assert "collapse" in filters.get("class") and "show" not in filters.get("class").split()
    (toggle,) = page.xpath("//*[@data-testid='filters-toggle']")
    assert toggle.get("data-bs-target") == "#inbox-filters"
    assert toggle.get("aria-expanded") == "false"
    assert page.xpath("//*[@id='notification-bell']")
    assert not page.xpath("//*[@id='mainnav']//*[@id='notification-bell']")

    # With a filter in use they stay open.
    page = lxml.html.fromstring(client.get(reverse("directives:inbox") + "?q=abc").content)
    assert "show" in page.xpath("//*[@id='inbox-filters']")[0].get("class").split()


def test_pdfjs_is_vendored_with_its_licence_and_axe_is_not_served():
    pdfjs = Path(finders.find("vendor/pdfjs/pdf.min.mjs")).parent
    assert "Apache License" in (pdfjs / "LICENSE").read_text()
    assert (pdfjs / "pdf.worker.min.mjs").is_file()
    axe = Path(__file__).parents[2] / "e2e" / "vendor" / "axe.min.js"
    assert axe.is_file() and (axe.parent / "LICENSE").is_file()
    assert finders.find("axe.min.js") is None
    assert not list(Path(settings.BASE_DIR, "static").rglob("axe*"))
