"""The grammar of the `hallqueue` command line, kept in one place.

`hallqueue NOUN VERB [OPTIONS]`: a singular noun (user, device, site, catalog, history,
simulator, …) and a plain verb; the programs a machine runs (`serve`, `gateway`, `kiosk`, `sign`) stand
alone. An option name means one thing on every command (`--port` is always an HTTP port,
a serial port is `--serial-port`, `--printer-port` or `--reader-port`).

Spellings that were replaced keep working — systemd units and scripts in the field use them
— but are hidden from help and say once on stderr what to write instead. Every failure ends
the same way: one line `hallqueue: error: <message>` on stderr and an exit code from `Exit`
(docs/commands.md lists them); never a traceback for a database that cannot be read.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

import click

PROG = "hallqueue"

# The database file, on every command that opens one (the centre's, `db`, `user`, …).
DB_OPTION = click.option(
    "--db",
    "db_path",
    envvar="HALLQUEUE_DB",
    show_envvar=True,
    default="var/hallqueue.db",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="SQLite database file.",
)


class Exit(IntEnum):
    """Exit codes, one per kind of outcome (documented in docs/commands.md)."""

    OK = 0
    FAILED = 1  # it was tried and did not work: a device that does not answer, a timeout
    USAGE = 2  # the command line itself is wrong: unknown command or option, bad value
    NOT_FOUND = 3  # what was named does not exist: a site, a user, a device
    REFUSED = 4  # the change breaks a rule or conflicts: a password policy, the last admin
    STORAGE = 5  # the database cannot be opened, read or written
    INTERRUPTED = 130  # Ctrl-C before a one-shot command finished


class CommandError(click.ClickException):
    """A command's failure with its exit code (`code`, which `run` exits with); the message
    is said as `hallqueue: error: …`."""

    def __init__(self, message: str, code: Exit = Exit.FAILED) -> None:
        super().__init__(message)
        self.code = code


def warn(message: str) -> None:
    click.echo(f"{PROG}: warning: {message}", err=True)


def error(message: str) -> None:
    one_line = " ".join(message.split())  # click spreads some messages over lines
    click.echo(f"{PROG}: error: {one_line}", err=True)


def respell(args: Sequence[str], renamed: dict[str, str], where: str) -> list[str]:
    """`args` with each old option spelling replaced by its new one (`--port=X` too),
    warning once per spelling; nothing after `--` is touched."""
    out: list[str] = []
    warned: set[str] = set()
    for index, arg in enumerate(args):
        if arg == "--":
            out.extend(args[index:])
            break
        name, equals, value = arg.partition("=")
        if name in renamed:
            if name not in warned:
                warn(f"'{where} {name}' is deprecated: use '{renamed[name]}'")
                warned.add(name)
            arg = renamed[name] + equals + value
        out.append(arg)
    return out


class Grammar(click.Group):
    """A group that still understands the spellings it replaced.

    `renamed_commands` maps an old command name to where the command stands now, a path
    below this group (`"device"`, `"history simulate"`); `renamed_options` maps a command's
    current name to its old option spellings and their new ones. Neither shows in help.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("context_settings", {"help_option_names": ["-h", "--help"]})
        super().__init__(*args, **kwargs)
        self.renamed_commands: dict[str, str] = {}
        self.renamed_options: dict[str, dict[str, str]] = {}

    def rename_command(self, old: str, new_path: str) -> None:
        self.renamed_commands[old] = new_path

    def rename_options(self, command: str, renamed: dict[str, str]) -> None:
        self.renamed_options.setdefault(command, {}).update(renamed)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in self.renamed_commands:
            return super().get_command(ctx, cmd_name)
        found: click.Command | None = self
        for part in self.renamed_commands[cmd_name].split():
            if not isinstance(found, click.Group):
                return None
            found = found.get_command(ctx, part)
        return found

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if command is None:
            return name, command, rest
        if name in self.renamed_commands and name not in self.commands:
            new = self.renamed_commands[name]
            warn(f"'{ctx.command_path} {name}' is deprecated: use '{ctx.command_path} {new}'")
            name = new.split()[-1]
        renamed = self.renamed_options.get(command.name or "")
        if renamed:
            rest = respell(rest, renamed, f"{ctx.command_path} {name}")
        return name, command, rest


def run(group: click.Group, args: Sequence[str] | None = None) -> int:
    """Run the command line and say how it ended: the exit code, after one error line."""
    from queue_server.engine.errors import QueueError

    try:
        group.main(args=list(args) if args is not None else None, prog_name=PROG, standalone_mode=False)
    except click.exceptions.Exit as done:  # --help, --version, ctx.exit()
        return done.exit_code
    except click.Abort:  # Ctrl-C (click turns KeyboardInterrupt into Abort)
        error("interrupted")
        return Exit.INTERRUPTED
    except click.UsageError as exc:
        if exc.ctx is not None:
            click.echo(exc.ctx.get_usage(), err=True)
            error(f"{exc.format_message()} (see '{exc.ctx.command_path} --help')")
        else:
            error(exc.format_message())
        return Exit.USAGE
    except CommandError as exc:
        error(exc.format_message())
        return exc.code
    except click.ClickException as exc:  # other packages' commands set their own exit_code
        error(exc.format_message())
        return exc.exit_code
    except QueueError as exc:
        error(explain(exc))
        return exit_code_of(exc)
    except KeyboardInterrupt:
        error("interrupted")
        return Exit.INTERRUPTED
    except Exception as exc:
        # Imported only now: a kiosk PC's commands never load the centre's storage.
        from queue_server.storage import DatabaseError

        if not isinstance(exc, DatabaseError):
            raise  # a bug: its traceback is what to report
        error(f"the database failed: {exc}")
        return Exit.STORAGE
    return Exit.OK


def exit_code_of(exc: Exception) -> Exit:
    """Not found for what does not exist (also a field naming an unknown site or item),
    refused for every other rule the library enforces."""
    from queue_server.engine.errors import FieldInvalid, NotFound

    if isinstance(exc, NotFound):
        return Exit.NOT_FOUND
    if isinstance(exc, FieldInvalid) and exc.code.startswith("field_unknown_"):
        return Exit.NOT_FOUND
    return Exit.REFUSED


def explain(exc: Any) -> str:
    """A `QueueError`'s message for people, in the terminal's language (Chinese unless
    LANG says English)."""
    import os

    from queue_server.wire.words import say

    language = "en" if os.environ.get("LANG", "").lower().startswith("en") else "zh"
    params = dict(exc.params)
    params.setdefault("detail", exc.detail)
    return say(exc.code, language, **params)


def version() -> str:
    """The installed package's version (its metadata), else that of the source tree."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed(PROG)
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"
