"""A site's configuration as the admin pages save it: the site itself and its opening
hours, its settings (the queue rules among them), what it offers, its counters, and the
rules preview that replays proposed settings on its history (`api/admin_api.py`).

The bodies are forms (`forms.py`: numbers from text, "" for not set). What needs the
database — a site or an item exists, a code is offered, the actor's scope — is checked by
`administration/changes.py` and `rules_preview.py`, which raise `FieldInvalid` as these
models do.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    Strict,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from queue_server.administration.rules_preview import DEFAULT_DAYS, MAX_DAYS
from queue_server.api.schemas.forms import (
    Flag,
    Form,
    Line,
    Named,
    Settings,
    Whole,
    blank_is_absent,
    digits,
    refused,
)
from queue_server.engine.hours import WEEKDAYS
from queue_server.engine.rules import RETURN_TO_END
from queue_server.parsing import parse
from queue_server.people.retention import MAX_PERSONAL_DATA_DAYS, MIN_PERSONAL_DATA_DAYS
from queue_server.wire.shapes import CounterKind, ProfileLine, Site, SiteKind

SITE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
PLACEHOLDER = re.compile(r"{([^{}]*)}")
# What the hall display fills in (static/announcer.js): the number and the window are required.
TEMPLATE_PLACEHOLDERS = ("number", "window", "window_name")
TEMPLATE_REQUIRED = ("number", "window")
IDENTIFICATION = ("off", "optional", "required")
Identification = Literal[IDENTIFICATION]  # type: ignore[valid-type]


# --- the rules of single values ----------------------------------------------------------


def _site_id(value: str) -> str:
    if not SITE_ID.match(value):
        raise PydanticCustomError("field_site_id", "2–40 small letters, digits and -")
    return value


def _time_zone(value: Any) -> Any:
    if value is None or value == "":
        return "Asia/Shanghai"
    if not isinstance(value, str) or len(value) > 64:
        raise PydanticCustomError("field_timezone", "unknown time zone", {"value": str(value)[:64]})
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError("field_timezone", "unknown time zone", {"value": value}) from None
    return value


def _announcement(template: str) -> str:
    """An announcement's template: only the display's placeholders, the number and the window in it."""
    if not template:
        return ""
    names = PLACEHOLDER.findall(template)
    unknown = [n for n in names if n not in TEMPLATE_PLACEHOLDERS]
    if unknown or template.count("{") != len(names) or template.count("}") != len(names):
        raise PydanticCustomError(
            "field_placeholder",
            "unknown placeholder",
            {"allowed": "{number} {window} {window_name}"},
        )
    if any(n not in names for n in TEMPLATE_REQUIRED):
        raise PydanticCustomError("field_template", "the number and the window are required")
    return template


def _mix(value: Any) -> Any:
    """[priority calls, ordinary calls], each 1–20, as numbers or their text; empty: none."""
    if value is None or value == "" or value == [] or value == ["", ""]:
        return None
    if isinstance(value, list | tuple) and len(value) == 2:
        parts = [int(v) if digits(v) else v for v in value]
        if all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 20 for v in parts):
            return parts
    raise PydanticCustomError("field_mix", "two whole numbers from 1 to 20")


def _no_show_return(value: Any) -> Any:
    """Where a missed ticket goes when its citizen comes back: "end", k places (1–20) or
    0 (it cannot come back)."""
    if value is None or value == "":
        return None
    if value == RETURN_TO_END:
        return RETURN_TO_END
    if digits(value):
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 20:
        return value
    raise PydanticCustomError("field_no_show_return", "end, 1–20 or 0")


def _share(value: Any) -> Any:
    """A share from 0 to 1 (0.3 = three tenths), as a number or its text."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise PydanticCustomError("field_fraction", "a number from 0 to 1") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise PydanticCustomError("field_fraction", "a number from 0 to 1")
    return float(value)


def _or_default(default: str) -> BeforeValidator:
    """An empty choice (a select left at its blank line) takes the default."""
    return BeforeValidator(lambda value: default if value is None or value == "" else value)


Mix = Annotated[
    Annotated[list[Annotated[int, Field(ge=1, le=20)]], Field(min_length=2, max_length=2)] | None,
    BeforeValidator(_mix),
]
NoShowReturn = Annotated[
    Literal["end"] | Annotated[int, Field(ge=0, le=20)] | None, BeforeValidator(_no_show_return)
]
Share = Annotated[Annotated[float, Field(ge=0, le=1)] | None, BeforeValidator(_share)]
Template = Annotated[Line, AfterValidator(_announcement)]
TimeZone = Annotated[str, BeforeValidator(_time_zone)]
ItemCode = Annotated[str, Strict()]


# --- sites -------------------------------------------------------------------------------


