"""Catch-up without a gap: the join budget (GCRA) and the client's merge (`wire.CatchUp`).

The merge is checked against every order python-socketio may hand a client its
messages in (each runs on a thread of its own): pages, the acknowledgement and live
events interleaved at random, live events starting anywhere at or before the seq the
join read, some of them also in the backlog.
"""
from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server import wire
from queue_server.calling.catch_up import JOIN_COST, JoinBudgets, TooManyJoins


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_quiet_token_joins_at_once_and_a_busy_one_is_paced_then_refused() -> None:
    clock = Clock()
    budgets = JoinBudgets(rate=100.0, burst=200.0, max_wait=2.0, clock=clock)
    first = budgets.admit("device:d1", JOIN_COST + 190)  # the whole burst
    assert first.due(JOIN_COST) <= clock.now and first.due(JOIN_COST + 190) <= clock.now
    second = budgets.admit("device:d1", JOIN_COST + 100)  # paced: one event per 10 ms
    assert second.due(JOIN_COST) == pytest.approx(clock.now + 0.1)
    assert second.due(JOIN_COST + 100) == pytest.approx(clock.now + 1.1)
    budgets.admit("device:d1", JOIN_COST + 100)  # its join waits 1.2 s: still under 2 s
    with pytest.raises(TooManyJoins) as refused:  # this one would wait 2.3 s
        budgets.admit("device:d1", JOIN_COST)
    assert refused.value.retry_after == 1
    assert budgets.admit("device:d2", JOIN_COST).due(JOIN_COST) <= clock.now  # per token
    clock.now += refused.value.retry_after
    budgets.admit("device:d1", JOIN_COST)  # after retry_after it is let in


def test_a_storm_of_joins_without_backlog_is_let_through() -> None:
    """A thousand screens sharing one token reconnect at once: no backlog, all admitted."""
    clock = Clock()
    budgets = JoinBudgets(clock=clock)
    paces = [budgets.admit("device:hall", JOIN_COST) for _ in range(1000)]
    assert max(p.due(JOIN_COST) for p in paces) - clock.now < 5.0


def page_sizes(draw: st.DrawFn, events: int) -> list[int]:
    sizes = []
    while events > 0:
        size = draw(st.integers(1, events))
        sizes.append(size)
        events -= size
    return sizes


@st.composite
def joins(draw: st.DrawFn) -> dict[str, Any]:
    """A join with `since` and what reaches the client, in one order it may arrive in."""
    since = draw(st.integers(0, 20))
    upto = since + draw(st.integers(0, 30))  # last_seq read after the room was entered
    newest = upto + draw(st.integers(0, 20))  # events committed while the join ran
    # Live from the first event published after the socket entered the room: at or before
    # `upto` (those are in the backlog too), even at or before `since` (published late).
    first_live = draw(st.integers(max(1, since - 3), upto + 1))
    backlog = list(range(since + 1, upto + 1))
    pages, start = [], 0
    for size in page_sizes(draw, len(backlog)):
        pages.append(("page", backlog[start : start + size]))
        start += size
    live = [("live", seq) for seq in range(first_live, newest + 1)]
    ack = ("ack", {"ok": True, "last_seq": upto, "pages": len(pages), "complete": True})
    # Pages in their order, live events in theirs, the ack anywhere: python-socketio's
    # threads may even run it before the last page.
    arrivals: list[tuple[str, Any]] = []
    streams = [list(pages), live, [ack]]
    while any(streams):
        stream = draw(st.sampled_from([s for s in streams if s]))
        arrivals.append(stream.pop(0))
    return {"since": since, "newest": newest, "arrivals": arrivals}


def event(seq: int) -> dict[str, Any]:
    return {"seq": seq, "type": "ticket.issued", "site": "city-hall"}


def deliver(follow: wire.CatchUp, arrivals: list[tuple[str, Any]]) -> None:
    for kind, item in arrivals:
        if kind == "page":
            follow.page({"site": "city-hall", "counter": None, "events": [event(s) for s in item]})
        elif kind == "live":
            follow.event(event(item))
        else:
            follow.joined(item)


@settings(max_examples=300, deadline=None)
@given(join=joins())
def test_every_event_once_in_order_whatever_the_arrival_order(join: dict[str, Any]) -> None:
    applied: list[int] = []
    follow = wire.CatchUp(lambda payload: applied.append(payload["seq"]))
    assert follow.joining(join["since"]) == join["since"]
    deliver(follow, join["arrivals"])
    follow.event(event(join["newest"] + 1))  # and live after that
    assert applied == list(range(join["since"] + 1, join["newest"] + 2))
    assert not follow.holding


@settings(max_examples=100, deadline=None)
@given(since=st.integers(0, 50), read=st.integers(0, 40), held=st.lists(st.integers(1, 120), max_size=30))
def test_a_backlog_too_long_to_replay_waits_for_the_state_read_again(since: int, read: int, held: list[int]) -> None:
    applied: list[int] = []
    follow = wire.CatchUp(lambda payload: applied.append(payload["seq"]))
    follow.joining(since)
    for seq in sorted(held):
        follow.event(event(seq))
    follow.joined({"ok": True, "last_seq": since + 5000, "pages": 0, "complete": False})
    assert applied == [] and follow.holding  # nothing until the state is read again
    follow.read(since + read)
    assert applied == sorted({s for s in held if s > since + read})
    assert not follow.holding


def test_a_refused_join_keeps_holding_until_the_next_one() -> None:
    applied: list[int] = []
    follow = wire.CatchUp(lambda payload: applied.append(payload["seq"]), last_seq=3)
    follow.joining()
    follow.joined({"ok": False, "error": wire.TOO_MANY_JOINS, "retry_after": 2})
    assert follow.holding
    wait = wire.join_retry_seconds({"ok": False, "error": wire.TOO_MANY_JOINS, "retry_after": 2})
    assert wait is not None and 2.0 <= wait <= 3.0  # a little more, at random
    assert wire.join_retry_seconds({"ok": False, "error": "forbidden"}) is None
    assert follow.joining() == 3
    follow.page({"site": "city-hall", "events": [event(4), event(5)]})
    follow.joined({"ok": True, "last_seq": 5, "pages": 1, "complete": True})
    assert applied == [4, 5]



@settings(max_examples=200, deadline=None)
@given(order=st.permutations(list(range(4, 12))))
def test_a_site_room_puts_live_events_in_order_whatever_thread_took_the_lock_first(order: list[int]) -> None:
    """python-socketio runs each message on a thread of its own: two quick live events can
    reach the lock in either order. A site's room hears every seq, so a later one waits for
    the ones before it instead of dropping them."""
    applied: list[int] = []
    follow = wire.CatchUp(lambda payload: applied.append(payload["seq"]), last_seq=3, contiguous=True)
    for seq in order:
        follow.event(event(seq))
    assert applied == list(range(4, 12))


def test_a_gap_that_never_fills_is_given_up_after_the_grace() -> None:
    applied: list[int] = []
    follow = wire.CatchUp(lambda payload: applied.append(payload["seq"]), last_seq=3, contiguous=True)
    follow.event(event(6))
    follow.event(event(5))
    assert applied == []  # 4 may still come
    deadline = time.monotonic() + 5
    while not applied and time.monotonic() < deadline:
        time.sleep(0.02)
    assert applied == [5, 6]
    follow.event(event(4))  # too late: already covered
    follow.event(event(7))
    assert applied == [5, 6, 7]
