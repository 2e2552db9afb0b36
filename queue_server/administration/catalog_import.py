"""The service catalogue and site layouts: validate, import, export (JSON and CSV).

Errors name the bad row (`services[3]` in JSON, `line 5` in CSV) and the field, so
an administrator can fix a spreadsheet without guessing.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from typing import Any

from queue_server.engine.errors import FieldInvalid, InvalidInput
from queue_server.engine.hours import parse_clock, validate_hours
from queue_server.engine.ids import new_id
from queue_server.engine.model import (
    Bundle,
    Counter,
    CounterKind,
    ProfileEntry,
    Service,
    Site,
    SiteKind,
)
from queue_server.engine.numbering import valid_prefix
from queue_server.reports.exports import csv_writer, neutralise, restore
from queue_server.storage import Database

LIST_SEPARATOR = "|"
CSV_COLUMNS = [
    "code",
    "name",
    "name_en",
    "department",
    "domain",
    "prefix",
    "on_the_spot",
    "commitment_allowed",
    "conditions",
    "materials",
    "legal_limit_days",
    "expected_minutes",
    "issue_window",
    "last_ticket_minutes",
    "daily_cap",
]


class CatalogError(InvalidInput, code="invalid_input"):
    """What is wrong with one entry of a catalogue, `where` naming its field."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}", field=where)
        self.where = where


def _text(
    data: dict[str, Any], name: str, where: str, required: bool = True, max_length: int = 200
) -> str:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise CatalogError(where, f"{name} is required")
        return ""
    if not isinstance(value, str) or len(value) > max_length:
        raise CatalogError(where, f"{name} must be text of at most {max_length} characters")
    return value.strip()


