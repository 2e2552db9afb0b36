"""Administration over HTTP: /api/v1/admin/… (admins; a site's managers set its settings
and try rules on its history).

Each route is declared once (`contract.Routes`) with its models
(`schemas/administration.py`): it parses, calls `administration`, and answers. A refused
field answers 400 with `{"error", "message", "field"}`: `field` names what to fix, so the
admin pages show the message next to it. Every change writes one audit row, readable at
`GET /admin/audit`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, request

from queue_server.accounts.credentials import Forbidden, Principal
from queue_server.administration import catalog_import as catalog
from queue_server.administration import holiday_calendar, rules_preview
from queue_server.administration.changes import Administration
from queue_server.api.auth import MANAGERS
from queue_server.api.contract import File, Routes
from queue_server.api.schemas.administration import (
    AuditPage,
    AuditQuery,
    BundleAnswer,
    BundleChange,
    CatalogDocument,
    CatalogImport,
    CatalogQuery,
    DeviceAnswer,
    DeviceEnrolment,
    DeviceList,
    Enrolled,
    ImportSummary,
    NewStaff,
    PasswordReset,
    ServiceAnswer,
    ServiceChange,
    StaffAnswer,
    StaffChange,
    StaffList,
)
from queue_server.api.schemas.opening_days import (
    NationalYear,
    NationalYearAnswer,
    SiteDayChange,
    SiteDayEntry,
    SiteDays,
)
from queue_server.api.schemas.sites import (
    CounterChange,
    NewSite,
    Offerings,
    OfferingsAnswer,
    PreviewRequest,
    RulesPreview,
    SavedCounter,
    SettingsAnswer,
    SiteAnswer,
    SiteChange,
    SiteSettings,
)
from queue_server.app import hall
from queue_server.engine.errors import FieldInvalid
from queue_server.monitoring.device_health import Silence
from queue_server.reports import dashboard
from queue_server.wire.words import pick_language

ADMINS = frozenset({"admin"})
# A site's managers try rules on its history and set its own settings (waits,
# announcements, the queue rules); everything else in /admin is for admins.
PREVIEWERS = MANAGERS
CHANGE = "Writes one audit row in the same transaction; 400 names the field to fix."
# Every route here is under /admin; the description of each change ends with CHANGE.
admins = Routes(ADMINS, prefix="/admin")
admin_changes = Routes(ADMINS, prefix="/admin", footnote=CHANGE)
previewers = Routes(PREVIEWERS, prefix="/admin")
previewer_changes = Routes(PREVIEWERS, prefix="/admin", footnote=CHANGE)


def administration() -> Administration:
    return Administration(hall().db, hall().accounts)


def city_wide(principal: Principal) -> Principal:
    """The catalogue and the root of the site tree are the whole city's: not for an admin of part of it."""
    if not principal.all_sites:
        raise Forbidden()
    return principal


# --- audit log -------------------------------------------------------------------------


@admins.get("/audit", query=AuditQuery, answers={200: AuditPage}, errors=(400,))
def audit_log(query: AuditQuery, principal: Principal) -> dict[str, Any]:
    """The audit log, newest first

    Who changed or looked at what, when and from which address, with the record before
    and after; logins, report exports and views of personal data too. Page older entries
    with `before` = the `next_before` of the previous page. An admin of part of the city
    reads the rows of its sites only."""
    entries, cursor = administration().audit_log(
        principal, query.kind, query.limit, query.before, actor=query.actor, address=query.address
    )
    return {"entries": [e.payload() for e in entries], "next_before": cursor}


# --- sites -----------------------------------------------------------------------------


@admin_changes.post("/sites", body=NewSite, answers={201: SiteAnswer})
def create_site(body: NewSite, principal: Principal) -> tuple[dict[str, Any], int]:
    """Create a site

    City-wide admins."""
    site = administration().save_site(city_wide(principal), body.id, body, create=True)
    return {"site": site}, 201


@admin_changes.put("/sites/<site>", body=SiteChange, answers={200: SiteAnswer}, errors=(404,))
def update_site(site: str, body: SiteChange, principal: Principal) -> dict[str, Any]:
    """Edit a site (name, kind, parent, time zone, opening hours)

    Admins of the site, and of its old and new parent when it moves."""
    return {"site": administration().save_site(principal, site, body, create=False)}


@previewer_changes.put(
    "/sites/<site>/settings", body=SiteSettings, answers={200: SettingsAnswer}, errors=(404,)
)
def site_settings(site: str, body: SiteSettings, principal: Principal) -> dict[str, Any]:
    """Replace a site's settings

    The site's admins and managers. A setting left out or empty takes its default; `elderly_one_tap` and `help_item` must be codes the site offers."""
    return {"settings": administration().save_settings(principal, site, body)}


