"""Checks of the fields an administration request sends, each failure a `FieldInvalid`
that names the field and picks a zh/en message (`messages.py`, codes `field_*`)."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from queue_server.administration.catalog_import import CatalogError
from queue_server.engine.errors import FieldInvalid
from queue_server.engine.hours import WEEKDAYS
from queue_server.engine.rules import RETURN_TO_END
from queue_server.people.retention import MAX_PERSONAL_DATA_DAYS, MIN_PERSONAL_DATA_DAYS

SITE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
PLACEHOLDER = re.compile(r"{([^{}]*)}")
# What the hall display fills in (static/announcer.js): the number and the window are required.
TEMPLATE_PLACEHOLDERS = ("number", "window", "window_name")
TEMPLATE_REQUIRED = ("number", "window")
IDENTIFICATION = ("off", "optional", "required")


# --- field checks ----------------------------------------------------------------------


def text(
    data: dict[str, Any],
    name: str,
    required: bool = True,
    max_length: int = 100,
    one_line: bool = True,
) -> str:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise FieldInvalid(name, "required")
        return ""
    if not isinstance(value, str):
        raise FieldInvalid(name, "text")
    value = value.strip()
    if len(value) > max_length:
        raise FieldInvalid(name, "too_long", max=max_length)
    if one_line and ("\n" in value or "\r" in value):
        raise FieldInvalid(name, "one_line")
    return value


def integer(
    data: dict[str, Any], name: str, low: int, high: int, required: bool = False
) -> int | None:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise FieldInvalid(name, "required")
        return None
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise FieldInvalid(name, "integer", min=low, max=high)
    return value


def flag(data: dict[str, Any], name: str) -> bool | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise FieldInvalid(name, "bool")
    return value


def choice(
    data: dict[str, Any],
    name: str,
    options: tuple[str, ...] | list[str],
    default: str | None = None,
) -> str:
    value = data.get(name, default)
    if value is None or value == "":
        raise FieldInvalid(name, "required")
    if value not in options:
        raise FieldInvalid(name, "choice", choices=", ".join(options))
    return str(value)


def check_hours(value: Any) -> dict[str, list[list[str]]] | None:
    """Opening hours per weekday: up to three spans (a lunch break splits a day in two)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise FieldInvalid("hours", "hours_form")
    result: dict[str, list[list[str]]] = {}
    for day, spans in value.items():
        where = f"hours.{day}"
        if day not in WEEKDAYS:
            raise FieldInvalid(where, "weekday")
        if not isinstance(spans, list) or len(spans) > 3:
            raise FieldInvalid(where, "hours_form")
        clean = []
        for span in spans:
            if not (
                isinstance(span, list | tuple)
                and len(span) == 2
                and all(isinstance(t, str) and CLOCK.match(t) for t in span)
            ):
                raise FieldInvalid(where, "clock")
            if span[1] <= span[0]:
                raise FieldInvalid(where, "span_order")
            clean.append([span[0], span[1]])
        clean.sort()
        for earlier, later in zip(clean, clean[1:], strict=False):
            if later[0] < earlier[1]:
                raise FieldInvalid(where, "span_overlap")
        if clean:
            result[day] = clean
    return result


def check_timezone(value: Any) -> str:
    if value is None or value == "":
        return "Asia/Shanghai"
    if not isinstance(value, str) or len(value) > 64:
        raise FieldInvalid("timezone", "timezone", value=str(value)[:64])
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise FieldInvalid("timezone", "timezone", value=value) from None
    return value


def check_template(data: dict[str, Any], name: str) -> str:
    template = text(data, name, required=False, max_length=100)
    if not template:
        return ""
    names = PLACEHOLDER.findall(template)
    unknown = [n for n in names if n not in TEMPLATE_PLACEHOLDERS]
    if unknown or template.count("{") != len(names) or template.count("}") != len(names):
        raise FieldInvalid(name, "placeholder", allowed="{number} {window} {window_name}")
    missing = [n for n in TEMPLATE_REQUIRED if n not in names]
    if missing:
        raise FieldInvalid(name, "template")
    return template


