"""The ID reader driver against the SAM reader simulator through a real pty."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from devices import sam_frames as sf
from devices.device_errors import (
    CardDataError,
    CardError,
    CardReadFailed,
    ChecksumError,
    DeviceDisconnected,
    DeviceError,
    DeviceNotAnswering,
    NoCard,
)
from devices.id_card import Identity, sample_identity
from devices.id_reader import IdCardReader
from devices.port import SerialPort
from devices.sim.id_reader_sim import IdReaderSimulator

from .conftest import wait_until


@pytest.fixture
def reader(id_sim: IdReaderSimulator) -> Iterator[IdCardReader]:
    r = IdCardReader(id_sim.path, timeout_scale=0.15, poll_interval=0.03)
    yield r
    r.close()


@pytest.mark.parametrize("card", ["resident", "J", "I", "Y"])
def test_read_each_card_type(reader: IdCardReader, id_sim: IdReaderSimulator, card: str) -> None:
    id_sim.place_card(card)
    ident = reader.read_once()
    assert ident == id_sim.card
    wire = bytes(id_sim.received)
    for cmd in (sf.FIND_CARD, sf.SELECT_CARD, sf.READ_BASE):
        assert sf.build_request(*cmd) in wire


def test_no_card(reader: IdCardReader) -> None:
    with pytest.raises(NoCard) as info:
        reader.read_once()
    assert info.value.sw3 == 0x80 and info.value.code == "no_card"
    assert not reader.find()


def test_retap_rule(reader: IdCardReader, id_sim: IdReaderSimulator) -> None:
    id_sim.place_card("resident")
    reader.read_once()
    with pytest.raises(NoCard):  # the card stays, the reader wants a new tap
        reader.read_once()
    id_sim.remove_card()
    id_sim.place_card("resident")
    assert reader.read_once().card_type == "resident"


def test_long_term_validity_and_custom_fields(
    reader: IdCardReader, id_sim: IdReaderSimulator
) -> None:
    id_sim.control("place", card="resident", name="李四", valid_until=None)
    ident = reader.read_once()
    assert ident.name == "李四" and ident.valid_until is None


def test_corrupt_and_unreadable_cards(reader: IdCardReader, id_sim: IdReaderSimulator) -> None:
    id_sim.place_card("corrupt")
    with pytest.raises(CardDataError):
        reader.read_once()
    id_sim.place_card("unreadable")
    with pytest.raises(CardReadFailed) as info:
        reader.read_once()
    assert info.value.sw3 == 0x41 and "0x41" in str(info.value)


def test_bad_checksum_and_garbage(reader: IdCardReader, id_sim: IdReaderSimulator) -> None:
    id_sim.place_card("resident")
    id_sim.control("bad_checksum")
    with pytest.raises(ChecksumError, match="id-reader.*checksum"):
        reader.find()
    id_sim.control("garbage", data="00 aa aa aa 96 69 ff ff 13 aa")
    assert reader.find()
    assert reader.sam_status()
    assert reader.sam_id().startswith("05.01-")


def test_silent_reader_times_out_quickly(reader: IdCardReader, id_sim: IdReaderSimulator) -> None:
    id_sim.control("silent")
    t0 = time.monotonic()
    with pytest.raises(DeviceNotAnswering, match="no reply to 20 01"):
        reader.find()
    assert time.monotonic() - t0 < 1.0


def test_simulator_rejects_bad_host_frames(id_sim: IdReaderSimulator) -> None:
    port = SerialPort(id_sim.path, 115200, timeout=0.3)
    try:
        port.write(bytes.fromhex("AAAAAA9669 0003 2001 21"))  # wrong XOR (seen in the wild)
        assert sf.parse_response(port.read(11)).sw3 == sf.SW3_BAD_CHECKSUM
        port.write(sf.build_request(0x20, 0x00))  # wrong PARA
        assert sf.parse_response(port.read(11)).sw3 == sf.SW3_BAD_COMMAND
        port.write(sf.build_request(*sf.READ_APPENDED_ADDRESS))
        assert sf.parse_response(port.read(11)).sw3 == sf.SW3_NO_CONTENT
    finally:
        port.close()


def test_unplug_and_replug(reader: IdCardReader, id_sim: IdReaderSimulator) -> None:
    id_sim.place_card("resident")
    assert reader.find()
    id_sim.unplug()
    with pytest.raises(DeviceDisconnected):
        reader.find()
    id_sim.replug()
    assert reader.find()


def test_poll_yields_one_identity_per_tap(reader: IdCardReader, id_sim: IdReaderSimulator) -> None:
    id_sim.control("retap_rule", on=False)  # the harder case: find keeps seeing the card
    stop = threading.Event()
    got: list[Identity] = []
    errors: list[DeviceError] = []

    def run() -> None:
        for ident in reader.poll(stop, on_error=errors.append):
            got.append(ident)

    thread = threading.Thread(target=run)
    thread.start()
    try:
        id_sim.place_card("resident")
        assert wait_until(lambda: len(got) == 1)
        time.sleep(0.3)  # the card stays on the reader: no second read
        assert len(got) == 1 and id_sim.reads == 1
        id_sim.remove_card()
        time.sleep(0.15)
        id_sim.place_card("Y")
        assert wait_until(lambda: len(got) == 2)
        id_sim.remove_card()
        time.sleep(0.15)
        id_sim.place_card("corrupt")  # a bad tap is reported once, not in a loop
        assert wait_until(lambda: len(errors) == 1)
        time.sleep(0.2)
        assert len(errors) == 1 and isinstance(errors[0], CardError)
        id_sim.unplug()  # the reader vanishes: errors, but polling goes on
        assert wait_until(lambda: any(isinstance(e, DeviceDisconnected) for e in errors))
        id_sim.replug()
        id_sim.place_card("J")
        assert wait_until(lambda: len(got) == 3, timeout=3)
    finally:
        stop.set()
        thread.join(timeout=2)
    assert [i.card_type for i in got] == ["resident", "foreign_2023", "hmt_residence"]
    assert not thread.is_alive()


def test_poll_with_the_retap_rule(reader: IdCardReader, id_sim: IdReaderSimulator) -> None:
    stop = threading.Event()
    got: list[Identity] = []
    thread = threading.Thread(target=lambda: got.extend(reader.poll(stop)))
    thread.start()
    try:
        id_sim.place_card(sample_identity("foreign_2017"))
        assert wait_until(lambda: len(got) == 1)
        time.sleep(0.3)
        assert len(got) == 1
    finally:
        stop.set()
        thread.join(timeout=2)
