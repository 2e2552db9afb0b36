"""The stages of a one-thing (bundle) ticket: which item was done where, by whom, when.

A bundle ticket is one ticket, but its items (the bundle's services) are its stages,
possibly done at different windows. The clerk marks an item done at the console
(`stage_done`); a stage runs from the start of service at this window (or the end of
the stage before it here) to that moment. A transfer to another window moves the
ticket on: its next stage starts when that window starts serving it. Finishing the
ticket closes it (`close_at_finish`): one item left is the stage just served, timed as
the others; several left were served together, in a time the clerk did not split —
each is recorded, marked not timed, and reports leave them out of stage minutes.

A stage is rated once, by the citizen, on the phone page with the ticket's key, within
the same time as the ticket's own rating (`check_stage_rateable`). The evaluator at a
window rates the whole ticket, as before.

Plain data in, plain data out: the shell stores what these functions return.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from queue_server.engine import ratings
from queue_server.engine.errors import InvalidTransition, NoCurrentTicket, NotFound
from queue_server.engine.model import Bundle, Counter, Ticket, TicketStatus


class NotABundle(InvalidTransition, code="not_a_bundle"):
    """Only a one-thing (bundle) ticket has stages."""


class NotInBundle(InvalidTransition, code="stage_not_in_bundle"):
    """The item is not one of the bundle's."""


class StageAlreadyDone(InvalidTransition, code="stage_already_done"): ...


class UnknownStage(NotFound, code="unknown_stage"): ...


class StageAlreadyRated(InvalidTransition, code="stage_already_rated"): ...


@dataclass(frozen=True)
class Stage:
    """One item of a bundle ticket, done at a window."""

    ticket_id: str
    position: int  # 1, 2, … in the order the items were done
    service: str
    counter: int | None
    clerk: str | None
    started_at: datetime | None
    finished_at: datetime | None
    timed: bool = True  # False: served with other items in one span the clerk did not split
    rating: int | None = None
    rated_at: datetime | None = None

    @property
    def minutes(self) -> float | None:
        if not self.timed or self.started_at is None or self.finished_at is None:
            return None
        return max(0.0, (self.finished_at - self.started_at).total_seconds() / 60)


def remaining(bundle: Bundle, stages: list[Stage]) -> list[str]:
    """The bundle's items not yet done, in the bundle's order."""
    done = {s.service for s in stages}
    return [code for code in bundle.services if code not in done]


def _open_start(ticket: Ticket, stages: list[Stage]) -> datetime | None:
    """When the stage now open at the ticket's window began: the start of service there,
    or the end of the last stage done there since."""
    start = ticket.started_at or ticket.called_at
    if start is None:
        return None
    ends = [
        s.finished_at
        for s in stages
        if s.counter == ticket.counter and s.finished_at is not None and s.finished_at >= start
    ]
    return max([start, *ends])


def stage_done(
    counter: Counter,
    ticket: Ticket | None,
    bundle: Bundle | None,
    stages: list[Stage],
    service: str,
    now: datetime,
) -> Stage:
    """The clerk at `counter` marks `service`, an item of its current bundle ticket, done."""
    if ticket is None or ticket.id != counter.current_ticket_id:
        raise NoCurrentTicket(action="stage-done")
    if ticket.status not in (TicketStatus.CALLED, TicketStatus.SERVING):
        raise NoCurrentTicket(action="stage-done")
    if bundle is None or ticket.bundle != bundle.code:
        raise NotABundle(ticket=ticket.number)
    if service not in bundle.services:
        raise NotInBundle(service=service, bundle=bundle.code)
    if service in {s.service for s in stages}:
        raise StageAlreadyDone(service=service)
    return Stage(
        ticket_id=ticket.id,
        position=len(stages) + 1,
        service=service,
        counter=counter.number,
        clerk=counter.clerk or ticket.clerk,
        started_at=_open_start(ticket, stages),
        finished_at=now,
    )


def close_at_finish(
    ticket: Ticket, bundle: Bundle, stages: list[Stage], now: datetime
) -> list[Stage]:
    """The stages a finish records: the items not yet marked done, all served at this
    window now. One left: the open stage, timed. Several: each, not timed."""
    left = remaining(bundle, stages)
    start = _open_start(ticket, stages)
    timed = len(left) == 1
    return [
        Stage(
            ticket_id=ticket.id,
            position=len(stages) + i + 1,
            service=code,
            counter=ticket.counter,
            clerk=ticket.clerk,
            started_at=start if timed else None,
            finished_at=now,
            timed=timed,
        )
        for i, code in enumerate(left)
    ]


def check_stage_rateable(
    ticket: Ticket, stage: Stage | None, now: datetime, settings: dict[str, Any]
) -> None:
    """Raise why the citizen cannot rate this stage on the phone page now."""
    ratings.check_rateable(ticket, ratings.PHONE, now, settings)
    if stage is None:
        raise UnknownStage(ticket=ticket.number)
    if stage.rating is not None:
        raise StageAlreadyRated(service=stage.service)


def rated(stage: Stage, level: int, now: datetime) -> Stage:
    return replace(stage, rating=level, rated_at=now)