def check_mix(data: dict[str, Any], name: str = "mix") -> list[int] | None:
    """The mixing rule [priority calls, ordinary calls], each 1–20; empty: priority first."""
    value = data.get(name)
    if value is None or value == "" or value == [] or value == ["", ""]:
        return None
    if isinstance(value, list | tuple) and len(value) == 2:
        parts = [int(v) if isinstance(v, str) and v.strip().isdigit() else v for v in value]
        if all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 20 for v in parts):
            return parts
    raise FieldInvalid(name, "mix")


def fraction(data: dict[str, Any], name: str) -> float | None:
    """A share from 0 to 1 (0.3 = three tenths), as a number or its text."""
    value = data.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise FieldInvalid(name, "fraction") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise FieldInvalid(name, "fraction")
    return float(value)


def check_no_show_return(data: dict[str, Any], name: str = "no_show_return") -> str | int | None:
    """Where a missed ticket goes when its citizen comes back: "end", k places (1–20) or
    0 (it cannot come back)."""
    value = data.get(name)
    if value is None or value == "":
        return None
    if value == RETURN_TO_END:
        return RETURN_TO_END
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 20:
        return value
    raise FieldInvalid(name, "no_show_return")


def _prefixed(where: str, exc: FieldInvalid) -> FieldInvalid:
    params = {k: v for k, v in exc.params.items() if k != "field"}
    return FieldInvalid(f"{where}.{exc.field}", exc.code.removeprefix("field_"), **params)


COUNTER_RULES = ("mix", "max_wait_minutes")


