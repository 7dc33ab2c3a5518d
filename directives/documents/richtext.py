"""The body of a directive: Markdown typed by the drafter, rendered to sanitised HTML.

Drafters write numbered sections ("1. ..."), "-" and "+" items, **bold**, *italic* and links.
A typed document's structure is recognised too (Phụ lục I): the enacting line alone on its line
("QUYẾT ĐỊNH:", "QUYẾT NGHỊ:", ...) becomes a centred bold paragraph, and a paragraph starting
"Điều 1." an article with its heading "Điều 1." in bold.
Whatever they type, the HTML that leaves here carries no script: nh3 keeps only the tags a letter
needs, wherever it is shown (the page, the preview, the PDF, the e-mail).
"""

from __future__ import annotations

import re
import unicodedata

import markdown
import nh3

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "a", "ol", "ul", "li", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "li": {"class"}, "p": {"class"}}
LINK_SCHEMES = {"http", "https", "mailto"}

# The words that open the enacting part of a typed document, printed alone on their line
# (Phụ lục I: a quyết định's "QUYẾT ĐỊNH:", a nghị quyết's "QUYẾT NGHỊ:", a kết luận's).
ENACTING_WORDS = ("QUYẾT ĐỊNH", "QUYẾT NGHỊ", "KẾT LUẬN")

# "+ item" lines are sub-items in Vietnamese letters; Markdown reads "+" as a bullet too, so the
# class lets the stylesheet print the right marker.
_PLUS_ITEM = re.compile(r"^(\s*)\+\s+", re.MULTILINE)
_DASH_ITEM = re.compile(r"^(\s*)-\s+", re.MULTILINE)
_SECTION = re.compile(r"^(\s*)(\d+(?:\.\d+)*)\.\s+", re.MULTILINE)
_PARAGRAPH_KINDS = (
    (re.compile(r"<p>(?=\d+(?:\.\d+)*\. )"), '<p class="section">'),
    (re.compile(r"<p>(?=- )"), '<p class="item">'),
    (re.compile(r"<p>(?=\+ )"), '<p class="subitem">'),
    (re.compile(r"<p>(?=(?:" + "|".join(ENACTING_WORDS) + r"):</p>)"), '<p class="enacting">'),
    # "Điều 1." in bold at the start of its paragraph, whether or not the drafter bolded it.
    (re.compile(r"<p><strong>(?=Điều \d+[a-zđ]?\.)"), '<p class="article"><strong>'),
    (re.compile(r"<p>(Điều \d+[a-zđ]?\.)"), r'<p class="article"><strong>\1</strong>'),
)


_ENACTING_LINE = re.compile(
    r"^\s*(?:\*\*)?\s*(" + "|".join(ENACTING_WORDS) + r")\s*:\s*(?:\*\*)?\s*$"
)
_ARTICLE_LINE = re.compile(r"^\s*(?:\*\*)?Điều\s+\d+[a-zđ]?\.(?:\s|\*\*|$)")
_ITEM_START = re.compile(r"^\s*(?:[-+]|\d+(?:\.\d+)*\.)\s+")


def _one_paragraph_per_item(text: str) -> str:
    """Each item, article and enacting line starts its own paragraph, even without an empty line
    before it. The enacting line is a paragraph of its own; so is an article's heading line when
    the article's text follows on the next line ("Điều 3. Trách nhiệm thi hành"), printed bold
    as a whole, the decree's titled article (a line with no final punctuation)."""
    source = text.replace("\r\n", "\n").split("\n")
    lines: list[str] = []
    heading_above = False
    for index, line in enumerate(source):
        enacting = _ENACTING_LINE.match(line)
        article = _ARTICLE_LINE.match(line)
        following = source[index + 1] if index + 1 < len(source) else ""
        if enacting:  # one spelling whatever the drafter typed around it
            line = f"{enacting.group(1)}:"
        elif article and following.strip() and not _starts_paragraph(following):
            bare = line.strip().strip("*").strip()
            if not bare.endswith((".", ";", ":", ",")):  # a title, not a sentence cut short
                line = f"**{bare}**"
                article = "heading"
        starts = enacting or article or heading_above or _ITEM_START.match(line)
        if starts and lines and lines[-1].strip():
            lines.append("")
        lines.append(line)
        heading_above = bool(enacting) or article == "heading"
    return "\n".join(lines)


def _starts_paragraph(line: str) -> bool:
    return bool(_ENACTING_LINE.match(line) or _ARTICLE_LINE.match(line) or _ITEM_START.match(line))


# A web address pasted bare, not already inside <...>, [text](...) or a link's own text.
_BARE_URL = re.compile(r"(?<![<(\[/\w\"'=])https?://[^\s<>()\[\]]+[^\s<>()\[\].,;:!?\"'”]")


def body_to_html(text: str) -> str:
    """Safe HTML for the body: one paragraph per section or item. Sections ("1. "), items ("- ")
    and sub-items ("+ ") keep their own marker as printed text, the way a Vietnamese letter shows
    them, instead of HTML lists; the class lets a stylesheet indent them."""
    source = _one_paragraph_per_item(unicodedata.normalize("NFC", text or ""))
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
