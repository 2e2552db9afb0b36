"""Simulators that speak each device's bytes on a pty, for tests, demos and installers.

Each simulator runs in a background thread (``start()`` returns the pty path) and is
controlled through methods, or from another process through a JSON-lines control
socket (:mod:`devices.sim.control`). ``hallqueue simulator …`` wraps them for the shell.
"""

from devices.sim.id_reader_sim import IdReaderSimulator
from devices.sim.modbus_sim import EvaluatorModel, ModbusBusSimulator, SignModel
from devices.sim.printer_sim import PrinterSimulator
from devices.sim.simulator import Simulator

__all__ = [
    "EvaluatorModel",
    "IdReaderSimulator",
    "ModbusBusSimulator",
    "PrinterSimulator",
    "SignModel",
    "Simulator",
]
