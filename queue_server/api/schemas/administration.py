"""The administration's other requests and answers: the catalogue, staff, devices and the
audit log (`api/admin_api.py`); a site's own configuration is in `sites.py`.

The bodies are forms (`forms.py`: numbers from text, "" for not set). What needs the
database — an item exists, a username is free, the actor's scope — is checked by
`administration/changes.py`, which raises `FieldInvalid` as these models do.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, get_type_hints

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    Strict,
    ValidationInfo,
    create_model,
    field_validator,
)
from pydantic_core import PydanticCustomError

from queue_server.accounts.credentials import DEVICE_KINDS, ROLES
from queue_server.administration import audit
from queue_server.administration.audit import KINDS, MAX_PAGE
from queue_server.api.schemas.forms import Flag, Form, Line, Whole, blank_is_absent
from queue_server.web_security import MAX_INTEGER
from queue_server.wire.shapes import CatalogBundle, CatalogService

USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
Role = Literal[ROLES]  # type: ignore[valid-type]
DeviceKind = Literal[DEVICE_KINDS]  # type: ignore[valid-type]
AuditKind = Literal[KINDS]  # type: ignore[valid-type]


def _username(value: str) -> str:
    if not USERNAME.match(value):
        raise PydanticCustomError("field_username", "letters, digits and _ . @ -")
    return value


# --- catalogue ---------------------------------------------------------------------------


class CatalogQuery(BaseModel):
    format: Literal["json", "csv"] = "json"


class CatalogDocument(BaseModel):
    """The catalogue (the JSON export, and what an import takes)"""

    services: list[CatalogService]
    bundles: list[CatalogBundle]


def _amount_from_text(value: Any) -> Any:
    value = blank_is_absent(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


# A number as the catalogue form sends it (text); the catalogue's own rules (catalog_import)
# say which are whole and which must be above 0, for an edit as for a file.
Amount = Annotated[float | None, Strict(), BeforeValidator(_amount_from_text)]
Text = Annotated[str | None, Strict()]
Exact = Strict()
Texts = Annotated[
    list[Annotated[str, Exact]] | Annotated[str, Exact] | None,
    Field(description='a list, or one text with "|" between'),
]
Yes = Annotated[
    Annotated[bool, Exact] | Annotated[str, Exact] | Annotated[int, Exact] | None,
    Field(description="true/false, or 是/否, yes/no, 1/0"),
]


class CatalogItem(Form):
    """An item as the catalogue form sends it; the catalogue's rules (the same as an
    import's) check the rest: a prefix of one or two capital letters, required texts,
    numbers above or at 0, an issuing window HH:MM-HH:MM."""

    name: Text = None
    name_en: Text = None
    prefix: Text = Field(None, description="one or two capital letters")
    expected_minutes: Amount = Field(None, description="above 0")
    daily_cap: Amount = Field(None, description="tickets a day; empty: no cap")

    def fields(self) -> dict[str, Any]:
        """What was sent, for the catalogue's parser (left out: its defaults)."""
        return self.model_dump(exclude_none=True)


class ServiceChange(CatalogItem):
    department: Text = None
    domain: Text = None
    on_the_spot: Yes = None
    commitment_allowed: Yes = None
    conditions: Texts = None
    materials: Texts = None
    legal_limit_days: Amount = None
    issue_window: Texts = Field(None, description='["09:00", "16:00"] or "09:00-16:00"')
    last_ticket_minutes: Amount = None


class BundleChange(CatalogItem):
    services: Texts = None
    description: Text = None


class ServiceAnswer(BaseModel):
    """The service as saved"""

    service: CatalogService


class BundleAnswer(BaseModel):
    """The bundle as saved"""

    bundle: CatalogBundle


