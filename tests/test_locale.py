"""The Vietnamese catalogue: complete, placeholders intact, compiled, and actually used."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

# %(name)s, %(count)d, %s, %d ... (a literal "%%" is not a placeholder).
PYTHON_FORMAT = re.compile(r"%(?:\(\w+\))?[-+0]*\d*(?:\.\d+)?[sdifeEgGxXor]|%%")
BRACE_FORMAT = re.compile(r"\{\w*(?:[.!:][^{}]*)?\}")
HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")

REGENERATE = "run `make messages` (makemessages + compilemessages for vi)"


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def live(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def translations(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(source, translation) pairs; Vietnamese has one plural form, matched to the plural msgid."""
    if entry.msgid_plural:
        return [(entry.msgid_plural, s) for s in entry.msgstr_plural.values()]
    return [(entry.msgid, entry.msgstr)]


def placeholders(pattern: re.Pattern[str], text: str) -> Counter[str]:
    return Counter(m for m in pattern.findall(text) if m != "%%")


def test_header_declares_vietnamese_with_one_plural_form(po: polib.POFile) -> None:
    assert not po.metadata_is_fuzzy, "the header is marked fuzzy: msgfmt would ignore it"
    assert po.metadata.get("Language") == "vi"
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")
    assert po.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"


def test_no_untranslated_or_fuzzy_entries(po: polib.POFile) -> None:
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated msgids: {untranslated}"
    assert not fuzzy, f"fuzzy msgids: {fuzzy}"
    for entry in live(po):
        if entry.msgid_plural:
            assert list(entry.msgstr_plural) == [0], f"one plural form only: {entry.msgid!r}"


def test_python_format_placeholders_are_kept(po: polib.POFile) -> None:
    wrong = []
    for entry in live(po):
        for source, text in translations(entry):
            # Checked whether or not xgettext flagged the entry python-format.
            if placeholders(PYTHON_FORMAT, source) != placeholders(PYTHON_FORMAT, text):
                wrong.append((source, text))
            if placeholders(BRACE_FORMAT, source) != placeholders(BRACE_FORMAT, text):
                wrong.append((source, text))
        if entry.msgid_plural:
            singular = placeholders(PYTHON_FORMAT, entry.msgid)
            assert singular == placeholders(PYTHON_FORMAT, entry.msgid_plural), entry.msgid
    assert not wrong, "placeholders changed:\n" + "\n".join(f"{s!r} -> {t!r}" for s, t in wrong)


def test_html_tags_are_kept(po: polib.POFile) -> None:
    wrong = [
        (source, text)
        for entry in live(po)
        for source, text in translations(entry)
        if Counter(HTML_TAG.findall(source)) != Counter(HTML_TAG.findall(text))
    ]
    assert not wrong, f"HTML tags changed: {wrong}"


def test_no_translation_has_stray_whitespace(po: polib.POFile) -> None:
    def edges(s: str) -> tuple[bool, bool]:
        return (s[:1].isspace(), s[-1:].isspace())

    wrong = [
        (source, text)
        for entry in live(po)
        for source, text in translations(entry)
        if edges(source) != edges(text)
    ]
    assert not wrong, f"leading/trailing whitespace differs: {wrong}"


