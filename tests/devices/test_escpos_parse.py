from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from devices.escpos_parse import Command, EscPosParser, Text, Unknown, parse_all
from devices.escpos_ticket import render_ticket, sample_ticket


def test_known_commands() -> None:
    events = parse_all(bytes.fromhex("1b40 1d2111 1b6101 100404 1d564200 1b6406 1b4201 02"))
    assert events == [
        Command("ESC @"),
        Command("GS !", b"\x11"),
        Command("ESC a", b"\x01"),
        Command("DLE EOT", b"\x04"),
        Command("GS V", b"\x42\x00"),
        Command("ESC d", b"\x06"),
        Command("ESC B", b"\x01\x02"),
    ]


def test_chunking_never_splits_a_chinese_character() -> None:
    data = render_ticket(sample_ticket(), 80)
    parser = EscPosParser()
    events = []
    for i in range(len(data)):
        events += parser.feed(data[i : i + 1])
    assert parser.pending == b""
    joined = "".join(e.text for e in events if isinstance(e, Text))
    whole = "".join(e.text for e in parse_all(data) if isinstance(e, Text))
    assert joined == whole and "\ufffd" not in joined


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_parse_without_raising(data: bytes) -> None:
    events = parse_all(data)
    assert all(isinstance(e, Text | Command | Unknown) for e in events)
