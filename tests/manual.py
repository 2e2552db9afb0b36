"""The manual's text, for the tests that keep it true (the README only starts things)."""
from __future__ import annotations

from pathlib import Path

from tests.conftest import ROOT

DOCS = ROOT / "docs"


def manual_pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def manual_text() -> str:
    """Every page of docs/ as one text: a fact is documented when it is on any page."""
    return "\n".join(page.read_text(encoding="utf-8") for page in manual_pages())
