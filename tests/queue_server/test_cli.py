"""The `hallqueue` commands, run as a user would run them."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def hallqueue(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "queue_server", *args], cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=60
    )


def demo_db(tmp_path: Path) -> Path:
    from queue_server.storage import Database
    from queue_server.tools.demo import load_demo

    path = tmp_path / "cli.db"
    load_demo(Database(path))
    return path


def test_user_add_reads_password_from_stdin_and_can_log_in(tmp_path: Path) -> None:
    db = demo_db(tmp_path)
    done = hallqueue("user", "add", "wang", "--role", "clerk", "--site", "city-hall", "--db", str(db), stdin="s3cret-pass\n")
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT password_hash, role, sites FROM staff WHERE username = 'wang'").fetchone()
    assert stored[1] == "clerk" and json.loads(stored[2]) == ["city-hall"]
    assert "s3cret-pass" not in stored[0]

    from queue_server.accounts.credentials import Accounts
    from queue_server.settings import load, secret_for
    from queue_server.storage import Database

    accounts = Accounts(Database(db), secret_for(load(overrides={"DB": str(db)})))
    principal = accounts.principal(accounts.login("wang", "s3cret-pass"))
    assert principal is not None and principal.role == "clerk" and principal.covers("city-hall")


def test_user_add_refuses_bad_input_clearly(tmp_path: Path) -> None:
    db = demo_db(tmp_path)
    short = hallqueue("user", "add", "li", "--role", "clerk", "--site", "city-hall", "--db", str(db), stdin="short\n")
    assert short.returncode != 0 and "10–128" in short.stderr
    nowhere = hallqueue("user", "add", "li", "--role", "clerk", "--site", "mars", "--db", str(db), stdin="Long-enough-1\n")
    assert nowhere.returncode != 0 and "mars" in nowhere.stderr


def test_device_add_prints_token_alone_on_last_line(tmp_path: Path) -> None:
    db = demo_db(tmp_path)
    done = hallqueue("device", "add", "--kind", "kiosk", "--site", "city-hall", "--db", str(db))
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip().splitlines()[-1]
    assert len(token) >= 40 and " " not in token
    with sqlite3.connect(db) as conn:
        hashes = [row[0] for row in conn.execute("SELECT hash FROM tokens WHERE kind = 'device'")]
    assert hashes and token not in hashes  # stored only as a keyed hash

    from queue_server.accounts.credentials import Accounts
    from queue_server.settings import load, secret_for
    from queue_server.storage import Database

    principal = Accounts(Database(db), secret_for(load(overrides={"DB": str(db)}))).principal(token)
    assert principal is not None and principal.role == "kiosk" and principal.sites == {"city-hall"}


def test_catalog_export_import_round_trip_json_and_csv(tmp_path: Path) -> None:
    db = demo_db(tmp_path)
    exported = hallqueue("catalog", "export", "--db", str(db))
    assert exported.returncode == 0
    data = json.loads(exported.stdout)
    assert len(data["services"]) >= 40 and len(data["bundles"]) >= 3
    csv_file = tmp_path / "catalog.csv"
    assert hallqueue("catalog", "export", "--format", "csv", "-o", str(csv_file), "--db", str(db)).returncode == 0
    fresh = tmp_path / "fresh.db"
    imported = hallqueue("catalog", "import", str(csv_file), "--db", str(fresh))
    assert imported.returncode == 0, imported.stderr
    again = json.loads(hallqueue("catalog", "export", "--db", str(fresh)).stdout)
    assert again["services"] == data["services"]


def test_catalog_csv_escapes_formulas_and_round_trips(tmp_path: Path) -> None:
    # Item 7 of issue 12: a name a spreadsheet would run is written as text ('=…) and read
    # back as the same name.
    db = demo_db(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("""UPDATE services SET name = '=HYPERLINK("http://x","y")', department = '-部门'
                        WHERE code = 'A101'""")
    data = json.loads(hallqueue("catalog", "export", "--db", str(db)).stdout)
    csv_file = tmp_path / "catalog.csv"
    assert hallqueue("catalog", "export", "--format", "csv", "-o", str(csv_file), "--db", str(db)).returncode == 0
    text = csv_file.read_text(encoding="utf-8")
    assert '"\'=HYPERLINK(""http://x"",""y"")"' in text and "\"'-部门\"" in text
    fresh = tmp_path / "fresh.db"
    imported = hallqueue("catalog", "import", str(csv_file), "--db", str(fresh))
    assert imported.returncode == 0, imported.stderr
    again = json.loads(hallqueue("catalog", "export", "--db", str(fresh)).stdout)
    assert again["services"] == data["services"]
    assert again["services"][0]["name"] == '=HYPERLINK("http://x","y")'


def test_catalog_import_names_the_bad_row(tmp_path: Path) -> None:
    db = tmp_path / "bad.db"
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text(
        "code,name,department,domain,prefix,expected_minutes\n"
        "X1,好事项,部门,comprehensive,A,10\n"
        "X2,坏事项,部门,comprehensive,a1,10\n",
        encoding="utf-8",
    )
    done = hallqueue("catalog", "import", str(bad_csv), "--db", str(db))
    assert done.returncode == 4 and "line 3" in done.stderr and "prefix" in done.stderr  # refused
    bad_json = tmp_path / "bad.json"
    bad_json.write_text(json.dumps({"services": [{"code": "X1", "name": "n", "department": "d", "domain": "x", "prefix": "A"}, {"code": "X2"}]}))
    done = hallqueue("catalog", "import", str(bad_json), "--db", str(db))
    assert done.returncode == 4 and "services[1]" in done.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    done = hallqueue("catalog", "import", str(broken), "--db", str(db))
    # The admin page's words for it, in the terminal's language (Chinese unless LANG=en…).
    assert done.returncode == 4 and "line 1" in done.stderr and "JSON" in done.stderr
    english = subprocess.run(
        [sys.executable, "-m", "queue_server", "catalog", "import", str(broken), "--db", str(db)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, env={**os.environ, "LANG": "en_GB.UTF-8"},
    )  # fmt: skip
    assert english.stderr.startswith("hallqueue: error: ") and "not valid JSON" in english.stderr
    with sqlite3.connect(db) as conn:  # all or nothing: the good first row was not kept either
        assert conn.execute("SELECT COUNT(*) FROM services").fetchone() == (0,)
