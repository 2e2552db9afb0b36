"""The `hallqueue` command: a thin client of the library.

Each command parses its options, calls the library and turns its exceptions into a
clean message. Sub-groups of other packages are registered lazily so that
`hallqueue --help` stays fast and a missing optional part never breaks the rest.
"""
from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """hallqueue: queue and self-service kiosk system."""


def _register_optional_groups() -> None:
    from devices import cli as devices_cli

    cli.add_command(devices_cli.sim)
    cli.add_command(devices_cli.devices)


def main() -> None:
    _register_optional_groups()
    cli(prog_name="hallqueue")


if __name__ == "__main__":
    main()
