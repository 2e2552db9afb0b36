"""An incremental ESC/POS stream parser: bytes in, command events out. Pure, no I/O.

The printer simulator feeds it whatever arrives on its pty, and tests use it to decode
a rendered ticket back into text and QR payloads. It understands the commands
hallqueue's driver sends plus the common rest of the Epson set; an unknown ``ESC x`` /
``GS x`` is reported as :class:`Unknown` with its two bytes, never raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DLE, ESC, FS, GS = 0x10, 0x1B, 0x1C, 0x1D


@dataclass(frozen=True)
class Text:
    """A run of printable bytes (ASCII or GB18030), decoded."""

    raw: bytes

    @property
    def text(self) -> str:
        return self.raw.decode("gb18030", errors="replace")


@dataclass(frozen=True)
class Command:
    """A recognised command: ``name`` (e.g. ``"GS !"``) and its parameter bytes."""

    name: str
    params: bytes = b""
    data: bytes = b""


@dataclass(frozen=True)
class Unknown:
    raw: bytes


Event = Text | Command | Unknown

# ESC/FS/GS commands with a fixed number of parameter bytes after the 2-byte opcode.
_FIXED: dict[tuple[int, int], tuple[str, int]] = {
    (ESC, 0x40): ("ESC @", 0),
    (ESC, 0x61): ("ESC a", 1),
    (ESC, 0x45): ("ESC E", 1),
    (ESC, 0x47): ("ESC G", 1),
    (ESC, 0x21): ("ESC !", 1),
    (ESC, 0x2D): ("ESC -", 1),
    (ESC, 0x4D): ("ESC M", 1),
    (ESC, 0x64): ("ESC d", 1),
    (ESC, 0x4A): ("ESC J", 1),
    (ESC, 0x74): ("ESC t", 1),
    (ESC, 0x32): ("ESC 2", 0),
    (ESC, 0x33): ("ESC 3", 1),
    (ESC, 0x20): ("ESC SP", 1),
    (ESC, 0x7B): ("ESC {", 1),
    (ESC, 0x52): ("ESC R", 1),
    (ESC, 0x70): ("ESC p", 3),
    (ESC, 0x42): ("ESC B", 2),
    (ESC, 0x69): ("ESC i", 0),
    (ESC, 0x6D): ("ESC m", 0),
    (FS, 0x26): ("FS &", 0),
    (FS, 0x2E): ("FS .", 0),
    (FS, 0x21): ("FS !", 1),
    (FS, 0x57): ("FS W", 1),
    (FS, 0x2D): ("FS -", 1),
    (GS, 0x21): ("GS !", 1),
    (GS, 0x42): ("GS B", 1),
    (GS, 0x61): ("GS a", 1),
    (GS, 0x68): ("GS h", 1),
    (GS, 0x77): ("GS w", 1),
    (GS, 0x48): ("GS H", 1),
    (GS, 0x66): ("GS f", 1),
    (GS, 0x4C): ("GS L", 2),
    (GS, 0x57): ("GS W", 2),
}


class EscPosParser:
    """Feed bytes in any chunking; get complete events back in order."""

    def __init__(self) -> None:
        self._buf = bytearray()

    @property
    def pending(self) -> bytes:
        return bytes(self._buf)

    def feed(self, data: bytes) -> list[Event]:
        return [event for event, _raw in self.feed_raw(data)]

    def feed_raw(self, data: bytes) -> list[tuple[Event, bytes]]:
        """Like :meth:`feed`, pairing each event with the exact bytes it came from."""
        self._buf += data
        events: list[tuple[Event, bytes]] = []
        while self._buf:
            parsed = _parse_one(self._buf)
            if parsed is None:
                break
            event, used = parsed
            events.append((event, bytes(self._buf[:used])))
            del self._buf[:used]
        return events


def parse_all(data: bytes) -> list[Event]:
    """Parse a complete stream; a truncated tail is reported as :class:`Unknown`."""
    parser = EscPosParser()
    events = parser.feed(data)
    if parser.pending:
        events.append(Unknown(parser.pending))
    return events


def _parse_one(buf: bytearray) -> tuple[Event, int] | None:
    b0 = buf[0]
    if b0 >= 0x20:
        end = 1
        while end < len(buf) and buf[end] >= 0x20:
            end += 1
        # Do not split a multi-byte GB18030 character across chunks.
        if end == len(buf) and not _complete_gb(bytes(buf[:end])):
            return None if end < 4096 else (Text(bytes(buf[:end])), end)
        return Text(bytes(buf[:end])), end
    if b0 == 0x0A:
        return Command("LF"), 1
    if b0 == 0x0D:
        return Command("CR"), 1
    if b0 == 0x09:
        return Command("HT"), 1
    if b0 == 0x0C:
        return Command("FF"), 1
    if b0 == DLE:
        if len(buf) < 3:
            return None
        if buf[1] == 0x04:
            return Command("DLE EOT", bytes(buf[2:3])), 3
        if buf[1] == 0x05:
            return Command("DLE ENQ", bytes(buf[2:3])), 3
        if buf[1] == 0x14:
            if len(buf) < 5:
                return None
            return Command("DLE DC4", bytes(buf[2:5])), 5
        return Unknown(bytes(buf[:2])), 2
    if b0 in (ESC, FS, GS):
        if len(buf) < 2:
            return None
        key = (b0, buf[1])
        if key in _FIXED:
            name, n = _FIXED[key]
            if len(buf) < 2 + n:
                return None
            return Command(name, bytes(buf[2 : 2 + n])), 2 + n
        if b0 == GS and buf[1] == 0x56:  # GS V m [n]
            if len(buf) < 3:
                return None
            m = buf[2]
            if m in (0x00, 0x01, 0x30, 0x31):
                return Command("GS V", bytes([m])), 3
            if len(buf) < 4:
                return None
            return Command("GS V", bytes(buf[2:4])), 4
        if b0 in (GS, ESC) and buf[1] == 0x28:  # GS ( k / ESC ( A …: pL pH cn fn …
            if len(buf) < 5:
                return None
            size = buf[3] | (buf[4] << 8)
            if len(buf) < 5 + size:
                return None
            kind = "GS (" if b0 == GS else "ESC ("
            body = bytes(buf[5 : 5 + size])
            name = f"{kind} {chr(buf[2])}"
            return Command(name, body[:2], body[2:]), 5 + size
        if b0 == GS and buf[1] == 0x6B:  # GS k barcode
            if len(buf) < 3:
                return None
            m = buf[2]
            if m <= 6:
                try:
                    end = buf.index(0, 3)
                except ValueError:
                    return None
                return Command("GS k", bytes([m]), bytes(buf[3:end])), end + 1
            if len(buf) < 4:
                return None
            n = buf[3]
            if len(buf) < 4 + n:
                return None
            return Command("GS k", bytes([m]), bytes(buf[4 : 4 + n])), 4 + n
        if b0 == GS and buf[1] == 0x76:  # GS v 0 m xL xH yL yH data
            if len(buf) < 8:
                return None
            xb = buf[4] | (buf[5] << 8)
            yd = buf[6] | (buf[7] << 8)
            total = 8 + xb * yd
            if len(buf) < total:
                return None
            return Command("GS v 0", bytes(buf[2:8]), bytes(buf[8:total])), total
        return Unknown(bytes(buf[:2])), 2
    return Unknown(bytes(buf[:1])), 1


def _complete_gb(raw: bytes) -> bool:
    """True if ``raw`` does not end inside a GB18030 multi-byte sequence."""
    i = 0
    n = len(raw)
    while i < n:
        b = raw[i]
        if b < 0x80:
            i += 1
        elif i + 1 >= n:
            return False
        elif 0x30 <= raw[i + 1] <= 0x39:  # 4-byte form
            if i + 3 >= n:
                return False
            i += 4
        else:
            i += 2
    return True


# --- decoding helpers for tests and the simulator ----------------------------------


@dataclass
class DecodedTicket:
    """What a stream would put on paper, reduced to text lines and QR payloads."""

    lines: list[str] = field(default_factory=list)
    qr_payloads: list[bytes] = field(default_factory=list)
    cuts: int = 0
    status_queries: list[int] = field(default_factory=list)
    unknown: list[bytes] = field(default_factory=list)


def decode_stream(data: bytes) -> DecodedTicket:
    out = DecodedTicket()
    current = ""
    for ev in parse_all(data):
        if isinstance(ev, Text):
            current += ev.text
        elif isinstance(ev, Unknown):
            out.unknown.append(ev.raw)
        elif ev.name == "LF":
            out.lines.append(current)
            current = ""
        elif ev.name == "GS ( k" and ev.params == b"\x31\x50":
            out.qr_payloads.append(ev.data[1:])  # data[0] is m = 0x30
        elif ev.name == "GS V":
            out.cuts += 1
        elif ev.name == "DLE EOT":
            out.status_queries.append(ev.params[0])
    if current:
        out.lines.append(current)
    return out
