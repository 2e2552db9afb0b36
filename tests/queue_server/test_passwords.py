"""The password policy (等保 2.0 level 3): what it refuses, and the message that says why."""

from __future__ import annotations

import pytest

from queue_server.accounts.passwords import WeakPassword, check_password
from queue_server.tools.demo import DEMO_USERS
from queue_server.wire.words import say


@pytest.mark.parametrize(
    ("password", "username", "rule"),
    [
        ("Short-1", "wang", "length"),
        ("x" * 129, "wang", "length"),
        ("alllowercase-words", "wang", "classes"),
        ("ALLUPPER123456", "wang", "classes"),
        ("1234567890!!", "wang", "classes"),
        ("Wang-Fang-2024", "wang", "username"),
        ("my-WANG-desk-7", "wang", "username"),
        ("P@ssw0rd123", "wang", "common"),
        ("1qaz@WSX2024", "wang", "common"),
        ("Pass-word-2024", "wang", "common"),
        ("Admin@123456", "wang", "common"),
        ("Welcome2024!", "wang", "common"),
        ("Qwerty!2345", "wang", "common"),
        ("Woaini1314!", "wang", "common"),
        ("Aa1!Aa1!Aa1!", "wang", "common"),
    ],
)
def test_weak_passwords_are_refused_naming_the_rule(password: str, username: str, rule: str) -> None:
    with pytest.raises(WeakPassword) as refused:
        check_password(password, username)
    assert refused.value.rule == rule
    assert refused.value.params["field"] == "password"


@pytest.mark.parametrize("password", ["Cbd-Desk-Key-9", "绿色的窗口Desk7", "tea kettle 42 Blue", "Lan-9-station"])
def test_good_passwords_pass(password: str) -> None:
    assert check_password(password, "wang") == password


def test_a_short_username_is_not_held_against_the_password() -> None:
    assert check_password("Lin-desk-2031", "li")


def test_the_message_says_what_is_missing_in_chinese_and_english() -> None:
    with pytest.raises(WeakPassword) as refused:
        check_password("long-enough", "wang")
    params = refused.value.params
    assert say(refused.value.code, "zh", **params) == (
        "密码须包含大写字母、小写字母、数字、符号中的至少三类（现在缺少大写字母、数字）"
    )
    assert say(refused.value.code, "en", **params).endswith("(it has no capital letters or digits)")
    with pytest.raises(WeakPassword) as short:
        check_password("Ab-1", "wang")
    assert say(short.value.code, "zh", **short.value.params) == "密码须为 10–128 个字符"


def test_every_demo_password_meets_the_policy() -> None:
    for username, password, _, _ in DEMO_USERS:
        assert check_password(password, username)
