"""The lock file stays true: every package the project needs is pinned in requirements.lock,
installed at that version, and no pin is below a floor of pyproject.toml (issue 12: two
machines run the same versions, none with a known advisory).

And each machine's role installs what its code imports (issue 17): the centre, a kiosk PC and
a sign PC each install the base packages and their extra of pyproject.toml; their modules
import nothing else, every third-party import anywhere is declared, and `hallqueue` starts on
a machine that has only its role's packages, naming the extra a command of another role needs.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
EXTRAS: dict[str, list[str]] = PROJECT["optional-dependencies"]
FIRST_PARTY = ("queue_server", "kiosk", "devices", "displays")
# `make demo`'s runners start every role at once on a developer's machine ([dev]).
DEMO_ONLY = {"queue_server.tools.demo_run", "kiosk.demo_kiosk", "displays.demo_signs"}
TEST_TOOLS = {"pytest", "playwright", "mypy", "schemathesis", "hypothesis", "ruff", "mkdocs"}


def locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not an exact pin: {line!r}"
            pins[canonicalize_name(name)] = version
    return pins


def requirements(extras: frozenset[str]) -> list[Requirement]:
    """pyproject.toml's base requirements and those of `extras`, its own `hallqueue[…]` unfolded."""
    found = [Requirement(text) for text in PROJECT["dependencies"]]
    done: set[str] = set()
    todo = list(extras)
    while todo:
        extra = todo.pop()
        if extra in done:
            continue
        done.add(extra)
        for text in EXTRAS[extra]:
            requirement = Requirement(text)
            if canonicalize_name(requirement.name) == "hallqueue":
                todo += requirement.extras
            else:
                found.append(requirement)
    return found


def needed(extras: frozenset[str] = frozenset({"dev"})) -> set[str]:
    """hallqueue[extras] and everything it pulls in, as installed (markers evaluated here)."""
    found: set[str] = set()
    todo: list[tuple[str, frozenset[str]]] = [
        (canonicalize_name(r.name), frozenset(r.extras)) for r in requirements(extras)
        if r.marker is None or r.marker.evaluate()
    ]
    found.update(name for name, _ in todo)
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
    for requirement in requirements(frozenset({"dev"})):
        name = canonicalize_name(requirement.name)
        if name in pins:
            assert requirement.specifier.contains(Version(pins[name]), prereleases=True), (
                f"{name}=={pins[name]} in requirements.lock is outside {requirement.specifier}"
            )


# --- each role imports what its extra declares -----------------------------------------


def module_names(package: str) -> list[str]:
    names = []
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


