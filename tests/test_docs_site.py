"""The manual builds, its links lead somewhere, and the built site loads nothing from the
internet (halls run on closed networks)."""
from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from markdown.extensions.toc import slugify_unicode

from tests.conftest import ROOT
from tests.manual import DOCS, manual_pages

LINK = re.compile(r"!?\[(?:[^\]]|\][^(])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
OFF_SITE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


def outside_code(text: str) -> str:
    """The Markdown without fenced blocks and inline code, where a link is only text."""
    kept, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            kept.append(re.sub(r"`[^`]*`", "", line))
    return "\n".join(kept)


def anchors_of(page: Path) -> set[str]:
    """The ids MkDocs gives the headings of `page` (the same slugs as GitHub's)."""
    found: set[str] = set()
    for line in outside_code(page.read_text(encoding="utf-8")).splitlines():
        match = HEADING.match(line)
        if match:
            found.add(slugify_unicode(match.group(1), "-"))
    return found


def relative_links(page: Path) -> list[str]:
    targets = LINK.findall(outside_code(page.read_text(encoding="utf-8")))
    return [t for t in targets if not OFF_SITE.match(t) and not t.startswith("mailto:")]


@pytest.mark.parametrize(
    "page", [ROOT / "README.md", *manual_pages()], ids=lambda p: str(p.relative_to(ROOT))
)
def test_every_relative_link_leads_to_a_file_and_heading(page: Path) -> None:
    broken = []
    for target in relative_links(page):
        path, _, anchor = unquote(target).partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{target}: no file {file.relative_to(ROOT)}")
        elif anchor and anchor not in anchors_of(file):
            broken.append(f"{target}: no heading #{anchor} in {file.relative_to(ROOT)}")
    assert broken == []


MENTIONED_PAGE = re.compile(r"(?<![\w/.:-])((?:\.\.?/)*[\w./-]*[\w-]\.md)\b")


@pytest.mark.parametrize(
    "page", [ROOT / "README.md", *manual_pages()], ids=lambda p: str(p.relative_to(ROOT))
)
def test_every_page_the_text_names_is_in_the_repository(page: Path) -> None:
    """A page named in prose or code (`DEVICES.md`, ../shared/DOMAIN.md), not only a link,
    must be there for the reader: beside the page, at the root, or in docs/."""
    text = page.read_text(encoding="utf-8")
    named = {m for m in MENTIONED_PAGE.findall(text) if "://" not in m}
    missing = sorted(
        name for name in named if not any((base / name).exists() for base in (page.parent, ROOT, DOCS))
    )
    assert missing == []


def test_the_readme_links_into_every_page_of_the_manual() -> None:
    linked = {(ROOT / t.partition("#")[0]).resolve() for t in relative_links(ROOT / "README.md")}
    missing = [p.name for p in DOCS.glob("*.md") if p.resolve() not in linked and p.name != "index.md"]
    assert missing == []


class Assets(HTMLParser):
    """Every address a page loads by itself: scripts, style sheets, icons, images, frames."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and values.get("href"):
            self.loaded.append(values["href"] or "")
        elif tag in ("script", "img", "iframe", "source", "audio", "video", "embed") and values.get("src"):
            self.loaded.append(values["src"] or "")


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`mkdocs build --strict`: fails on a broken link or anchor and on a page not in the nav."""
    site = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return site


def test_the_manual_builds_strictly_with_every_page_in_the_nav(built_site: Path) -> None:
    for page in DOCS.glob("*.md"):
        assert (built_site / page.with_suffix(".html").name).exists(), page.name


def test_the_built_site_loads_nothing_from_the_internet(built_site: Path) -> None:
    off_site = []
    for html in built_site.rglob("*.html"):
        parser = Assets()
        parser.feed(html.read_text(encoding="utf-8"))
        off_site += [f"{html.name}: {url}" for url in parser.loaded if OFF_SITE.match(url)]
    for css in built_site.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        off_site += [f"{css.name}: {url}" for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", text) if OFF_SITE.match(url)]
        off_site += [f"{css.name}: @import {line}" for line in re.findall(r"@import[^;]+", text)]
    assert off_site == []


def test_every_screenshot_is_shown_or_linked_from_the_manual() -> None:
    linked: set[Path] = set()
    for page in [ROOT / "README.md", *manual_pages()]:
        for target in relative_links(page):
            linked.add((page.parent / unquote(target).partition("#")[0]).resolve())
    screenshots = {p.resolve() for p in DOCS.rglob("*.png")}
    assert sorted(str(p.relative_to(ROOT)) for p in screenshots - linked) == []