# --- the calendar: national holidays, make-up working days, a site's own days ----------


@admins.get("/calendar/<int:year>", answers={200: NationalYearAnswer})
def national_year(year: int) -> dict[str, Any]:
    """A year's national holidays and make-up working days (调休)

    As seeded from the `chinesecalendar` package or imported; each site with opening
    hours follows them unless its setting `open_on_holidays` is true."""
    return holiday_calendar.national_year(hall().db, year)


@admin_changes.put("/calendar/<int:year>", body=NationalYear, answers={200: NationalYearAnswer})
def import_national_year(year: int, body: NationalYear, principal: Principal) -> dict[str, Any]:
    """Import a year's national list (replaces that year's entries)

    City-wide admins. Every date in the year and listed once; a workday's `hours_of` names
    the weekday whose hours apply (default Monday). Importing the same list again changes
    nothing but the audit log."""
    return holiday_calendar.import_year(hall().db, principal, year, body)


@previewers.get("/sites/<site>/days", answers={200: SiteDays}, errors=(404,))
def site_days(site: str, principal: Principal) -> dict[str, Any]:
    """A site's own days: closures (a market day) and special openings

    The site's admins and managers."""
    return holiday_calendar.site_days(hall().db, principal, site)


@previewer_changes.put(
    "/sites/<site>/days/<day>", body=SiteDayChange, answers={200: SiteDayEntry}, errors=(404,)
)
def set_site_day(site: str, day: str, body: SiteDayChange, principal: Principal) -> dict[str, Any]:
    """Set a site's own day (`day`: YYYY-MM-DD)

    The site's admins and managers. It beats the national calendar and the weekly hours."""
    return holiday_calendar.set_site_day(hall().db, principal, site, _date(day), body)


@previewer_changes.delete("/sites/<site>/days/<day>", answers={200: SiteDayEntry}, errors=(400, 404))
def delete_site_day(site: str, day: str, principal: Principal) -> dict[str, Any]:
    """Remove a site's own day; the day follows the calendar again

    The site's admins and managers; answers the day as it was."""
    return holiday_calendar.delete_site_day(hall().db, principal, site, _date(day))


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise FieldInvalid("day", "date", value=text) from exc


@previewers.post(
    "/sites/<site>/rules/preview", body=PreviewRequest, answers={200: RulesPreview}, errors=(404,)
)
def preview_rules(site: str, body: PreviewRequest) -> dict[str, Any]:
    """What proposed calling rules would have done on the site's recent days

    The site's admins and managers; nothing is saved. Replays the real call moments of
    the last `days` complete local days under the site's current rules and under the
    proposed ones (`settings`, `counter_rules` {window number: {mix, max_wait_minutes}}),
    with the recorded figures beside them. Per group: served, not_served, average_minutes,
    p90_minutes (nearest rank), longest_minutes. A refused setting is named as the settings
    form names it (`mix`, not `settings.mix`)."""
    language = pick_language(request.headers.get("Accept-Language"))
    return rules_preview.preview(hall().db, site, body, hall().ops.clock(), language)


@admin_changes.put(
    "/sites/<site>/offerings", body=Offerings, answers={200: OfferingsAnswer}, errors=(404,)
)
def site_offerings(site: str, body: Offerings, principal: Principal) -> dict[str, Any]:
    """Set the services and bundles a site offers

    A list left out keeps what the site has; an empty list clears it."""
    return administration().save_offerings(principal, site, body)


@admin_changes.put(
    "/sites/<site>/counters/<int:number>",
    body=CounterChange,
    answers={200: SavedCounter},
    errors=(404,),
)
def save_counter(
    site: str, number: int, body: CounterChange, principal: Principal
) -> dict[str, Any]:
    """Add or edit a counter and its service profile

    Profile lines name services or bundles the site offers; `rules` where the counter differs from its site (left out: kept). Callable at once."""
    return {"counter": administration().save_counter(principal, site, number, body)}


# --- catalogue -------------------------------------------------------------------------


@admins.get(
    "/catalog",
    query=CatalogQuery,
    answers={200: (CatalogDocument, File(("text/csv",), "The services as CSV (UTF-8 with BOM)"))},
    errors=(400,),
)
def export_catalog(query: CatalogQuery) -> Response:
    """Export the catalogue (JSON: services and bundles; CSV: services)"""
    if query.format == "csv":
        return Response(
            "\ufeff" + catalog.export_csv(hall().db),  # a BOM, so spreadsheet programs read UTF-8
            mimetype="text/csv",
            headers={"Content-Disposition": 'attachment; filename="hallqueue-catalog.csv"'},
        )
    return Response(
        catalog.export_json(hall().db),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="hallqueue-catalog.json"'},
    )


