"""Webhooks for the city's SMS or WeChat gateway (issue 15).

The gateway subscribes to events (`EVENTS`); each is POSTed to it, signed, once per
subscription, and retried with backoff while it fails (`courier.Courier`, a worker of its
own: a call never waits for a gateway). Subscriptions are an admin's to make
(`subscriptions.py`). The contract for receivers is docs/webhooks.md.
"""

from __future__ import annotations

from queue_server import wire

# Enqueued by the booking code (`store.webhooks.enqueue`) in the booking's own transaction.
APPOINTMENT_BOOKED = "appointment.booked"
APPOINTMENT_REMINDER = "appointment.reminder"  # the day before
APPOINTMENT_CANCELLED = "appointment.cancelled"
APPOINTMENT_CHANGED = "appointment.changed"  # moved to another slot, the same code
APPOINTMENT_NO_SHOW = "appointment.no_show"
# Made by the courier from the events log.
TICKET_CALLED = wire.TICKET_CALLED
TICKET_RECALLED = wire.TICKET_RECALLED
TICKET_NO_SHOW = wire.TICKET_NO_SHOW
TICKET_THREE_AHEAD = "ticket.three_ahead"  # three or fewer people ahead, once per ticket
# Only ever sent to one subscription, when an admin asks for it; never subscribed to.
PING = "webhook.ping"

EVENTS = (
    APPOINTMENT_BOOKED,
    APPOINTMENT_REMINDER,
    APPOINTMENT_CANCELLED,
    APPOINTMENT_CHANGED,
    APPOINTMENT_NO_SHOW,
    TICKET_CALLED,
    TICKET_RECALLED,
    TICKET_NO_SHOW,
    TICKET_THREE_AHEAD,
)
# The events log's types passed on as they are.
FROM_THE_LOG = (TICKET_CALLED, TICKET_RECALLED, TICKET_NO_SHOW)
# "Three ahead" is told once, to a ticket with this many or fewer people ahead.
AHEAD = 3
