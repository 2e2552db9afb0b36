"""All simulators of one hall at once, for ``make demo`` and integration tests.

``SimulatorSuite(directory).start()`` starts a printer, an ID reader and one RS-485 bus
with window signs and evaluators, each on its own pty behind a stable link in
``directory`` (``printer``, ``id-reader``, ``rs485``), each with a control server, and
returns where everything is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from devices.sim.control import ControlServer
from devices.sim.id_reader_sim import IdReaderSimulator
from devices.sim.modbus_sim import EvaluatorModel, ModbusBusSimulator, RegisterModel, SignModel
from devices.sim.printer_sim import PrinterSimulator
from devices.sim.simulator import Simulator


@dataclass
class SimulatorSuite:
    directory: str
    signs: list[int] = field(default_factory=lambda: [1, 2, 3])
    evaluators: list[int] = field(default_factory=lambda: [11, 12, 13])
    width_mm: int = 80
    card: str | None = None

    def __post_init__(self) -> None:
        os.makedirs(self.directory, exist_ok=True)
        overlap = set(self.signs) & set(self.evaluators)
        if overlap:
            raise ValueError(f"addresses used twice: {sorted(overlap)}")
        devices: dict[int, RegisterModel] = {a: SignModel() for a in self.signs}
        devices.update({a: EvaluatorModel() for a in self.evaluators})
        self.printer = PrinterSimulator(
            self._link("printer"),
            width_mm=self.width_mm,
            out_dir=os.path.join(self.directory, "tickets"),
        )
        self.id_reader = IdReaderSimulator(self._link("id-reader"))
        self.rs485 = ModbusBusSimulator(devices, self._link("rs485"))
        self._servers: list[ControlServer] = []

    def _link(self, name: str) -> str:
        return os.path.join(self.directory, name)

    @property
    def simulators(self) -> dict[str, Simulator]:
        return {"printer": self.printer, "id_reader": self.id_reader, "rs485": self.rs485}

    def start(self) -> dict[str, Any]:
        """Start everything; returns ``{name: {"path": …, "control": "H:P"}, …}``."""
        info: dict[str, Any] = {}
        for name, simulator in self.simulators.items():
            path = simulator.start()
            server = ControlServer(simulator)
            self._servers.append(server)
            info[name] = {"path": path, "control": server.start()}
        if self.card:
            self.id_reader.place_card(self.card)
        info["rs485"].update(signs=self.signs, evaluators=self.evaluators)
        info["printer"]["tickets"] = self.printer.out_dir
        return info

    def stop(self) -> None:
        for server in self._servers:
            server.stop()
        self._servers.clear()
        for simulator in self.simulators.values():
            simulator.stop()

    def __enter__(self) -> dict[str, Any]:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
