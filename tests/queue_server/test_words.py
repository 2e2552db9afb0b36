"""The message catalogue (queue_server/wire/words.py): every word in both languages, and
every code the code base says is in it."""
from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from queue_server.wire import words
from queue_server.wire.words import WORDS, say
from tests.conftest import ROOT, Centre

SOURCES = ("queue_server", "kiosk", "displays")


def python_sources() -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for folder in SOURCES
        for path in sorted((ROOT / folder).rglob("*.py"))
    }


def script_sources() -> dict[str, str]:
    """The scripts and templates of the pages and the kiosk screen (not the vendor's)."""
    found: dict[str, str] = {}
    for folder, pattern in [
        ("queue_server/static", "*.js"),
        ("queue_server/templates", "*.html"),
        ("kiosk/static", "*.js"),
        ("kiosk/templates", "*.html"),
    ]:
        for path in sorted((ROOT / folder).glob(pattern)):
            found[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    return found


# --- the table ------------------------------------------------------------------------


def test_every_code_has_both_languages() -> None:
    missing = [
        code
        for code, pair in WORDS.items()
        if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(w, str) and w.strip() for w in pair))
    ]
    assert missing == []
    assert re.search("[\u4e00-\u9fff]", WORDS["not_found"][0]) and WORDS["not_found"][1] == "Not found"


def test_no_code_is_written_twice() -> None:
    # A dict literal keeps the last of two equal keys without a word: the first would be lost.
    tree = ast.parse((ROOT / "queue_server/wire/words.py").read_text(encoding="utf-8"))
    table = next(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "WORDS"
    )
    assert isinstance(table, ast.Dict)
    codes = [key.value for key in table.keys if isinstance(key, ast.Constant)]
    assert len(codes) == len(WORDS)
    assert sorted(c for c in set(codes) if codes.count(c) > 1) == []


def parameters(text: str) -> set[str]:
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}


def test_a_template_takes_the_same_parameters_in_both_languages() -> None:
    differ = {code: (parameters(zh), parameters(en)) for code, (zh, en) in WORDS.items() if parameters(zh) != parameters(en)}
    assert differ == {}


def test_codes_are_plain_names() -> None:
    assert [code for code in WORDS if not re.fullmatch(r"[a-z][a-z0-9_]*", code)] == []


# --- saying ------------------------------------------------------------------------------


def test_say_fills_parameters_phrases_and_coded_words() -> None:
    assert say("unknown_site", site="x") == "没有这个网点：x"
    assert say("unknown_site", "en", site="x") == "No such site: x"
    assert say("unknown_site") == "没有这个网点：?"  # a missing parameter is visible, not an error
    assert say("return_not_allowed", "en", why="another_day") == (
        "This ticket cannot go back in line (a missed ticket can only come back the same day)"
    )
    assert say("field_password_classes", missing=["upper", "symbol"]).endswith("（现在缺少大写字母、符号）")
    phrase = ("rule_no_show_line", {"called": ("rule_line_called", {"calls": 2}), "back": ("rule_line_back_end", {})})
    assert say(*phrase[:1], **phrase[1]) == "过号：叫2次未到，当天返回排队尾"
    assert say(phrase[0], "en", **phrase[1]) == "Missed call: 2 calls; back today: end of line"
    assert say("no_such_code") == "no_such_code"
    assert say("invalid_something", detail="x") == say("invalid_input", detail="x")
    assert words.pick_language("en-GB,en;q=0.9,zh;q=0.5") == "en"
    assert words.pick_language("zh-CN,en;q=0.5") == "zh" and words.pick_language(None) == "zh"


def test_named_in_finds_literals_attributes_and_families() -> None:
    found = words.named_in('HQ.t("now_calling"); t(`day_${d}`); x = "status_" + s;', "{{ t.adm_title }} 'nope'")
    assert {"now_calling", "adm_title", "day_mon", "day_sun", "status_waiting", "status_unserved"} <= found
    assert "nope" not in found and not any(code.startswith("adm_nav_") for code in found)


# --- every code the code base says is in the catalogue ------------------------------------

