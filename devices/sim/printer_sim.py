"""A simulated ESC/POS receipt printer on a pty.

It parses the stream, answers ``DLE EOT 1..4`` wherever they appear (as real printers
do), and at each cut stores the ticket: raw bytes, a text rendering and a PNG picture
(in ``out_dir`` if given). Paper near-end / out, cover open, offline and cutter error
can be switched at any time; while the printer cannot print, received print data is
discarded (and counted), as a real printer's buffer is lost when it goes offline.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from devices.escpos_parse import Command, EscPosParser
from devices.sim.simulator import Simulator
from devices.sim.ticket_image import Page, PageBuilder, Qr, page_text, render_page_png

PAPER_STATES = ("ok", "near_end", "out")


@dataclass
class ReceivedTicket:
    index: int
    raw: bytes
    text: str
    qr_payloads: list[str]
    txt_path: str | None = None
    png_path: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "bytes": len(self.raw),
            "text": self.text,
            "qr": self.qr_payloads,
            "txt_path": self.txt_path,
            "png_path": self.png_path,
        }


class PrinterSimulator(Simulator):
    kind = "printer"

    def __init__(
        self,
        link: str | None = None,
        *,
        out_dir: str | None = None,
        width_mm: int = 80,
        render_png: bool = True,
    ) -> None:
        super().__init__(link)
        self.out_dir = out_dir
        self.width_mm = width_mm
        self.render_png = render_png
        self.paper = "ok"
        self.cover_open = False
        self.offline = False
        self.cutter_error = False
        self.dropped_bytes = 0
        self.tickets: list[ReceivedTicket] = []
        self._parser = EscPosParser()
        self._builder = PageBuilder()
        self._job = bytearray()
        self._tail = b""  # last bytes of the previous chunk, for split DLE EOT
        if out_dir:
            os.makedirs(out_dir, exist_ok=True)

    # --- status bytes (DEVICES.md 1.7) ----------------------------------------------

    @property
    def can_print(self) -> bool:
        return (
            not self.offline
            and not self.cover_open
            and self.paper != "out"
            and not self.cutter_error
        )

    def status_byte(self, n: int) -> int:
        b = 0x12
        if n == 1:
            if not self.can_print:
                b |= 0x08
        elif n == 2:
            if self.cover_open:
                b |= 0x04
            if self.paper == "out":
                b |= 0x20
            if self.cutter_error:
                b |= 0x40
        elif n == 3:
            if self.cutter_error:
                b |= 0x08
        elif n == 4:
            if self.paper == "near_end":
                b |= 0x0C
            elif self.paper == "out":
                b |= 0x6C
        return b

    # --- stream -------------------------------------------------------------------

    def handle(self, data: bytes) -> bytes:
        # Real-time commands act wherever they appear in the stream, even inside another
        # command's parameters or data (DEVICES.md 1.7), so scan the raw bytes for them
        # rather than answering only what the parser sees at the top level.
        window = self._tail + data
        reply = bytearray()
        start = 0
        while (i := window.find(b"\x10\x04", start)) >= 0 and i + 2 < len(window):
            # The 2-byte tail cannot hold a whole command, so each is answered once.
            if 1 <= window[i + 2] <= 4:
                reply.append(self.status_byte(window[i + 2]))
            start = i + 1
        self._tail = window[-2:]
        for event, raw in self._parser.feed_raw(data):
            if isinstance(event, Command) and event.name in ("DLE EOT", "DLE ENQ"):
                continue
            if not self.can_print:
                self.dropped_bytes += len(raw)
                continue
            self._job += raw
            page = self._builder.apply(event)
            if page is not None:
                self._store(page)
        return bytes(reply)

    def _store(self, page: Page) -> None:
        index = len(self.tickets) + 1
        text = page_text(page, self.width_mm)
        qrs = [b.data.decode("utf-8", "replace") for b in page.blocks if isinstance(b, Qr)]
        ticket = ReceivedTicket(index, bytes(self._job), text, qrs)
        self._job.clear()
        if self.out_dir:
            base = os.path.join(self.out_dir, f"ticket-{index:04d}")
            ticket.txt_path = base + ".txt"
            with open(ticket.txt_path, "w", encoding="utf-8") as fh:
                fh.write(text)
            if self.render_png:
                ticket.png_path = base + ".png"
                render_page_png(page, ticket.png_path, self.width_mm)
        self.tickets.append(ticket)

    # --- control verbs ------------------------------------------------------------------

    def ctl_paper(self, state: str = "ok") -> None:
        """Paper sensor: ok, near_end or out."""
        if state not in PAPER_STATES:
            raise ValueError(f"paper state must be one of {PAPER_STATES}")
        self.paper = state

    def ctl_cover(self, open: bool = True) -> None:  # noqa: A002 - verb argument name
        self.cover_open = bool(open)

    def ctl_offline(self, on: bool = True) -> None:
        self.offline = bool(on)

    def ctl_cutter_error(self, on: bool = True) -> None:
        self.cutter_error = bool(on)

    def ctl_tickets(self, since: int = 0) -> list[dict[str, Any]]:
        """Tickets received after index ``since``."""
        return [t.as_dict() for t in self.tickets if t.index > since]

    def ctl_state(self) -> dict[str, Any]:
        state = super().ctl_state()
        state.update(
            paper=self.paper,
            cover_open=self.cover_open,
            offline=self.offline,
            cutter_error=self.cutter_error,
            tickets=len(self.tickets),
            dropped_bytes=self.dropped_bytes,
        )
        return state

    # In-process conveniences.
    def set_paper(self, state: str) -> None:
        self.control("paper", state=state)

    def set_cover_open(self, open: bool = True) -> None:  # noqa: A002
        self.control("cover", open=open)

    def set_offline(self, on: bool = True) -> None:
        self.control("offline", on=on)
