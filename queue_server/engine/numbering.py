"""Ticket numbers: per site, per prefix, per local day, never reused that day.

The shell keeps the last number handed out for (site, day, prefix) and calls
`next_number` inside the same transaction that stores the ticket, so two kiosks
can never get the same number.
"""

from __future__ import annotations

import re

PREFIX_PATTERN = re.compile(r"[A-Z]{1,2}")


def format_number(prefix: str, seq_no: int) -> str:
    """A001 … A999, then A1000: at least three digits, never truncated."""
    return f"{prefix}{seq_no:03d}"


def next_number(prefix: str, last_seq_no: int) -> tuple[int, str]:
    seq_no = last_seq_no + 1
    return seq_no, format_number(prefix, seq_no)


def valid_prefix(prefix: object) -> bool:
    # fullmatch, not match with "$": "$" also matches before a trailing newline ("A\n").
    return isinstance(prefix, str) and PREFIX_PATTERN.fullmatch(prefix) is not None