# Python: what is said, raised or refused with a code.
SAID = [
    re.compile(r"""\bsay\(\s*["']([a-z][a-z0-9_]*)["']"""),
    re.compile(r"""\btemplate\(\s*["']([a-z][a-z0-9_]*)["']"""),
    re.compile(r"""\berror_response\(\s*["']([a-z][a-z0-9_]*)["']"""),
    re.compile(r"""\bKioskRefusal\(\s*["']([a-z][a-z0-9_]*)["']"""),
    re.compile(r"""^\s+code = ["']([a-z][a-z0-9_]*)["']""", re.M),  # an exception's code
    re.compile(r"""^class \w+\(.*\bcode=["']([a-z][a-z0-9_]*)["']""", re.M),  # one in its class line
    re.compile(r"""\bPydanticCustomError\(\s*["'](field_[a-z0-9_]*)["']"""),  # a model's refusal
]
FIELD_RULE = re.compile(r"""\bFieldInvalid\(\s*[^,()]+(?:\([^()]*\))?,\s*["']([a-z][a-z0-9_]*)["']""")
# Scripts and templates: a word looked up by its code.
LOOKED_UP = [
    re.compile(r"""\b(?:HQ\.)?t\(\s*["']([a-z][a-z0-9_]*)["']"""),
    re.compile(r"""\bt\.([a-z][a-z0-9_]*)\b"""),  # Jinja: {{ t.now_calling }}
    re.compile(r"""\bt\[\s*["']([a-z][a-z0-9_]*)["']\s*\]"""),
    re.compile(r"""data-t=["']([a-z][a-z0-9_]*)["']"""),
]
# Codes of exceptions that are never answered as such (base classes, the devices' own).
NOT_SAID = {"queue_error"}


def test_every_code_python_says_or_raises_is_in_the_catalogue() -> None:
    used: dict[str, set[str]] = {}
    for path, text in python_sources().items():
        if path == "queue_server/wire/words.py":
            continue
        for pattern in SAID:
            for code in pattern.findall(text):
                used.setdefault(code, set()).add(path)
        for rule in FIELD_RULE.findall(text):
            used.setdefault(f"field_{rule}", set()).add(path)
    assert len(used) > 100  # the scan really reads the code base
    assert {"field_timezone", "unknown_site", "too_many_joins", "card_required"} <= set(used)
    missing = {code: sorted(paths) for code, paths in used.items() if code not in WORDS and code not in NOT_SAID}
    assert missing == {}


def test_every_rule_a_refused_field_can_name_is_in_the_catalogue() -> None:
    # pydantic's error types and the catalogue import's problems map to field_<rule>.
    from queue_server import parsing
    from queue_server.administration import catalog_import

    rules = set(parsing._RULES.values()) | {rule for _, rule, _ in catalog_import._CATALOG_PROBLEMS}
    assert {"required", "integer", "cat_prefix"} <= rules
    assert sorted(rule for rule in rules if f"field_{rule}" not in WORDS) == []


def test_every_code_a_page_or_the_kiosk_looks_up_is_in_the_catalogue() -> None:
    missing: dict[str, list[str]] = {}
    count = 0
    for path, text in script_sources().items():
        for pattern in LOOKED_UP:
            for code in pattern.findall(text):
                count += 1
                if code.endswith("_"):
                    continue  # a family: t("status_" + status), checked below
                if code not in WORDS and not (path.endswith(".js") and pattern is LOOKED_UP[1]):
                    missing.setdefault(code, []).append(path)
    assert count > 500
    assert missing == {}


FAMILY = re.compile(r"""\b(?:HQ\.)?t\(\s*(?:["']([a-z][a-z0-9_]*_)["']\s*\+|`([a-z][a-z0-9_]*_)\$\{)""")
JINJA_FAMILY = re.compile(r"""\bt\[\s*["']([a-z][a-z0-9_]*_)["']\s*[~+]""")


def test_every_family_a_script_builds_a_code_of_has_words() -> None:
    # t("status_" + ticket.status): the family exists; each member it can take is checked below.
    prefixes = {
        prefix
        for text in script_sources().values()
        for pattern in (FAMILY, JINJA_FAMILY)
        for match in pattern.findall(text)
        for prefix in (match if isinstance(match, tuple) else (match,))
        if prefix
    }
    assert {"status_", "adm_kind_", "ooo_", "priority_"} <= prefixes
    assert [p for p in prefixes if not any(code.startswith(p) for code in WORDS)] == []


