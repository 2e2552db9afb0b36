"""The band a ticket is promised (estimates.wait_band), worked out by hand."""

from __future__ import annotations

import math

import pytest

from queue_server.engine.estimates import (
    DEFAULT_SPREAD,
    WaitBand,
    others_ahead,
    spread_of,
    wait_band,
)

from .builders import counter


def test_a_band_worked_out_by_hand() -> None:
    # 4 ahead at 10 minutes (spread 0.4) over 2 windows:
    # centre (4 + 0.5) × 10 / 2 = 22.5; work spread √4.5 × 0.4 × 10 / 2 = 4.243;
    # low ⌊0.6 × 22.5 − 1.3 × 4.243⌋ = ⌊7.98⌋ = 7; high ⌈1.3 × 22.5 + 1.3 × 4.243 + 3⌉ = ⌈37.77⌉ = 38.
    assert math.isclose(math.sqrt(4.5) * 0.4 * 10 / 2, 4.2426, rel_tol=1e-4)
    assert wait_band(4, 10.0, 2, 0.4) == WaitBand(minutes=22, low=7, high=38)


def test_nobody_ahead_starts_at_zero() -> None:
    # centre 0.5 × 8 = 4, spread √0.5 × 0.5 × 8 = 2.83: high ⌈5.2 + 3.68 + 3⌉ = 12.
    assert wait_band(0, 8.0, 1) == WaitBand(minutes=0, low=0, high=12)


def test_a_free_window_starts_the_band_at_zero() -> None:
    busy = wait_band(4, 10.0, 2, 0.4)
    free = wait_band(4, 10.0, 2, 0.4, idle=True)
    assert free == WaitBand(busy.minutes, 0, busy.high)


def test_no_window_open_counts_as_one() -> None:
    assert wait_band(3, 6.0, 0) == wait_band(3, 6.0, 1)


@pytest.mark.parametrize("ahead", [0, 1, 2, 5, 10, 40])
@pytest.mark.parametrize("windows", [1, 2, 5])
def test_the_point_lies_in_the_band_and_the_band_grows_with_the_queue(
    ahead: int, windows: int
) -> None:
    band = wait_band(ahead, 12.0, windows)
    assert band.low <= band.minutes <= band.high and band.low < band.high
    longer = wait_band(ahead + 1, 12.0, windows)
    assert longer.low >= band.low and longer.high >= band.high


def test_spread_of_measured_minutes() -> None:
    assert spread_of([10.0] * 4) == DEFAULT_SPREAD  # too few to say
    assert spread_of([10.0] * 10) == 0.0
    # 10 samples, one trimmed each end: 8, 9, 10, 11, 12 ×2 … mean 10, as in blended_minutes.
    sample = [1.0, 8.0, 8.0, 9.0, 10.0, 10.0, 11.0, 12.0, 12.0, 60.0]
    core = sample[1:-1]
    mean = sum(core) / len(core)
    expected = math.sqrt(sum((m - mean) ** 2 for m in core) / len(core)) / mean
    assert spread_of(sample) == pytest.approx(expected)


def test_other_queues_of_a_shared_window_count_ahead() -> None:
    # Window 1 serves A101 and A102; window 2 serves A102 only; window 3 serves B200 only.
    windows = [
        counter(1, {"A101": 1, "A102": 1}),
        counter(2, {"A102": 1}),
        counter(3, {"B200": 1}),
    ]
    waiting = {"S:A101": 3, "S:A102": 4, "S:B200": 5}
    # A101's window also calls A102's tickets: half of them (A102 has two windows);
    # B200's tickets are called elsewhere; A101's own are counted by people_ahead.
    assert others_ahead(windows, "S:A101", waiting) == pytest.approx(2.0)
    # A102's windows: window 1 also serves A101, the only window A101 has.
    assert others_ahead(windows, "S:A102", waiting) == pytest.approx(3.0)
    assert others_ahead(windows, "S:B200", waiting) == 0.0
