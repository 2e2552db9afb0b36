"""A sign agent reports its sign's and evaluator's health; a dead, absent or silent one is flagged.

The bus is the pty simulator; the centre runs with a 2 s silence interval for signs and the
agents report every 0.3 s, so every state is seen within seconds.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from devices.device_errors import DeviceDisconnected, DeviceTimeout, FrameError
from devices.sim.modbus_sim import EvaluatorModel, ModbusBusSimulator
from displays.sign_agent import SignAgent, bus_state
from tests.conftest import Centre

MANAGER = ("manager", "Demo-Hall-2")
SILENT_AFTER = 2.0


@pytest.fixture
def centre_settings() -> dict[str, Any]:
    return {"DEVICE_SILENT_AFTER_SECONDS": SILENT_AFTER}


def wait_until(check: Callable[[], Any], timeout: float = 8.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {check}")
        time.sleep(0.05)


def the_sign(centre: Centre) -> dict[str, Any]:
    devices = centre.get("/manage/devices?site=city-hall", token=centre.login(MANAGER)).json()
    return next(d for d in devices["sites"]["city-hall"] if d["kind"] == "sign")


def reported(centre: Centre, **status: str) -> Callable[[], dict[str, Any] | None]:
    def check() -> dict[str, Any] | None:
        sign = the_sign(centre)
        return sign if all(sign["status"].get(k) == v for k, v in status.items()) else None

    return check


def running(centre: Centre, token: str, port: str, evaluator: int | None = 11) -> SignAgent:
    agent = SignAgent(
        centre.url, token, "city-hall", 3, port, address=1, evaluator=evaluator,
        poll_seconds=0.05, report_seconds=0.3,
    )  # fmt: skip
    agent.start()
    return agent


@pytest.fixture
def agent(centre: Centre, sign_token: str, rs485: ModbusBusSimulator) -> Iterator[SignAgent]:
    made = running(centre, sign_token, rs485.path)
    yield made
    made.stop()


def test_bus_states_from_the_errors() -> None:
    assert bus_state(None) == "ok"
    assert bus_state(DeviceDisconnected()) == "disconnected"
    assert bus_state(DeviceTimeout()) == "not_answering"
    assert bus_state(FrameError()) == "not_answering"


def test_the_agent_reports_its_sign_and_evaluator_at_start(centre: Centre, agent: SignAgent) -> None:
    sign = wait_until(reported(centre, sign="ok"))
    assert sign["status"] == {"connected": "yes", "sign": "ok", "evaluator": "ok"}
    assert sign["alerts"] == [] and not sign["offline"]


def test_a_sign_that_stops_answering_and_one_unplugged_show_as_alerts(
    centre: Centre, agent: SignAgent, rs485: ModbusBusSimulator
) -> None:
    wait_until(reported(centre, sign="ok"))
    rs485.ctl_silent(True)  # powered off: the bus is there, nothing answers
    sign = wait_until(reported(centre, sign="not_answering", evaluator="not_answering"))
    assert sign["alerts"] == ["sign_not_answering", "evaluator_not_answering"]
    rs485.ctl_silent(False)
    assert wait_until(reported(centre, sign="ok", evaluator="ok"))["alerts"] == []
    rs485.unplug()  # the cable pulled: the port itself is gone
    sign = wait_until(reported(centre, sign="disconnected"))
    assert "sign_disconnected" in sign["alerts"]
    rs485.replug()
    wait_until(reported(centre, sign="ok", evaluator="ok"))


def test_a_killed_bus_shows_as_an_alert(centre: Centre, agent: SignAgent, rs485: ModbusBusSimulator) -> None:
    wait_until(reported(centre, sign="ok"))
    rs485.stop()  # the simulator, pty and all, is gone
    sign = wait_until(reported(centre, sign="disconnected", evaluator="disconnected"))
    assert sign["alerts"] == ["sign_disconnected", "evaluator_disconnected"]


def test_an_absent_sign_beside_a_present_evaluator(centre: Centre, sign_token: str, tmp_path: Path) -> None:
    bus = ModbusBusSimulator({11: EvaluatorModel()}, link=str(tmp_path / "rs485"))  # nothing at address 1
    bus.start()
    made = running(centre, sign_token, bus.path)
    try:
        sign = wait_until(reported(centre, sign="not_answering", evaluator="ok"))
        assert sign["alerts"] == ["sign_not_answering"]
    finally:
        made.stop()
        bus.stop()


def test_a_port_that_does_not_exist(centre: Centre, sign_token: str, tmp_path: Path) -> None:
    made = running(centre, sign_token, str(tmp_path / "no-such-port"), evaluator=None)
    try:
        sign = wait_until(reported(centre, sign="disconnected"))
        assert sign["status"] == {"connected": "yes", "sign": "disconnected"}  # no evaluator: not reported
    finally:
        made.stop()


def test_a_stopped_agent_is_flagged_after_its_interval(centre: Centre, agent: SignAgent) -> None:
    wait_until(reported(centre, sign="ok"))
    # The heartbeat: reports that change nothing keep coming.
    first = the_sign(centre)["last_seen"]
    wait_until(lambda: the_sign(centre)["last_seen"] > first)
    agent.stop()
    stopped = time.monotonic()
    sign = wait_until(lambda: (s := the_sign(centre))["offline"] and s, timeout=SILENT_AFTER + 5)
    assert time.monotonic() - stopped >= SILENT_AFTER - 0.5  # not before its interval
    assert sign["alerts"] == ["sign_offline"]
