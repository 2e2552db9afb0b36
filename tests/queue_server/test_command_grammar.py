"""The `hallqueue` command line keeps one grammar (docs/commands.md): it walks whatever
command tree is registered, reads every `--help`, and runs the deprecated spellings and the
failures in real processes for their warnings and exit codes."""
from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from queue_server.cli import registered
from queue_server.command_grammar import Exit, Grammar
from tests.conftest import ROOT

TREE = registered()
DOCS = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
PROGRAMS = {"serve", "gateway", "kiosk", "sign"}
# A group's commands are verbs, or verb phrases (`print-test`, `list-ports`, `hand-over`).
VERBS = {
    "add", "list", "deactivate", "reactivate", "unlock", "revoke", "hand-over", "take-back",
    "import", "export", "simulate", "print", "read", "test", "status", "control", "backup",
    "check", "restore", "monitor", "show", "run", "start", "stop", "set", "remove",
}  # fmt: skip
# Its commands name the device each simulates (`hallqueue simulator printer`).
NAMES_DEVICES = {"simulator"}


def walk(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            if not sub.hidden:
                yield from walk(sub, (*path, name))


COMMANDS = [(path, command) for path, command in walk(TREE) if path]
LEAVES = [(path, command) for path, command in COMMANDS if not isinstance(command, click.Group)]


def options(command: click.Command) -> list[click.Option]:
    return [p for p in command.params if isinstance(p, click.Option) and not p.hidden]


def kind(option: click.Option) -> str:
    """What kind of value an option takes: the thing 'one meaning per name' compares."""
    if option.is_flag:
        return "flag"
    kinds = {
        click.IntRange: "int", click.FloatRange: "float", click.Choice: "choice",
        click.DateTime: "date", click.Path: "path", click.File: "path",
    }  # fmt: skip
    for cls, name in kinds.items():
        if isinstance(option.type, cls):
            return name
    return {click.INT: "int", click.FLOAT: "float", click.STRING: "text"}.get(option.type, option.type.name)


def hallqueue(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "queue_server", *args],
        cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def warnings(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.startswith("hallqueue: warning: ")]


def error_line(done: subprocess.CompletedProcess[str]) -> str:
    """The last line on stderr, which must be the one error line (never a traceback)."""
    assert "Traceback" not in done.stderr, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("hallqueue: error: "), done.stderr
    return last


# --- the tree, read through every --help ---------------------------------------------------


def test_the_tree_holds_the_commands_of_every_part() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"serve", "kiosk", "sign", "user list", "user deactivate", "user reactivate",
            "device list", "device revoke", "device printer-status", "simulator printer",
            "history simulate", "catalog import", "site hand-over"} <= names  # fmt: skip
    assert not {"sim", "devices", "simulate"} & names  # the old spellings are hidden


@pytest.mark.parametrize("path", [path for path, _ in COMMANDS], ids=" ".join)
def test_every_help_runs(path: tuple[str, ...]) -> None:
    done = CliRunner().invoke(TREE, [*path, "--help"], prog_name="hallqueue")
    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"Usage: hallqueue {' '.join(path)} ")


def test_nouns_and_verbs() -> None:
    for name, command in TREE.commands.items():
        if name in PROGRAMS:
            assert not isinstance(command, click.Group), name
            continue
        # Every other top-level word is a noun, singular, naming what its verbs act on.
        assert isinstance(command, click.Group), f"{name}: a lone command is not a program"
        assert re.fullmatch(r"[a-z]+", name) and not name.endswith("s"), name
    for path, _ in COMMANDS:
        assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", path[-1]), path
        assert len(path) <= 2, f"{' '.join(path)}: hallqueue NOUN VERB, no deeper"
        if len(path) == 2 and path[0] not in NAMES_DEVICES:
            words = {path[1], *path[1].split("-")}
            assert words & VERBS, f"{' '.join(path)}: its name has no verb"


