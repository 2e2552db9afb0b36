"""Queue tickets as ESC/POS bytes: a pure renderer, no I/O.

:func:`render_ticket` turns a :class:`TicketContent` into the exact bytes the printer
receives. python-escpos's ``Dummy`` printer builds the commands it gets right
(initialize, alignment, native QR); hallqueue adds its own bytes where python-escpos
is wrong for Chinese tickets (see DEVICES.md section 2.6):

* headline sizes use ``GS !`` (python-escpos's ``double_*`` uses ``ESC !``, which does
  not enlarge Chinese on Epson models);
* every text line is encoded to GB18030 here (python-escpos's "magic encode" turns
  punctuation-only lines such as ``：——`` into ``?``);
* the cut is ``GS V B n`` (feed to the cutter, then partial cut), independent of any
  printer profile.

The layout is lean on purpose: serial kiosks often run at 9600 baud (~1 kB/s), so a
Chinese 80 mm ticket with QR and five materials stays under 600 bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from escpos.printer import Dummy

# --- command bytes (golden-tested in tests/devices/test_escpos_ticket.py) ------------

INIT = b"\x1b\x40"  # ESC @
CHINESE_ON = b"\x1c\x26"  # FS &  (clones are in Chinese mode already; Epson CN needs it)
LF = b"\n"
ALIGN_LEFT = b"\x1b\x61\x00"  # ESC a 0
ALIGN_CENTER = b"\x1b\x61\x01"  # ESC a 1
CUT_FEED_PARTIAL = b"\x1d\x56\x42\x00"  # GS V B 0: feed to cutter, partial cut
CUT_FEED_FULL = b"\x1d\x56\x41\x00"  # GS V A 0: feed to cutter, full cut

PAPER_DOTS = {58: 384, 80: 576}  # printable width in dots at 203 dpi
FONT_A_COLUMNS = {58: 32, 80: 48}  # 12-dot ASCII columns per line; a CJK char takes 2

# QR: model 2, error correction M; module size picked so a ~40-char URL is ~2-3 cm.
QR_MODULE_DOTS = {58: 5, 80: 6}
QR_EC_M = 1  # python-escpos QR_ECLEVEL_M


def size_cmd(width: int, height: int) -> bytes:
    """``GS ! n``: character size multiples (1..8) for ASCII and Chinese alike."""
    if not (1 <= width <= 8 and 1 <= height <= 8):
        raise ValueError("character size multiples must be 1..8")
    return b"\x1d\x21" + bytes([((width - 1) << 4) | (height - 1)])


SIZE_NORMAL = size_cmd(1, 1)


def char_columns(ch: str) -> int:
    """Columns a character takes in font A: 1 for ASCII, 2 for everything else.

    In Chinese mode every non-ASCII character is a double-byte GB code printed as a
    full-width glyph, including "ambiguous" ones such as — · “ ” that a terminal would
    draw narrow.
    """
    return 1 if ord(ch) < 0x80 else 2


def text_columns(text: str) -> int:
    return sum(char_columns(c) for c in text)


# Punctuation a Chinese line never starts with (禁则): the character before it comes along.
NO_LINE_START = set("，。、：；！？）》」』】”’,.:;!?)")


def wrap_columns(text: str, columns: int, indent: str = "") -> list[str]:
    """Wrap ``text`` to ``columns`` display columns; continuation lines get ``indent``.

    Breaks at any character boundary (Chinese has no spaces); keeps ASCII words whole
    when they fit.
    """
    if columns <= text_columns(indent):
        raise ValueError("indent is wider than the line")
    lines: list[str] = []
    current = ""
    width = 0
    i = 0
    while i < len(text):
        ch = text[i]
        token = ch
        if ch.isascii() and ch.isalnum():
            j = i
            while j < len(text) and text[j].isascii() and text[j].isalnum():
                j += 1
            token = text[i:j]
        tw = text_columns(token)
        if width + tw > columns and current.strip():
            if tw > columns - text_columns(indent):
                token = ch  # a word longer than a line: break it anywhere
                tw = char_columns(ch)
            else:
                carry = ""
                body = current[len(indent) :] if lines else current
                if token[0] in NO_LINE_START and len(body.rstrip()) > 1 and not current[-1].isspace():
                    carry, current = current[-1], current[:-1]
                lines.append(current.rstrip())
                current, width = indent + carry, text_columns(indent + carry)
                if token == " ":
                    i += 1
                    continue
        if width + tw > columns:  # a single over-long token on an empty line
            token, tw = ch, char_columns(ch)
        current += token
        width += tw
        i += len(token)
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return lines


def encode_text(text: str, *, allow_four_byte: bool = False) -> bytes:
    """Encode one line to GB18030 for the printer.

    Most Chinese printers only know the 2-byte (GBK) part of GB18030; characters that
    need a 4-byte sequence are replaced with ``?`` unless the model is known to handle
    them. Control characters are dropped so text can never inject commands.
    """
    out = bytearray()
    for ch in text:
        if ord(ch) < 0x20 or ord(ch) == 0x7F:
            continue
        encoded = ch.encode("gb18030")
        if len(encoded) == 4 and not allow_four_byte:
            encoded = b"?"
        out += encoded
    return bytes(out)


# --- content -------------------------------------------------------------------------

# The words a ticket prints besides its content, by name: the caller gives them in the
# ticket's language (the kiosk, from the message catalogue's `printed_<name>`), so the
# renderer lays out and words nothing. `ahead` takes {n}, `wait` takes {m}, `wait_band`
# {low} and {high}; `appointment` takes {start} (the slot's start, as the hall reads it).
LABELS = (
    "ahead",
    "wait",
    "wait_band",
    "wait_next",
    "windows",
    "window_sep",
    "materials",
    "issued",
    "name",
    "scan",
    "appointment",
    "appointment_late",
)
# Asked for only on a checked-in booking's ticket: a ticket spooled before a kiosk knew
# them (an upgrade with tickets still owed) prints as it was.
APPOINTMENT_LABELS = ("appointment", "appointment_late")
# Asked for only on a ticket promised a band of minutes (`TicketContent.wait_band`): one
# spooled before that prints its one number, as it was.
BAND_LABELS = ("wait_band", "wait_next")
LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class TicketContent:
    """What a queue ticket says. The kiosk fills it; the renderer only lays it out."""

    site_name: str
    number: str
    item: str
    ahead: int
    estimated_wait_minutes: int
    windows: list[str]
    materials: list[str]
    issued_at: str
    qr_url: str
    labels: dict[str, str]  # LABELS in the ticket's language
    masked_name: str | None = None
    notice_lines: list[str] = field(default_factory=list)
    language: str = "zh"  # of the labels and the content
    # A checked-in booking: its slot's start ("09:00"), and whether it came too late for
    # the appointment class (then it is an ordinary ticket, and the ticket says so).
    appointment: str | None = None
    appointment_late: bool = False
    # The wait as a band of minutes (low, high), printed instead of the one number
    # (约12-20分钟: an ASCII hyphen, which every printer font has); nobody ahead
    # (`estimated_wait_minutes` 0): "next" (即将叫号).
    wait_band: tuple[int, int] | None = None


@dataclass(frozen=True)
class TicketLayout:
    """Printer-model knobs (kept out of the content)."""

    chinese_mode_command: bool = True
    allow_four_byte_gb18030: bool = False
    full_cut: bool = False
    qr_module_dots: int | None = None
    number_size: int | None = None  # GS ! multiple for the big number


def render_ticket(
    content: TicketContent, width_mm: int = 80, layout: TicketLayout | None = None
) -> bytes:
    """Return the complete ESC/POS byte stream for one ticket (initialize … cut)."""
    if width_mm not in PAPER_DOTS:
        raise ValueError("width_mm must be 58 or 80")
    if content.language not in LANGUAGES:
        raise ValueError(f"unsupported ticket language {content.language!r}")
    optional = (() if content.appointment else APPOINTMENT_LABELS) + (
        () if content.wait_band else BAND_LABELS
    )
    needed = tuple(n for n in LABELS if n not in optional)
    missing = [name for name in needed if name not in content.labels]
    if missing:
        raise ValueError(f"ticket labels missing: {', '.join(missing)}")
    layout = layout or TicketLayout()
    labels = content.labels
    columns = FONT_A_COLUMNS[width_mm]
    four = layout.allow_four_byte_gb18030

    printer = Dummy()

    def line(text: str) -> None:
        printer._raw(encode_text(text, allow_four_byte=four) + LF)

    def wrapped(text: str, indent: str = "", cols: int = columns) -> None:
        for part in wrap_columns(text, cols, indent):
            line(part)

    printer.hw("INIT")
    if layout.chinese_mode_command:
        printer._raw(CHINESE_ON)
    printer.set(align="center")
    wrapped(content.site_name)

    number_size = layout.number_size or (4 if width_mm == 80 else 3)
    number_cols = max(1, columns // number_size)
    printer._raw(size_cmd(number_size, number_size))
    wrapped(content.number, cols=number_cols)
    printer._raw(size_cmd(1, 2))  # item: double height keeps its full width
    wrapped(content.item)
    printer._raw(SIZE_NORMAL)
    if content.appointment:
        wrapped(labels["appointment"].format(start=content.appointment))
        if content.appointment_late:
            wrapped(labels["appointment_late"])

    wait = labels["ahead"].format(n=content.ahead)
    if content.wait_band is None:
        wait_2 = labels["wait"].format(m=content.estimated_wait_minutes)
    elif content.estimated_wait_minutes <= 0:
        wait_2 = labels["wait_next"]
    else:
        low, high = content.wait_band
        wait_2 = labels["wait_band"].format(low=low, high=high)
    if text_columns(wait) + 2 + text_columns(wait_2) <= columns:
        line(f"{wait}  {wait_2}")
    else:
        wrapped(wait)
        wrapped(wait_2)

    printer.set(align="left")
    if content.windows:
        wrapped(labels["windows"] + labels["window_sep"].join(content.windows), "  ")
    if content.masked_name:
        line(labels["name"] + content.masked_name)
    if content.materials:
        line(labels["materials"])
        for i, material in enumerate(content.materials, 1):
            prefix = f"{i}."
            wrapped(prefix + material, " " * len(prefix))
    line(labels["issued"] + content.issued_at)
    for notice in content.notice_lines:
        wrapped(notice)

    if content.qr_url:
        printer.set(align="center")
        module = layout.qr_module_dots or QR_MODULE_DOTS[width_mm]
        printer.qr(content.qr_url, native=True, size=module, ec=QR_EC_M)
        printer._raw(LF)
        line(labels["scan"])
    printer._raw(CUT_FEED_FULL if layout.full_cut else CUT_FEED_PARTIAL)
    return bytes(printer.output)


# What the kiosk gives a sample ticket, as the message catalogue words it (a test keeps
# them equal): its labels, and the demo hall's missed-call rule in the one-line form the
# kiosk prints (the issue answer's `rules.no_show_line`).
SAMPLE_LABELS = {
    "zh": {
        "ahead": "前面还有{n}人",
        "wait": "预计等候约{m}分钟",
        "wait_band": "预计等候约{low}-{high}分钟",
        "wait_next": "即将叫号",
        "windows": "办理窗口：",
        "window_sep": "、",
        "materials": "请备齐材料：",
        "issued": "取号时间：",
        "name": "姓名：",
        "scan": "扫码查看排队进度",
        "appointment": "预约 {start}",
        "appointment_late": "预约已过时，按普通号",
    },
    "en": {
        "ahead": "{n} ahead of you",
        "wait": "Est. wait about {m} min",
        "wait_band": "Est. wait {low}-{high} min",
        "wait_next": "You are next",
        "windows": "Window: ",
        "window_sep": ", ",
        "materials": "Please bring:",
        "issued": "Issued: ",
        "name": "Name: ",
        "scan": "Scan to follow the queue",
        "appointment": "Appointment {start}",
        "appointment_late": "Appointment missed: ordinary ticket",
    },
}
SAMPLE_NO_SHOW = {
    "zh": "过号：叫2次未到，当天返回顺延3位",
    "en": "Missed call: 2 calls; back today: +3 places",
}


def sample_ticket(language: str = "zh") -> TicketContent:
    """A realistic ticket for print tests, docs and the demo (the longest the kiosk
    prints: five materials, a masked name, the elderly line and the missed-call rule)."""
    ticket = TicketContent(
        site_name="市民中心政务服务大厅",
        number="A023",
        item="不动产登记（二手房转移）",
        ahead=3,
        estimated_wait_minutes=12,
        wait_band=(8, 20),
        windows=["5号", "6号"],
        materials=[
            "身份证原件及复印件",
            "不动产权证书",
            "买卖合同",
            "完税凭证",
            "婚姻状况证明",
        ],
        issued_at="2026-11-28 09:41",
        qr_url="https://hall.example.invalid/t/7Q2KX",
        masked_name="张*",
        notice_lines=["老年人优先", SAMPLE_NO_SHOW["zh"]],
        labels=SAMPLE_LABELS["zh"],
    )
    if language != "en":
        return ticket
    # The English sample: the same number, queue and times, without a name or priority.
    return replace(
        ticket,
        site_name="Citizen Service Center",
        item="Residence permit",
        windows=["5", "6"],
        materials=["ID card (original)", "Household register", "Photo"],
        masked_name=None,
        notice_lines=[SAMPLE_NO_SHOW["en"]],
        labels=SAMPLE_LABELS["en"],
        language="en",
    )
