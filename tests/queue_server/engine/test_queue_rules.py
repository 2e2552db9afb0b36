"""Issue 8's rules in the engine: the mixing ratio, the longest wait, missed calls (过号),
out-of-order calls, appointments and the caps against hoarding."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.engine import caps, lifecycle, rules
from queue_server.engine.call_order import CallingPolicy, choose_next, mix_turn, waited_minutes
from queue_server.engine.errors import (
    AppointmentTooEarly,
    CallTooSoon,
    DailyCapReached,
    InvalidInput,
    NoShowTooEarly,
    OneActiveTicket,
    PersonLimitReached,
    ProxyCapReached,
    ReturnNotAllowed,
    WalkInReserved,
)
from queue_server.engine.model import Channel, Priority, Site, SiteKind, TicketStatus
from queue_server.engine.rules import NoShowPolicy
from queue_server.wire.words import say

from .builders import SITE, SITE_WITH_HOURS, T0, Hall, counter, minutes, service, ticket

PRIORITIES = [p for p in Priority if p != Priority.ORDINARY]


# --- the mixing ratio ------------------------------------------------------------------


def test_mix_turn_alternates_one_priority_for_two_ordinary() -> None:
    credit, turns = 0, []
    for _ in range(9):
        priority_turn, credit = mix_turn(credit, (1, 2))
        turns.append("P" if priority_turn else "O")
    assert "".join(turns) == "POOPOOPOO"


@settings(max_examples=200, deadline=None)
@given(
    p=st.integers(1, 6),
    o=st.integers(1, 6),
    calls=st.integers(1, 200),
)
def test_ratio_holds_over_any_run_of_contested_calls(p: int, o: int, calls: int) -> None:
    """While both kinds wait, after n calls priority has had p·n/(p+o) of them, ± 1."""
    credit, priority_calls = 0, 0
    for n in range(1, calls + 1):
        priority_turn, credit = mix_turn(credit, (p, o))
        priority_calls += priority_turn
        assert abs(priority_calls - n * p / (p + o)) <= 1


@settings(max_examples=60, deadline=None)
@given(
    p=st.integers(1, 4),
    o=st.integers(1, 4),
    kinds=st.lists(st.sampled_from(PRIORITIES), min_size=1, max_size=5),
)
def test_a_counter_keeps_the_ratio_through_the_engine(
    p: int, o: int, kinds: list[Priority]
) -> None:
    """Call-next over a hall where both kinds always wait: the classes called follow p:o."""
    hall = Hall(policy=CallingPolicy(max_wait_minutes=10_000, mix=(p, o)))
    hall.add(service("A101"), counter(1, {"A101": 1}))
    hall.open(1)
    rounds = 12 * (p + o)
    for i in range(rounds + 5):
        hall.issue("A101")
        hall.issue("A101", priority=kinds[i % len(kinds)])
    priority_calls = 0
    for n in range(1, rounds + 1):
        hall.now += minutes(1)
        called = hall.call(1)
        assert called is not None
        priority_calls += called.priority != Priority.ORDINARY
        assert abs(priority_calls - n * p / (p + o)) <= 1
        hall.finish(1)
    assert priority_calls == rounds * p // (p + o)


def test_without_a_ratio_priority_always_goes_first() -> None:
    hall = Hall(policy=CallingPolicy(max_wait_minutes=10_000))
    hall.add(service("A101"), counter(1, {"A101": 1}))
    hall.open(1)
    for _ in range(3):
        hall.issue("A101")
    for _ in range(3):
        hall.issue("A101", priority=Priority.ELDERLY)
    called = []
    for _ in range(6):
        called.append(hall.call(1).priority)  # type: ignore[union-attr]
        hall.finish(1)
    assert called == [Priority.ELDERLY] * 3 + [Priority.ORDINARY] * 3


def test_uncontested_calls_leave_the_mixing_state_alone() -> None:
    c = counter(1, {"A101": 1})
    only_ordinary = [ticket(1), ticket(2)]
    choice = choose_next(c, only_ordinary, T0 + minutes(5), CallingPolicy(mix=(1, 2)))
    assert choice is not None and choice.mix_credit is None


# --- the longest wait ----------------------------------------------------------------

WAITING = st.lists(
    st.tuples(
        st.integers(0, 200),  # minutes before now it was issued
        st.sampled_from(list(Priority)),
        st.sampled_from(["A101", "A102"]),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(
    waiting=WAITING,
    max_wait=st.integers(5, 120),
    mix=st.one_of(st.none(), st.tuples(st.integers(1, 4), st.integers(1, 4))),
    credit=st.integers(-4, 4),
)
def test_no_ticket_is_passed_over_once_it_waited_the_maximum(
    waiting: list[tuple[int, Priority, str]],
    max_wait: int,
    mix: tuple[int, int] | None,
    credit: int,
) -> None:
    now = T0 + minutes(300)
    tickets = [
        ticket(i + 1, code, at=now - minutes(ago), priority=priority, ticket_id=f"t{i}")
        for i, (ago, priority, code) in enumerate(waiting)
    ]
    c = replace(counter(1, {"A101": 1, "A102": 3}), mix_credit=credit)
    policy = CallingPolicy(max_wait_minutes=max_wait, mix=mix)
    choice = choose_next(c, tickets, now, policy)
    assert choice is not None
    overdue = [t for t in tickets if waited_minutes(t, now) >= max_wait]
    if overdue:
        # Whoever is called has waited the longest of the overdue (ties by number).
        assert choice.reason == "max_wait"
        assert waited_minutes(choice.ticket, now) == max(waited_minutes(t, now) for t in overdue)
    else:
        assert choice.reason in ("priority", "longest_wait")


def _longest_ordinary_wait(policy: CallingPolicy) -> float:
    """One window calling every 4 minutes, a priority ticket arriving every 4 minutes (as
    fast as it serves) and two ordinary tickets early on: the longest ordinary wait."""
    hall = Hall(policy=policy)
    hall.add(service("A101"), counter(1, {"A101": 1}))
    hall.open(1)
    longest = 0.0
    for minute in range(0, 240, 4):
        hall.now = T0 + minutes(minute)
        hall.issue("A101", priority=Priority.ELDERLY)
        if minute in (0, 4):
            hall.issue("A101")
        if hall.current(1) is not None:
            hall.finish(1)
        called = hall.call(1)
        assert called is not None
        if called.priority == Priority.ORDINARY:
            longest = max(longest, waited_minutes(called, hall.now))
    return longest if longest else float("inf")


def test_a_priority_stream_never_holds_a_ticket_past_the_maximum() -> None:
    # Without aging the ordinary tickets would wait all day behind the stream …
    assert _longest_ordinary_wait(CallingPolicy(max_wait_minutes=10_000)) == float("inf")
    # … with a 30-minute maximum each is called at the first call after 30 minutes.
    assert 30 <= _longest_ordinary_wait(CallingPolicy(max_wait_minutes=30)) < 30 + 4
    # A ratio gives them turns well before that.
    assert _longest_ordinary_wait(CallingPolicy(max_wait_minutes=30, mix=(1, 1))) <= 8


# --- missed calls (过号) -----------------------------------------------------------------

POLICY = NoShowPolicy(calls=3, interval_seconds=30, return_places=2)


def _called_hall() -> Hall:
    hall = Hall()
    hall.add(service("A101"), counter(1, {"A101": 1}))
    hall.open(1)
    hall.issue("A101")
    assert hall.call(1) is not None
    return hall


def test_no_show_needs_the_calls_and_the_interval() -> None:
    hall = _called_hall()
    c = hall.counters[1]
    with pytest.raises(NoShowTooEarly) as refused:
        lifecycle.no_show(c, hall.current(1), hall.now + timedelta(seconds=40), POLICY)
    assert refused.value.params == {"calls": 1, "needed": 3}
    with pytest.raises(CallTooSoon) as too_soon:
        lifecycle.recall(c, hall.current(1), hall.now + timedelta(seconds=10), POLICY)
    assert too_soon.value.params == {"seconds": 20}
    for _ in (1, 2):
        hall.now += timedelta(seconds=30)
        hall.store(lifecycle.recall(c, hall.current(1), hall.now, POLICY))
    assert hall.current(1).recall_count == 2  # type: ignore[union-attr]
    # Three calls made; the citizen still gets the interval after the last one.
    with pytest.raises(CallTooSoon):
        lifecycle.no_show(c, hall.current(1), hall.now + timedelta(seconds=29), POLICY)
    change = lifecycle.no_show(c, hall.current(1), hall.now + timedelta(seconds=30), POLICY)
    assert change.ticket is not None and change.ticket.status == TicketStatus.NO_SHOW


def _missed_with_line(line_length: int) -> tuple[Hall, str]:
    hall = _called_hall()
    missed = hall.current(1)
    assert missed is not None
    hall.store(lifecycle.no_show(hall.counters[1], missed, hall.now))
    for _ in range(line_length):
        hall.now += minutes(1)
        hall.issue("A101")
    hall.now += minutes(1)
    return hall, missed.id


@pytest.mark.parametrize(
    ("places", "line", "expected_index"),
    [(2, 5, 2), (1, 5, 1), (3, 2, 2), (None, 4, 4)],
)
def test_a_returning_ticket_goes_k_places_behind_the_head_or_to_the_end(
    places: int | None, line: int, expected_index: int
) -> None:
    hall, missed_id = _missed_with_line(line)
    policy = NoShowPolicy(return_places=places)
    today = hall.tickets[missed_id].day
    change = hall.store(
        lifecycle.return_missed(hall.tickets[missed_id], hall.now, today, policy, hall.waiting())
    )
    assert change is not None and change.events[0].type == "ticket.returned"
    back = hall.tickets[missed_id]
    assert back.status == TicketStatus.WAITING and back.return_count == 1
    # Every counter serving its queue sees it at that place: call them all in order.
    order = []
    while (called := hall.call(1)) is not None:
        order.append(called.id)
        hall.finish(1)
    assert order.index(missed_id) == expected_index
    assert change.events[0].data["place"] == (places if places is not None and places < line else None)


def test_a_ticket_comes_back_only_once_the_same_day_and_only_if_the_site_allows() -> None:
    hall, missed_id = _missed_with_line(2)
    missed = hall.tickets[missed_id]
    with pytest.raises(ReturnNotAllowed) as no_return:
        lifecycle.return_missed(missed, hall.now, missed.day, NoShowPolicy(return_places=0), [])
    assert no_return.value.params == {"why": "policy"}
    with pytest.raises(ReturnNotAllowed) as late:
        lifecycle.return_missed(missed, hall.now + timedelta(days=1), "2026-03-03", POLICY, [])
    assert late.value.params == {"why": "another_day"}
    back = lifecycle.return_missed(missed, hall.now, missed.day, POLICY, hall.waiting()).ticket
    assert back is not None
    again = replace(back, status=TicketStatus.NO_SHOW)
    with pytest.raises(ReturnNotAllowed) as twice:
        lifecycle.return_missed(again, hall.now, missed.day, POLICY, [])
    assert twice.value.params == {"why": "already_returned"}


@settings(max_examples=150, deadline=None)
@given(line=st.integers(0, 12), places=st.integers(1, 15))
def test_return_place_property(line: int, places: int) -> None:
    hall, missed_id = _missed_with_line(line)
    missed = hall.tickets[missed_id]
    policy = NoShowPolicy(return_places=places)
    back = lifecycle.return_missed(missed, hall.now, missed.day, policy, hall.waiting()).ticket
    assert back is not None
    ahead = sorted(hall.waiting(), key=lambda t: (t.queue_time, t.seq_no))
    # Exactly min(k, line) tickets of its line are ahead of it.
    assert sum(1 for t in ahead if (t.queue_time, t.seq_no) < (back.queue_time, back.seq_no)) == min(
        places, line
    )
    assert back.queue_time <= hall.now + timedelta(milliseconds=1)


# --- calling a ticket out of order -------------------------------------------------------


def test_an_out_of_order_call_needs_a_reason_from_the_list() -> None:
    hall = Hall()
    hall.add(service("A101"), counter(1, {"A101": 1}))
    hall.open(1)
    first = hall.issue("A101")
    later = hall.issue("A101")
    c = hall.counters[1]
    with pytest.raises(InvalidInput):
        lifecycle.call_ticket(c, later, hall.now, "because")
    change = lifecycle.call_ticket(c, later, hall.now, "returned_with_materials", "clerk")
    assert change.ticket is not None and change.ticket.id == later.id
    assert change.events[0].data == {
        "reason": "out_of_order",
        "clerk": "clerk",
        "out_of_order_reason": "returned_with_materials",
    }
    assert first.status == TicketStatus.WAITING


# --- appointments ----------------------------------------------------------------------


def test_appointment_window() -> None:
    window = rules.AppointmentWindow(early_minutes=30, late_minutes=15)
    slot = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    with pytest.raises(AppointmentTooEarly) as early:
        rules.appointment_priority(window, slot, slot - minutes(31))
    assert early.value.params == {"opens": "09:30"}
    assert rules.appointment_priority(window, slot, slot - minutes(30)) == Priority.APPOINTMENT
    assert rules.appointment_priority(window, slot, slot + minutes(15)) == Priority.APPOINTMENT
    assert rules.appointment_priority(window, slot, slot + minutes(16)) == Priority.ORDINARY


# --- caps ---------------------------------------------------------------------------------


def test_person_and_proxy_caps() -> None:
    with pytest.raises(OneActiveTicket) as refused:
        caps.check_person(caps.Holdings(active=1, today=1, held="A023"), daily_limit=3)
    assert refused.value.params == {"number": "A023"}
    with pytest.raises(PersonLimitReached):
        caps.check_person(caps.Holdings(active=0, today=3), daily_limit=3)
    caps.check_person(caps.Holdings(active=0, today=2), daily_limit=3)
    caps.check_person(caps.Holdings(active=0, today=50), daily_limit=None)
    with pytest.raises(ProxyCapReached):
        caps.check_proxy(20, 20, "王*")
    caps.check_proxy(19, 20, "王*")


@settings(max_examples=200, deadline=None)
@given(
    cap=st.integers(1, 200),
    share=st.floats(0, 1),
    bookings=st.integers(0, 300),
    walk_ins=st.integers(0, 300),
)
def test_walk_in_quota_is_kept_from_bookings(
    cap: int, share: float, bookings: int, walk_ins: int
) -> None:
    """Bookings arrive first and take all they can; walk-ins then still find the reserve."""
    item = service("A101", daily_cap=cap)
    reserved = lifecycle.walk_in_reserved(cap, share)
    issued = {Channel.APPOINTMENT: 0, Channel.KIOSK: 0}
    for channel, attempts in ((Channel.APPOINTMENT, bookings), (Channel.KIOSK, walk_ins)):
        for _ in range(attempts):
            try:
                lifecycle.check_can_issue(
                    SITE, item, T0, sum(issued.values()), True, channel, reserved
                )
            except (WalkInReserved, DailyCapReached):
                continue
            issued[channel] += 1
    assert sum(issued.values()) <= cap
    assert issued[Channel.APPOINTMENT] == min(bookings, cap - reserved)
    assert issued[Channel.KIOSK] == min(walk_ins, cap - issued[Channel.APPOINTMENT])
    assert reserved == (0 if share <= 0 else min(cap, math.ceil(round(cap * share, 9))))
    assert lifecycle.walk_in_reserved(25, 0.28) == 7 and lifecycle.walk_in_reserved(25, 0.29) == 8


def test_quota_and_next_issue_time() -> None:
    quota = caps.quota(10, 8, 0.3)
    assert quota is not None
    assert (quota.remaining, quota.reserved) == (2, 3)
    assert quota.remaining_for(Channel.ONLINE) == 0 and quota.remaining_for(Channel.KIOSK) == 2
    assert caps.quota(None, 8, 0.3) is None
    # Friday 16:00 in Shanghai: the next tickets are on Monday at 08:30.
    friday = datetime(2026, 3, 6, 8, 0, tzinfo=UTC)
    assert caps.next_issue_time(SITE_WITH_HOURS, friday) == datetime(2026, 3, 9, 0, 30, tzinfo=UTC)
    # Always open: from local midnight.
    assert caps.next_issue_time(SITE, friday) == datetime(2026, 3, 6, 16, 0, tzinfo=UTC)


# --- the rules read from settings, described by codes, said in one sentence -------------


def said(phrase: rules.Phrase, lang: str = "zh") -> str:
    code, params = phrase
    return say(code, lang, **params)


def test_rules_from_settings_with_counter_overrides() -> None:
    site = Site(
        id="s",
        name="x",
        kind=SiteKind.HALL,
        settings={
            "mix": [1, 2],
            "max_wait_minutes": 60,
            "no_show_calls": 3,
            "no_show_interval_seconds": 30,
            "no_show_return": 3,
        },
    )
    assert rules.calling_policy(site) == CallingPolicy(max_wait_minutes=60, mix=(1, 2))
    own = replace(counter(1, {"A101": 1}), rules={"mix": [1, 1], "max_wait_minutes": 45})
    assert rules.calling_policy(site, own) == CallingPolicy(max_wait_minutes=45, mix=(1, 1))
    assert rules.no_show_policy(site) == NoShowPolicy(3, 30, 3)
    assert rules.calling_policy(Site(id="t", name="y", kind=SiteKind.HALL)).mix is None
    assert rules.parse_mix([0, 2]) is None and rules.parse_mix("1:2") is None
    mixing = rules.describe_mixing(rules.calling_policy(site))
    assert mixing == ("rule_mixing_in_turn", {"p": 1, "o": 2, "minutes": 60.0})
    assert said(mixing) == "优先号与普通号按 1:2 交替叫号；任何人等候满 60 分钟即优先叫号。"
    no_show = rules.describe_no_show(rules.no_show_policy(site))
    assert said(no_show) == (
        "过号规则：叫号 3 次（每次间隔 30 秒）未到即为过号，当天返回可顺延 3 位后办理。"
    )
    assert "3 times, 30 s apart" in said(no_show, "en")


def test_a_return_between_two_tickets_of_the_same_millisecond_goes_after_the_kth() -> None:
    hall, missed_id = _missed_with_line(0)
    for _ in range(3):  # three tickets issued in the same instant
        hall.issue("A101")
    missed = hall.tickets[missed_id]
    back = lifecycle.return_missed(
        missed, hall.now, missed.day, NoShowPolicy(return_places=1), hall.waiting()
    ).ticket
    assert back is not None
    line = sorted([*hall.waiting(), back], key=lambda t: (t.queue_time, t.seq_no))
    assert line.index(back) >= 1  # never ahead of the first


@pytest.mark.parametrize("calls", [1, 2, 3, 5])
@pytest.mark.parametrize("places", [None, 0, 1, 3, 20])
def test_the_missed_call_line_fits_one_line_of_an_80mm_ticket(calls: int, places: int | None) -> None:
    import unicodedata

    policy = NoShowPolicy(calls=calls, interval_seconds=30, return_places=places)
    for lang in ("zh", "en"):
        line = said(rules.describe_no_show_line(policy), lang)
        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        assert width <= 48, line
        assert str(calls) in line


def test_a_queue_follows_the_ratio_its_windows_share() -> None:
    site = Site(id="h", name="x", kind=SiteKind.HALL, settings={"mix": [1, 2]})
    own = replace(counter(1, {"A101": 1}), rules={"mix": [1, 1]})
    also_own = replace(counter(2, {"A101": 1}), rules={"mix": [1, 1]})
    plain = counter(3, {"A101": 1})
    assert rules.queue_mix(site, [own, also_own]) == (1, 1)
    assert rules.queue_mix(site, [own, plain]) == (1, 2)  # the windows differ: the site's
    assert rules.queue_mix(site, [plain]) == (1, 2)
    assert rules.queue_mix(site, []) == (1, 2)  # no window open
    assert rules.queue_mix(site, [replace(plain, rules={"mix": "priority first"})]) is None  # an unreadable ratio: none