def _day_spans(value: Any, info: ValidationInfo) -> Any:
    """A day's opening spans: up to three (a lunch break splits a day in two), in order."""
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > 3:
        raise PydanticCustomError("field_hours_form", "a list of up to three spans")
    clean = []
    for span in value:
        if not (
            isinstance(span, list | tuple)
            and len(span) == 2
            and all(isinstance(t, str) and CLOCK.match(t) for t in span)
        ):
            raise PydanticCustomError("field_clock", "times are HH:MM")
        if span[1] <= span[0]:
            raise PydanticCustomError("field_span_order", "a span ends after it starts")
        clean.append([span[0], span[1]])
    clean.sort()
    for earlier, later in zip(clean, clean[1:], strict=False):
        if later[0] < earlier[1]:
            raise PydanticCustomError("field_span_overlap", "spans must not overlap")
    return clean


Clock = Annotated[str, Field(pattern=CLOCK.pattern)]
DaySpans = Annotated[
    Annotated[list[Annotated[list[Clock], Field(min_length=2, max_length=2)]], Field(max_length=3)]
    | None,
    BeforeValidator(_day_spans),
]


class OpeningHours(Named):
    """Opening hours per weekday: [["08:30", "12:00"], ["13:30", "17:30"]] (a lunch break
    splits a day); a day left out or empty is closed."""

    __pydantic_extra__: dict[str, Annotated[Any, refused("field_weekday", "unknown weekday")]] = (
        Field(init=False)
    )
    mon: DaySpans = None
    tue: DaySpans = None
    wed: DaySpans = None
    thu: DaySpans = None
    fri: DaySpans = None
    sat: DaySpans = None
    sun: DaySpans = None

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            raise PydanticCustomError("field_hours_form", "an object of weekdays")
        return value

    def days(self) -> dict[str, list[list[str]]]:
        """The open days and their spans, in weekday order."""
        spans = self.model_dump(exclude_none=True)
        return {day: spans[day] for day in WEEKDAYS if spans.get(day)}


class SiteChange(Form):
    """A site as the site form saves it."""

    name: Line = Field(min_length=1, max_length=100)
    name_en: Line = Field("", max_length=100)
    kind: SiteKind
    parent: Annotated[
        Annotated[str, Strict(), Field(max_length=40)] | None, BeforeValidator(blank_is_absent)
    ] = Field(None, description="the site above it; null: the root of the city")
    timezone: TimeZone = Field("Asia/Shanghai", description="IANA name; empty: Asia/Shanghai")
    hours: OpeningHours | None = Field(None, description="null: always open")

    def opening_hours(self) -> dict[str, list[list[str]]] | None:
        return self.hours.days() if self.hours is not None else None


class NewSite(SiteChange):
    id: Annotated[str, Strict(), AfterValidator(_site_id)] = Field(
        description="2–40 small letters, digits and -, e.g. village-xinqiao"
    )


class SiteAnswer(BaseModel):
    """The site as saved"""

    site: Site


class SiteSettings(Settings):
    """The per-site settings the rest of the system reads (docs/administration.md lists them). A
    setting left out, null or "" takes its default."""

    target_wait_minutes: Whole = Field(None, ge=1, le=240)
    max_wait_minutes: Whole = Field(None, ge=1, le=480, description="not below target_wait_minutes")
    mix: Mix = Field(
        None, description="[priority calls, ordinary calls], each 1–20; empty: priority first"
    )
    appointment_early_minutes: Whole = Field(None, ge=0, le=240)
    appointment_late_minutes: Whole = Field(None, ge=0, le=120)
    no_show_calls: Whole = Field(None, ge=1, le=5)
    no_show_interval_seconds: Whole = Field(None, ge=0, le=300)
    no_show_return: NoShowReturn = Field(
        None, description='"end", 1–20 places back, or 0: no return'
    )
    walk_in_share: Share = Field(None, description="the share of a capped item kept for walk-ins")
    identification: Annotated[Identification, _or_default("off")] = "off"
    elderly_age: Whole = Field(None, ge=50, le=100)
    daily_limit_per_person: Whole = Field(None, ge=1, le=20)
    personal_data_days: Whole = Field(None, ge=MIN_PERSONAL_DATA_DAYS, le=MAX_PERSONAL_DATA_DAYS)
    elderly_one_tap: Line = Field(
        "",
        max_length=32,
        description="the item an elderly citizen's card tap takes (a code the site offers)",
    )
    help_item: Line = Field(
        "", max_length=32, description="the item a request for help (帮办) is issued for"
    )
    open_on_holidays: Flag = Field(
        None, description="true: opens on national holidays by its weekly hours (no make-up days)"
    )
    require_id_for_capped: Flag = Field(
        None, description="true: a kiosk needs an ID card for capped items"
    )
    announce_template: Template = Field(
        "", max_length=100, description="must hold {number} and {window}"
    )
    announce_template_en: Template = Field("", max_length=100)
    announce_english: Flag = None
    announce_times: Whole = Field(None, ge=1, le=3)
    notice: Line = Field("", max_length=200)
    notice_en: Line = Field("", max_length=200)
    # How long after the end of service the phone page takes a rating (evaluator: 10 min).
    rating_window_hours: Whole = Field(None, ge=1, le=720)
    # Appointments (engine/booking.py): per-person rules, cut-off, grace, remote tickets.
    booking_no_show_limit: Whole = Field(None, ge=0, le=20, description="0: never suspended")
    booking_no_show_days: Whole = Field(None, ge=1, le=365)
    booking_suspend_days: Whole = Field(None, ge=1, le=365)
    booking_cancel_minutes: Whole = Field(None, ge=0, le=2880)
    booking_grace_minutes: Whole = Field(None, ge=0, le=240)
    remote_tickets: Flag = Field(None, description="true: same-day tickets on the phone page (线上取号)")

    @field_validator("max_wait_minutes")
    @classmethod
    def _not_below_target(cls, longest: int | None, info: ValidationInfo) -> int | None:
        target = info.data.get("target_wait_minutes")
        if target is not None and longest is not None and longest < target:
            raise PydanticCustomError("field_below_target", "below the target wait")
        return longest