def _some_text(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("field_required", "required")
    return value


class CatalogImport(Form):
    """A whole catalogue, all or nothing: JSON (services and bundles) or CSV (services)."""

    format: Literal["json", "csv"] = "json"
    text: Annotated[str, Strict(), AfterValidator(_some_text)]


class ImportSummary(BaseModel):
    """How many items were read and which changed"""

    services: int
    bundles: int
    changed_services: list[str]
    changed_bundles: list[str]


# --- staff -------------------------------------------------------------------------------


class NewStaff(Form):
    username: Annotated[Line, AfterValidator(_username)] = Field(min_length=1, max_length=64)
    password: Annotated[str, Strict()] = Field(
        "", description="10–128 characters, three of capital letters, small letters, digits and "
        "symbols, not the username, not a common password"
    )  # fmt: skip
    role: Role
    sites: list[Annotated[str, Strict()]] = Field(
        [], description="empty only for a city-wide admin"
    )
    display_name: Line = Field("", max_length=40)


class StaffChange(Form):
    """What changes of a member of staff; a field left out stays as it is. Deactivating
    (`active: false`) ends the member's sessions."""

    role: Annotated[Role | None, BeforeValidator(blank_is_absent)] = None
    sites: list[Annotated[str, Strict()]] | None = None
    display_name: Line = Field("", max_length=40)
    active: Flag = None


class PasswordReset(Form):
    password: Annotated[str, Strict()] = ""


class StaffMember(BaseModel):
    """A member of staff (never a password hash)"""

    username: str
    role: Role
    sites: list[str]
    display_name: str
    active: bool
    created_at: str
    locked: bool
    locked_at: str | None


class StaffAnswer(BaseModel):
    staff: StaffMember


class StaffList(BaseModel):
    staff: list[StaffMember]


# --- devices -----------------------------------------------------------------------------


class DeviceEnrolment(Form):
    kind: DeviceKind
    site: Line = Field(min_length=1, max_length=40)
    name: Line = Field("", max_length=60)
    counter: Whole = Field(
        None,
        ge=1,
        le=999,
        description="a sign: the window it hangs over (its evaluator rates only that window)",
    )

    @field_validator("counter")
    @classmethod
    def _signs_only(cls, counter: int | None, info: ValidationInfo) -> int | None:
        if counter is not None and info.data.get("kind") not in (None, "sign"):
            raise PydanticCustomError("field_sign_only", "only a sign names a window")
        return counter


class Device(BaseModel):
    """An enrolled device with its last status"""

    id: str
    kind: DeviceKind
    site: str
    name: str
    created_at: str
    revoked_at: str | None
    last_seen: str | None
    status: dict[str, object]
    counter: int | None


class DeviceAnswer(BaseModel):
    device: Device


class Enrolled(BaseModel):
    """The device and its token: shown this once, only a keyed hash of it is stored"""

    device: Device
    token: str


class ListedDevice(Device):
    alerts: list[str] = Field(
        description="as on the managers' device panel: <kind>_offline when silent past its "
        "kind's interval, then what it reported (a revoked device: none)"
    )


class DeviceList(BaseModel):
    """Each enrolled device; an edge centre's last_seen is the city's last contact with it"""

    devices: list[ListedDevice]


# --- the audit log -----------------------------------------------------------------------

Searched = Annotated[Annotated[str, Field(max_length=64)] | None, BeforeValidator(blank_is_absent)]


class AuditQuery(BaseModel):
    """Query strings arrive as text: numbers are read from it; an empty one is not set."""

    kind: Annotated[AuditKind | None, BeforeValidator(blank_is_absent)] = None
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 100
    before: Annotated[
        Annotated[int, Field(ge=0, le=MAX_INTEGER)] | None, BeforeValidator(blank_is_absent)
    ] = Field(None, description="the `next_before` of the previous page")
    actor: Searched = Field(None, description="who (for a login, the username tried)")
    address: Searched = Field(None, description="the client address")


# A row of the log as `administration/audit.py` keeps it (`Entry`), so the answer's model
# cannot drift from the log; an answer sends every field, so each is required here.
_ENTRY_FIELDS: dict[str, Any] = {name: (kind, ...) for name, kind in get_type_hints(audit.Entry).items()}
AuditEntry = create_model("AuditEntry", **_ENTRY_FIELDS)


class AuditPage(BaseModel):
    """Entries, newest first, and the cursor of the next (older) page"""

    entries: list[AuditEntry]  # type: ignore[valid-type]
    next_before: int | None
