"""The site's catalogue as the touch screen shows it: by domain, with pinyin initials.

Built from the centre's `GET /sites/{site}` answer; pure functions, no I/O.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pypinyin import Style, lazy_pinyin

from queue_server.wire import words

# Domain codes of the catalogue, in the order the home screen lists them; their names are
# the message catalogue's `domain_<code>` (queue_server.wire.words).
DOMAINS = (
    "comprehensive",
    "tax",
    "medical_insurance",
    "social_security",
    "natural_resources",
    "exit_entry",
    "civil_affairs",
    "household",
    "housing_fund",
    "traffic",
    "assisted",
)


@functools.lru_cache(maxsize=4096)
def initials(text: str) -> str:
    """Pinyin initials of the Chinese in ``text`` plus its ASCII letters and digits.

    不动产登记（二手房） → "bdcdjesf"; a citizen types them on the letter pad.
    """
    letters = []
    for chunk in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default"):
        letters.append(re.sub(r"[^0-9a-z]", "", chunk.lower()))
    return "".join(letters)


def domain_name(code: str, language: str = "zh") -> str:
    named = f"domain_{code}"
    return words.say(named, language) if named in words.WORDS else code


def local_moment(iso: str, timezone: str) -> dict[str, str]:
    """A UTC time from the centre as the hall reads it: {"zh": "11月29日 08:30", "en": …}."""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(ZoneInfo(timezone))
    month: words.Phrase = (f"month_{moment.month}", {})
    clock = moment.strftime("%H:%M")
    return {
        language: words.say("local_moment", language, month=month, day=moment.day, clock=clock)
        for language in words.LANGUAGES
    }


def quota_view(quota: dict[str, Any] | None, timezone: str) -> dict[str, Any] | None:
    """What is left of an item's daily cap; None for an item without one."""
    if not isinstance(quota, dict) or quota.get("cap") is None:
        return None
    remaining = max(0, int(quota.get("remaining") or 0))
    next_at = quota.get("next_issue_at")
    return {
        "cap": int(quota["cap"]),
        "remaining": remaining,
        "full": remaining == 0,
        "next_issue_at": next_at,
        "next_issue": local_moment(next_at, timezone) if next_at else None,
    }


def wait_band_of(band: Any) -> dict[str, int] | None:
    """A wait band `{low, high}` as the centre gave it; None from a centre that gives only
    the one number (the screens and the ticket then show that)."""
    if not isinstance(band, dict):
        return None
    try:
        return {"low": int(band["low"]), "high": int(band["high"])}
    except (KeyError, TypeError, ValueError):
        return None


def _item(
    entry: dict[str, Any], kind: str, timezone: str = "Asia/Shanghai", id_for_capped: bool = False
) -> dict[str, Any]:
    return {
        "kind": kind,
        "code": entry["code"],
        "name": entry["name"],
        "name_en": entry.get("name_en") or entry["name"],
        "initials": initials(entry["name"]),
        "department": entry.get("department", ""),
        "domain": entry.get("domain", "one_thing" if kind == "bundle" else ""),
        "description": entry.get("description", ""),
        "on_the_spot": bool(entry.get("on_the_spot", False)),
        "commitment_allowed": bool(entry.get("commitment_allowed", False)),
        "conditions": list(entry.get("conditions") or []),
        "materials": list(entry.get("materials") or []),
        "legal_limit_days": entry.get("legal_limit_days"),
        "issue_window": entry.get("issue_window"),
        "waiting": int(entry.get("waiting", 0)),
        "estimated_wait_minutes": int(entry.get("estimated_wait_minutes", 0)),
        "wait_band": wait_band_of(entry.get("wait_band")),
        "open_counters": int(entry.get("open_counters", 0)),
        "counters": list(entry.get("counters") or []),
        "quota": quota_view(entry.get("quota"), timezone),
        # Capped, where the site wants an ID card for capped items: no anonymous ticket.
        "id_required": id_for_capped and entry.get("daily_cap") is not None,
    }