class SettingsAnswer(BaseModel):
    """The settings as saved (defaults left out)"""

    settings: dict[str, object]


class Offerings(Form):
    """What a site offers. A list left out keeps what the site has; an empty list clears it."""

    services: list[ItemCode] | None = None
    bundles: list[ItemCode] | None = None


class OfferingsAnswer(BaseModel):
    """The site's offerings now"""

    services: list[str]
    bundles: list[str]


# --- counters ----------------------------------------------------------------------------


class CounterRules(Settings):
    """Where a counter's calling rules differ from its site's (`engine.rules`)."""

    mix: Mix = None
    max_wait_minutes: Whole = Field(None, ge=1, le=480)


def _profile_line(value: Any) -> Any:
    if isinstance(value, dict) and (value.get("service") is None) != (value.get("bundle") is None):
        code = value.get("service") or value.get("bundle")
        weight = value.get("weight")
        weight = 1.0 if weight is None or weight == "" else weight
        if isinstance(weight, str):
            try:
                weight = float(weight)
            except ValueError:
                weight = None
        if (
            isinstance(code, str)
            and isinstance(weight, int | float)
            and not isinstance(weight, bool)
        ):
            if 0 < weight <= 100:
                return {**value, "weight": float(weight)}
    raise PydanticCustomError(
        "field_profile_entry", "one service or bundle, weight above 0 and at most 100"
    )


class ProfileChoice(BaseModel):
    """One line of a counter's profile: one service or one bundle, weight above 0 and at most 100."""

    service: str | None = None
    bundle: str | None = None
    weight: Annotated[float, Field(gt=0, le=100)] = 1.0

    @model_validator(mode="before")
    @classmethod
    def _one_item(cls, value: Any) -> Any:
        return _profile_line(value)

    @property
    def key(self) -> str:
        return f"service:{self.service}" if self.service else f"bundle:{self.bundle}"


class CounterChange(Form):
    """A counter as the counter form saves it. `rules` left out: the counter keeps its own."""

    name: Line = Field(min_length=1, max_length=40)
    kind: Annotated[CounterKind, _or_default("comprehensive")] = "comprehensive"
    profile: list[ProfileChoice] = Field(default_factory=list, validate_default=True)
    rules: CounterRules | None = None

    @field_validator("profile")
    @classmethod
    def _each_item_once(cls, profile: list[ProfileChoice]) -> list[ProfileChoice]:
        if not profile:
            raise PydanticCustomError("field_profile_empty", "at least one item")
        keys = [line.key for line in profile]
        if len(set(keys)) != len(keys):
            raise PydanticCustomError("field_profile_duplicate", "each item once")
        return profile


class CounterConfig(BaseModel):
    number: int
    name: str
    kind: CounterKind
    profile: list[ProfileLine]
    rules: dict[str, object]


class SavedCounter(BaseModel):
    """The counter as saved: callable at once"""

    counter: CounterConfig


# --- the rules preview -------------------------------------------------------------------


def _settings_as_named(value: Any) -> Any:
    """The settings as the settings form names them (`mix`, not `settings.mix`): the
    preview shows a refused one next to its field."""
    return parse(SiteSettings, value) if isinstance(value, dict) else value


class PreviewRequest(Form):
    days: Whole = Field(
        None,
        ge=1,
        le=MAX_DAYS,
        description=f"complete local days before today (default {DEFAULT_DAYS})",
    )
    settings: Annotated[SiteSettings | None, BeforeValidator(_settings_as_named)] = Field(
        None,
        description="as the settings form saves them; left out: the site's settings as they are",
    )
    counter_rules: dict[str, CounterRules] | None = Field(
        None, description="{window number: its rules}"
    )


class WaitFigures(BaseModel):
    served: int
    not_served: int
    average_minutes: float | None
    p90_minutes: float | None = Field(description="nearest rank")
    longest_minutes: float | None


class RuleSentences(BaseModel):
    current: dict[str, str]
    proposed: dict[str, str]


class RulesPreview(BaseModel):
    """Per group (each priority class, `priority`, `all`), the figures recorded, replayed
    under the current rules and under the proposed ones"""

    site: str
    first_day: str
    last_day: str
    days_with_history: int
    tickets: int
    calls: int
    groups: list[str]
    recorded: dict[str, WaitFigures]
    current: dict[str, WaitFigures]
    proposed: dict[str, WaitFigures]
    rules: RuleSentences
    settings: dict[str, object]
    counter_rules: dict[str, dict[str, object]]
