"""The signer's signature and the issuing unit's seal on the signed letter (Nghị định 30, the
electronic copy): uploaded as PNG by an administrator, drawn between the title lines and the
printed name, the seal over the left third of the signature; never on a draft."""

from __future__ import annotations

import html
from io import BytesIO

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageDraw

from directives.documents.pdf import render_directive_pdf_bytes
from directives.documents.signing import render_and_sign_bytes, signing_key_for
from recipients.models import Unit, User
from tests.directives.pdf.conftest import lines_of, open_pdf
from tests.factories import UnitFactory, UserFactory

MM = 72 / 25.4
PAGE_WIDTH = 210 * MM


def in_english(client):
    """The admin in English, as a person who picked it gets it: the messages' msgids."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def signature_png(size=(600, 240)) -> bytes:
    """A blue scribble on a transparent background, as a scanned signature is prepared."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    w, h = size
    points = [(int(w * x / 10), int(h * (0.3 + 0.4 * (x % 2)))) for x in range(1, 10)]
    draw.line(points, fill=(20, 40, 170, 255), width=8)
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seal_png(px: int = 413, dpi: int = 300) -> bytes:
    """A red ring at 300 dpi: 413 px is the 35 mm seal of a provincial department."""
    image = Image.new("RGBA", (px, px), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, px - 5, px - 5), outline=(210, 0, 0, 255), width=12)
    draw.ellipse((px // 4, px // 4, 3 * px // 4, 3 * px // 4), fill=(210, 0, 0, 255))
    out = BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()


def jpeg_bytes() -> bytes:
    out = BytesIO()
    Image.new("RGB", (200, 100), (20, 40, 170)).save(out, format="JPEG")
    return out.getvalue()


def too_big_png() -> bytes:
    """A valid PNG over 1 MB: noise does not compress."""
    import os

    image = Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3))
    out = BytesIO()
    image.save(out, format="PNG")
    data = out.getvalue()
    assert len(data) > 1024 * 1024
    return data


def unit_form(unit: Unit, **extra) -> dict:
    data = {
        "name": unit.name,
        "short_name": unit.short_name,
        "code": unit.code,
        "kind": unit.kind,
        "parent": unit.parent_id or "",
        "head_title": unit.head_title,
        "contact_emails": unit.contact_emails,
        "is_active": "on",
        "sort_order": unit.sort_order,
    }
    data.update(extra)
    return data


