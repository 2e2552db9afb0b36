"""The clerk's console: log in, pick a window, call and serve with the keyboard."""

from __future__ import annotations

from flask import Blueprint

from . import render_page

console = Blueprint("console", __name__)


@console.get("/console")
def page():  # type: ignore[no-untyped-def]
    return render_page("console.html")
