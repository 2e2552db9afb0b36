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
