"""The issuer's lines in the letter's header: measured with the letter's own font, so a long name
stays inside its column (right of the 30 mm margin, clear of the national motto).

The drafter may type the name as printed with a line break where the decree's model breaks it
("TRUNG TÂM VĂN HÓA, ĐIỆN ẢNH⏎VÀ DU LỊCH TỈNH GIA LAI"); those breaks are kept. A line too wide
for the column is broken into balanced lines, preferably where Vietnamese names break (after a
comma, before "VÀ", before the place: "TỈNH", "THÀNH PHỐ", "HUYỆN" ...), at 13 pt, the portal's
size; typed lines that only fit at 12 pt (the decree allows 12-13 pt) are printed at 12 pt.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

from django.contrib.staticfiles import finders

MM = 72 / 25.4
# The left column of the header (letter.css: .header col-left, 76.5 mm) less 2.5 mm each side,
# so the name never touches the margin or the motto column.
ISSUER_MAX_WIDTH_PT = 71.5 * MM
SIZES = (13.0, 12.0)
_BREAK_BEFORE = {"VÀ", "TỈNH", "THÀNH", "HUYỆN", "QUẬN", "THỊ", "PHƯỜNG"}


@dataclass(frozen=True)
class HeaderLines:
    lines: tuple[str, ...]
    size: float  # pt

    @property
    def style(self) -> str:
        return "" if self.size == SIZES[0] else f"font-size: {self.size:g}pt"


@lru_cache(maxsize=4)
def _advances(face: str) -> tuple[dict[int, int], float]:
    from fontTools.ttLib import TTFont

    path = finders.find(f"fonts/{face}.ttf")
    font = TTFont(path, lazy=True)
    cmap = font.getBestCmap()
    metrics = font["hmtx"].metrics
    widths = {code: metrics[glyph][0] for code, glyph in cmap.items()}
    return widths, float(font["head"].unitsPerEm)


def text_width(text: str, size: float, *, bold: bool = True) -> float:
    """Width in pt of `text` in the letter's serif (no kerning: a little on the safe side)."""
    widths, units = _advances("LiberationSerif-Bold" if bold else "LiberationSerif-Regular")
    fallback = widths.get(ord("M"), units / 2)
    return sum(widths.get(ord(ch), fallback) for ch in text) * size / units


def _natural_breaks(words: list[str]) -> set[int]:
    """Word indexes a line may start at where a Vietnamese name breaks naturally."""
    return {
        i
        for i in range(1, len(words))
        if words[i - 1].endswith(",") or words[i].upper() in _BREAK_BEFORE
    }


def _split(words: list[str], starts: set[int], size: float, bold: bool) -> list[str] | None:
    """The fewest lines (at most 4) starting only at `starts`, all fitting, most balanced."""
    candidates = sorted(starts)
    for count in range(1, 5):
        best: tuple[float, list[str]] | None = None
        for cut in itertools.combinations(candidates, count - 1):
            bounds = (0, *cut, len(words))
            lines = [" ".join(words[a:b]) for a, b in itertools.pairwise(bounds)]
            widest = max(text_width(line, size, bold=bold) for line in lines)
            if widest <= ISSUER_MAX_WIDTH_PT and (best is None or widest < best[0]):
                best = (widest, lines)
        if best is not None:
            return best[1]
    return None


def _wrapped(typed: list[str], size: float, bold: bool, *, natural_only: bool) -> list[str] | None:
    out: list[str] = []
    for line in typed:
        words = line.split()
        starts = _natural_breaks(words) if natural_only else set(range(1, len(words)))
        lines = _split(words, starts, size, bold)
        if lines is None:
            return None
        out.extend(lines)
    return out


def header_lines(text: str, *, bold: bool = True) -> HeaderLines:
    """The lines to print for a header name (upper-cased), and their size."""
    typed = [" ".join(line.split()).upper() for line in (text or "").splitlines()]
    typed = [line for line in typed if line]
    if not typed:
        return HeaderLines((), SIZES[0])

    def fits(lines: list[str], size: float) -> bool:
        return all(text_width(line, size, bold=bold) <= ISSUER_MAX_WIDTH_PT for line in lines)

    if fits(typed, SIZES[0]):
        return HeaderLines(tuple(typed), SIZES[0])
    if len(typed) > 1 and fits(typed, SIZES[1]):
        return HeaderLines(tuple(typed), SIZES[1])  # the drafter's own breaks, a point smaller
    # Two lines at most if possible; then natural breaks before any word boundary; then 13 pt
    # before 12 (so "ỦY BAN NHÂN DÂN⏎TỈNH GIA LAI" at 13 pt); then the fewest lines.
    options = []
    for natural_only in (True, False):
        for size in SIZES:
            lines = _wrapped(typed, size, bold, natural_only=natural_only)
            if lines is not None:
                key = (len(lines) > 2, not natural_only, size != SIZES[0], len(lines))
                options.append((key, lines, size))
    if options:
        _, lines, size = min(options, key=lambda option: option[0])
        return HeaderLines(tuple(lines), size)
    return HeaderLines(tuple(typed), SIZES[1])  # one unbreakable word: CSS wraps what it can
