"""The queue engine: plain Python over plain data.

It imports neither Flask nor SQLite (a test checks this), so it runs in
microseconds in tests and is reused unchanged by the history simulator.
"""

from queue_server.engine import call_order, estimates, hours, lifecycle, numbering
from queue_server.engine.call_order import CallingPolicy, Choice, choose_next, queue_order
from queue_server.engine.errors import QueueError
from queue_server.engine.lifecycle import Change
from queue_server.engine.model import (
    ACTIVE_STATUSES,
    Bundle,
    Channel,
    Counter,
    CounterKind,
    CounterState,
    Event,
    Outcome,
    Priority,
    ProfileEntry,
    Service,
    Site,
    SiteKind,
    Ticket,
    TicketStatus,
)

__all__ = [
    "ACTIVE_STATUSES",
    "Bundle",
    "CallingPolicy",
    "Change",
    "Channel",
    "Choice",
    "Counter",
    "CounterKind",
    "CounterState",
    "Event",
    "Outcome",
    "Priority",
    "ProfileEntry",
    "QueueError",
    "Service",
    "Site",
    "SiteKind",
    "Ticket",
    "TicketStatus",
    "call_order",
    "choose_next",
    "estimates",
    "hours",
    "lifecycle",
    "numbering",
    "queue_order",
]
