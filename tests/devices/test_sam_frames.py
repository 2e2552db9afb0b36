"""SAM frames: golden bytes from DEVICES.md 3.3/3.4 and hypothesis properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices import sam_frames as sf
from devices.device_errors import ChecksumError, FrameError


@pytest.mark.parametrize(
    ("cmd", "data", "frame"),
    [
        (sf.RESET, b"", "AAAAAA9669 0003 10FF EC"),
        (sf.STATUS, b"", "AAAAAA9669 0003 11FF ED"),
        (sf.READ_SAM_ID, b"", "AAAAAA9669 0003 12FF EE"),
        (sf.FIND_CARD, b"", "AAAAAA9669 0003 2001 22"),
        (sf.SELECT_CARD, b"", "AAAAAA9669 0003 2002 21"),
        (sf.READ_BASE, b"", "AAAAAA9669 0003 3001 32"),
        (sf.READ_APPENDED_ADDRESS, b"", "AAAAAA9669 0003 3003 30"),
        (sf.READ_BASE_FINGERPRINT, b"", "AAAAAA9669 0003 3010 23"),
        ((0x60, 0x00), b"", "AAAAAA9669 0003 6000 63"),
        ((0x60, 0x04), b"", "AAAAAA9669 0003 6004 67"),
        ((0x61, 0xFF), b"\x50", "AAAAAA9669 0004 61FF 50 CA"),
    ],
)
def test_request_frames_match_published_bytes(
    cmd: tuple[int, int], data: bytes, frame: str
) -> None:
    assert sf.build_request(*cmd, data) == bytes.fromhex(frame)
    assert sf.parse_request(bytes.fromhex(frame)) == sf.SamRequest(*cmd, data)


@pytest.mark.parametrize(
    ("frame", "sw3", "data"),
    [
        ("AAAAAA9669 0004 000090 94", 0x90, b""),
        ("AAAAAA9669 0008 00009F 00000000 97", 0x9F, bytes(4)),
        ("AAAAAA9669 000C 000090 0000000000000000 9C", 0x90, bytes(8)),
        ("AAAAAA9669 0004 000080 84", 0x80, b""),
        ("AAAAAA9669 0004 000081 85", 0x81, b""),
        ("AAAAAA9669 0004 000041 45", 0x41, b""),
        ("AAAAAA9669 0004 000091 95", 0x91, b""),
    ],
)
def test_canonical_responses(frame: str, sw3: int, data: bytes) -> None:
    raw = bytes.fromhex(frame)
    assert sf.build_response(sw3, data) == raw
    assert sf.parse_response(raw) == sf.SamResponse(0, 0, sw3, data)


def test_resync_after_garbage_and_false_preambles() -> None:
    good = sf.build_response(0x9F, bytes(4))
    noise = b"\x00\xff\xaa\xaa" + sf.PREAMBLE + b"\xff\xff" + b"\xaa\xaa\xaa\x96"
    assert sf.parse_response(noise + good).sw3 == 0x9F
    frame, end = sf.split_frame(noise + good, 4)
    assert frame == good and end == len(noise + good)


def test_split_keeps_a_partial_preamble() -> None:
    frame, drop = sf.split_frame(b"\x01\x02\xaa\xaa", 4)
    assert frame is None and drop == 2


def test_bad_checksum_is_a_checksum_error() -> None:
    bad = bytearray(sf.build_response(0x90))
    bad[-1] ^= 1
    with pytest.raises(ChecksumError, match="checksum"):
        sf.parse_response(bytes(bad))
    assert ChecksumError.code == "bad_checksum"


def test_incomplete_is_a_frame_error() -> None:
    with pytest.raises(FrameError):
        sf.parse_response(sf.build_response(0x90, bytes(10))[:-1])


def test_base_message_lengths() -> None:
    msg = sf.build_base_message(b"t" * 256, b"p" * 1024)
    assert msg[:4] == bytes.fromhex("0100 0400")
    full = sf.build_response(0x90, msg)
    assert len(full) == 1295 and full[5:7] == bytes.fromhex("0508")
    parsed = sf.parse_base_message(sf.parse_response(full).data)
    assert parsed.text == b"t" * 256 and parsed.photo == b"p" * 1024
    fp = sf.build_base_message(b"t" * 256, b"p" * 1024, b"f" * 512)
    assert len(sf.build_response(0x90, fp)) == 1809
    assert sf.parse_base_message(fp, with_fingerprint=True).fingerprint == b"f" * 512
    with pytest.raises(FrameError):
        sf.parse_base_message(msg[:100])


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_give_a_frame_or_a_clean_error(data: bytes) -> None:
    try:
        response = sf.parse_response(data)
    except FrameError:
        return
    assert isinstance(response, sf.SamResponse)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=60).map(lambda b: sf.PREAMBLE[:3] + b), st.binary(max_size=40))
def test_any_bytes_with_preambles_give_a_frame_or_a_clean_error(a: bytes, b: bytes) -> None:
    for data in (a + sf.PREAMBLE + b, sf.PREAMBLE + a + b):
        try:
            sf.parse_response(data)
            sf.parse_request(data)
        except FrameError:
            pass


sw = st.integers(min_value=0, max_value=255)


@settings(max_examples=200, deadline=None)
@given(
    sw, sw, sw, st.binary(max_size=300), st.binary(max_size=40).filter(lambda g: b"\xaa" not in g)
)
def test_response_round_trip_through_garbage(
    sw1: int, sw2: int, sw3: int, data: bytes, garbage: bytes
) -> None:
    frame = sf.build_response(sw3, data, sw1, sw2)
    assert sf.parse_response(garbage + frame + garbage) == sf.SamResponse(sw1, sw2, sw3, data)


@settings(max_examples=200, deadline=None)
@given(sw, sw, st.binary(max_size=100))
def test_request_round_trip(cmd: int, para: int, data: bytes) -> None:
    assert sf.parse_request(sf.build_request(cmd, para, data)) == sf.SamRequest(cmd, para, data)


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=1, max_size=50), st.integers(min_value=0, max_value=200))
def test_split_frame_works_on_any_chunking(data: bytes, cut: int) -> None:
    frame = sf.build_response(0x90, data)
    stream = b"\x13\x37" + frame
    cut = min(cut, len(stream))
    found, drop = sf.split_frame(stream[:cut], 4)
    if found is None:
        rest = stream[drop:]
        found, _ = sf.split_frame(rest, 4)
    assert found == frame
