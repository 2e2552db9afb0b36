"""How an ID card's name and number may be shown: one masking rule for the card reader, the
kiosk and the centre, in a module any of them may import (it drives no device)."""

from __future__ import annotations

COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 独孤"
    " 南宫 西门 百里 呼延 万俟 澹台 公冶 太史 申屠 钟离 闻人 赫连 司空 拓跋 左丘 第五".split()
)


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳明月 → 欧阳**, 阿依古丽·买买提 → 阿***·***, JOHN SMITH → J*** S****."""
    name = name.strip()
    if not name:
        return ""
    if name.isascii():
        return " ".join(w[:1] + "*" * (len(w) - 1) for w in name.split())
    keep = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:keep] + "".join(c if c in "·•・. " else "*" for c in name[keep:])


def mask_id(number: str) -> str:
    """3301021990… → 3301**********1234 (first 4 and last 4 kept)."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
