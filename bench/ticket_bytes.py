"""Bytes on the wire per printed ticket, and how long the serial line takes to carry them.

Renders the sample tickets (Chinese and English, 58 and 80 mm: site, big number, item,
people ahead, wait, windows, five materials, time, native QR, cut) with the driver's own
renderer — the bytes the printer receives — and times them at 8N1 (10 bits a byte).
Usage: python bench/ticket_bytes.py
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dataclasses import replace  # noqa: E402

from devices.escpos_ticket import render_ticket, sample_ticket  # noqa: E402

TARGET_BYTES = 600
# What a kiosk really encodes: the centre's address, a 26-character ticket id and the key to rate.
QR_URL = "http://10.20.30.40:8600/t/01KBX3M7Q9ZJ8T4W2N6R5C1HDE#k=eO7wvEdBzHlTR6mU"


def main() -> None:
    print("bytes per printed ticket (target ≤ 600 for a Chinese ticket with QR and materials)")
    for language in ("zh", "en"):
        content = replace(sample_ticket(language), qr_url=QR_URL)
        for width in (80, 58):
            size = len(render_ticket(content, width_mm=width))
            line = "   ".join(f"{baud:>6} baud {size * 10 / baud * 1000:6.0f} ms" for baud in (9600, 115200))
            print(f"  {language} {width} mm: {size:4d} bytes ({len(content.materials)} materials, QR)   {line}")


if __name__ == "__main__":
    main()
