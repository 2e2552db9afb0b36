"""Window signs and evaluators for a demo hall: simulators on one pty, one agent per window.

`make demo` can call :func:`start_demo_signs` after the centre is up: every listed
window gets a simulated LED sign (address = window number) and evaluator (address =
100 + window number) on one simulated RS-485 bus, and a :class:`SignAgent` driving
them, all sharing one :class:`RegisterBus` as agents on one PC would. Press an
evaluator key with ``hallqueue simulator control HOST:PORT press rating=5 address=103``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from devices.register_bus import RegisterBus
from devices.sim.control import ControlServer
from devices.sim.modbus_sim import EvaluatorModel, ModbusBusSimulator, RegisterModel, SignModel
from displays.sign_agent import SignAgent

EVALUATOR_OFFSET = 100


@dataclass
class DemoSigns:
    simulator: ModbusBusSimulator
    control: ControlServer
    bus: RegisterBus
    agents: list[SignAgent] = field(default_factory=list)

    def stop(self) -> None:
        for agent in self.agents:
            agent.stop()
        self.bus.close()
        self.control.stop()
        self.simulator.stop()


def start_demo_signs(
    server: str, tokens: dict[int, str], site: str, link: str | None = None
) -> tuple[DemoSigns, str]:
    """Start the simulated bus and one agent per window (`tokens`: window → the token of the
    sign enrolled for it); returns them and the control address."""
    windows = sorted(tokens)
    devices: dict[int, RegisterModel] = {n: SignModel() for n in windows}
    devices.update({EVALUATOR_OFFSET + n: EvaluatorModel() for n in windows})
    simulator = ModbusBusSimulator(devices, link)
    path = simulator.start()
    control = ControlServer(simulator)
    address = control.start()
    bus = RegisterBus(path)
    demo = DemoSigns(simulator, control, bus)
    for number in windows:
        agent = SignAgent(
            server,
            tokens[number],
            site,
            number,
            address=number,
            evaluator=EVALUATOR_OFFSET + number,
            bus=bus,
        )
        demo.agents.append(agent.start())
    return demo, address