def test_each_option_name_has_one_meaning() -> None:
    seen: dict[str, tuple[str, str]] = {}
    for path, command in LEAVES:
        for option in options(command):
            for name in option.opts:
                if not name.startswith("--"):
                    continue
                where = " ".join(path)
                first = seen.setdefault(name, (kind(option), where))
                assert first[0] == kind(option), (
                    f"{name} takes a {kind(option)} in `{where}` but a {first[0]} in `{first[1]}`"
                )
    # The words that were ambiguous before: --port is an HTTP port, serial ports say whose.
    assert seen["--port"][0] == "int"
    for name, (value, _) in seen.items():
        if name.endswith("-port") and name != "--port":
            assert value == "text", name  # a device path or a pyserial URL
        if name.endswith("baud"):
            assert name != "--baud" and value == "int", name
    assert not {"--printer", "--id-reader", "--id-reader-baud", "--baud"} & set(seen)


def test_every_environment_variable_shows_in_help_and_is_documented() -> None:
    found = 0
    for path, command in LEAVES:
        help_text = CliRunner().invoke(TREE, [*path, "--help"], prog_name="hallqueue", terminal_width=200).output
        for option in options(command):
            if not option.envvar:
                continue
            found += 1
            names = [option.envvar] if isinstance(option.envvar, str) else list(option.envvar)
            for envvar in names:
                assert envvar.startswith("HALLQUEUE_"), envvar
                assert option.show_envvar, f"{' '.join(path)} {option.opts[0]}"
                assert envvar in help_text, f"{envvar} not in `hallqueue {' '.join(path)} --help`"
                assert f"`{envvar}`" in DOCS, f"{envvar} is not in docs/commands.md"
    assert found >= 10


def test_the_renamed_spellings_point_at_options_that_exist() -> None:
    for _, group in walk(TREE):
        if not isinstance(group, Grammar):
            continue
        for command_name, renamed in group.renamed_options.items():
            command = group.commands[command_name]
            spelled = {name for p in command.params for name in p.opts}
            for old, new in renamed.items():
                assert new in spelled and old not in spelled, (command_name, old, new)
                assert f"`{old.split('=')[0]}" in DOCS or old in DOCS, f"{old} is not in docs/commands.md"


def test_every_command_is_documented() -> None:
    for path, _ in LEAVES:
        words = " ".join(path)
        head, _, last = words.rpartition(" ")
        assert f"hallqueue {words}" in DOCS or (head and f"hallqueue {head} " in DOCS and last in DOCS), words


# --- in real processes: --version, deprecated spellings, exit codes ------------------------


