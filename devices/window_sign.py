"""The window sign (窗口屏) over RS-485: shows the number being served and a state.

Register map (holding registers; read with function 0x03, write with 0x10):

=======  ==========  ===  ============================================================
address  name        R/W  content
=======  ==========  ===  ============================================================
0x0000   DEVICE_KIND R    0x5347 ("SG") for a window sign
0x0001   MAP_VERSION R    1
0x0010   STATE       R/W  0 idle (blank), 1 serving, 2 paused (暂停服务),
                          3 closed (窗口关闭)
0x0011   NUMBER      R/W  4 registers = 8 bytes ASCII, NUL-padded, high byte first
 …0x0014                  (e.g. "A023")
0x0015   TEXT_LEN    R/W  number of bytes of TEXT used (0..64)
0x0016   TEXT        R/W  32 registers = 64 bytes of GBK text (≤ 32 Chinese characters),
 …0x0035                  NUL-padded, high byte first
=======  ==========  ===  ============================================================

The host writes 0x0010…0x0035 (38 registers) in one 0x10 request so the sign never
shows half an update. Writes to other addresses answer exception 2 (illegal data
address); a bad STATE or TEXT_LEN answers exception 3 (illegal data value).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from devices import modbus_rtu as mb
from devices.device_errors import FrameError
from devices.register_bus import RegisterBus

SignState = Literal["idle", "serving", "paused", "closed"]

SIGN_KIND = 0x5347
MAP_VERSION = 1
REG_KIND = 0x0000
REG_VERSION = 0x0001
REG_STATE = 0x0010
REG_NUMBER = 0x0011
NUMBER_REGS = 4
REG_TEXT_LEN = 0x0015
REG_TEXT = 0x0016
TEXT_REGS = 32
DISPLAY_BLOCK = (REG_STATE, 1 + NUMBER_REGS + 1 + TEXT_REGS)  # start, count = 38

STATES: dict[str, int] = {"idle": 0, "serving": 1, "paused": 2, "closed": 3}
STATE_NAMES = {v: k for k, v in STATES.items()}
TEXT_ENCODING = "gbk"


@dataclass(frozen=True)
class SignDisplay:
    number: str
    state: SignState
    text: str = ""


def fit_gbk(text: str, limit: int = 2 * TEXT_REGS) -> bytes:
    """Encode to GBK, dropping unencodable characters and cutting on a character."""
    out = b""
    for ch in text:
        try:
            enc = ch.encode(TEXT_ENCODING)
        except UnicodeEncodeError:
            continue
        if len(out) + len(enc) > limit:
            break
        out += enc
    return out


def encode_display(number: str, state: str, text: str = "") -> list[int]:
    """The 38 register values of the display block."""
    if state not in STATES:
        raise ValueError(f"state must be one of {sorted(STATES)}")
    num = number.encode("ascii", errors="replace")
    if len(num) > 2 * NUMBER_REGS:
        raise ValueError("number longer than 8 characters")
    body = fit_gbk(text)
    return (
        [STATES[state]]
        + mb.pack_bytes(num, NUMBER_REGS)
        + [len(body)]
        + mb.pack_bytes(body, TEXT_REGS)
    )


def decode_display(values: list[int]) -> SignDisplay:
    if len(values) != DISPLAY_BLOCK[1]:
        raise FrameError("display block has the wrong size")
    state = STATE_NAMES.get(values[0])
    if state is None:
        raise FrameError(f"sign reports unknown state {values[0]}")
    number = mb.unpack_bytes(values[1 : 1 + NUMBER_REGS]).decode("ascii", "replace")
    length = values[1 + NUMBER_REGS]
    raw = mb.unpack_bytes(values[2 + NUMBER_REGS :]).ljust(length, b"\x00")[:length]
    return SignDisplay(number, state, raw.decode(TEXT_ENCODING, errors="replace"))  # type: ignore[arg-type]


class WindowSign:
    """One sign at ``address`` on a shared :class:`RegisterBus`."""

    def __init__(self, bus: RegisterBus, address: int) -> None:
        self.bus = bus
        self.address = address

    def identify(self) -> tuple[int, int]:
        """(DEVICE_KIND, MAP_VERSION); raises if the device does not answer."""
        kind, version = self.bus.read_registers(self.address, REG_KIND, 2)
        return kind, version

    def show(self, number: str, state: SignState, text: str = "") -> None:
        start, _ = DISPLAY_BLOCK
        self.bus.write_registers(self.address, start, encode_display(number, state, text))

    def clear(self) -> None:
        self.show("", "idle")

    def read_back(self) -> SignDisplay:
        start, count = DISPLAY_BLOCK
        return decode_display(self.bus.read_registers(self.address, start, count))