def user_form(user: User, **extra) -> dict:
    data = {
        "username": user.username,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "email": user.email,
        "phone": user.phone,
        "unit": user.unit_id or "",
        "title": user.title,
        "groups": [g.pk for g in user.groups.all()],
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(extra)
    return data


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def post_unit(client, unit: Unit, data: bytes, name: str = "con-dau.png"):
    url = reverse("admin:recipients_unit_change", args=[unit.pk])
    return in_english(client).post(url, unit_form(unit, seal_image=upload(name, data)))


def post_user(client, user: User, data: bytes, name: str = "chu-ky.png"):
    url = reverse("admin:recipients_user_change", args=[user.pk])
    return in_english(client).post(url, user_form(user, signature_image=upload(name, data)))


def form_errors(response) -> str:
    assert response.status_code == 200, "the form was accepted"
    assert response.context["adminform"].form.errors, "no error shown"
    # The page as it was sent, in the language of the request (the form's lazy messages would
    # be translated again, in the default language, if read after it).
    return html.unescape(response.content.decode())


@pytest.fixture
def with_images(admin_client, sample_letter):
    """The administrator uploads the signer's signature and the issuing unit's seal."""
    response = post_user(admin_client, sample_letter.signer, signature_png())
    assert response.status_code == 302, form_errors(response)
    response = post_unit(admin_client, sample_letter.issuing_unit, seal_png())
    assert response.status_code == 302, form_errors(response)
    sample_letter.refresh_from_db()
    sample_letter.signer.refresh_from_db()
    sample_letter.issuing_unit.refresh_from_db()
    assert sample_letter.signer.signature_image.name.startswith("signatures/")
    assert sample_letter.issuing_unit.seal_image.name.startswith("seals/")
    return sample_letter


def signed_page(directive):
    signed, _ = render_and_sign_bytes(directive, key=signing_key_for("STTTT"))
    return open_pdf(signed).pages[-1]


def span(page, text: str) -> dict:
    """Where `text` is printed, from its own characters, not the whole line (pdfplumber joins
    it with the Nơi nhận column at the same height). The last occurrence on the page: the
    signer's printed name comes after the stamp's "Người ký: <name>"."""
    for line in reversed(lines_of(page)):
        if text not in line["text"]:
            continue
        visible = [c for c in line["chars"] if c["text"].strip()]
        offset = len(line["text"][: line["text"].rindex(text)].replace(" ", ""))
        chars = visible[offset : offset + len(text.replace(" ", ""))]
        return {
            "x0": min(c["x0"] for c in chars),
            "x1": max(c["x1"] for c in chars),
            "top": min(c["top"] for c in chars),
            "bottom": max(c["bottom"] for c in chars),
        }
    raise AssertionError(f"{text!r} not found on page {page.page_number}")


def assert_placed_per_decree(page, directive) -> None:
    seal, signature = sorted(page.images, key=lambda im: im["x0"])  # the seal reaches left
    assert signature["srcsize"] == (600, 240) and seal["srcsize"] == (413, 413)
    # The seal covers the left third of the signature: it overlaps it, its right edge lies
    # within the first third, and it starts at or left of the signature's left edge.
    third = signature["x0"] + (signature["x1"] - signature["x0"]) / 3
    assert seal["x0"] <= signature["x0"] < seal["x1"] <= third + 0.5
    assert seal["top"] < signature["bottom"] and signature["top"] < seal["bottom"]
    # The seal at its actual size (35 mm from 413 px at 300 dpi).
    assert seal["x1"] - seal["x0"] == pytest.approx(35 * MM, abs=1)
    # Both in the signature block column (right side), between the title lines and the name.
    title = span(page, "PHÓ GIÁM ĐỐC")
    name = span(page, directive.signer_name)
    recipients_title = span(page, "Nơi nhận:")
    for image in (seal, signature):
        assert image["x0"] > recipients_title["x1"] and image["x0"] >= PAGE_WIDTH * 0.45
        assert image["x1"] <= PAGE_WIDTH - 15 * MM
        assert title["bottom"] <= image["top"] and image["bottom"] <= name["top"]
    # The signature is (within a few mm: the seal needs room) centred under the title.
    assert (signature["x0"] + signature["x1"]) / 2 == pytest.approx(
        (title["x0"] + title["x1"]) / 2, abs=3 * MM
    )


def test_signed_letter_carries_signature_and_seal_as_the_decree_says(
    with_images, signing_configured
):
    page = signed_page(with_images)
    assert len(page.images) == 2
    assert_placed_per_decree(page, with_images)
    # The visible stamp of the digital signature is still there, under the images.
    stamp = span(page, "Người ký:")
    assert max(im["bottom"] for im in page.images) <= stamp["top"]


def test_under_tl_the_seal_is_still_the_issuing_units(with_images, signing_configured):
    with_images.signing_authority = "TL"
    with_images.save(update_fields=["signing_authority"])
    page = signed_page(with_images)
    assert span(page, "TL. GIÁM ĐỐC")
    assert len(page.images) == 2
    assert_placed_per_decree(page, with_images)


def test_only_the_seal_when_the_signer_has_no_signature(with_images, signing_configured):
    with_images.signer.signature_image.delete()
    page = signed_page(with_images)
    [seal] = page.images
    assert seal["srcsize"] == (413, 413)
    assert span(page, "PHÓ GIÁM ĐỐC")["bottom"] <= seal["top"]
    assert seal["bottom"] <= span(page, with_images.signer_name)["top"]


def test_another_officers_signature_is_not_used(with_images, signing_configured):
    """The image belongs to the directive's signer, not to whoever else has one."""
    with_images.signer = UserFactory(unit=with_images.issuing_unit)
    with_images.save(update_fields=["signer"])
    page = signed_page(with_images)
    assert [im["srcsize"] for im in page.images] == [(413, 413)]


def test_draft_preview_has_no_images(with_images, client):
    assert open_pdf(render_directive_pdf_bytes(with_images, draft=True)).pages[-1].images == []
    # Nor the unsigned print of an issued letter: the seal goes on only with the agency's key.
    unsigned = open_pdf(render_directive_pdf_bytes(with_images, draft=False))
    assert all(page.images == [] for page in unsigned.pages)


def test_without_images_the_signature_block_is_unchanged(sample_letter, signing_configured):
    page = signed_page(sample_letter)
    assert page.images == []
    title, name = span(page, "PHÓ GIÁM ĐỐC"), span(page, sample_letter.signer_name)
    stamp = span(page, "Người ký:")
    # The room for the signature keeps its 30 mm, the stamp in its middle, as before.
    assert name["top"] - title["bottom"] == pytest.approx(30 * MM, abs=3)
    assert title["bottom"] < stamp["top"] < name["top"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("chu-ky.png", jpeg_bytes(), "is not an accepted file. Accepted: PNG."),
        ("chu-ky.png", "Chữ ký".encode(), "is not an accepted file. Accepted: PNG."),
        ("chu-ky.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "is not a readable PNG image."),
        ("chu-ky.png", too_big_png(), "is larger than 1 MB."),
    ],
    ids=["jpeg-renamed", "text-renamed", "broken-png", "over-1mb"],
)
def test_admin_refuses_a_bad_signature_or_seal(admin_client, db, name, data, message):
    user = UserFactory(unit=UnitFactory())
    errors = form_errors(post_user(admin_client, user, data, name))
    assert f"“{name}” {message}" in errors
    user.refresh_from_db()
    assert not user.signature_image
    unit = UnitFactory()
    errors = form_errors(post_unit(admin_client, unit, data, name))
    assert f"“{name}” {message}" in errors
    unit.refresh_from_db()
    assert not unit.seal_image
