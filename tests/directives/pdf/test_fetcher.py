"""The letter renders in a sandbox: WeasyPrint may fetch only the portal's own static and media
files, so nothing a drafter types can pull a remote or local file into the PDF."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from directives.documents.pdf import (
    document_to_pdf,
    html_to_document,
    portal_url_fetcher,
    render_directive_pdf_bytes,
)
from tests.directives.pdf.conftest import LETTER_FACES, decoded_pdf


def test_url_fetcher_refuses_network_and_arbitrary_files(settings, db):
    fetcher = portal_url_fetcher()
    for url in (
        "http://example.com/logo.png",
        "https://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        f"{settings.SITE_URL}/static/../../../../etc/passwd",
        f"{settings.SITE_URL}/media/../../../etc/passwd",
        f"{settings.SITE_URL}/etc/passwd",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    ok = fetcher.fetch(f"{settings.SITE_URL}/static/img/emblem.svg")
    assert b"<svg" in ok.read()
    media = settings.MEDIA_ROOT / "seals"
    media.mkdir(parents=True)
    (media / "seal.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert fetcher.fetch(f"{settings.SITE_URL}/media/seals/seal.png").read().startswith(b"\x89PNG")


SECRET = "root:x:0:0:a file the letter must never carry"


@pytest.fixture
def local_secret(tmp_path) -> str:
    """A local file outside the static and media folders, as file:// URL."""
    path = tmp_path / "passwd"
    path.write_text(SECRET + "\n")
    return path.as_uri()


@pytest.fixture
def fetched(monkeypatch) -> list[str]:
    """Every URL WeasyPrint asks the portal's fetcher for, refused or not."""
    from directives.documents import pdf

    asked: list[str] = []
    real = pdf.portal_url_fetcher

    def recording():
        fetcher = real()
        fetch = fetcher.fetch

        def recorded(url, headers=None):
            asked.append(url)
            return fetch(url, headers)

        fetcher.fetch = recorded
        return fetcher

    monkeypatch.setattr(pdf, "portal_url_fetcher", recording)
    return asked


def test_a_body_cannot_pull_remote_or_local_files(db, sample_letter, local_secret, fetched):
    """Whatever the drafter types, WeasyPrint is asked for the letter's own fonts only: no image,
    attachment or stylesheet of the body reaches the fetcher, and no file lands in the PDF."""
    sample_letter.body = (
        f"![x]({local_secret}) ![y](http://example.com/y.png) [a](http://example.com) văn bản\n\n"
        f'<a rel="attachment" href="{local_secret}">tệp</a> <img src="{local_secret}">'
        f'<link rel="attachment" href="{local_secret}"><style>@import "{local_secret}";</style>'
    )
    data = render_directive_pdf_bytes(sample_letter, draft=False)
    assert {urlsplit(url).path for url in fetched} == {
        f"/static/fonts/{face}.ttf" for face in LETTER_FACES
    }
    content = decoded_pdf(data)
    carries_secret = SECRET.encode() in content
    assert not carries_secret, "the local file is in the PDF"
    assert b"/EmbeddedFile" not in content and b"example.com/y.png" not in content


def test_the_fetcher_keeps_local_files_out_of_the_pdf(db, local_secret):
    """HTML that asks for a local file as an attachment (as WeasyPrint would embed it): the
    portal's fetcher refuses, so the file is not in the PDF. WeasyPrint's own fetcher, for
    contrast, embeds it, where the decoded PDF shows it (the raw, compressed bytes would not)."""
    from weasyprint import HTML

    html = (
        f'<link rel="attachment" href="{local_secret}">'
        f'<p><a rel="attachment" href="{local_secret}">tệp</a></p>'
    )
    data = document_to_pdf(html_to_document(html))
    carries_secret = SECRET.encode() in decoded_pdf(data)
    assert not carries_secret, "the local file is in the PDF"
    unguarded = HTML(string=html).write_pdf()
    assert SECRET.encode() in decoded_pdf(unguarded) and SECRET.encode() not in unguarded