def test_version_comes_from_the_package_metadata() -> None:
    done = hallqueue("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"hallqueue {version('hallqueue')}"


@pytest.mark.parametrize(
    ("old", "new"),
    [(["sim"], "hallqueue simulator"), (["simulate"], "hallqueue history simulate")]
    + [(["devices", name], "hallqueue device") for name in sorted(TREE.commands["device"].commands)
       if name not in ("add", "list", "revoke")],  # every diagnostic, whatever the group holds
)  # fmt: skip
def test_old_command_spellings_work_and_warn_once(old: list[str], new: str) -> None:
    done = hallqueue(*old, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: hallqueue ")
    (warning,) = warnings(done)
    assert "deprecated" in warning and f"'{new}'" in warning


def test_old_option_spellings_work_and_warn(tmp_path: Path) -> None:
    # Taken as the new options: the diagnostic tries the port it was given…
    done = hallqueue("devices", "printer-status", "--printer", "/dev/no-such-printer", "--baud", "9600")
    assert done.returncode == Exit.FAILED and "no-such-printer" in error_line(done)
    said = warnings(done)
    assert len(said) == 3  # `devices`, `--printer`, `--baud`: one line each
    assert any("'--printer-port'" in w for w in said) and any("'--printer-baud'" in w for w in said)
    # …and a bad value is reported under the new name.
    done = hallqueue("sign", "--server", "http://127.0.0.1:9", "--token", "t", "--site", "city-hall",
                     "--counter", "1", "--port", "/dev/null", "--baud", "fast")  # fmt: skip
    assert done.returncode == Exit.USAGE and "'--serial-baud'" in error_line(done)
    assert len(warnings(done)) == 2
    done = hallqueue("kiosk", "--server", "http://127.0.0.1:9", "--token", "t",
                     "--printer", "/dev/null", "--id-reader", "/dev/null", "--paper", "99")  # fmt: skip
    assert done.returncode == Exit.USAGE and "'--width'" in error_line(done)
    assert {w.split("use ")[-1] for w in warnings(done)} == {"'--printer-port'", "'--reader-port'", "'--width'"}


def test_the_contract_command_lines_still_parse() -> None:
    # Units and scripts in the field run these exact lines (device add: tests/edge).
    context = TREE.commands["serve"].make_context(
        "serve", ["--db", "station.db", "--edge-of", "http://city:8600", "--token", "T",
                  "--host", "0.0.0.0", "--port", "8601"],  # fmt: skip
    )
    assert context.params["edge_of"] == "http://city:8600" and context.params["port"] == 8601


def test_exit_codes(tmp_path: Path) -> None:
    db = str(tmp_path / "exit.db")
    usage = hallqueue("user", "add", "li", "--db", db)  # no --role
    assert usage.returncode == Exit.USAGE and "--role" in error_line(usage)
    assert "Usage: hallqueue user add" in usage.stderr
    unknown = hallqueue("user", "frobnicate")
    assert unknown.returncode == Exit.USAGE and "frobnicate" in error_line(unknown)

    assert hallqueue("user", "add", "boss", "--role", "admin", "--db", db, stdin="Long-enough-1\n").returncode == 0
    missing = hallqueue("user", "deactivate", "nobody", "--db", db)
    assert missing.returncode == Exit.NOT_FOUND and "nobody" in error_line(missing)
    assert hallqueue("device", "revoke", "no-such-device", "--db", db).returncode == Exit.NOT_FOUND
    assert hallqueue("device", "list", "--site", "mars", "--db", db).returncode == Exit.NOT_FOUND

    last_admin = hallqueue("user", "deactivate", "boss", "--db", db)
    assert last_admin.returncode == Exit.REFUSED
    error_line(last_admin)
    weak = hallqueue("user", "add", "wei", "--role", "admin", "--db", db, stdin="short\n")
    assert weak.returncode == Exit.REFUSED and "10–128" in error_line(weak)
    with sqlite3.connect(db) as conn:  # nothing was changed by a refused command
        assert conn.execute("SELECT active FROM staff WHERE username = 'boss'").fetchone() == (1,)

    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("this is not SQLite\n" * 200)
    broken = hallqueue("user", "list", "--db", str(not_a_database))
    assert broken.returncode == Exit.STORAGE and "database" in error_line(broken)
    under_a_file = hallqueue("catalog", "export", "--db", str(not_a_database / "x.db"))
    assert under_a_file.returncode == Exit.STORAGE and "notes.txt" in error_line(under_a_file)

    failed = hallqueue("device", "print-test", "--printer-port", "/dev/no-such-printer")
    assert failed.returncode == Exit.FAILED and "cannot open port" in error_line(failed)


def test_the_exit_codes_are_documented() -> None:
    for code in Exit:
        assert re.search(rf"^\| {code.value} \| ", DOCS, re.MULTILINE), code


def test_ctrl_c_is_exit_130(tmp_path: Path) -> None:
    import signal
    import time

    from tests.queue_server.test_cli import demo_db

    db = str(demo_db(tmp_path))
    edge = hallqueue("device", "add", "--kind", "edge", "--site", "station-cbd", "--db", db)
    assert hallqueue("site", "hand-over", "station-cbd", "--to", edge.stdout.split()[1], "--db", db).returncode == 0
    # Taking the site back waits for a station that is not there: a one-shot command, cut short.
    waiting = subprocess.Popen(
        [sys.executable, "-m", "queue_server", "site", "take-back", "station-cbd", "--wait", "60", "--db", db],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not started_taking_back(db):  # its audit row is written before it waits
        assert time.monotonic() < deadline and waiting.poll() is None
        time.sleep(0.1)
    waiting.send_signal(signal.SIGINT)
    _, stderr = waiting.communicate(timeout=20)
    assert waiting.returncode == Exit.INTERRUPTED, stderr
    assert "Traceback" not in stderr and stderr.strip().splitlines()[-1] == "hallqueue: error: interrupted"


def started_taking_back(db: str) -> bool:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'take_back'").fetchone()[0] > 0
