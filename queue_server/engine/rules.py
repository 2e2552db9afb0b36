"""A site's queue rules, read from its settings, and described by codes of the message
catalogue (`describe_*`: a code and its parameters; the edges say them).

The rules a hall manager sets (the admin pages validate them; docs/administration.md lists them):

- mixing: when priority tickets and ordinary tickets both wait, p of every p + o calls
  go to priority tickets (`mix`: [p, o]); without it priority tickets always go first;
- longest wait: past `max_wait_minutes` any ticket goes first;
- appointments: an appointment counts as on time from `appointment_early_minutes`
  before its slot to `appointment_late_minutes` after it;
- missed calls: `no_show_calls` calls, `no_show_interval_seconds` apart, before
  a clerk may record a no-show; a citizen who comes back the same day goes back
  `no_show_return` places behind the head of the queue ("end": behind everyone;
  0: no return);
- proxies and walk-ins: see `caps.py`.

A counter may override the mixing rule and the longest wait (`Counter.rules`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from queue_server.engine.call_order import CallingPolicy
from queue_server.engine.errors import AppointmentTooEarly
from queue_server.engine.hours import local_time
from queue_server.engine.model import Counter, Priority, Site

DEFAULT_MAX_WAIT_MINUTES = 90.0
RETURN_TO_END = "end"

# A code of the message catalogue (queue_server/wire/words.py) and its parameters.
Phrase = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class AppointmentWindow:
    early_minutes: int = 30
    late_minutes: int = 15


@dataclass(frozen=True)
class NoShowPolicy:
    calls: int = 1  # calls (the first and its recalls) before a no-show may be recorded
    interval_seconds: int = 0  # the least time between two calls, and after the last one
    # Places behind the head of its queue a returning ticket goes; None: to the end;
    # 0: a missed ticket cannot return.
    return_places: int | None = None

    @property
    def allows_return(self) -> bool:
        return self.return_places != 0


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def parse_mix(value: Any) -> tuple[int, int] | None:
    """[p, o] → (p, o) when both are whole numbers ≥ 1 (≤ 20); anything else → None."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    p, o = value
    if any(isinstance(x, bool) or not isinstance(x, int) or not 1 <= x <= 20 for x in (p, o)):
        return None
    return int(p), int(o)


def calling_policy(site: Site, counter: Counter | None = None) -> CallingPolicy:
    """The calling policy of a counter: its site's rules with the counter's overrides."""
    settings = dict(site.settings)
    if counter is not None:
        settings.update(
            {k: v for k, v in counter.rules.items() if k in ("mix", "max_wait_minutes")}
        )
    max_wait = _number(settings.get("max_wait_minutes")) or DEFAULT_MAX_WAIT_MINUTES
    return CallingPolicy(max_wait_minutes=max_wait, mix=parse_mix(settings.get("mix")))


def queue_mix(site: Site, counters: Iterable[Counter]) -> tuple[int, int] | None:
    """The mixing ratio a queue's tickets are most likely called by: the one every open
    window serving it follows (a window's own ratio, or the site's), else the site's."""
    mixes = {calling_policy(site, counter).mix for counter in counters}
    if len(mixes) == 1:
        return mixes.pop()
    return calling_policy(site).mix


def appointment_window(site: Site) -> AppointmentWindow:
    early = _number(site.settings.get("appointment_early_minutes"))
    late = _number(site.settings.get("appointment_late_minutes"))
    default = AppointmentWindow()
    return AppointmentWindow(
        early_minutes=int(early) if early is not None else default.early_minutes,
        late_minutes=int(late) if late is not None else default.late_minutes,
    )


def appointment_priority(
    window: AppointmentWindow, slot: datetime, now: datetime, tz: str = "Asia/Shanghai"
) -> Priority:
    """The class of an appointment checked in at `now` for its `slot`.

    Within the window it is an on-time appointment (a priority class); later it is an
    ordinary ticket (the citizen is still served, just not ahead); too early, the
    citizen is told when to check in.
    """
    opens = slot - timedelta(minutes=window.early_minutes)
    if now < opens:
        raise AppointmentTooEarly(opens=local_time(opens, tz).strftime("%H:%M"))
    if now <= slot + timedelta(minutes=window.late_minutes):
        return Priority.APPOINTMENT
    return Priority.ORDINARY


def walk_in_share(site: Site) -> float:
    """The share of each daily cap kept for walk-ins (`caps.py`); 0 when unset."""
    share = _number(site.settings.get("walk_in_share"))
    return min(max(share, 0.0), 1.0) if share is not None else 0.0


def no_show_policy(site: Site) -> NoShowPolicy:
    settings = site.settings
    calls = _number(settings.get("no_show_calls"))
    interval = _number(settings.get("no_show_interval_seconds"))
    back = settings.get("no_show_return", RETURN_TO_END)
    places = None if back == RETURN_TO_END else int(back) if _number(back) is not None else None
    return NoShowPolicy(
        calls=max(1, int(calls)) if calls is not None else 1,
        interval_seconds=max(0, int(interval)) if interval is not None else 0,
        return_places=places,
    )


# --- what each rule says, as codes of the message catalogue --------------------------
# The engine words nothing: each rule is a code and its parameters (a parameter may be a
# phrase itself); `calling/rules_view.py` says them in the reader's language.


def describe_mixing(policy: CallingPolicy) -> Phrase:
    if policy.mix is None:
        return "rule_mixing_priority_first", {"minutes": policy.max_wait_minutes}
    p, o = policy.mix
    return "rule_mixing_in_turn", {"p": p, "o": o, "minutes": policy.max_wait_minutes}


def describe_no_show(policy: NoShowPolicy) -> Phrase:
    calls, interval = policy.calls, policy.interval_seconds
    if calls <= 1:
        called: Phrase = ("rule_called_once", {"calls": calls})
    elif interval:
        called = ("rule_called_times_apart", {"calls": calls, "interval": interval})
    else:
        called = ("rule_called_times", {"calls": calls})
    return "rule_no_show", {"called": called, "back": _back(policy)}


def _back(policy: NoShowPolicy) -> Phrase:
    if not policy.allows_return:
        return "rule_back_void", {}
    if policy.return_places is None:
        return "rule_back_end", {}
    return "rule_back_places", {"places": policy.return_places}


def describe_no_show_line(policy: NoShowPolicy) -> Phrase:
    """The missed-call rule short enough for one line of an 80 mm ticket; the full
    sentence is on the screens and the phone page."""
    calls = policy.calls
    called: Phrase = ("rule_line_called_once" if calls <= 1 else "rule_line_called", {"calls": calls})
    if not policy.allows_return:
        return "rule_no_show_line_void", {"called": called}
    if policy.return_places is None:
        back: Phrase = ("rule_line_back_end", {})
    else:
        back = ("rule_line_back_places", {"places": policy.return_places})
    return "rule_no_show_line", {"called": called, "back": back}


def describe_appointments(window: AppointmentWindow) -> Phrase:
    return "rule_appointment", {"early": window.early_minutes, "late": window.late_minutes}
