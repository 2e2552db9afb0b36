"""The Windows scripts (queue_server/deploy/windows/) read against what they drive: the
`hallqueue` commands and options they run exist, the tokens go where the commands read
them, WinSW is pinned by version and SHA-256 and checked, failures restart the service,
the browser starts in kiosk mode on the kiosk's own address, and the package ships them.

No PowerShell runs here (none is to be had on this machine): this is a static check, with
a bracket-balance pass and the pitfalls of Windows PowerShell 5.1 that a parse would not
show. The scripts have not run on real Windows (docs/windows.md).
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

import click
import pytest

from kiosk.kiosk_command import kiosk
from queue_server.cli import cli
from queue_server.settings import SETTINGS
from tests.conftest import ROOT

HERE = ROOT / "queue_server" / "deploy" / "windows"
SCRIPTS = sorted(HERE.glob("*.ps1"))
INSTALL = (HERE / "install-service.ps1").read_text(encoding="utf-8")
UNINSTALL = (HERE / "uninstall-service.ps1").read_text(encoding="utf-8")
BROWSER = (HERE / "kiosk-browser.ps1").read_text(encoding="utf-8")

# WinSW v2.12.0, WinSW-x64.exe. Written here a second time on purpose: changing the pin is
# a decision, made in both places (docs/windows.md says where the value comes from).
WINSW_SHA256 = "05B82D46AD331CC16BDC00DE5C6332C1EF818DF8CEEFCD49C726553209B3A0DA"

COMMANDS = {"kiosk": kiosk, "sign": cli.commands["sign"], "centre": cli.commands["serve"]}


def options_of(command: click.Command) -> dict[str, click.Option]:
    return {o: p for p in command.params if isinstance(p, click.Option) for o in p.opts}


def role_sections() -> dict[str, str]:
    """The text of each role's case in the script's `switch ($Role)`, plus its own lines after."""
    switch = INSTALL[INSTALL.index("switch ($Role) {") :]
    sections: dict[str, str] = {}
    for match in re.finditer(r"^    '(\w+)' \{\n(.*?)^    \}", switch, re.M | re.S):
        sections[match.group(1)] = match.group(2)
    for role, text in re.findall(r"^if \(\$Role -eq '(\w+)'\) \{(.*?)\}$", INSTALL, re.M):
        sections[role] += text
    return sections


def test_each_role_runs_a_real_command_with_real_options() -> None:
    sections = role_sections()
    assert set(sections) == {"kiosk", "sign", "centre"}
    for role, text in sections.items():
        command = COMMANDS[role]
        first = re.search(r"\$arguments = @\('([\w-]+)'", text)
        assert first is not None and first.group(1) == command.name, role
        options = options_of(command)
        used = set(re.findall(r"'(--[a-z][a-z-]*)'", text))
        assert used, role
        unknown = used - set(options)
        assert not unknown, (role, unknown)
        for option in used:  # every value the script passes is text or a number, never a flag
            assert not options[option].is_flag, (role, option)
    # The centre's database and the kiosk's spool are in the service's own, private folder.
    assert "'--spool', (Join-Path $data 'spool')" in sections["kiosk"]
    assert "'--db', (Join-Path $data 'hallqueue.db')" in sections["centre"]
    # What a service cannot do without is asked for.
    for role, needed in {
        "kiosk": ["-Server", "-Token", "-Printer"],
        "sign": ["-Site", "-Port"],
    }.items():
        for option in needed:
            assert f"Need ${option[1:]} '{option}'" in sections[role], (role, option)


def test_tokens_go_where_the_commands_read_them_never_on_the_command_line() -> None:
    sections = role_sections()
    for role, text in sections.items():
        env = re.findall(r"\$environment\['(\w+)'\] = \$Token", text)
        assert len(env) == 1, role
        read_from = {options_of(COMMANDS[role])["--token"].envvar}
        if role == "centre":  # `serve` reads it through the settings (HALLQUEUE_<NAME>)
            read_from |= {s.env for s in SETTINGS if s.name == "EDGE_TOKEN"}
        assert env[0] in read_from, (role, env[0], read_from)
        assert "'--token'" not in text and "$Token)" not in text
    assert "<env name=" in INSTALL


def test_the_package_runs_as_python_dash_m() -> None:
    assert (
        "'  <argument>-m</argument>'" in INSTALL
        and "'  <argument>queue_server</argument>'" in INSTALL
    )
    assert "main()" in (ROOT / "queue_server" / "__main__.py").read_text(encoding="utf-8")


def test_winsw_is_pinned_and_checked_before_use() -> None:
    assert f"$WinSWSha256 = '{WINSW_SHA256}'" in INSTALL
    assert "$WinSWVersion = 'v2.12.0'" in INSTALL
    assert "releases/download/$WinSWVersion/WinSW-x64.exe" in INSTALL and "/latest/" not in INSTALL
    check = INSTALL.index("Get-FileHash -LiteralPath $fetched -Algorithm SHA256")
    refuse = INSTALL.index("if ($actual -ne $WinSWSha256)", check)
    use = INSTALL.index("Move-Item -LiteralPath $fetched -Destination $wrapper")
    install = INSTALL.index("& $wrapper install")
    assert check < refuse < use < install  # downloaded or brought, it is checked first
    assert "Remove-Item -LiteralPath $fetched" in INSTALL[refuse:use]
    assert "[string]$WinSWPath" in INSTALL  # a PC without internet brings the same file


def test_failures_restart_the_service() -> None:
    restarts = re.findall(r'<onfailure action="restart" delay="(\d+) sec"/>', INSTALL)
    assert restarts == ["5", "10", "30"]  # the last one repeats for every later failure
    assert "<resetfailure>1 hour</resetfailure>" in INSTALL
    assert "sc.exe failureflag $Name 1" in INSTALL
    assert "<startmode>Automatic</startmode>" in INSTALL
    assert "<stoptimeout>15 sec</stoptimeout>" in INSTALL  # Ctrl+C, then time to finish
    assert '<log mode="roll-by-size">' in INSTALL


def test_the_service_folder_is_private_and_removal_keeps_the_data() -> None:
    assert (
        "icacls.exe $base /inheritance:r /grant:r '*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F'"
        in INSTALL
    )
    assert INSTALL.index("icacls.exe") < INSTALL.index(
        "Set-Content -LiteralPath"
    )  # before the token is written
    assert "[switch]$RemoveData" in UNINSTALL and "& $wrapper uninstall" in UNINSTALL
    assert "New-NetFirewallRule" in INSTALL and "Remove-NetFirewallRule" in UNINSTALL


def test_the_browser_opens_the_kiosks_own_page_in_kiosk_mode() -> None:
    for flag in ("'--kiosk'", "'--edge-kiosk-type=fullscreen'", "'--no-first-run'"):
        assert flag in BROWSER, flag
    defaults = {p.name: p.default for p in kiosk.params}
    assert f"[string]$Url = 'http://{defaults['host']}:{defaults['port']}/'" in BROWSER
    assert "New-ScheduledTaskTrigger -AtLogOn" in BROWSER
    assert "Invoke-WebRequest -Uri $Url" in BROWSER  # waits for the agent before showing anything
    assert "$browser.WaitForExit()" in BROWSER  # and starts the browser again when it closes


def test_the_wheel_carries_the_scripts() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]
    wanted = patterns.get("queue_server", []) + patterns.get("*", [])
    for script in SCRIPTS:
        inside = script.relative_to(ROOT / "queue_server").as_posix()
        assert any(fnmatch.fnmatch(inside, p) for p in wanted), inside
    assert {s.name for s in SCRIPTS} == {
        "install-service.ps1",
        "uninstall-service.ps1",
        "kiosk-browser.ps1",
    }


# --- Windows PowerShell 5.1's pitfalls -----------------------------------------------------


def code_only(text: str) -> str:
    """The script without comments and string contents (kept: the quotes themselves)."""
    text = re.sub(r"<#.*?#>", "", text, flags=re.S)
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "#":
            i = text.find("\n", i)
            i = len(text) if i < 0 else i
        elif c == "'":
            end = text.index("'", i + 1)
            out.append("''")
            i = end + 1
        elif c == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "`" else 1
            out.append('""')
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_hygiene(script: Path) -> None:
    text = script.read_text(encoding="utf-8")
    # Without a BOM, Windows PowerShell 5.1 reads a script in the PC's code page (GBK on a
    # Chinese Windows): anything but ASCII would be misread.
    assert text.isascii()
    assert "Set-StrictMode -Version Latest" in text and "$ErrorActionPreference = 'Stop'" in text
    code = code_only(text)
    for opening, closing in ("{}", "()", "[]"):
        assert code.count(opening) == code.count(closing), (opening, closing)
    assert "??" not in code and " ? " not in code  # PowerShell 7 only
    # "$Name: …" is read as a variable of a scope named Name: write "${Name}: …".
    strings = re.findall(r'"(?:[^"`]|`.)*"', re.sub(r"<#.*?#>", "", text, flags=re.S))
    scoped = [s for s in strings if re.search(r"\$(?!env:|script:|global:|using:)\w+:", s)]
    assert scoped == []
    assert "$profile" not in text.lower().replace("$browserprofile", "")  # an automatic variable