def check_counter_rules(value: Any, where: str = "rules") -> dict[str, Any]:
    """Where a counter's calling rules differ from its site's (`engine.rules`); {} = none."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FieldInvalid(where, "form")
    try:
        for name in value:
            if name not in COUNTER_RULES:
                raise FieldInvalid(name, "unknown_setting")
        checked = {
            "mix": check_mix(value, "mix"),
            "max_wait_minutes": integer(value, "max_wait_minutes", 1, 480),
        }
    except FieldInvalid as exc:
        raise _prefixed(where, exc) from None
    return {k: v for k, v in checked.items() if v is not None}


def check_settings(data: Any, offered: Collection[str] | None = None) -> dict[str, Any]:
    """The per-site settings the rest of the system reads (docs/administration.md lists them)."""
    if not isinstance(data, dict):
        raise FieldInvalid("settings", "form")
    known = {
        "target_wait_minutes",
        "max_wait_minutes",
        "mix",
        "appointment_early_minutes",
        "appointment_late_minutes",
        "no_show_calls",
        "no_show_interval_seconds",
        "no_show_return",
        "walk_in_share",
        "identification",
        "elderly_age",
        "daily_limit_per_person",
        "personal_data_days",
        "elderly_one_tap",
        "help_item",
        "require_id_for_capped",
        "announce_template",
        "announce_template_en",
        "announce_english",
        "announce_times",
        "notice",
        "notice_en",
        "rating_window_hours",
    }
    for name in data:
        if name not in known:
            raise FieldInvalid(name, "unknown_setting")
    settings: dict[str, Any] = {
        "target_wait_minutes": integer(data, "target_wait_minutes", 1, 240),
        "max_wait_minutes": integer(data, "max_wait_minutes", 1, 480),
        "mix": check_mix(data),
        "appointment_early_minutes": integer(data, "appointment_early_minutes", 0, 240),
        "appointment_late_minutes": integer(data, "appointment_late_minutes", 0, 120),
        "no_show_calls": integer(data, "no_show_calls", 1, 5),
        "no_show_interval_seconds": integer(data, "no_show_interval_seconds", 0, 300),
        "no_show_return": check_no_show_return(data),
        "walk_in_share": fraction(data, "walk_in_share"),
        "identification": choice(data, "identification", IDENTIFICATION, "off"),
        "elderly_age": integer(data, "elderly_age", 50, 100),
        "daily_limit_per_person": integer(data, "daily_limit_per_person", 1, 20),
        "personal_data_days": integer(
            data, "personal_data_days", MIN_PERSONAL_DATA_DAYS, MAX_PERSONAL_DATA_DAYS
        ),
        "elderly_one_tap": text(data, "elderly_one_tap", required=False, max_length=32),
        "help_item": text(data, "help_item", required=False, max_length=32),
        "require_id_for_capped": flag(data, "require_id_for_capped"),
        "announce_template": check_template(data, "announce_template"),
        "announce_template_en": check_template(data, "announce_template_en"),
        "announce_english": flag(data, "announce_english"),
        "announce_times": integer(data, "announce_times", 1, 3),
        "notice": text(data, "notice", required=False, max_length=200),
        "notice_en": text(data, "notice_en", required=False, max_length=200),
        # How long after the end of service the phone page takes a rating (evaluator: 10 min).
        "rating_window_hours": integer(data, "rating_window_hours", 1, 720),
    }
    # The item an elderly citizen's card tap on the kiosk's home screen takes (a code the site offers).
    # The items the kiosk sends an elderly citizen's card tap and a request for help (帮办)
    # to: codes the site offers.
    for name in ("elderly_one_tap", "help_item"):
        code = settings[name]
        if code and offered is not None and code not in offered:
            raise FieldInvalid(name, "not_offered", value=code)
    target, longest = settings["target_wait_minutes"], settings["max_wait_minutes"]
    if target is not None and longest is not None and longest < target:
        raise FieldInvalid("max_wait_minutes", "below_target")
    # Absent means the default: an empty field removes the setting.
    return {k: v for k, v in settings.items() if v is not None and v != ""}


# catalog_import.py words its problems in English; each known form gets a zh/en message code.
_CATALOG_PROBLEMS: list[tuple[re.Pattern[str], str, tuple[str, ...]]] = [
    (re.compile(r"^(\w+) is required$"), "cat_required", ("name",)),
    (
        re.compile(r"^(\w+) must be text of at most (\d+) characters$"),
        "cat_too_long",
        ("name", "max"),
    ),
    (re.compile(r"^(\w+) must be true or false$"), "cat_bool", ("name",)),
    (re.compile(r"^(\w+) must be a (?:whole )?number ≥ 0$"), "cat_number", ("name",)),
    (re.compile(r"^(prefix) must be one or two capital letters$"), "cat_prefix", ("name",)),
    (re.compile(r"^(issue_window) "), "cat_issue_window", ("name",)),
    (re.compile(r"^(\w+) must be above 0$"), "cat_positive", ("name",)),
    (re.compile(r"^(\w+) must be a list of text$"), "cat_list", ("name",)),
    (re.compile(r"^a bundle needs at least one service$"), "cat_bundle_empty", ()),
    (re.compile(r"^unknown services (.+)$"), "cat_unknown_services", ("codes",)),
    (re.compile(r"^code (\S+) appears twice$"), "cat_duplicate", ("code",)),
    (re.compile(r"^not valid JSON \((.+)\)$"), "cat_json", ("problem",)),
    (re.compile(r"^missing columns (.+)$"), "cat_columns", ("columns",)),
]
_FIELD_OF_RULE = {
    "cat_bundle_empty": "services",
    "cat_unknown_services": "services",
    "cat_duplicate": "code",
}


def catalog_error(exc: CatalogError, field: str | None = None) -> FieldInvalid:
    """A catalogue error as a field error with a zh/en message.

    `field` is fixed for an import (the text area); for a single item it is the field
    the problem names (`prefix must …` → `prefix`).
    """
    problem = str(exc.detail).split(": ", 1)[-1]
    for pattern, rule, names in _CATALOG_PROBLEMS:
        found = pattern.match(problem)
        if found:
            params = dict(zip(names, found.groups(), strict=True))
            named = params.get("name") or _FIELD_OF_RULE.get(rule) or exc.where
            target = field or named
            where = exc.where if field else named
            return FieldInvalid(target, rule, **{"where": where, "problem": problem, **params})
    return FieldInvalid(field or exc.where, "catalog", where=exc.where, problem=problem)


def check_code(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,32}", value or ""):
        raise FieldInvalid("code", "code")
    return value


