"""The password policy for staff accounts, in line with 等保 2.0 level 3 (GB/T 22239-2019,
身份鉴别: identification information of sufficient complexity).

A password is refused, naming the first rule it breaks, when it:

- is shorter than `MIN_LENGTH` (10) or longer than `MAX_LENGTH` (128) characters. 10 rather
  than the 8 that assessment check-lists take as the floor: these accounts reach every site
  of a city from the hall's network, and two more characters multiply an online guesser's
  work a hundredfold or more for a cost of two keystrokes;
- holds fewer than three of the four classes: capital letters, small letters, digits and
  symbols (anything else, a space or a Chinese character included, counts as a symbol);
- contains the username, in any case (usernames of three characters or more: a shorter
  one would forbid too many innocent passwords);
- is trivially common: a well-known password (`P@ssw0rd`, `1qaz@WSX`, `Admin@123`), or a
  common word or keyboard run with only digits and symbols around or between it
  (`Welcome2024!`, `Pass-word-2024`, `1qaz@WSX2024`), or three characters or fewer repeated.
  The list is short and built in (halls run on closed networks); it stops the guesses an
  attacker tries first, not a breach corpus.

Applied wherever a password is set: `Accounts.add_user` (the CLI, the demo), and the admin
pages' add and reset (`administration/changes.py`). A login never checks it: an account made
before the policy still logs in until its password is next set.
"""

from __future__ import annotations

import string

from queue_server.engine.errors import InvalidInput

MIN_LENGTH = 10
MAX_LENGTH = 128
MIN_CLASSES = 3
USERNAME_CHECKED_FROM = 3
CLASSES = ("upper", "lower", "digit", "symbol")

# Common passwords and the words and keyboard runs they are built on, lower case.
COMMON = frozenset(
    """
    password passwd passw0rd p@ssw0rd p@ssword pass admin administrator root superuser
    system sysadmin manager user guest test tester demo default changeme letmein welcome
    hello iloveyou love monkey dragon master shadow sunshine princess football baseball
    trustno1 secret login access qwerty qwertyuiop qwert asdf asdfgh asdfghjkl zxcv zxcvbn
    zxcvbnm qazwsx 1qaz2wsx 1qaz@wsx 1qaz!qaz 1q2w3e 1q2w3e4r 1q2w3e4r5t q1w2e3r4 qwe123
    qweasd qweasdzxc abc abcd abcde abcdef abc123 a123456 aa123456 a1b2c3 woaini
    woaini1314 5201314 1314520 wodemima mima zhangwei wangwei huawei baidu tencent alibaba
    china beijing shanghai hallqueue hall queue zhengwu dating
    123456 1234567 12345678 123456789 1234567890 0123456789 987654321 11111111 00000000
    88888888 66666666 12345678910 123123123 123321 112233
    """.split()
)
_LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "$": "s", "5": "s", "3": "e", "1": "i", "!": "i", "7": "t"})
_AROUND = string.digits + string.punctuation + " "


class WeakPassword(InvalidInput):
    """A password the policy refuses; `rule` names what is missing (the message says it)."""

    def __init__(self, rule: str, **params: object) -> None:
        super().__init__(f"password: {rule}", field="password", **params)
        codes = {"required": "field_required", "length": "field_password"}
        self.code = codes.get(rule, f"field_password_{rule}")
        self.rule = rule


def character_classes(password: str) -> set[str]:
    found = set()
    for char in password:
        if char in string.ascii_uppercase:
            found.add("upper")
        elif char in string.ascii_lowercase:
            found.add("lower")
        elif char in string.digits:
            found.add("digit")
        else:
            found.add("symbol")
    return found


def is_common(password: str) -> bool:
    lowered = password.lower()
    core = lowered.strip(_AROUND)  # the word once the digits and symbols around it are gone
    letters = "".join(c for c in lowered if c.isascii() and c.isalpha())  # Pass-word-2024
    forms = {lowered, core, core.translate(_LEET), lowered.translate(_LEET), letters}
    return bool(forms & COMMON) or len(set(lowered)) <= 3  # aaaaaaaaA1, Ab1!Ab1!Ab1!


def check_password(password: object, username: str = "") -> str:
    """The password if the policy accepts it; else `WeakPassword` naming the first rule broken."""
    if not isinstance(password, str) or not password:
        raise WeakPassword("required")
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise WeakPassword("length", min=MIN_LENGTH, max=MAX_LENGTH)
    have = character_classes(password)
    if len(have) < MIN_CLASSES:
        raise WeakPassword("classes", missing=[c for c in CLASSES if c not in have])
    name = (username or "").strip().lower()
    if len(name) >= USERNAME_CHECKED_FROM and name in password.lower():
        raise WeakPassword("username")
    if is_common(password):
        raise WeakPassword("common")
    return password
