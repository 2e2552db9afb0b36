"""A long-lived worker's loop on its own daemon thread, and the event that stops it.

The printer monitor, the simulators, the kiosk's workers and the sign agent each run one
loop until they are stopped. The loop watches :attr:`LoopThread.stopping` (``is_set()``
between steps, ``wait(seconds)`` to sleep and still stop at once); :meth:`LoopThread.stop`
sets it, wakes a loop that waits on something else, and joins.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class LoopThread:
    def __init__(self, loop: Callable[[], None], *, name: str, join_timeout: float = 5.0) -> None:
        self.loop = loop
        self.name = name
        self.join_timeout = join_timeout
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        self.stopping.clear()
        self._thread = threading.Thread(target=self.loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, *, wake: Callable[[], None] | None = None) -> None:
        """End the loop: ``wake`` unblocks a loop waiting on something else than ``stopping``
        (its own event, a socket); a loop still busy after ``join_timeout`` is left behind."""
        self.stopping.set()
        if wake is not None:
            wake()
        if self._thread is not None:
            self._thread.join(timeout=self.join_timeout)
            self._thread = None