@cache
def module_file(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


@cache
def imports_of(name: str, top_level_only: bool) -> frozenset[str]:
    """The modules `name` imports (absolute names); with top_level_only, not those imported
    inside functions, which run only when that function does."""
    path = module_file(name)
    assert path is not None, name
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            # `from package import module` imports a module too
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return frozenset(found)


def third_party_imports(starts: list[str], top_level_only: bool = False) -> dict[str, str]:
    """Every third-party top-level module the modules `starts` import, directly or through
    the project's own modules (and their parent packages): {module: the first-party importer}."""
    found: dict[str, str] = {}
    seen: set[str] = set()
    todo = list(starts)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        todo += [parent for i in range(1, len(parts)) if module_file(parent := ".".join(parts[:i]))]
        for imported in imports_of(name, top_level_only and name in starts):
            top = imported.partition(".")[0]
            if top in FIRST_PARTY:
                if module_file(imported) is not None:
                    todo.append(imported)
            elif top not in sys.stdlib_module_names and top != "__future__":
                found.setdefault(top, name)
    return found


def distributions_of(module: str) -> set[str]:
    """The installed distributions that provide a top-level module (PIL: pillow)."""
    return {canonicalize_name(d) for d in metadata.packages_distributions().get(module, [])}


def declared(extras: frozenset[str]) -> set[str]:
    return {canonicalize_name(r.name) for r in requirements(extras)}


ROLES: dict[str, list[str]] = {
    # What every machine runs: the command (its commands import their role's modules when
    # run) and the wire models the agents share with the centre.
    # (`command_grammar` reads a database error's type only once one was raised.)
    "": ["queue_server.cli", "queue_server.command_grammar", "queue_server.__main__", *module_names("queue_server/wire")],
    "centre": [
        m for m in module_names("queue_server")
        if m not in DEMO_ONLY and m not in ("queue_server.cli", "queue_server.command_grammar", "queue_server.__main__")
    ],
    "kiosk": [m for m in module_names("kiosk") + module_names("devices") if m not in DEMO_ONLY],
    "sign": [m for m in module_names("displays") if m not in DEMO_ONLY],
}


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_imports_only_what_its_extra_declares(role: str) -> None:
    allowed = declared(frozenset({role} if role else set()))
    undeclared = {
        module: importer
        for module, importer in third_party_imports(ROLES[role], top_level_only=not role).items()
        if not distributions_of(module) & allowed
    }
    assert not undeclared, (
        f"hallqueue[{role}] does not declare what these modules import: {undeclared} "
        "(add the package to the role's extra in pyproject.toml)"
    )


def test_the_roles_reach_beyond_the_base() -> None:
    """The check above sees through the project's own imports: a kiosk's modules reach
    the printer's and the screen's packages, the sign agent's the serial port, and the
    command alone only click and the wire's pydantic."""
    assert {"escpos", "serial", "flask", "waitress", "socketio"} <= set(third_party_imports(ROLES["kiosk"]))
    assert {"serial", "socketio", "requests", "pydantic"} <= set(third_party_imports(ROLES["sign"]))
    assert set(third_party_imports(ROLES[""], top_level_only=True)) == {"click", "pydantic", "pydantic_core"}


def test_every_third_party_import_is_declared_somewhere() -> None:
    everything = declared(frozenset(EXTRAS))
    starts = [m for package in FIRST_PARTY for m in module_names(package)]
    starts += [m for folder in ("tests", "bench", "docs") for m in module_names(folder)]
    # bench's and the tests' helpers are imported by their short names (bench/_centre.py)
    local = {Path(m.replace(".", "/")).name for m in starts}
    missing = {
        module: importer
        for module, importer in third_party_imports(starts).items()
        if module not in local and module != "tests" and not distributions_of(module) & everything
    }
    assert not missing, f"imported but declared by no extra of pyproject.toml: {missing}"


def test_a_package_has_one_floor_in_every_extra() -> None:
    floors: dict[str, set[str]] = {}
    for extra in ["", *EXTRAS]:
        for requirement in requirements(frozenset({extra} if extra else set())):
            floors.setdefault(canonicalize_name(requirement.name), set()).add(str(requirement.specifier))
    assert {name: specs for name, specs in floors.items() if len(specs) > 1} == {}


@pytest.mark.parametrize("role", ["centre", "kiosk", "sign"])
def test_a_production_install_has_no_test_tools(role: str) -> None:
    assert needed(frozenset({role})) & TEST_TOOLS == set()


def test_a_kiosk_does_not_install_the_centre_stack() -> None:
    assert needed(frozenset({"kiosk"})) & {"flask-socketio", "gunicorn", "openpyxl", "redis", "sqlite-utils"} == set()
    assert needed(frozenset({"sign"})) & {"flask", "flask-socketio", "gunicorn", "openpyxl", "redis", "python-escpos"} == set()


# --- `hallqueue` on a machine with only its role's packages ---------------------------

# Runs `hallqueue ARGS…` in a fresh interpreter where every installed package outside the
# role's (its extra and what that pulls in) cannot be imported, as on that machine.
ONLY_ROLE = """
import importlib.abc, sys
absent = set(sys.argv[1].split(","))
class Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in absent:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Absent())
for name in [m for m in sys.modules if m.partition(".")[0] in absent]:
    del sys.modules[name]
sys.argv = ["hallqueue", *sys.argv[2:]]
from queue_server.cli import main
main()
"""


def absent_modules(role: str) -> set[str]:
    present = needed(frozenset({role}))
    absent = set()
    for module, distributions in metadata.packages_distributions().items():
        if module in FIRST_PARTY or module.startswith("_") or module in sys.stdlib_module_names:
            continue
        if not {canonicalize_name(d) for d in distributions} & present:
            absent.add(module)
    return absent


def hallqueue_as(role: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", ONLY_ROLE, ",".join(sorted(absent_modules(role))), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )


def test_only_a_role_packages_are_importable_in_the_simulated_machine() -> None:
    kiosk = absent_modules("kiosk")
    assert {"flask_socketio", "gunicorn", "openpyxl", "redis", "sqlite_utils", "pytest"} <= kiosk
    assert not {"flask", "escpos", "serial", "socketio", "pydantic", "click"} & kiosk
    assert {"flask", "escpos", "waitress", "pypinyin"} <= absent_modules("sign")


@pytest.mark.parametrize("role, command", [("kiosk", "kiosk"), ("sign", "sign"), ("centre", "serve")])
def test_hallqueue_starts_with_only_its_role_packages(role: str, command: str) -> None:
    for args in (["--help"], [command, "--help"]):
        done = hallqueue_as(role, *args)
        assert done.returncode == 0, done.stderr
        assert "Usage: hallqueue" in done.stdout
        assert "unavailable" not in done.stderr


@pytest.mark.parametrize(
    "role, args, extra",
    [
        ("kiosk", ["serve", "--db", "{tmp}/centre.db"], "centre"),
        ("sign", ["serve", "--db", "{tmp}/centre.db"], "centre"),
        ("sign", ["user", "add", "ann", "--role", "admin", "--db", "{tmp}/centre.db"], "centre"),
        ("sign", ["kiosk", "--server", "http://127.0.0.1:9", "--token", "t", "--printer", "{tmp}/tty"], "kiosk"),
        ("centre", ["sign", "--server", "http://127.0.0.1:9", "--token", "t", "--site", "s",
                    "--counter", "1", "--serial-port", "{tmp}/tty"], "sign"),
        ("sign", ["device", "print-test", "--printer-port", "{tmp}/tty"], "kiosk"),
        ("kiosk", ["device", "list", "--db", "{tmp}/centre.db"], "centre"),
    ],
)
def test_a_command_of_another_role_names_the_extra_it_needs(
    role: str, args: list[str], extra: str, tmp_path: Path
) -> None:
    done = hallqueue_as(role, *[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert done.returncode == 1, done.stderr  # failed: the command cannot run on this machine
    assert f"needs the packages of hallqueue[{extra}]" in done.stderr
    assert f"pip install 'hallqueue[{extra}]'" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "centre.db").exists()  # refused before it did anything
