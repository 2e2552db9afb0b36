"""The managers' reports (`api/reports_api.py`, `api/rules_reports_api.py`): a date range
and part of the site tree in the query; tables in JSON, or one of them as CSV or XLSX."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from queue_server.api.contract import File
from queue_server.api.schemas.forms import blank_is_absent
from queue_server.reports import heavy_holders, out_of_order
from queue_server.reports.registry import GROUPINGS

if TYPE_CHECKING:
    Grouping = str
else:  # one of the registry's groupings, listed in the document
    Grouping = Literal[tuple(GROUPINGS)]
Format = Literal["json", "csv", "xlsx"]
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_FILES = File(("text/csv", SPREADSHEET), "The table as CSV (UTF-8 with BOM) or XLSX")


class ReportRange(BaseModel):
    """Query strings arrive as text: dates are YYYY-MM-DD, numbers are read from digits."""

    start: date = Field(alias="from", description="the first local day")
    end: date = Field(alias="to", description="the last local day (at most ten years after `from`)")
    site: Annotated[
        Annotated[str, Field(max_length=40)] | None, BeforeValidator(blank_is_absent)
    ] = Field(None, description="a subtree (default: every site the token covers)")
    format: Format = "json"


class ReportQuery(ReportRange):
    by: Annotated[Grouping | None, BeforeValidator(blank_is_absent)] = Field(
        None, description="rows per …"
    )


class HeavyHoldersQuery(ReportRange):
    range_limit: Annotated[int, Field(ge=1, le=heavy_holders.MAX_RANGE_LIMIT)] = Field(
        heavy_holders.DEFAULT_RANGE_LIMIT,
        description="tickets over the whole range that count as many",
    )
    table: Annotated[Literal["identities", "proxies"] | None, BeforeValidator(blank_is_absent)] = (
        Field(None, description="for csv and xlsx: the table (default the first)")
    )


class OutOfOrderQuery(ReportRange):
    latest: Annotated[int, Field(ge=1, le=out_of_order.MAX_LATEST)] = Field(
        out_of_order.DEFAULT_LATEST, description="how many of the latest out-of-order calls"
    )
    table: Annotated[Literal["clerks", "latest"] | None, BeforeValidator(blank_is_absent)] = Field(
        None, description="for csv and xlsx: the table (default the first)"
    )


class Table(BaseModel):
    columns: list[str]
    rows: list[list[object]]


class Reported(BaseModel):
    """What every report answers in JSON beside its tables."""

    model_config = ConfigDict(populate_by_name=True)

    report: str
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    sites: list[str] = Field(description="the sites counted")


class ReportTable(Reported, Table):
    """The table"""


class HeavyHolders(Reported):
    """Cards (keyed-hash prefix, masked name) over a limit, and proxies who took tickets"""

    range_limit: int
    day_limits: dict[str, int] = Field(description="each site's daily_limit_per_person")
    identities: Table = Field(description="cards over a limit, most tickets first")
    proxies: Table = Field(description="proxies who took tickets, most first")


class OutOfOrderCalls(Reported):
    """Out-of-order calls per clerk, and the latest ones"""

    reasons: list[str] = Field(description="the codes of the reason columns, in column order")
    clerks: Table = Field(description="clerks, most out-of-order calls first")
    latest: Table = Field(description="the latest out-of-order calls, newest first")
