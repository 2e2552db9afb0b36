"""The house a newcomer walks: the running centre never loads the tools (demo, simulator)."""
from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_the_running_centre_loads_no_tool(tmp_path) -> None:  # type: ignore[no-untyped-def]
    code = (
        "import sys\n"
        "from queue_server.app import create_app\n"
        f"create_app(overrides={{'DB': {str(tmp_path / 'x.db')!r}}})\n"
        "import queue_server.wsgi  # noqa: F401 (gunicorn's entry point, a second app)\n"
        "print(sorted(m for m in sys.modules if m.startswith('queue_server.tools')))\n"
    )
    env = {"HALLQUEUE_DB": str(tmp_path / "y.db"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


# Two floors name their modules after what they serve, on purpose: storage/ has a repository
# per aggregate (storage/sites.py keeps the sites) and api/schemas/ the models of an area of
# the API (api/schemas/sites.py). Such a module may share its name with the centre's module or
# folder of that concern; anywhere else, and for the floors' own machinery, a name means one thing.
MIRROR_FLOORS = ("queue_server/storage", "queue_server/api/schemas")
MIRROR_MACHINERY = {"base", "store", "database", "migrations", "records"}


def _modules() -> list[tuple[str, str]]:
    """(name, path) of every module and package of the four top-level packages."""
    found = []
    for package in ("queue_server", "kiosk", "displays", "devices"):
        for path in (ROOT / package).rglob("*"):
            relative = path.relative_to(ROOT)
            if "vendor" in relative.parts or "__pycache__" in relative.parts:
                continue
            if path.is_dir() and (path / "__init__.py").exists():
                found.append((path.name, str(relative)))
            elif path.suffix == ".py" and path.name not in ("__init__.py", "__main__.py"):
                found.append((path.stem, str(relative)))
    return found


def test_no_two_modules_share_a_name_on_different_floors() -> None:
    places: dict[str, list[str]] = {}
    for name, where in _modules():
        places.setdefault(name, []).append(where)
    shared = {}
    for name, where in places.items():
        mirrors = [w for w in where if w.rsplit("/", 1)[0] in MIRROR_FLOORS and name not in MIRROR_MACHINERY]
        others = [w for w in where if w not in mirrors]
        # A mirror may stand beside one module or folder of the centre: the concern it serves.
        if len(others) > 1 or (mirrors and others and not others[0].startswith("queue_server/")):
            shared[name] = where
    assert shared == {}
