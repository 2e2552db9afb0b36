"""A page carries its own words: those its template and scripts name, not the whole catalogue.

Each page is read as a browser gets it, and the words embedded in it (`window.HQ_TEXT`)
are checked against what its scripts look up.
"""
from __future__ import annotations

import json
import re

import pytest
import requests

from queue_server.wire.words import WORDS
from tests.conftest import ROOT, Centre

STATIC = ROOT / "queue_server" / "static"
TEMPLATES = ROOT / "queue_server" / "templates"
EMBEDDED = re.compile(r"window\.HQ_TEXT = (\{.*?\});", re.S)
LOOKED_UP = re.compile(r"""\b(?:HQ\.)?t\(\s*["']([a-z][a-z0-9_]*)["']\s*[,)]""")
FAMILY = re.compile(r"""\b(?:HQ\.)?t\(\s*(?:["']([a-z][a-z0-9_]*_)["']\s*\+|`([a-z][a-z0-9_]*_)\$\{)""")
IN_TEMPLATE = re.compile(r"""\bt\.([a-z][a-z0-9_]*)\b|\bt\[\s*["']([a-z][a-z0-9_]*)["']\s*\]""")
TEMPLATE_FAMILY = re.compile(r"""\bt\[\s*["']([a-z][a-z0-9_]*_)["']\s*[~+]""")
SCRIPTS = re.compile(r"""filename='([^']+\.js)'""")
INCLUDED = re.compile(r"""\{%-?\s*(?:extends|include)\s+"([^"]+)\"""")

# Lookups of a code held in a variable, each with where its codes are written (a literal
# in the same script, which the page's words include): a new one must be looked at.
VARIABLE_LOOKUPS = {
    "console.js": {"HQ.t(k)"},  # k: the literal figure names of "my figures today"
    "display.js": {"HQ.t(status)"},  # status: "online" / "offline" from HQ.heartbeat
    "admin.js": {"t(none)"},  # none: "set_elderly_one_tap_none" or "set_help_item_none"
}
VARIABLE = re.compile(r"""\b(HQ\.t|t)\(\s*([a-z][A-Za-z0-9_.]*)\s*[,)]""")


def pages(centre: Centre) -> dict[str, str]:
    """Each page type's path, as a browser opens it."""
    ticket = centre.issue("A101")
    return {
        "start.html": "/",
        "console.html": "/console",
        "display.html": f"/display/city-hall?token={centre.display_token}",
        "ticket.html": f"/t/{ticket['ticket']['id']}",
        "manage.html": "/manage",
        "manage_reports.html": "/manage/reports",
        "manage_follow_ups.html": "/manage/follow-ups",
        "admin.html": "/admin/sites",
    }


def embedded(centre: Centre, path: str, lang: str = "zh") -> dict[str, str]:
    response = requests.get(f"{centre.url}{path}", params={"lang": lang}, timeout=10)
    assert response.status_code == 200, path
    found = EMBEDDED.search(response.text)
    assert found, path
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def page_files(template: str) -> tuple[list[str], list[str]]:
    """(templates, scripts) of a page: itself, what it extends or includes, what they load."""
    templates, scripts, pending = [], [], [template]
    while pending:
        name = pending.pop()
        if name in templates:
            continue
        templates.append(name)
        text = (TEMPLATES / name).read_text(encoding="utf-8")
        pending += INCLUDED.findall(text)
        scripts += [s for s in SCRIPTS.findall(text) if not s.startswith("vendor/")]
    return templates, scripts


def test_each_page_gets_every_word_its_scripts_and_template_look_up(centre: Centre) -> None:
    for template, path in pages(centre).items():
        words = embedded(centre, path)
        assert set(words) <= set(WORDS), template
        templates, scripts = page_files(template)
        for name in scripts:
            text = (STATIC / name).read_text(encoding="utf-8")
            looked_up = set(LOOKED_UP.findall(text))
            assert looked_up - set(words) == set(), (template, name)
            for prefix in {p for match in FAMILY.findall(text) for p in match if p}:
                family = {code for code in WORDS if code.startswith(prefix)}
                assert family and family <= set(words), (template, name, prefix)
            variables = {f"{f}({v})" for f, v in VARIABLE.findall(text)}
            assert variables == VARIABLE_LOOKUPS.get(name, set()), (name, variables)
        for name in templates:
            text = (TEMPLATES / name).read_text(encoding="utf-8")
            named = {a or b for a, b in IN_TEMPLATE.findall(text)} - {"get"}
            assert named - set(words) == set(), (template, name)
            for prefix in TEMPLATE_FAMILY.findall(text):
                assert {code for code in WORDS if code.startswith(prefix)} <= set(words), (template, prefix)


def test_a_page_carries_its_own_words_not_the_catalogue(centre: Centre) -> None:
    got = {template: embedded(centre, path) for template, path in pages(centre).items()}
    admins = {code for code in WORDS if code.startswith(("adm_", "set_", "audit_"))}
    reports = {code for code in WORDS if code.startswith(("r_", "m_"))}
    console = {code for code in WORDS if code.startswith(("act_", "call_", "issue_", "take_over"))}
    kiosk = {code for code in WORDS if code.startswith(("kiosk_", "printed_", "domain_"))}
    errors = {code for code in WORDS if code.startswith("field_")}
    display, phone, start = set(got["display.html"]), set(got["ticket.html"]), set(got["start.html"])
    assert "now_calling" in display and "rate_title" in phone and "start_intro" in start
    for carried in (display, phone, start):
        assert carried & (admins | reports | console | kiosk | errors) == set()
    # The phone page grew with the 差评 reasons and the 一件事 stages: still a few per cent of the catalogue.
    assert len(display) < 40 and len(phone) < 80  # of the catalogue's 1,169 words
    assert "adm_title" in got["admin.html"] and set(got["admin.html"]) & (reports | kiosk) == set()
    # The console and the reports borrow a few of the administration's words, no more.
    assert "r_by_day" in got["manage_reports.html"]
    assert set(got["manage_reports.html"]) & (admins | kiosk) == {"adm_proxy_kind_registered", "adm_proxy_kind_staff"}
    assert "act_call_next" in got["console.html"]
    assert set(got["console.html"]) & (admins | kiosk) == {"adm_services", "adm_bundles"}
    for words in got.values():
        assert len(words) < len(WORDS) / 2


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_page_gets_its_words_in_its_language(centre: Centre, lang: str) -> None:
    words = embedded(centre, f"/display/city-hall?token={centre.display_token}", lang)
    assert words["now_calling"] == WORDS["now_calling"][0 if lang == "zh" else 1]