@admins.post("/catalog/import", body=CatalogImport, answers={200: ImportSummary})
def import_catalog(body: CatalogImport, principal: Principal) -> dict[str, Any]:
    """Import a catalogue (all or nothing)

    City-wide admins. A bad row answers 400 naming it (`services[3]`, `line 5`) and the field; one audit row for what changed."""
    return administration().import_catalog(city_wide(principal), body.format, body.text)


@admin_changes.put("/services/<code>", body=ServiceChange, answers={200: ServiceAnswer})
def save_service(code: str, body: ServiceChange, principal: Principal) -> dict[str, Any]:
    """Add or edit a service

    City-wide admins: one catalogue for the whole city."""
    return {"service": administration().save_service(city_wide(principal), code, body)}


@admin_changes.put("/bundles/<code>", body=BundleChange, answers={200: BundleAnswer})
def save_bundle(code: str, body: BundleChange, principal: Principal) -> dict[str, Any]:
    """Add or edit a bundle (一件事)

    City-wide admins: one catalogue for the whole city."""
    return {"bundle": administration().save_bundle(city_wide(principal), code, body)}


# --- staff -----------------------------------------------------------------------------


@admins.get("/staff", answers={200: StaffList})
def list_staff(principal: Principal) -> dict[str, Any]:
    """Staff, their roles and sites

    No password hashes. An admin of part of the city sees the staff whose every site is theirs."""
    return {"staff": administration().list_staff(principal)}


@admin_changes.post("/staff", body=NewStaff, answers={201: StaffAnswer})
def add_staff(body: NewStaff, principal: Principal) -> tuple[dict[str, Any], int]:
    """Add a member of staff

    Admins of every site the member gets."""
    return {"staff": administration().add_staff(principal, body)}, 201


@admin_changes.put("/staff/<username>", body=StaffChange, answers={200: StaffAnswer}, errors=(404,))
def update_staff(username: str, body: StaffChange, principal: Principal) -> dict[str, Any]:
    """Edit a member's role, sites, name; deactivate (`active: false`)

    Admins of every site the member has and gets. Deactivating ends the member's sessions; the last admin stays."""
    return {"staff": administration().update_staff(principal, username, body)}


@admins.post(
    "/staff/<username>/password", body=PasswordReset, answers={200: StaffAnswer}, errors=(404,)
)
def reset_password(username: str, body: PasswordReset, principal: Principal) -> dict[str, Any]:
    """Reset a password (ends the member's sessions, opens a locked account)

    The password must meet the policy: 10–128 characters, three of capital letters, small letters, digits and symbols, not the username, not a common password."""
    return {"staff": administration().reset_password(principal, username, body.password)}


@admins.post("/staff/<username>/unlock", answers={200: StaffAnswer}, errors=(404,))
def unlock_staff(username: str, principal: Principal) -> dict[str, Any]:
    """Unlock an account locked by consecutive failed logins

    Audited (`unlock`). Unlocking an account that is not locked changes nothing."""
    return {"staff": administration().unlock_staff(principal, username)}


# --- devices ---------------------------------------------------------------------------


@admins.get("/devices", answers={200: DeviceList})
def list_devices(principal: Principal) -> dict[str, Any]:
    """Enrolled devices with their last status

    Each enrolled device with its alerts (`monitoring/device_health.py`)."""
    devices = administration().list_devices(principal)
    silence = Silence.from_settings(hall().settings)
    return {"devices": dashboard.with_health(hall().db, devices, hall().ops.clock(), silence)}


@admin_changes.post("/devices", body=DeviceEnrolment, answers={201: Enrolled})
def enrol_device(body: DeviceEnrolment, principal: Principal) -> tuple[dict[str, Any], int]:
    """Enrol a device; the answer holds its token, shown this once

    Only a keyed hash of the token is stored."""
    device, token = administration().enrol_device(principal, body)
    # The only time the token is ever shown: only its keyed hash is stored.
    return {"device": device, "token": token}, 201


@admins.post("/devices/<device_id>/revoke", answers={200: DeviceAnswer}, errors=(404,))
def revoke_device(device_id: str, principal: Principal) -> dict[str, Any]:
    """Revoke a device and its token

    Audited. Revoking a revoked device changes nothing."""
    return {"device": administration().revoke_device(principal, device_id)}
