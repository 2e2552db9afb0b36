"""The language of the pages, and the words each page gets.

The language is `?lang=zh|en` (remembered in a cookie), else the cookie, else Chinese:
a hall screen must not change language because of a browser's settings.

A page gets only its own words: the codes of the message catalogue (`wire/words.py`) that
its template, the templates it extends or includes, and the scripts they load name — read
once per process from the files themselves, so a word a script starts using comes with it
and the hall display never carries the administration's words.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from flask import Response, current_app, request
from jinja2 import Environment

from queue_server.wire import words

LANGUAGES = words.LANGUAGES
COOKIE = "hq_lang"

_TEMPLATES_USED = re.compile(r"""\{%-?\s*(?:extends|include)\s+["']([^"']+)["']""")
_SCRIPTS_LOADED = re.compile(r"""url_for\(\s*'static'\s*,\s*filename\s*=\s*'([^']+\.js)'""")
VENDOR = "vendor/"  # libraries from npm: no words of ours


def language() -> str:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    remembered = request.cookies.get(COOKIE)
    return remembered if remembered in LANGUAGES else "zh"


def page_words(template: str, lang: str) -> dict[str, str]:
    """The words the page rendered from `template` names, in `lang`."""
    return words.texts(page_codes(template), lang)


def page_codes(template: str) -> frozenset[str]:
    return _page_codes(template, current_app.jinja_env, current_app.static_folder)


@cache
def _page_codes(template: str, env: Environment, static_folder: str) -> frozenset[str]:
    return words.named_in(*page_sources(template, env, Path(static_folder)))


def page_sources(template: str, env: Environment, static: Path) -> list[str]:
    """The text of a page's templates (itself and those it extends or includes) and of the
    scripts they load."""
    assert env.loader is not None
    sources: list[str] = []
    pending, seen = [template], set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        text = env.loader.get_source(env, name)[0]
        sources.append(text)
        pending += _TEMPLATES_USED.findall(text)
        for script in _SCRIPTS_LOADED.findall(text):
            if not script.startswith(VENDOR):
                sources.append((static / script).read_text(encoding="utf-8"))
    return sources


def remember(response: Response, lang: str) -> Response:
    if request.args.get("lang") in LANGUAGES:
        response.set_cookie(COOKIE, lang, max_age=365 * 86400, samesite="Lax")
    return response