def build(site_detail: dict[str, Any]) -> dict[str, Any]:
    """What the touch UI needs: site, bundles, domains with their services, counters."""
    site = site_detail.get("site", {})
    timezone = site.get("timezone") or "Asia/Shanghai"
    settings = site.get("settings") or {}
    id_for_capped = bool(settings.get("require_id_for_capped"))
    services = {s["code"]: s for s in site_detail.get("services", [])}
    counters = {c["number"]: c for c in site_detail.get("counters", [])}
    items: dict[str, dict[str, Any]] = {}
    by_domain: dict[str, list[str]] = {}
    for entry in site_detail.get("services", []):
        item = _item(entry, "service", timezone, id_for_capped)
        items[f"service:{item['code']}"] = item
        by_domain.setdefault(item["domain"], []).append(item["code"])
    bundles = []
    for entry in site_detail.get("bundles", []):
        item = _item(entry, "bundle", timezone, id_for_capped)
        members = [services[c] for c in entry.get("services", []) if c in services]
        item["services"] = [{"name": m["name"], "name_en": m.get("name_en", "")} for m in members]
        materials: list[str] = []
        for member in members:
            materials += [m for m in member.get("materials", []) if m not in materials]
        item["materials"] = materials
        conditions: list[str] = []
        for member in members:
            conditions += [c for c in member.get("conditions", []) if c not in conditions]
        item["conditions"] = conditions
        limits = [m["legal_limit_days"] for m in members if m.get("legal_limit_days")]
        item["legal_limit_days"] = max(limits) if limits else None
        item["commitment_allowed"] = any(m.get("commitment_allowed") for m in members)
        items[f"bundle:{item['code']}"] = item
        bundles.append(item["code"])
    order = list(DOMAINS) + sorted(set(by_domain) - set(DOMAINS))
    domains = [
        {
            "code": code,
            "name": domain_name(code, "zh"),
            "name_en": domain_name(code, "en"),
            "services": by_domain[code],
        }
        for code in order
        if code in by_domain
    ]
    return {
        "site": {
            "id": site.get("id"),
            "name": site.get("name", ""),
            "name_en": site.get("name_en") or site.get("name", ""),
            "timezone": timezone,
            "notice": settings.get("notice", ""),
            "identification": settings.get("identification", "off"),
            "elderly_age": int(settings.get("elderly_age", 65)),
            "elderly_one_tap": one_tap_item(settings.get("elderly_one_tap"), items),
            "help_item": one_tap_item(settings.get("help_item"), items),
            "rules": rule_sentences(site_detail.get("rules")),
        },
        "bundles": bundles,
        "domains": domains,
        "items": items,
        "counters": {
            str(n): {"number": n, "name": c.get("name", ""), "state": c.get("state")}
            for n, c in counters.items()
        },
    }


def one_tap_item(code: Any, items: dict[str, dict[str, Any]]) -> str | None:
    """The item key ("service:K001") of a code the site offers (the elderly's one-tap item,
    the help item), or None."""
    if not isinstance(code, str):
        return None
    return next((key for key in (f"service:{code}", f"bundle:{code}") if key in items), None)


def rule_sentences(rules: Any) -> dict[str, dict[str, str]]:
    """The site's rules in one sentence each, per language (empty when the centre has none)."""
    found: dict[str, dict[str, str]] = {}
    for lang in ("zh", "en"):
        given = rules.get(lang) if isinstance(rules, dict) else None
        found[lang] = {k: v for k, v in (given or {}).items() if isinstance(v, str)}
    return found


def window_labels(numbers: list[int], language: str = "zh") -> list[str]:
    """[1, 2, 3, 5] → ["1–3号", "5号"]: runs of windows are written as ranges."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return [
        words.say("kiosk_window_label", language, n=r[0])
        if len(r) == 1
        else words.say("kiosk_window_range", language, first=r[0], last=r[-1])
        for r in runs
    ]
