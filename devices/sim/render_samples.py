"""Render the sample tickets as PNG through the printer simulator, from real bytes.

``python -m devices.sim.render_samples docs/devices`` drives :class:`TicketPrinter`
against :class:`PrinterSimulator` over a pty for 58 mm and 80 mm paper (Chinese and
English) and copies the pictures the simulator drew to the given directory.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time

from devices.escpos_ticket import sample_ticket
from devices.printer import TicketPrinter
from devices.sim.printer_sim import PrinterSimulator


def render_samples(dest: str) -> dict[str, int]:
    """Write ticket-{58,80}mm-{zh,en}.png/.txt into ``dest``; return bytes per ticket."""
    os.makedirs(dest, exist_ok=True)
    sizes: dict[str, int] = {}
    for width in (58, 80):
        for language in ("zh", "en"):
            with tempfile.TemporaryDirectory() as out:
                sim = PrinterSimulator(out_dir=out, width_mm=width)
                path = sim.start()
                try:
                    printer = TicketPrinter(path, 115200, width_mm=width)
                    written = printer.print_ticket(sample_ticket(language))
                    printer.close()
                    deadline = time.monotonic() + 5
                    while not sim.tickets and time.monotonic() < deadline:
                        time.sleep(0.02)
                    if not sim.tickets:
                        raise RuntimeError("the simulator received no ticket")
                    ticket = sim.tickets[-1]
                finally:
                    sim.stop()
                name = f"ticket-{width}mm-{language}"
                assert ticket.png_path and ticket.txt_path
                shutil.copy(ticket.png_path, os.path.join(dest, name + ".png"))
                shutil.copy(ticket.txt_path, os.path.join(dest, name + ".txt"))
                sizes[name] = written
    return sizes


if __name__ == "__main__":
    for name, size in render_samples(sys.argv[1] if len(sys.argv) > 1 else "docs/devices").items():
        print(f"{name}: {size} bytes")
