"""A simulated SAM ID-card reader on a pty.

It answers per protocol (DEVICES.md 3): find / select / read with the right SW3 codes,
checksum and length errors for bad host frames, command errors for unknown commands.
A card can be placed (any of the four sample types, custom fields, a corrupt one whose
text does not decode, or an unreadable one that fails with SW3 41) and removed. With
the re-tap rule on (default), after a successful read find-card answers "no card"
until the card is lifted and placed again, like many real readers.
"""

from __future__ import annotations

import os
from typing import Any

from devices import sam_frames as sf
from devices.device_errors import DeviceError
from devices.id_card import Identity, encode_text_block, sample_identity
from devices.sim.simulator import Simulator

SAM_ID = bytes.fromhex("0500 0100 15cd5b07 00000000 c5a8e80a".replace(" ", ""))
PHOTO = bytes(range(256)) * 4  # any 1024 bytes stand in for the WLT photo


class IdReaderSimulator(Simulator):
    kind = "id-reader"

    def __init__(self, link: str | None = None, *, retap_rule: bool = True) -> None:
        super().__init__(link)
        self.retap_rule = retap_rule
        self.card: Identity | None = None
        self.card_mode = "none"  # none | good | corrupt | unreadable
        self.reads = 0
        self._read_since_placed = False
        self._selected = False
        self._buf = b""

    # --- protocol -------------------------------------------------------------------

    def handle(self, data: bytes) -> bytes:
        self._buf += data
        out = bytearray()
        while True:
            frame, pos = sf.split_frame(self._buf, 3)
            if frame is None:
                self._buf = self._buf[pos:]
                break
            self._buf = self._buf[pos:]
            out += self._answer(frame)
        return bytes(out)

    def _answer(self, frame: bytes) -> bytes:
        try:
            request = sf.decode_request(frame)
        except DeviceError as exc:
            code = sf.SW3_BAD_CHECKSUM if exc.code == "bad_checksum" else sf.SW3_BAD_LENGTH
            return self._reply(code)
        key = (request.cmd, request.para)
        if key in (sf.RESET, sf.STATUS) or request.cmd in (0x60, 0x61):
            return self._reply(sf.SW3_OK)
        if key == sf.READ_SAM_ID:
            return self._reply(sf.SW3_OK, SAM_ID)
        if key == sf.FIND_CARD:
            self._selected = False
            if self.card_mode == "none" or (self.retap_rule and self._read_since_placed):
                return self._reply(sf.SW3_NO_CARD)
            return self._reply(sf.SW3_FIND_OK, bytes(4))
        if key == sf.SELECT_CARD:
            if self.card_mode == "none":
                return self._reply(sf.SW3_SELECT_FAILED)
            self._selected = True
            return self._reply(sf.SW3_OK, bytes(8))
        if key in (sf.READ_BASE, sf.READ_BASE_FINGERPRINT):
            if not self._selected or self.card_mode in ("none", "unreadable"):
                return self._reply(sf.SW3_READ_FAILED)
            text = self._text_block()
            fp = b"" if key == sf.READ_BASE_FINGERPRINT else None
            self._read_since_placed = True
            self._selected = False
            self.reads += 1
            return self._reply(sf.SW3_OK, sf.build_base_message(text, PHOTO, fp))
        if key == sf.READ_APPENDED_ADDRESS:
            return self._reply(sf.SW3_NO_CONTENT)
        return self._reply(sf.SW3_BAD_COMMAND)

    def _text_block(self) -> bytes:
        if self.card_mode == "corrupt":
            return os.urandom(256)
        assert self.card is not None
        return encode_text_block(self.card)

    def _reply(self, sw3: int, data: bytes = b"") -> bytes:
        return self.spoiled(sf.build_response(sw3, data))

    # --- control verbs -----------------------------------------------------------------

    def ctl_place(self, card: str = "resident", **fields: Any) -> str:
        """Put a card on the reader: resident | hmt_residence | foreign_2017 |
        foreign_2023 (or J / I / Y) with optional field overrides, or corrupt /
        unreadable."""
        aliases = {"J": "hmt_residence", "I": "foreign_2017", "Y": "foreign_2023"}
        card = aliases.get(card, card)
        if card in ("corrupt", "unreadable"):
            self.card = sample_identity("resident")
            self.card_mode = card
        else:
            if "birth_date" in fields or "valid_from" in fields or "valid_until" in fields:
                from datetime import date

                for key in ("birth_date", "valid_from", "valid_until"):
                    if isinstance(fields.get(key), str):
                        fields[key] = date.fromisoformat(fields[key])
            self.card = sample_identity(card, **fields)
            self.card_mode = "good"
        self._read_since_placed = False
        self._selected = False
        return card

    def ctl_remove(self) -> None:
        self.card = None
        self.card_mode = "none"
        self._read_since_placed = False
        self._selected = False

    def ctl_retap_rule(self, on: bool = True) -> None:
        self.retap_rule = bool(on)

    ctl_bad_checksum = Simulator.spoil_next_reply

    def ctl_state(self) -> dict[str, Any]:
        state = super().ctl_state()
        state.update(
            card=self.card_mode,
            card_type=self.card.card_type if self.card else None,
            reads=self.reads,
            retap_rule=self.retap_rule,
        )
        return state

    # In-process conveniences.
    def place_card(self, card: str | Identity = "resident", **fields: Any) -> None:
        if isinstance(card, Identity):
            with self.lock:
                self.card, self.card_mode = card, "good"
                self._read_since_placed = self._selected = False
        else:
            self.control("place", card=card, **fields)

    def remove_card(self) -> None:
        self.control("remove")