def test_compiled_catalogue_matches_the_po(po: polib.POFile) -> None:
    assert MO_PATH.exists(), f"{MO_PATH} is missing: {REGENERATE}"

    def key(e: polib._BaseEntry) -> tuple[str | None, str, str]:
        return (e.msgctxt, e.msgid, e.msgid_plural)

    def value(e: polib._BaseEntry) -> tuple[str, ...]:
        if e.msgid_plural:
            return tuple(e.msgstr_plural[i] for i in sorted(e.msgstr_plural, key=int))
        return (e.msgstr,)

    mo = polib.mofile(str(MO_PATH))
    compiled = {key(e): value(e) for e in mo if e.msgid}
    source = {key(e): value(e) for e in po.translated_entries()}
    stale = sorted(k[1] for k in source.keys() - compiled.keys())
    gone = sorted(k[1] for k in compiled.keys() - source.keys())
    changed = sorted(k[1] for k in source.keys() & compiled.keys() if source[k] != compiled[k])
    assert not (stale or gone or changed), (
        f"django.mo is out of date ({REGENERATE}): missing {stale[:5]}, "
        f"extra {gone[:5]}, different {changed[:5]}"
    )


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_msgfmt_check_passes(tmp_path: Path) -> None:
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "check.mo"), str(PO_PATH)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_key_strings_come_out_vietnamese() -> None:
    with translation.override("vi"):
        assert translation.gettext("Log in") == "Đăng nhập"
        assert translation.gettext("Log out") == "Đăng xuất"
        assert translation.gettext("Acknowledge receipt") == "Xác nhận đã nhận"
        assert translation.gettext("Inbox") == "Văn bản đến"
        assert translation.gettext("Subject") == "Trích yếu"
        assert translation.gettext("Hello, %(name)s") % {"name": "Lan"} == "Xin chào, Lan"
        docs = translation.ngettext("%(n)s document", "%(n)s documents", 12) % {"n": 12}
        assert docs == "12 văn bản"
        assert translation.ngettext("%(n)s document", "%(n)s documents", 1) % {"n": 1} == (
            "1 văn bản"
        )
    with translation.override("en"):
        assert translation.gettext("Log in") == "Log in"
        assert translation.gettext("Acknowledge receipt") == "Acknowledge receipt"


def test_choice_labels_come_out_vietnamese() -> None:
    from directives.models import Directive
    from recipients.models import Unit

    with translation.override("vi"):
        assert str(Unit.Kind.DISTRICT_COMMITTEE.label) == "Ủy ban nhân dân cấp huyện"
        assert str(Unit.Kind.PROVINCIAL_COMMITTEE.label) == "Ủy ban nhân dân tỉnh"
        assert str(Unit.Kind.PRESS.label) == "Cơ quan báo chí"
        assert str(Directive.Status.DRAFT.label) == "Dự thảo"
        assert str(Directive.Status.ISSUED.label) == "Đã ban hành"
        assert str(Directive.Status.RECALLED.label) == "Đã thu hồi"
        vi_kinds = {value: str(label) for value, label in Unit.Kind.choices}
        vi_status = {value: str(label) for value, label in Directive.Status.choices}
    with translation.override("en"):
        assert str(Unit.Kind.DISTRICT_COMMITTEE.label) == "District People's Committee"
        assert str(Directive.Status.ISSUED.label) == "Issued"
        en_kinds = {value: str(label) for value, label in Unit.Kind.choices}
        en_status = {value: str(label) for value, label in Directive.Status.choices}
    # Every label is translated, not just the ones spelled out above.
    assert all(vi_kinds[k] != en_kinds[k] for k in en_kinds), vi_kinds
    assert all(vi_status[k] != en_status[k] for k in en_status), vi_status


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext's xgettext is not installed")
def test_every_interface_string_is_in_the_catalogue(po: polib.POFile, tmp_path: Path) -> None:
    """makemessages over a copy of the sources finds no msgid the catalogue lacks."""
    base = Path(settings.BASE_DIR)
    for folder in ("portal", "common", "recipients", "directives", "templates"):
        shutil.copytree(base / folder, tmp_path / folder, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(base / "manage.py", tmp_path / "manage.py")
    (tmp_path / "locale").mkdir()
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "vi", "--no-location"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found = polib.pofile(str(tmp_path / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    known = {(e.msgctxt, e.msgid) for e in live(po)}
    missing = sorted(e.msgid for e in found if e.msgid and (e.msgctxt, e.msgid) not in known)
    assert not missing, f"{len(missing)} strings are not in the catalogue ({REGENERATE}): {missing}"
