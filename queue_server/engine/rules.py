"""A site's queue rules, read from its settings, and said in one plain sentence each.

The rules a hall manager sets (the admin pages validate them; docs/administration.md lists them):

- mixing: when priority tickets and ordinary tickets both wait, p of every p + o calls
  go to priority tickets (`mix`: [p, o]); without it priority tickets always go first;
- longest wait: past `max_wait_minutes` any ticket goes first;
- appointments: an appointment counts as on time from `appointment_early_minutes`
  before its slot to `appointment_late_minutes` after it;
- missed calls (过号): `no_show_calls` calls, `no_show_interval_seconds` apart, before
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

from queue_server.engine.calling import CallingPolicy
from queue_server.engine.errors import AppointmentTooEarly
from queue_server.engine.hours import local_time
from queue_server.engine.model import Counter, Priority, Site

DEFAULT_MAX_WAIT_MINUTES = 90.0
RETURN_TO_END = "end"


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


# --- in one plain sentence -------------------------------------------------------------


def mixing_sentence(policy: CallingPolicy, lang: str = "zh") -> str:
    minutes = f"{policy.max_wait_minutes:g}"
    if policy.mix is None:
        if lang == "en":
            return (
                "Priority tickets (elderly, disabled, on-time appointments) are called first; "
                f"anyone who has waited {minutes} minutes is called before them."
            )
        return (
            f"优先号（老年人、残疾人、准时预约等）优先叫号；任何人等候满 {minutes} 分钟即优先叫号。"
        )
    p, o = policy.mix
    if lang == "en":
        return (
            f"Priority and ordinary tickets are called in turn, {p} priority for every {o} "
            f"ordinary; anyone who has waited {minutes} minutes is called first."
        )
    return f"优先号与普通号按 {p}:{o} 交替叫号；任何人等候满 {minutes} 分钟即优先叫号。"


def no_show_sentence(policy: NoShowPolicy, lang: str = "zh") -> str:
    calls, interval = policy.calls, policy.interval_seconds
    if lang == "en":
        called = f"called {calls} time{'s' if calls > 1 else ''}"
        if calls > 1 and interval:
            called += f", {interval} s apart"
        if not policy.allows_return:
            back = "a missed ticket is void; please take a new one"
        elif policy.return_places is None:
            back = "back the same day, you queue again at the end"
        else:
            back = f"back the same day, you go {policy.return_places} places behind the next"
        return f"Missed call: after being {called} without coming, {back}."
    called = f"叫号 {calls} 次" + (f"（每次间隔 {interval} 秒）" if calls > 1 and interval else "")
    if not policy.allows_return:
        back = "号票作废，请重新取号"
    elif policy.return_places is None:
        back = "当天返回可重新排到队尾"
    else:
        back = f"当天返回可顺延 {policy.return_places} 位后办理"
    return f"过号规则：{called}未到即为过号，{back}。"


def no_show_line(policy: NoShowPolicy, lang: str = "zh") -> str:
    """The missed-call rule short enough for one line of an 80 mm ticket (24 Chinese
    characters, 48 Latin); the full sentence is on the screens and the phone page."""
    calls = policy.calls
    if lang == "en":
        if not policy.allows_return:
            return f"Missed call: {calls} call{'s' if calls > 1 else ''}, then void"
        back = "end of line" if policy.return_places is None else f"+{policy.return_places} places"
        return f"Missed call: {calls} call{'s' if calls > 1 else ''}; back today: {back}"
    if not policy.allows_return:
        return f"过号：叫{calls}次未到即作废"
    back = "排队尾" if policy.return_places is None else f"顺延{policy.return_places}位"
    return f"过号：叫{calls}次未到，当天返回{back}"


def appointment_sentence(window: AppointmentWindow, lang: str = "zh") -> str:
    if lang == "en":
        return (
            f"Appointments count as on time from {window.early_minutes} minutes before "
            f"to {window.late_minutes} minutes after the slot."
        )
    return f"预约号在预约时段前 {window.early_minutes} 分钟至后 {window.late_minutes} 分钟内到达视为准时。"
