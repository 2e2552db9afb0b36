"""The README starts things: the two commands first, on about two screens; the manual
(docs/) documents every setting and every event type."""
from __future__ import annotations

from queue_server.settings import SETTINGS
from tests.conftest import ROOT
from tests.manual import manual_text

README = (ROOT / "README.md").read_text(encoding="utf-8")
MANUAL = manual_text()


def test_every_setting_is_documented() -> None:
    for setting in SETTINGS:
        assert f"| `{setting.name}` |" in MANUAL, f"setting {setting.name} is missing from docs/"


def test_readme_starts_with_the_two_commands() -> None:
    head = README[:1500]
    assert "make demo" in head and "make test" in head


def test_readme_fits_on_two_screens() -> None:
    assert len(README.splitlines()) <= 120, "the README starts things; the manual lives in docs/"


def test_every_event_type_is_documented() -> None:
    from queue_server.wire import EVENT_TYPES

    for name in EVENT_TYPES:
        assert f"`{name}`" in MANUAL, f"event {name} is missing from docs/"
