"""`hallqueue kiosk` serves the site its token was enrolled at (`GET /api/v1/devices/me`);
`--site` and HALLQUEUE_KIOSK_SITE only check it. A kiosk set up with a token of another
site, of another kind of device, or unknown to the centre does not run: it says why and
exits 4 (refused), at once when the centre answers at start, else as soon as it does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import requests

from tests.conftest import ROOT, Centre, CentreProcess, free_port, wait_for_http
from tests.kiosk.conftest import KIOSK_PAGE, start_kiosk, wait_until


def enrol(centre: Centre, kind: str, site: str) -> str:
    made = centre.post("/admin/devices", {"kind": kind, "site": site, "name": f"{kind} of {site}"})
    assert made.status_code == 201, made.text
    return made.json()["token"]  # type: ignore[no-any-return]


def kiosk_command(
    centre: Centre, token: str, tmp_path: Path, sims: tuple, *extra: str, env: dict[str, str] | None = None  # type: ignore[type-arg]
) -> tuple[subprocess.Popen[bytes], Path, int]:
    printer, reader = sims
    port = free_port()
    log_path = tmp_path / f"kiosk-{port}.log"
    environment = dict(os.environ, HALLQUEUE_KIOSK_TOKEN=token, PYTHONUNBUFFERED="1")
    environment.pop("HALLQUEUE_KIOSK_SITE", None)
    environment.update(env or {})
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "queue_server", "kiosk", "--server", centre.url,
             "--printer-port", printer.path, "--reader-port", reader.path, "--port", str(port),
             "--spool", str(tmp_path / f"spool-{port}"), *extra],
            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    return process, log_path, port


def refused(process: subprocess.Popen[bytes], log_path: Path, timeout: float = 20) -> str:
    try:
        code = process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError(f"the kiosk kept running: {log_path.read_text(encoding='utf-8')}") from None
    text = log_path.read_text(encoding="utf-8")
    assert code == 4, text  # "refused" (docs/commands.md), said as one error line
    assert "hallqueue: error: " in text
    return text


def test_without_site_the_kiosk_serves_its_tokens_site(centre: Centre, tmp_path: Path, devices_sims: tuple) -> None:  # type: ignore[type-arg]
    station = enrol(centre, "kiosk", "station-cbd")
    process, log_path, port = kiosk_command(centre, station, tmp_path, devices_sims)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/health")
        assert wait_until(lambda: requests.get(url + "/api/state").json()["blocked"] is None, 10)
        catalogue = requests.get(url + "/api/catalogue").json()
        assert catalogue["site"]["id"] == "station-cbd"
        service = next(i for i in catalogue["items"].values() if i["kind"] == "service")  # offered there
        body = {"kind": "service", "code": service["code"], "use_card": False}
        view = requests.post(url + "/api/tickets", json=body, headers=KIOSK_PAGE).json()
        assert view["state"] in ("printing", "printed"), view
        held = centre.get(f"/tickets/{view['ticket']['id']}").json()
        assert held["ticket"]["site"] == "station-cbd"
    finally:
        process.terminate()
        process.wait(10)
    assert "hallqueue kiosk for station-cbd" in log_path.read_text(encoding="utf-8")


def test_a_site_that_is_not_the_tokens_stops_the_kiosk_at_start(centre: Centre, tmp_path: Path, devices_sims: tuple) -> None:  # type: ignore[type-arg]
    station = enrol(centre, "kiosk", "station-cbd")
    process, log_path, _ = kiosk_command(centre, station, tmp_path, devices_sims, "--site", "city-hall")
    text = refused(process, log_path)
    assert "enrolled at station-cbd" in text and "not at city-hall" in text
    assert "hallqueue kiosk for" not in text  # it never served its page
    # HALLQUEUE_KIOSK_SITE is the same check, for a kiosk set up by its environment.
    process, log_path, _ = kiosk_command(
        centre, station, tmp_path, devices_sims, env={"HALLQUEUE_KIOSK_SITE": "city-hall"}
    )
    assert "not at city-hall" in refused(process, log_path)


def test_the_right_site_is_accepted(centre: Centre, tmp_path: Path, devices_sims: tuple) -> None:  # type: ignore[type-arg]
    process, log_path, port = kiosk_command(
        centre, centre.kiosk_token, tmp_path, devices_sims, env={"HALLQUEUE_KIOSK_SITE": "city-hall"}
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/health")
        assert process.poll() is None
    finally:
        process.terminate()
        process.wait(10)
    assert "hallqueue kiosk for city-hall" in log_path.read_text(encoding="utf-8")


def test_a_token_that_is_not_a_kiosks_stops_the_kiosk(centre: Centre, tmp_path: Path, devices_sims: tuple) -> None:  # type: ignore[type-arg]
    process, log_path, _ = kiosk_command(centre, centre.display_token, tmp_path, devices_sims)
    assert "not a kiosk's" in refused(process, log_path)
    process, log_path, _ = kiosk_command(centre, centre.login(), tmp_path, devices_sims)
    assert "not a device's" in refused(process, log_path)
    process, log_path, _ = kiosk_command(centre, "no-such-token", tmp_path, devices_sims)
    assert "does not know this token" in refused(process, log_path)


def test_started_while_the_centre_was_down_it_checks_when_the_centre_answers(
    centre_process: CentreProcess, tmp_path: Path, devices_sims: tuple  # type: ignore[type-arg]
) -> None:
    station = enrol(centre_process, "kiosk", "station-cbd")
    centre_process.stop()
    process, log_path, port = kiosk_command(centre_process, station, tmp_path, devices_sims, "--site", "city-hall")
    wait_for_http(f"http://127.0.0.1:{port}/health")  # it runs, offering nothing, until it knows
    state = requests.get(f"http://127.0.0.1:{port}/api/state", timeout=5).json()
    assert state["blocked"] == "centre_unreachable"
    assert "once the centre answers" in log_path.read_text(encoding="utf-8")
    centre_process.start()
    text = refused(process, log_path, timeout=30)
    assert "enrolled at station-cbd" in text and "not at city-hall" in text


def test_the_agent_learns_its_site_once_the_centre_is_back(
    centre_process: CentreProcess, tmp_path: Path, devices_sims: tuple  # type: ignore[type-arg]
) -> None:
    centre_process.stop()
    kiosk = start_kiosk(centre_process, tmp_path, devices_sims, site=None)
    try:
        assert wait_until(lambda: kiosk.agent.centre_ok is False, 10)
        # The printer's first status may come a moment later ("printer_offline" until it does).
        assert wait_until(lambda: kiosk.state()["blocked"] == "centre_unreachable", 10), kiosk.state()
        assert kiosk.agent.site is None
        centre_process.start()
        state = kiosk.wait_ready(20)
        assert kiosk.agent.site == "city-hall" and state["centre"]["ok"] is True
        assert wait_until(lambda: kiosk.agent.feed.connected, 10)  # the live feed joined the hall
    finally:
        kiosk.server.stop()