def _bool(data: dict[str, Any], name: str, where: str) -> bool:
    value = data.get(name, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in (
        "1",
        "true",
        "yes",
        "y",
        "是",
        "0",
        "false",
        "no",
        "n",
        "否",
        "",
    ):
        return value.strip().lower() in ("1", "true", "yes", "y", "是")
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise CatalogError(where, f"{name} must be true or false")


def _number(
    data: dict[str, Any], name: str, where: str, default: float | None, integer: bool = False
) -> Any:
    value = data.get(name)
    if value is None or value == "":
        return default
    try:
        number = float(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        number = None
    if number is None or number < 0 or (integer and number != int(number)):
        raise CatalogError(where, f"{name} must be a {'whole ' if integer else ''}number ≥ 0")
    return int(number) if integer else number


def _list(data: dict[str, Any], name: str, where: str) -> tuple[str, ...]:
    value = data.get(name) or []
    if isinstance(value, str):
        value = [part for part in value.split(LIST_SEPARATOR)]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogError(where, f"{name} must be a list of text")
    return tuple(v.strip() for v in value if v.strip())


def parse_service(data: Any, where: str) -> Service:
    if not isinstance(data, dict):
        raise CatalogError(where, "must be an object")
    prefix = _text(data, "prefix", where, max_length=2).upper()
    if not valid_prefix(prefix):
        raise CatalogError(where, "prefix must be one or two capital letters")
    window = data.get("issue_window")
    if isinstance(window, str):
        window = window.split("-") if window.strip() else None
    if window is not None:
        if not (isinstance(window, list | tuple) and len(window) == 2):
            raise CatalogError(where, "issue_window must be [start, end] like 09:00-16:00")
        try:
            if parse_clock(window[1]) <= parse_clock(window[0]):
                raise CatalogError(where, "issue_window must end after it starts")
        except InvalidInput:
            raise CatalogError(where, "issue_window times must be HH:MM") from None
    expected = _number(data, "expected_minutes", where, 10.0)
    if expected <= 0:
        raise CatalogError(where, "expected_minutes must be above 0")
    return Service(
        code=_text(data, "code", where, max_length=32),
        name=_text(data, "name", where),
        name_en=_text(data, "name_en", where, required=False),
        department=_text(data, "department", where),
        domain=_text(data, "domain", where, max_length=40),
        prefix=prefix,
        on_the_spot=_bool(data, "on_the_spot", where),
        commitment_allowed=_bool(data, "commitment_allowed", where),
        conditions=_list(data, "conditions", where),
        materials=_list(data, "materials", where),
        legal_limit_days=_number(data, "legal_limit_days", where, None, integer=True),
        expected_minutes=expected,
        issue_window=(window[0].strip(), window[1].strip()) if window else None,
        last_ticket_minutes=_number(data, "last_ticket_minutes", where, 0, integer=True),
        daily_cap=_number(data, "daily_cap", where, None, integer=True),
    )


def parse_bundle(data: Any, where: str, known_services: set[str]) -> Bundle:
    if not isinstance(data, dict):
        raise CatalogError(where, "must be an object")
    prefix = _text(data, "prefix", where, max_length=2).upper()
    if not valid_prefix(prefix):
        raise CatalogError(where, "prefix must be one or two capital letters")
    services = _list(data, "services", where)
    if not services:
        raise CatalogError(where, "a bundle needs at least one service")
    unknown = [s for s in services if s not in known_services]
    if unknown:
        raise CatalogError(where, f"unknown services {', '.join(unknown)}")
    return Bundle(
        code=_text(data, "code", where, max_length=32),
        name=_text(data, "name", where),
        name_en=_text(data, "name_en", where, required=False),
        prefix=prefix,
        services=services,
        description=_text(data, "description", where, required=False, max_length=500),
        expected_minutes=_number(data, "expected_minutes", where, 30.0),
        daily_cap=_number(data, "daily_cap", where, None, integer=True),
    )


def parse_catalog_json(
    text: str, existing_services: Iterable[str] = ()
) -> tuple[list[Service], list[Bundle]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogError(f"line {exc.lineno}", f"not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise CatalogError("document", 'must be an object with "services" and "bundles"')
    services = [
        parse_service(item, f"services[{i}]") for i, item in enumerate(data.get("services") or [])
    ]
    _no_duplicates([s.code for s in services], "services")
    known = set(existing_services) | {s.code for s in services}
    bundles = [
        parse_bundle(item, f"bundles[{i}]", known)
        for i, item in enumerate(data.get("bundles") or [])
    ]
    _no_duplicates([b.code for b in bundles], "bundles")
    return services, bundles


def parse_catalog_csv(text: str) -> list[Service]:
    """Services from CSV; a cell our export escaped against formulas (a leading `'`) is
    read back as the text it stood for."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"code", "name", "department", "domain", "prefix"} - set(reader.fieldnames or [])
    if missing:
        raise CatalogError("line 1", f"missing columns {', '.join(sorted(missing))}")
    services = [
        parse_service(
            {k: restore(v) if isinstance(v, str) else v for k, v in row.items()},
            f"line {reader.line_num}",
        )
        for row in reader
    ]
    _no_duplicates([s.code for s in services], "services")
    return services


def _no_duplicates(codes: list[str], what: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise CatalogError(what, f"code {code} appears twice")
        seen.add(code)


def import_catalog(db: Database, services: list[Service], bundles: list[Bundle]) -> None:
    with db.transaction() as store:
        for service in services:
            store.catalogue.save_service(service)
        for bundle in bundles:
            store.catalogue.save_bundle(bundle)


def export_json(db: Database) -> str:
    from queue_server.calling.site_view import bundle_payload, service_payload

    store = db.store
    data = {
        "services": [service_payload(s) for s in store.catalogue.services()],
        "bundles": [bundle_payload(b) for b in store.catalogue.bundles()],
    }
    return json.dumps(data, ensure_ascii=False, indent=1)


def export_csv(db: Database) -> str:
    """Services as CSV, each text cell escaped against spreadsheet formulas (`exports`);
    `parse_catalog_csv` reads it back unchanged."""
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for service in db.store.catalogue.services():
        row = {
            "code": service.code,
            "name": service.name,
            "name_en": service.name_en,
            "department": service.department,
            "domain": service.domain,
            "prefix": service.prefix,
            "on_the_spot": "true" if service.on_the_spot else "false",
            "commitment_allowed": "true" if service.commitment_allowed else "false",
            "conditions": LIST_SEPARATOR.join(service.conditions),
            "materials": LIST_SEPARATOR.join(service.materials),
            "legal_limit_days": ""
            if service.legal_limit_days is None
            else service.legal_limit_days,
            "expected_minutes": service.expected_minutes,
            "issue_window": "-".join(service.issue_window) if service.issue_window else "",
            "last_ticket_minutes": service.last_ticket_minutes,
            "daily_cap": "" if service.daily_cap is None else service.daily_cap,
        }
        writer.writerow([neutralise(row[column]) for column in CSV_COLUMNS])
    return out.getvalue()


# --- sites and counters --------------------------------------------------------------


def parse_profile(entries: Any, where: str) -> tuple[ProfileEntry, ...]:
    if not isinstance(entries, list):
        raise CatalogError(where, "profile must be a list")
    profile = []
    for i, entry in enumerate(entries):
        spot = f"{where}.profile[{i}]"
        if not isinstance(entry, dict) or (entry.get("service") is None) == (
            entry.get("bundle") is None
        ):
            raise CatalogError(spot, "each entry names one service or one bundle")
        weight = _number(entry, "weight", spot, 1.0)
        if weight <= 0 or weight > 100:
            raise CatalogError(spot, "weight must be above 0 and at most 100")
        profile.append(
            ProfileEntry(service=entry.get("service"), bundle=entry.get("bundle"), weight=weight)
        )
    return tuple(profile)


def load_sites(db: Database, sites: list[dict[str, Any]]) -> None:
    """Create or update sites with their offerings and counters (counter state is kept)."""
    with db.transaction() as store:
        for i, data in enumerate(sites):
            where = f"sites[{i}]"
            try:
                kind = SiteKind(str(data.get("kind", "")))
            except ValueError:
                raise CatalogError(
                    where, "kind must be " + ", ".join(k.value for k in SiteKind)
                ) from None
            site = Site(
                id=_text(data, "id", where, max_length=40),
                name=_text(data, "name", where),
                name_en=_text(data, "name_en", where, required=False),
                kind=kind,
                parent_id=data.get("parent_id"),
                timezone=data.get("timezone") or "Asia/Shanghai",
                hours=validate_hours(data.get("hours")),
                settings=dict(data.get("settings") or {}),
            )
            if site.parent_id and store.sites.get(site.parent_id) is None:
                raise CatalogError(
                    where, f"parent {site.parent_id} is not a known site (list parents first)"
                )
            store.sites.save(site)
            for code in data.get("services", []):
                if store.catalogue.service(code) is None:
                    raise CatalogError(where, f"unknown service {code}")
            for code in data.get("bundles", []):
                if store.catalogue.bundle(code) is None:
                    raise CatalogError(where, f"unknown bundle {code}")
            store.offerings.set(site.id, data.get("services", []), data.get("bundles", []))
            for j, counter_data in enumerate(data.get("counters", [])):
                spot = f"{where}.counters[{j}]"
                number = _number(counter_data, "number", spot, None, integer=True)
                if number is None:
                    raise CatalogError(spot, "number is required")
                try:
                    counter_kind = CounterKind(counter_data.get("kind", "comprehensive"))
                except ValueError:
                    raise CatalogError(
                        spot, "kind must be " + ", ".join(k.value for k in CounterKind)
                    ) from None
                existing = store.counters.get(site.id, number)
                counter = Counter(
                    id=existing.id if existing else new_id(),
                    site_id=site.id,
                    number=number,
                    name=_text(counter_data, "name", spot),
                    kind=counter_kind,
                    profile=parse_profile(counter_data.get("profile", []), spot),
                )
                if existing:
                    counter = Counter(
                        **{
                            **existing.__dict__,
                            "name": counter.name,
                            "kind": counter.kind,
                            "profile": counter.profile,
                        }
                    )
                store.counters.save(counter)


# The problems above are worded in English; each known form gets a zh/en message code
# (`wire/words.py`, `field_cat_*`), so the admin pages say them in the reader's language.
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
