"""Times as stored (`records.to_text`) and as sent (`wire.iso`): one text, whichever way it
is made. Both use `isoformat` for speed (issue 18); stored rows, indexes and comparisons
in SQL rely on the exact form strftime gave."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from queue_server import wire
from queue_server.storage.records import from_text, to_text


def the_stored_form(moment: datetime) -> str:
    """How times were written before: strftime, then the milliseconds, then Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


moments = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1)).flatmap(
    lambda naive: st.integers(min_value=-14 * 60, max_value=14 * 60).map(
        lambda minutes: naive.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    )
)


@given(moments)
def test_a_moment_is_stored_and_sent_as_before(moment: datetime) -> None:
    assert to_text(moment) == the_stored_form(moment) == wire.iso(moment)


@given(moments)
def test_a_stored_moment_reads_back_to_the_millisecond(moment: datetime) -> None:
    back = from_text(to_text(moment))
    assert back is not None and abs(back - moment) < timedelta(milliseconds=1)


def test_no_moment_is_none() -> None:
    assert to_text(None) is None and wire.iso(None) is None
