"""Simulators that speak each device's bytes on a pty, for tests, demos and installers.

Each simulator runs in a background thread (``start()`` returns the pty path) and is
controlled through methods, or from another process through a JSON-lines control
socket (:mod:`devices.sim.control`). ``hallqueue sim …`` wraps them for the shell.
"""

