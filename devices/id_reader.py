"""The ID-card reader driver: SAM frames over a serial port (usually 115200 8N1).

``read_once()`` runs find → select → read and returns an :class:`Identity`;
``poll()`` yields one identity per tap and does not re-read a card left on the reader.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator

from devices import sam_frames as sf
from devices.device_errors import (
    CardDataError,
    CardError,
    CardReadFailed,
    DeviceError,
    DeviceNotAnswering,
    FrameError,
    NoCard,
)
from devices.id_card import Identity, decode_text_block
from devices.port import SerialPort, serial_port

log = logging.getLogger(__name__)

# Per-response timeouts (seconds); reading the base message carries 1295 bytes and
# real readers spend ~1 s on RF and SAM work before answering.
TIMEOUTS = {
    sf.FIND_CARD: 0.5,
    sf.SELECT_CARD: 0.5,
    sf.READ_BASE: 3.0,
    sf.READ_BASE_FINGERPRINT: 4.0,
}
DEFAULT_TIMEOUT = 1.0


class IdCardReader:
    """A second-generation ID card reader speaking the SAM frame protocol."""

    def __init__(
        self,
        port: str | SerialPort,
        baudrate: int = 115200,
        *,
        timeout_scale: float = 1.0,
        poll_interval: float = 0.3,
        absent_polls: int = 2,
    ) -> None:
        self.port = serial_port(port, baudrate, timeout=DEFAULT_TIMEOUT, name="id-reader")
        self.timeout_scale = timeout_scale
        self.poll_interval = poll_interval
        self.absent_polls = absent_polls

    def close(self) -> None:
        self.port.close()

    # --- one exchange -----------------------------------------------------------

    def command(self, cmd: tuple[int, int], data: bytes = b"") -> sf.SamResponse:
        """Send one request and return the checked response frame.

        Garbage before the preamble is skipped; a frame with a wrong XOR raises
        :class:`~devices.device_errors.ChecksumError`; silence raises
        :class:`~devices.device_errors.DeviceNotAnswering`.
        """
        timeout = TIMEOUTS.get(cmd, DEFAULT_TIMEOUT) * self.timeout_scale
        request = sf.build_request(cmd[0], cmd[1], data)

        def exchange(port: SerialPort) -> sf.SamResponse:
            port.reset_input()
            port.write(request)
            deadline = time.monotonic() + timeout
            buf = b""
            while True:
                frame, pos = sf.split_frame(buf, 4)
                if frame is not None:
                    try:
                        return sf.decode_response(frame)
                    except FrameError as exc:
                        raise type(exc)(str(exc), device="id-reader") from exc
                buf = buf[pos:]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                buf += port.read_available(remaining)
            what = f"{cmd[0]:02X} {cmd[1]:02X}"
            if buf:
                raise DeviceNotAnswering(
                    f"incomplete reply to {what} ({len(buf)} bytes) within {timeout:g} s",
                    device="id-reader",
                )
            raise DeviceNotAnswering(f"no reply to {what} within {timeout:g} s", device="id-reader")

        return self.port.exchange(exchange)

    # --- steps ----------------------------------------------------------------------

    @staticmethod
    def _expect_ok(response: sf.SamResponse) -> sf.SamResponse:
        if response.sw3 != sf.SW3_OK:
            raise CardError(sw3=response.sw3, device="id-reader")
        return response

    def reset(self) -> None:
        self._expect_ok(self.command(sf.RESET))

    def sam_status(self) -> bool:
        """True if the SAM module reports itself healthy."""
        return self.command(sf.STATUS).sw3 == sf.SW3_OK

    def sam_id(self) -> str:
        r = self._expect_ok(self.command(sf.READ_SAM_ID))
        d = r.data
        if len(d) < 16:
            raise CardDataError("SAM ID reply too short", sw3=r.sw3)
        a, b = int.from_bytes(d[0:2], "little"), int.from_bytes(d[2:4], "little")
        c, e, f = (int.from_bytes(d[k : k + 4], "little") for k in (4, 8, 12))
        return f"{a:02d}.{b:02d}-{c:08d}-{e:010d}-{f:010d}"

    def find(self) -> bool:
        """True if a card is in the field (SW3 9F), False for no card (80)."""
        r = self.command(sf.FIND_CARD)
        if r.sw3 == sf.SW3_FIND_OK:
            return True
        if r.sw3 == sf.SW3_NO_CARD:
            return False
        raise CardError(sw3=r.sw3, device="id-reader")

    def select(self) -> None:
        r = self.command(sf.SELECT_CARD)
        if r.sw3 != sf.SW3_OK:
            raise CardReadFailed(
                f"select card failed (SW3=0x{r.sw3:02X})", sw3=r.sw3, device="id-reader"
            )

    def read_base(self) -> Identity:
        r = self.command(sf.READ_BASE)
        if r.sw3 != sf.SW3_OK:
            raise CardReadFailed(
                f"read failed: {sf.sw3_description(r.sw3)} (SW3=0x{r.sw3:02X})",
                sw3=r.sw3,
                device="id-reader",
            )
        try:
            message = sf.parse_base_message(r.data)
        except DeviceError as exc:
            raise CardDataError(str(exc), sw3=r.sw3, device="id-reader") from exc
        return decode_text_block(message.text)

    def read_once(self) -> Identity:
        """find → select → read. Raises :class:`NoCard` when the reader is empty."""
        if not self.find():
            raise NoCard(sw3=sf.SW3_NO_CARD, device="id-reader")
        self.select()
        return self.read_base()

    # --- polling --------------------------------------------------------------------

    def poll(
        self,
        stop_event: threading.Event | None = None,
        *,
        on_error: Callable[[DeviceError], None] | None = None,
    ) -> Iterator[Identity]:
        """Yield one :class:`Identity` per card tap until ``stop_event`` is set.

        A card that stays on the reader is read once; it must be lifted (``absent_polls``
        consecutive empty finds) before it is read again. A failed read counts as the
        tap's result: it goes to ``on_error`` (default: logged) and is not retried until
        the card is lifted. Device errors (unplugged, not answering) also go to
        ``on_error``; polling continues and picks the reader up when it returns (a card
        lying on it then is read once).
        """
        stop = stop_event or threading.Event()
        report = on_error or (lambda exc: log.warning("ID reader: %s", exc))
        present = False
        empty = 0
        while not stop.is_set():
            try:
                if self.find():
                    empty = 0
                    if not present:
                        present = True
                        self.select()
                        identity = self.read_base()
                        yield identity
                else:
                    empty += 1
                    if empty >= self.absent_polls:
                        present = False
            except DeviceError as exc:
                report(exc)
                # A failed tap is that tap's result; after losing the reader itself we
                # cannot know what is on it when it returns, so the next card is read.
                present = isinstance(exc, CardError)
                empty = 0
            stop.wait(self.poll_interval)
