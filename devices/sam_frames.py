"""Frames of the ID-card reader's SAM protocol: build, split and parse. Pure, no I/O.

::

    host -> reader   AA AA AA 96 69 | LEN_H LEN_L | CMD  PARA      | DATA… | CHK
    reader -> host   AA AA AA 96 69 | LEN_H LEN_L | SW1  SW2  SW3  | DATA… | CHK

``LEN`` is big-endian and counts every byte after itself, CHK included. ``CHK`` is the
XOR of every byte after the preamble except itself. See DEVICES.md section 3.
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.device_errors import ChecksumError, FrameError

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_LEN = 7  # preamble + LEN
MAX_LEN = 4096  # the largest real frame (text + photo + fingerprint) has LEN 2314

# Commands (CMD, PARA)
RESET = (0x10, 0xFF)
STATUS = (0x11, 0xFF)
READ_SAM_ID = (0x12, 0xFF)
FIND_CARD = (0x20, 0x01)
SELECT_CARD = (0x20, 0x02)
READ_BASE = (0x30, 0x01)
READ_APPENDED_ADDRESS = (0x30, 0x03)
READ_BASE_FINGERPRINT = (0x30, 0x10)

# SW3 result codes
SW3_OK = 0x90
SW3_FIND_OK = 0x9F
SW3_NO_CONTENT = 0x91
SW3_BAD_CHECKSUM = 0x10
SW3_BAD_LENGTH = 0x11
SW3_BAD_COMMAND = 0x21
SW3_READ_FAILED = 0x41
SW3_NO_CARD = 0x80
SW3_SELECT_FAILED = 0x81

SW3_DESCRIPTIONS = {
    0x90: "success",
    0x9F: "card found",
    0x91: "this item is absent from the card",
    0x10: "checksum error in the host frame",
    0x11: "length error in the host frame",
    0x21: "command error",
    0x23: "unauthorized operation",
    0x24: "unrecognized error",
    0x31: "card failed to authenticate the SAM",
    0x32: "SAM failed to authenticate the card",
    0x33: "information verification error",
    0x40: "unrecognized card type",
    0x41: "read card failed (card moved away?)",
    0x47: "get random number failed",
    0x60: "SAM self-test failed",
    0x66: "SAM not authorized",
    0x80: "no card (find card failed)",
    0x81: "select card failed",
}


def sw3_description(sw3: int) -> str:
    return SW3_DESCRIPTIONS.get(sw3, "unknown result code")


def xor_checksum(data: bytes) -> int:
    c = 0
    for b in data:
        c ^= b
    return c


@dataclass(frozen=True)
class SamRequest:
    cmd: int
    para: int
    data: bytes = b""


@dataclass(frozen=True)
class SamResponse:
    sw1: int
    sw2: int
    sw3: int
    data: bytes = b""

    @property
    def ok(self) -> bool:
        return self.sw3 in (SW3_OK, SW3_FIND_OK)


def _frame(body: bytes) -> bytes:
    length = len(body) + 1
    if length > 0xFFFF:
        raise ValueError("SAM frame body too long")
    head = length.to_bytes(2, "big")
    return PREAMBLE + head + body + bytes([xor_checksum(head + body)])


def build_request(cmd: int, para: int, data: bytes = b"") -> bytes:
    """A complete host→reader frame, e.g. ``build_request(0x20, 0x01)`` (find card)."""
    return _frame(bytes([cmd & 0xFF, para & 0xFF]) + bytes(data))


def build_response(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    """A complete reader→host frame (used by the simulator and tests)."""
    return _frame(bytes([sw1 & 0xFF, sw2 & 0xFF, sw3 & 0xFF]) + bytes(data))


def split_frame(buf: bytes, min_len: int = 3) -> tuple[bytes | None, int]:
    """Find the first complete frame in ``buf``, skipping garbage before the preamble.

    Returns ``(frame, end)`` with the whole frame (preamble … CHK) and the index just
    past it, or ``(None, drop)`` when no complete frame is there yet; the caller may
    discard ``buf[:drop]`` (garbage that cannot start a frame) and read more. A
    preamble followed by an impossible length is treated as garbage (resync).
    The checksum is not checked here.
    """
    start = 0
    while True:
        i = buf.find(PREAMBLE, start)
        if i < 0:
            # Keep a tail that might be the start of a preamble split across reads.
            keep = 0
            for k in range(min(len(PREAMBLE) - 1, len(buf)), 0, -1):
                if buf.endswith(PREAMBLE[:k]):
                    keep = k
                    break
            return None, len(buf) - keep
        if len(buf) < i + HEADER_LEN:
            return None, i
        length = int.from_bytes(buf[i + 5 : i + 7], "big")
        if length < min_len or length > MAX_LEN:
            start = i + 1
            continue
        end = i + HEADER_LEN + length
        if len(buf) < end:
            return None, i
        return bytes(buf[i:end]), end


def _checked_body(frame: bytes, min_len: int) -> bytes:
    if not frame.startswith(PREAMBLE) or len(frame) < HEADER_LEN + min_len:
        raise FrameError("not a SAM frame")
    length = int.from_bytes(frame[5:7], "big")
    if length != len(frame) - HEADER_LEN:
        raise FrameError(f"SAM frame length field {length} does not match {len(frame) - 7}")
    if xor_checksum(frame[5:-1]) != frame[-1]:
        raise ChecksumError(
            f"SAM frame checksum 0x{frame[-1]:02X}, expected 0x{xor_checksum(frame[5:-1]):02X}"
        )
    return frame[7:-1]


def decode_response(frame: bytes) -> SamResponse:
    """Check and decode one whole reader→host frame."""
    body = _checked_body(frame, 4)
    return SamResponse(body[0], body[1], body[2], body[3:])


def decode_request(frame: bytes) -> SamRequest:
    """Check and decode one whole host→reader frame."""
    body = _checked_body(frame, 3)
    return SamRequest(body[0], body[1], body[2:])


def parse_response(buf: bytes) -> SamResponse:
    """Parse the first response frame in ``buf`` (garbage before it is skipped).

    Raises :class:`FrameError` if there is no complete frame and
    :class:`ChecksumError` if the frame's XOR is wrong.
    """
    frame, _ = split_frame(buf, 4)
    if frame is None:
        raise FrameError("no complete SAM frame")
    return decode_response(frame)


def parse_request(buf: bytes) -> SamRequest:
    frame, _ = split_frame(buf, 3)
    if frame is None:
        raise FrameError("no complete SAM frame")
    return decode_request(frame)


@dataclass(frozen=True)
class BaseMessage:
    """The payload of a read-base (30 01) or read-with-fingerprint (30 10) reply."""

    text: bytes
    photo: bytes
    fingerprint: bytes = b""


def parse_base_message(data: bytes, with_fingerprint: bool = False) -> BaseMessage:
    """Split the data of a 30 01 / 30 10 reply by its big-endian length fields."""
    fields = 3 if with_fingerprint else 2
    if len(data) < 2 * fields:
        raise FrameError("card data too short for its length fields")
    lengths = [int.from_bytes(data[2 * k : 2 * k + 2], "big") for k in range(fields)]
    offset = 2 * fields
    if offset + sum(lengths) > len(data):
        raise FrameError(f"card data lengths {lengths} exceed the {len(data) - offset} bytes")
    text = data[offset : offset + lengths[0]]
    photo = data[offset + lengths[0] : offset + lengths[0] + lengths[1]]
    fp = b""
    if with_fingerprint:
        start = offset + lengths[0] + lengths[1]
        fp = data[start : start + lengths[2]]
    return BaseMessage(text, photo, fp)


def build_base_message(text: bytes, photo: bytes, fingerprint: bytes | None = None) -> bytes:
    parts = [len(text).to_bytes(2, "big"), len(photo).to_bytes(2, "big")]
    if fingerprint is not None:
        parts.append(len(fingerprint).to_bytes(2, "big"))
    return b"".join(parts) + text + photo + (fingerprint or b"")
