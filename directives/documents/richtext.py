"""The body of a directive: Markdown typed by the drafter, rendered to sanitised HTML.

Drafters write numbered sections ("1. ..."), "-" and "+" items, **bold**, *italic* and links.
Whatever they type, the HTML that leaves here carries no script: nh3 keeps only the tags a letter
needs, wherever it is shown (the page, the preview, the PDF, the e-mail).
"""

from __future__ import annotations

import re

import markdown
import nh3

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "a", "ol", "ul", "li", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "li": {"class"}, "p": {"class"}}
LINK_SCHEMES = {"http", "https", "mailto"}

# "+ item" lines are sub-items in Vietnamese letters; Markdown reads "+" as a bullet too, so the
# class lets the stylesheet print the right marker.
_PLUS_ITEM = re.compile(r"^(\s*)\+\s+", re.MULTILINE)
_DASH_ITEM = re.compile(r"^(\s*)-\s+", re.MULTILINE)
_SECTION = re.compile(r"^(\s*)(\d+(?:\.\d+)*)\.\s+", re.MULTILINE)
_PARAGRAPH_KINDS = (
    (re.compile(r"<p>(?=\d+(?:\.\d+)*\. )"), '<p class="section">'),
    (re.compile(r"<p>(?=- )"), '<p class="item">'),
    (re.compile(r"<p>(?=\+ )"), '<p class="subitem">'),
)


_ITEM_START = re.compile(r"^\s*(?:[-+]|\d+(?:\.\d+)*\.)\s+")


def _one_paragraph_per_item(text: str) -> str:
    lines: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if _ITEM_START.match(line) and lines and lines[-1].strip():
            lines.append("")
        lines.append(line)
    return "\n".join(lines)


# A web address pasted bare, not already inside <...>, [text](...) or a link's own text.
_BARE_URL = re.compile(r"(?<![<(\[/\w\"'=])https?://[^\s<>()\[\]]+[^\s<>()\[\].,;:!?\"'”]")


def body_to_html(text: str) -> str:
    """Safe HTML for the body: one paragraph per section or item. Sections ("1. "), items ("- ")
    and sub-items ("+ ") keep their own marker as printed text, the way a Vietnamese letter shows
    them, instead of HTML lists; the class lets a stylesheet indent them."""
    source = _one_paragraph_per_item(text or "")
    source = _BARE_URL.sub(lambda m: f"<{m.group(0)}>", source)
    source = _PLUS_ITEM.sub(lambda m: f"{m.group(1)}\\+ ", source)
    source = _DASH_ITEM.sub(lambda m: f"{m.group(1)}\\- ", source)
    source = _SECTION.sub(lambda m: f"{m.group(1)}{m.group(2)}\\. ", source)
    html = markdown.markdown(source, output_format="html")
    for pattern, replacement in _PARAGRAPH_KINDS:
        html = pattern.sub(replacement, html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=LINK_SCHEMES,
        link_rel="noopener noreferrer",
    )


def plain_to_html_lines(text: str) -> list[str]:
    """Split a multi-line plain field (legal bases) into trimmed non-empty lines."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
