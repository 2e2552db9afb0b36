"""Lay an ESC/POS stream out as paper would show it: plain text and a PNG picture.

A small page model (text lines with alignment, ``GS !`` / ``ESC !`` sizes and bold,
native QR symbols, feeds) is built from parser events, then drawn with Pillow at
203 dpi using a Chinese font from Debian (fonts-wqy-microhei). Glyphs are placed on
the printer's own grid: 12 × 24 dots for ASCII, 24 × 24 for CJK, times the size
multiples, so what wraps on paper wraps here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

import qrcode
from PIL import Image, ImageDraw, ImageFont

from devices.escpos_parse import Event, Text, Unknown
from devices.escpos_ticket import PAPER_DOTS, char_columns

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
CELL_W, CELL_H, LINE_GAP = 12, 24, 6
MARGIN = 16
QR_EC = {
    48: qrcode.constants.ERROR_CORRECT_L,
    49: qrcode.constants.ERROR_CORRECT_M,
    50: qrcode.constants.ERROR_CORRECT_Q,
    51: qrcode.constants.ERROR_CORRECT_H,
}


@dataclass
class Segment:
    text: str
    width: int = 1
    height: int = 1
    bold: bool = False


@dataclass
class Line:
    segments: list[Segment]
    align: int = 0  # 0 left, 1 centre, 2 right

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)


@dataclass
class Qr:
    data: bytes
    module: int
    ec: int
    align: int


@dataclass
class Feed:
    lines: int


Block = Line | Qr | Feed


@dataclass
class Page:
    """One ticket: the blocks between two cuts."""

    blocks: list[Block] = field(default_factory=list)


class PageBuilder:
    """Apply parser events to printer state, producing pages at each cut."""

    def __init__(self) -> None:
        self.pages: list[Page] = []
        self.page = Page()
        self._segments: list[Segment] = []
        self._reset_modes()
        self._qr_data = b""
        self._qr_module = 3
        self._qr_ec = 48

    def _reset_modes(self) -> None:
        self.align = 0
        self.width = 1
        self.height = 1
        self.bold = False

    def _flush(self) -> None:
        self.page.blocks.append(Line(self._segments, self.align))
        self._segments = []

    def apply(self, event: Event) -> Page | None:
        """Apply one event; return the finished page when it was a cut."""
        if isinstance(event, Text):
            self._segments.append(Segment(event.text, self.width, self.height, self.bold))
            return None
        if isinstance(event, Unknown):
            return None
        name, p = event.name, event.params
        if name == "LF":
            self._flush()
        elif name == "ESC @":
            self._reset_modes()
        elif name == "ESC a":
            self.align = p[0] % 48 if p[0] >= 48 else min(p[0], 2)
        elif name == "ESC E":
            self.bold = bool(p[0] & 1)
        elif name == "GS !":
            self.width = (p[0] >> 4) + 1
            self.height = (p[0] & 0x0F) + 1
        elif name == "ESC !":
            self.width = 2 if p[0] & 0x20 else 1
            self.height = 2 if p[0] & 0x10 else 1
            self.bold = bool(p[0] & 0x08)
        elif name == "ESC d":
            if self._segments:
                self._flush()
            self.page.blocks.append(Feed(p[0]))
        elif name == "GS ( k" and len(p) == 2 and p[0] == 0x31:
            self._qr(p[1], event.data)
        elif name == "GS V":
            if self._segments:
                self._flush()
            page, self.page = self.page, Page()
            self.pages.append(page)
            return page
        return None

    def _qr(self, fn: int, data: bytes) -> None:
        if fn == 0x43 and data:
            self._qr_module = data[0]
        elif fn == 0x45 and data:
            self._qr_ec = data[0]
        elif fn == 0x50:
            self._qr_data = data[1:]
        elif fn == 0x51:
            self.page.blocks.append(Qr(self._qr_data, self._qr_module, self._qr_ec, self.align))


# --- text form ---------------------------------------------------------------------


def page_text(page: Page, width_mm: int = 80) -> str:
    columns = PAPER_DOTS[width_mm] // CELL_W
    out: list[str] = []
    for block in page.blocks:
        if isinstance(block, Feed):
            out.extend([""] * block.lines)
        elif isinstance(block, Qr):
            out.append(
                _align_text(f"[QR {block.data.decode('utf-8', 'replace')}]", block.align, columns)
            )
        else:
            text = block.text
            width = max((s.width for s in block.segments), default=1)
            out.append(_align_text(text, block.align, columns // width))
    out.append("-" * columns + " (cut)")
    return "\n".join(line.rstrip() for line in out) + "\n"


def _align_text(text: str, align: int, columns: int) -> str:
    used = sum(char_columns(c) for c in text)
    pad = max(0, columns - used)
    if align == 1:
        return " " * (pad // 2) + text
    if align == 2:
        return " " * pad + text
    return text


# --- picture form ------------------------------------------------------------------


@lru_cache(maxsize=1)
def _font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_CANDIDATES:
        if os.path.exists(path):
            return ImageFont.truetype(path, CELL_H - 2)
    return ImageFont.load_default()


@lru_cache(maxsize=4096)
def _glyph(ch: str, bold: bool) -> Image.Image:
    cell = CELL_W * char_columns(ch)
    font = _font()
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    box = probe.textbbox((0, 0), ch, font=font, anchor="ls")
    ink = box[2] - box[0] + (2 if bold else 0)
    # Centre horizontally in the printer cell on a common baseline (so "." sits low);
    # glyphs wider than the cell (m, w, W in a proportional font) are squeezed in.
    width = max(cell, int(ink))
    img = Image.new("L", (width, CELL_H), 255)
    draw = ImageDraw.Draw(img)
    x = (width - (box[2] - box[0])) // 2 - box[0]
    draw.text(
        (x, CELL_H - 4),
        ch,
        font=font,
        fill=0,
        anchor="ls",
        stroke_width=1 if bold else 0,
        stroke_fill=0,
    )
    if width != cell:
        img = img.resize((cell, CELL_H), Image.Resampling.LANCZOS)
    return img


def render_page_png(page: Page, path: str, width_mm: int = 80) -> None:
    """Draw the page at 203 dpi (1 dot = 1 pixel) and save it as PNG."""
    dots = PAPER_DOTS[width_mm]
    rows: list[tuple[Image.Image, int]] = []  # (row image, align)
    for block in page.blocks:
        if isinstance(block, Feed):
            rows.extend(
                (Image.new("L", (1, CELL_H + LINE_GAP), 255), 0) for _ in range(block.lines)
            )
        elif isinstance(block, Qr):
            rows.append((_qr_image(block), block.align))
        else:
            rows.extend((img, block.align) for img in _line_images(block, dots))
    height = sum(img.height for img, _ in rows) + 2 * MARGIN + 24
    paper = Image.new("L", (dots + 2 * MARGIN, height), 255)
    y = MARGIN
    for img, align in rows:
        if align == 1:
            x = MARGIN + (dots - img.width) // 2
        elif align == 2:
            x = MARGIN + dots - img.width
        else:
            x = MARGIN
        paper.paste(img, (x, y))
        y += img.height
    draw = ImageDraw.Draw(paper)
    for x in range(0, paper.width, 12):  # the cut
        draw.line([(x, height - 6), (x + 6, height - 6)], fill=128)
    paper.convert("RGB").save(path, "PNG", optimize=True)


def _line_images(line: Line, dots: int) -> list[Image.Image]:
    """Glyph rows for one logical line, wrapped at the paper edge like the printer."""
    if not line.segments:
        return [Image.new("L", (1, CELL_H + LINE_GAP), 255)]
    cells: list[tuple[Image.Image, Segment]] = []
    for seg in line.segments:
        for ch in seg.text:
            glyph = _glyph(ch, seg.bold)
            if seg.width != 1 or seg.height != 1:
                glyph = glyph.resize(
                    (glyph.width * seg.width, glyph.height * seg.height), Image.Resampling.NEAREST
                )
            cells.append((glyph, seg))
    rows: list[list[Image.Image]] = [[]]
    used = 0
    for glyph, _seg in cells:
        if used + glyph.width > dots and rows[-1]:
            rows.append([])
            used = 0
        rows[-1].append(glyph)
        used += glyph.width
    out = []
    for row in rows:
        w = sum(g.width for g in row) or 1
        h = max(g.height for g in row) + LINE_GAP
        img = Image.new("L", (w, h), 255)
        x = 0
        for g in row:
            img.paste(g, (x, h - LINE_GAP - g.height))
            x += g.width
        out.append(img)
    return out


def _qr_image(block: Qr) -> Image.Image:
    qr = qrcode.QRCode(
        error_correction=QR_EC.get(block.ec, qrcode.constants.ERROR_CORRECT_L),
        box_size=max(1, block.module),
        border=0,
    )
    qr.add_data(block.data)
    qr.make(fit=True)
    img = qr.make_image(fill_color="black", back_color="white").get_image().convert("L")
    framed = Image.new("L", (img.width, img.height + LINE_GAP * 2), 255)
    framed.paste(img, (0, LINE_GAP))
    return framed
