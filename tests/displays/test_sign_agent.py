"""The window-sign agent follows its counter and drives the sign; the evaluator rates."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

from devices.sim.modbus_sim import ModbusBusSimulator
from displays.sign_agent import LOST_TEXT, SignAgent, SignView, lost_view, sign_view
from tests.conftest import ROOT, Centre, spend_join_budget
from tests.queue_server.pages.conftest import enrol


def wait_until(predicate: Callable[[], object], timeout: float = 3.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"not within {timeout} s: {predicate}")


def shows(sim: ModbusBusSimulator, number: str, state: str, address: int = 1) -> Callable[[], bool]:
    def check() -> bool:
        d = sim.sign(address).display()
        return (d.number, d.state) == (number, state)

    return check


@pytest.fixture
def agent(centre: Centre, sign_token: str, rs485: ModbusBusSimulator) -> Iterator[SignAgent]:
    running = SignAgent(centre.url, sign_token, "city-hall", 3, rs485.path, address=1, evaluator=11, poll_seconds=0.05)
    running.start()
    yield running
    running.stop()


def test_sign_view_rules() -> None:
    counter = {"number": 3, "state": "open", "current_ticket": "T1"}
    called = {"id": "T1", "number": "A007", "status": "called"}
    assert sign_view(counter, called) == SignView("A007", "serving", "请A007号到3号窗口办理")
    assert sign_view(counter, {**called, "status": "serving"}).state == "serving"
    assert sign_view({**counter, "current_ticket": None}, None) == SignView("", "idle", "")
    assert sign_view({**counter, "state": "paused"}, called) == SignView("A007", "paused", "暂停服务")
    assert sign_view({**counter, "state": "closed", "current_ticket": None}, None).state == "closed"
    assert sign_view(counter, {**called, "id": "other"}).number == ""  # a stale ticket is never shown


def test_sign_follows_the_counter(centre: Centre, agent: SignAgent, rs485: ModbusBusSimulator) -> None:
    wait_until(shows(rs485, "", "closed"))
    assert rs485.sign(1).display().text == "窗口关闭"
    centre.counter(3, "open")
    wait_until(shows(rs485, "", "idle"))
    ticket = centre.issue("A101")["ticket"]
    centre.counter(3, "call-next")
    wait_until(shows(rs485, ticket["number"], "serving"))
    assert rs485.sign(1).display().text == f"请{ticket['number']}号到3号窗口办理"
    centre.counter(3, "pause", reason="午间休息")
    wait_until(shows(rs485, ticket["number"], "paused"))
    assert rs485.sign(1).display().text == "暂停服务"
    centre.counter(3, "open")
    wait_until(shows(rs485, ticket["number"], "serving"))
    centre.counter(4, "open")  # another counter's events never reach this sign
    centre.counter(3, "finish", outcome="completed")
    wait_until(shows(rs485, "", "idle"))
    centre.counter(3, "close")
    wait_until(shows(rs485, "", "closed"))


def test_evaluator_press_rates_the_right_ticket(centre: Centre, agent: SignAgent, rs485: ModbusBusSimulator) -> None:
    centre.counter(3, "open")
    centre.counter(4, "open")
    mine = centre.issue("A101")["ticket"]
    other = centre.issue("A101")["ticket"]
    assert centre.counter(3, "call-next").json()["ticket"]["id"] == mine["id"]
    assert centre.counter(4, "call-next").json()["ticket"]["id"] == other["id"]
    centre.counter(4, "finish", outcome="completed")
    centre.counter(3, "finish", outcome="accepted")
    evaluator = rs485.evaluator(11)
    wait_until(lambda: evaluator.status == 1)  # waiting for a key
    assert evaluator.ticket_ref.rstrip("\x00") == mine["number"]
    assert rs485.press(2, address=11)
    wait_until(lambda: agent.posted)
    assert agent.posted == [(mine["id"], 2)]
    rating = centre.get(f"/tickets/{mine['id']}/rating").json()["rating"]
    assert (rating["level"], rating["channel"]) == (2, "evaluator")
    assert centre.get(f"/tickets/{other['id']}/rating").json()["rating"] is None


def test_next_call_cancels_an_unanswered_rating(centre: Centre, agent: SignAgent, rs485: ModbusBusSimulator) -> None:
    centre.counter(3, "open")
    first = centre.issue("A101")["ticket"]
    centre.issue("A101")
    centre.counter(3, "call-next")
    centre.counter(3, "finish", outcome="completed")
    wait_until(lambda: rs485.evaluator(11).status == 1)
    centre.counter(3, "call-next")
    wait_until(lambda: rs485.evaluator(11).status == 0)
    assert not rs485.press(5, address=11)  # nobody asked: the key is ignored
    time.sleep(0.2)
    assert centre.get(f"/tickets/{first['id']}/rating").json()["rating"] is None


def test_sign_command_runs_the_agent(centre: Centre, sign_token: str, rs485: ModbusBusSimulator) -> None:
    centre.counter(5, "open")
    ticket = centre.issue("A101")["ticket"]
    centre.counter(5, "call-next")
    process = subprocess.Popen(
        [sys.executable, "-m", "queue_server", "sign", "--server", centre.url, "--token", sign_token,
         "--site", "city-hall", "--counter", "5", "--serial-port", rs485.path, "--address", "1"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        wait_until(shows(rs485, ticket["number"], "serving"), timeout=15)
        centre.counter(5, "pause", reason="系统故障")
        wait_until(shows(rs485, ticket["number"], "paused"))
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert process.returncode == 0, err.decode()


def test_demo_signs_share_one_bus(centre: Centre, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from devices.sim.control import ControlClient
    from displays.demo_signs import start_demo_signs

    tokens = {n: enrol(centre, counter=n) for n in (1, 2, 3)}
    demo, control = start_demo_signs(centre.url, tokens, "city-hall", str(tmp_path / "bus"))
    try:
        sim = demo.simulator
        for number in (1, 2):
            centre.counter(number, "open")
        tickets = [centre.issue("A101")["ticket"] for _ in range(2)]
        called = {n: centre.counter(n, "call-next").json()["ticket"]["number"] for n in (1, 2)}
        assert sorted(called.values()) == sorted(t["number"] for t in tickets)
        for n in (1, 2):
            wait_until(shows(sim, called[n], "serving", address=n))
        wait_until(shows(sim, "", "closed", address=3))
        centre.counter(2, "finish", outcome="completed")
        wait_until(lambda: sim.evaluator(102).status == 1)
        with ControlClient(control) as client:
            assert client.call("press", rating=5, address=102) is True
        done = next(t for t in tickets if t["number"] == called[2])
        wait_until(lambda: centre.get(f"/tickets/{done['id']}/rating").json()["rating"])
    finally:
        demo.stop()


def test_sign_comes_back_after_unplug(centre: Centre, agent: SignAgent, rs485: ModbusBusSimulator) -> None:
    centre.counter(3, "open")
    wait_until(shows(rs485, "", "idle"))
    rs485.unplug()
    ticket = centre.issue("A101")["ticket"]
    centre.counter(3, "call-next")
    time.sleep(0.3)  # the agent tries, fails, and keeps the wanted view
    rs485.replug()
    wait_until(shows(rs485, ticket["number"], "serving"), timeout=5)


def test_agent_follows_through_a_centre_restart(centre_process, rs485: ModbusBusSimulator) -> None:  # type: ignore[no-untyped-def]
    token = enrol(centre_process)
    running = SignAgent(centre_process.url, token, "city-hall", 3, rs485.path, address=1, poll_seconds=0.05)
    running.start()
    try:
        centre_process.counter(3, "open")
        wait_until(shows(rs485, "", "idle"), timeout=5)
        centre_process.kill()
        centre_process.start()
        ticket = centre_process.issue("A101")["ticket"]
        centre_process.counter(3, "call-next")
        wait_until(shows(rs485, ticket["number"], "serving"), timeout=10)
        centre_process.counter(3, "pause", reason="系统故障")
        wait_until(shows(rs485, ticket["number"], "paused"), timeout=5)
    finally:
        running.stop()


def test_lost_view_keeps_the_number_and_says_so() -> None:
    assert lost_view(SignView("A007", "serving", "正在办理")) == SignView("A007", "serving", LOST_TEXT)
    assert lost_view(SignView("A007", "paused", "暂停服务")) == SignView("A007", "paused", LOST_TEXT)
    assert lost_view(None) == SignView("", "idle", LOST_TEXT)


def test_a_frozen_centre_marks_the_sign_and_it_recovers(centre_process, rs485: ModbusBusSimulator) -> None:  # type: ignore[no-untyped-def]
    # SIGSTOP keeps the TCP connection open, so only the missing heartbeat tells.
    token = enrol(centre_process)
    running = SignAgent(centre_process.url, token, "city-hall", 3, rs485.path, address=1, poll_seconds=0.05, lost_seconds=3)
    running.start()
    try:
        centre_process.counter(3, "open")
        ticket = centre_process.issue("A101")["ticket"]
        centre_process.counter(3, "call-next")
        wait_until(shows(rs485, ticket["number"], "serving"), timeout=5)
        live_text = rs485.sign(1).display().text
        assert live_text != LOST_TEXT
        os.kill(centre_process.process.pid, signal.SIGSTOP)
        try:
            frozen_at = time.monotonic()
            wait_until(lambda: rs485.sign(1).display().text == LOST_TEXT, timeout=8)
            # Not before the silence is long enough: 3 s from the last beat, which came at
            # most one heartbeat interval (2 s) before the freeze.
            assert time.monotonic() - frozen_at > 0.9
            assert (rs485.sign(1).display().number, rs485.sign(1).display().state) == (ticket["number"], "serving")
        finally:
            os.kill(centre_process.process.pid, signal.SIGCONT)
        wait_until(lambda: rs485.sign(1).display().text == live_text, timeout=10)
    finally:
        running.stop()


def test_a_centre_never_reached_is_said_on_the_sign(rs485: ModbusBusSimulator) -> None:
    from tests.conftest import free_port

    running = SignAgent(f"http://127.0.0.1:{free_port()}", "no-token", "city-hall", 3, rs485.path, address=1, poll_seconds=0.05, lost_seconds=1)
    running.start()
    try:
        wait_until(lambda: rs485.sign(1).display().text == LOST_TEXT, timeout=5)
        assert rs485.sign(1).display().number == ""
    finally:
        running.stop()


def test_a_join_refused_as_too_frequent_is_sent_again(
    tight_join_budget: None, centre: Centre, sign_token: str, rs485: ModbusBusSimulator
) -> None:
    """Signs sharing one token rejoin at once: the agent waits `retry_after` and joins again
    with the seq it read, and the sign follows the counter from then on."""
    spend_join_budget(centre, sign_token)
    running = SignAgent(centre.url, sign_token, "city-hall", 3, rs485.path, address=1, poll_seconds=0.05)
    running.start()
    try:
        wait_until(lambda: running._sync_not_before > 0, timeout=5)  # refused once
        centre.counter(3, "open")
        called = centre.counter(3, "call-next").json()["ticket"]
        wait_until(shows(rs485, called["number"], "serving"), timeout=10)
    finally:
        running.stop()
