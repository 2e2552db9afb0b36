"""The service evaluator (评价器) over RS-485: asks the citizen for a 好差评 rating.

Register map (holding registers; read with function 0x03, write with 0x10):

=======  ==========  ===  ============================================================
address  name        R/W  content
=======  ==========  ===  ============================================================
0x0000   DEVICE_KIND R    0x4556 ("EV") for an evaluator
0x0001   MAP_VERSION R    1
0x0010   REQUEST_SEQ R/W  host writes a new non-zero sequence number to ask for a
                          rating (the device lights its keys / plays its prompt);
                          writing 0 cancels or acknowledges and returns it to idle
0x0011   TICKET_REF  R/W  4 registers = 8 bytes ASCII (ticket number shown/announced)
 …0x0014
0x0020   STATUS      R    0 idle, 1 waiting for a key, 2 rated
0x0021   RATING      R    0 none, else 1..5 (see RATING_LEVELS)
0x0022   RATED_SEQ   R    the REQUEST_SEQ the rating answers
=======  ==========  ===  ============================================================

Keys pressed while idle are ignored. The host reads STATUS…RATED_SEQ; when STATUS is 2
and RATED_SEQ is its request, it takes RATING and writes REQUEST_SEQ = 0.
"""

from __future__ import annotations

import itertools

from devices import modbus_rtu as mb
from devices.device_errors import FrameError
from devices.register_bus import RegisterBus

EVALUATOR_KIND = 0x4556
MAP_VERSION = 1
REG_KIND = 0x0000
REG_REQUEST_SEQ = 0x0010
REG_TICKET_REF = 0x0011
TICKET_REF_REGS = 4
REG_STATUS = 0x0020
STATUS_BLOCK = (REG_STATUS, 3)
STATUS_IDLE, STATUS_WAITING, STATUS_RATED = 0, 1, 2

# The five 好差评 levels: value -> (zh, en).
RATING_LEVELS: dict[int, tuple[str, str]] = {
    5: ("非常满意", "Very satisfied"),
    4: ("满意", "Satisfied"),
    3: ("基本满意", "Fairly satisfied"),
    2: ("不满意", "Dissatisfied"),
    1: ("非常不满意", "Very dissatisfied"),
}


def rating_name(value: int, language: str = "zh") -> str:
    zh, en = RATING_LEVELS[value]
    return en if language == "en" else zh


class Evaluator:
    """One evaluator at ``address`` on a shared :class:`RegisterBus`."""

    _seq_counter = itertools.count(1)

    def __init__(self, bus: RegisterBus, address: int) -> None:
        self.bus = bus
        self.address = address
        self.pending_seq = 0

    def identify(self) -> tuple[int, int]:
        kind, version = self.bus.read_registers(self.address, REG_KIND, 2)
        return kind, version

    def request_rating(self, ticket_ref: str) -> int:
        """Ask for a rating of the service for ``ticket_ref``; returns the sequence."""
        ref = ticket_ref.encode("ascii", errors="replace")[: 2 * TICKET_REF_REGS]
        seq = next(self._seq_counter) % 0xFFFF + 1  # 1..65535; 0 means "no request"
        self.bus.write_registers(
            self.address, REG_REQUEST_SEQ, [seq] + mb.pack_bytes(ref, TICKET_REF_REGS)
        )
        self.pending_seq = seq
        return seq

    def poll_rating(self) -> int | None:
        """The rating (1..5) once the citizen pressed a key, else ``None``.

        A rating is returned once: it is acknowledged on the device right away.
        """
        if not self.pending_seq:
            return None
        status, rating, rated_seq = self.bus.read_registers(self.address, *STATUS_BLOCK)
        if status != STATUS_RATED or rated_seq != self.pending_seq:
            return None
        if rating not in RATING_LEVELS:
            raise FrameError(
                f"evaluator reports rating {rating}, expected 1..5", device=f"unit {self.address}"
            )
        self.bus.write_registers(self.address, REG_REQUEST_SEQ, [0])
        self.pending_seq = 0
        return rating

    def cancel(self) -> None:
        self.bus.write_registers(self.address, REG_REQUEST_SEQ, [0])
        self.pending_seq = 0
