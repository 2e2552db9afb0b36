"""The README stays true: every setting documented, the two commands first."""
from __future__ import annotations

from queue_server.settings import SETTINGS
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    for setting in SETTINGS:
        assert f"| `{setting.name}` |" in README, f"setting {setting.name} is missing from the README"


def test_readme_starts_with_the_two_commands() -> None:
    head = README[:1500]
    assert "make demo" in head and "make test" in head


def test_every_event_type_is_documented() -> None:
    from queue_server.wire import EVENT_TYPES

    for name in EVENT_TYPES:
        assert f"`{name}`" in README, f"event {name} is missing from the README"