def family_members() -> list[tuple[str, str]]:
    from devices.escpos_ticket import LABELS
    from kiosk.agent import PRIORITY_NOTICE, REFUSALS
    from kiosk.local_guard import REFUSALS as GUARD_REFUSALS
    from kiosk.service_menu import DOMAINS
    from queue_server.administration.audit import KINDS
    from queue_server.engine.lifecycle import OUT_OF_ORDER_REASONS
    from queue_server.engine.model import (
        Channel,
        CounterKind,
        CounterState,
        Outcome,
        Priority,
        SiteKind,
        TicketStatus,
    )
    from queue_server.webhooks import EVENTS, PING
    from queue_server.wire import RATING_LEVELS

    return [
        *((f"status_{s.value}", "TicketStatus") for s in TicketStatus),
        *((f"priority_{p.value}", "Priority") for p in Priority),
        *((f"channel_{c.value}", "Channel") for c in Channel),
        *((f"outcome_{o.value}", "Outcome") for o in Outcome),
        *((f"state_{s.value}", "CounterState") for s in CounterState),
        *((f"adm_kind_{k.value}", "SiteKind") for k in SiteKind),
        *((f"site_kind_{k.value}", "SiteKind") for k in SiteKind),
        *((f"adm_counter_kind_{k.value}", "CounterKind") for k in CounterKind),
        *((f"ooo_{r}", "OUT_OF_ORDER_REASONS") for r in (*OUT_OF_ORDER_REASONS, "other")),
        *((f"audit_kind_{k}", "audit.KINDS") for k in KINDS),
        *((f"rate_{level}", "RATING_LEVELS") for level in RATING_LEVELS),
        *((f"domain_{d}", "kiosk DOMAINS") for d in DOMAINS),
        *((f"printed_{label}", "ticket LABELS") for label in LABELS),
        *((code, "kiosk PRIORITY_NOTICE") for code in PRIORITY_NOTICE.values()),
        *((code, "kiosk REFUSALS") for code in (*REFUSALS, *GUARD_REFUSALS)),
        *((f"month_{m}", "months") for m in range(1, 13)),
        *((f"adm_wh_event_{e.replace('.', '_')}", "webhooks.EVENTS") for e in (*EVENTS, PING)),
        *((f"adm_wh_status_{s}", "webhook delivery states") for s in ("pending", "delivered", "failed")),
    ]


def test_every_value_a_family_can_take_has_its_word() -> None:
    members = family_members()
    assert len(members) > 80
    assert [(code, source) for code, source in members if code not in WORDS] == []


def test_every_coded_parameter_has_its_word() -> None:
    # why="policy" (engine errors), missing=["upper", …] (the password policy)
    sources = "\n".join(python_sources().values())
    whys = set(re.findall(r"""\bwhy=["']([a-z_]+)["']""", sources))
    assert whys and [w for w in whys if f"why_{w}" not in WORDS] == []
    from queue_server.accounts import passwords

    classes = set(re.findall(r"""["'](upper|lower|digit|symbol)["']""", Path(passwords.__file__).read_text()))
    assert classes == {"upper", "lower", "digit", "symbol"}
    assert [c for c in classes if f"missing_{c}" not in WORDS] == []


# --- words the devices keep, since they import nothing of the centre ----------------------


@pytest.mark.parametrize("language", words.LANGUAGES)
def test_the_sample_ticket_prints_the_catalogues_labels(language: str) -> None:
    from devices.escpos_ticket import LABELS, SAMPLE_LABELS, SAMPLE_NO_SHOW
    from kiosk.peripherals import ticket_labels

    assert SAMPLE_LABELS[language] == ticket_labels(language)
    assert set(ticket_labels(language)) == set(LABELS)
    policy = ("rule_no_show_line", {"called": ("rule_line_called", {"calls": 2}), "back": ("rule_line_back_places", {"places": 3})})
    assert SAMPLE_NO_SHOW[language] == say(policy[0], language, **policy[1])


def test_the_evaluators_rating_names_are_the_catalogues() -> None:
    from devices.evaluator import RATING_LEVELS, rating_name

    for level in RATING_LEVELS:
        assert (rating_name(level, "zh"), rating_name(level, "en")) == WORDS[f"rate_{level}"]


# --- words the centre hands on as data -------------------------------------------------------


def test_a_display_is_told_the_catalogues_announcement_where_the_site_set_none(centre: Centre) -> None:
    # The display's announcer keeps no sentence of its own: the board gives the site's, or
    # the catalogue's in both languages (Mandarin, then English).
    board = centre.get("/sites/city-hall/board", token=centre.display_token).json()["site"]
    assert (board["announce_template"], board["announce_template_en"]) == WORDS["announce_call"]
    assert "请{number}号到{window}号窗口办理" == WORDS["announce_call"][0]  # as it was
    script = (ROOT / "queue_server/static/announcer.js").read_text(encoding="utf-8")
    assert "号窗口" not in script and "please go to window" not in script


def test_the_window_sign_says_the_catalogues_words() -> None:
    from displays.sign_agent import sign_view

    counter = {"number": 5, "state": "open", "current_ticket": "t1"}
    called = sign_view(counter, {"id": "t1", "number": "A023", "status": "called"})
    assert called.text == "请A023号到5号窗口办理" == say("announce_call", number="A023", window=5)
    assert sign_view({**counter, "state": "paused"}, None).text == WORDS["sign_paused"][0] == "暂停服务"
