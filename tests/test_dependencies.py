"""The lock file stays true: every package the project needs is pinned in requirements.lock,
installed at that version, and no pin is below a floor of pyproject.toml (issue 12: two
machines run the same versions, none with a known advisory)."""

from __future__ import annotations

from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import ROOT


def locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not an exact pin: {line!r}"
            pins[canonicalize_name(name)] = version
    return pins


def needed() -> set[str]:
    """hallqueue[test,docs] and everything it pulls in, as installed (markers evaluated here)."""
    found: set[str] = set()
    todo: list[tuple[str, frozenset[str]]] = [("hallqueue", frozenset({"test", "docs"}))]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        for text in metadata.requires(name) or []:
            requirement = Requirement(text)
            wanted = requirement.marker is None or any(
                requirement.marker.evaluate({"extra": extra}) for extra in (extras or {""})
            )
            if wanted:
                key = canonicalize_name(requirement.name)
                found.add(key)
                todo.append((key, frozenset(requirement.extras)))
    return found


def test_every_needed_package_is_locked_at_the_installed_version() -> None:
    pins = locked()
    for name in sorted(needed()):
        assert name in pins, f"{name} is needed but not in requirements.lock: run `make lock`"
        assert metadata.version(name) == pins[name], f"{name} installed {metadata.version(name)}, locked {pins[name]}"


def test_no_pin_is_below_a_floor() -> None:
    pins = locked()
    for text in metadata.requires("hallqueue") or []:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        if name in pins:
            assert requirement.specifier.contains(Version(pins[name]), prereleases=True), (
                f"{name}=={pins[name]} in requirements.lock is outside {requirement.specifier}"
            )
