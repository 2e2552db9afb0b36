"""Golden bytes of every command the printer driver sends, and decoding tickets back."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.escpos_parse import Command, Text, decode_stream, parse_all
from devices.escpos_ticket import (
    ALIGN_CENTER,
    ALIGN_LEFT,
    CHINESE_ON,
    CUT_FEED_FULL,
    CUT_FEED_PARTIAL,
    FONT_A_COLUMNS,
    INIT,
    SAMPLE_LABELS,
    SIZE_NORMAL,
    TicketContent,
    TicketLayout,
    encode_text,
    render_ticket,
    sample_ticket,
    size_cmd,
    text_columns,
    wrap_columns,
)
from devices.printer import status_query


def test_command_constants_are_the_documented_bytes() -> None:
    assert INIT == bytes.fromhex("1b40")
    assert CHINESE_ON == bytes.fromhex("1c26")
    assert ALIGN_LEFT == bytes.fromhex("1b6100")
    assert ALIGN_CENTER == bytes.fromhex("1b6101")
    assert CUT_FEED_PARTIAL == bytes.fromhex("1d564200")
    assert CUT_FEED_FULL == bytes.fromhex("1d564100")
    assert SIZE_NORMAL == bytes.fromhex("1d2100")
    assert size_cmd(2, 2) == bytes.fromhex("1d2111")
    assert size_cmd(4, 4) == bytes.fromhex("1d2133")
    assert size_cmd(1, 2) == bytes.fromhex("1d2101")
    assert size_cmd(8, 1) == bytes.fromhex("1d2170")
    with pytest.raises(ValueError):
        size_cmd(0, 1)
    assert [status_query(n) for n in (1, 2, 3, 4)] == [
        bytes.fromhex(h) for h in ("100401", "100402", "100403", "100404")
    ]


MINIMAL = TicketContent(
    site_name="大厅",
    number="A1",
    item="社保",
    ahead=0,
    estimated_wait_minutes=0,
    windows=[],
    materials=[],
    issued_at="09:00",
    qr_url="",
    labels=SAMPLE_LABELS["zh"],  # the kiosk gives the words (the message catalogue's)
)


def test_minimal_ticket_golden_bytes() -> None:
    expected = bytes.fromhex(
        "1b40"
        "1c26"
        "1b6101"  # init, Chinese mode, centre
        "b4f3 ccfc 0a"  # 大厅
        "1d2133"
        "4131 0a"  # GS ! 4x4, A1
        "1d2101"
        "c9e7 b1a3 0a"  # GS ! 1x2, 社保
        "1d2100"  # normal size
        "c7b0c3e6bbb9d3d0 30 c8cb 2020"  # 前面还有0人␠␠
        "d4a4bcc6b5c8baf2d4bc 30 b7d6d6d3 0a"  # 预计等候约0分钟
        "1b6100"  # left
        "c8a1bac5cab1bce4 a3ba 30393a3030 0a"  # 取号时间：09:00
        "1d564200"  # feed to cutter, partial cut
    )
    assert render_ticket(MINIMAL, 80) == expected


def test_checked_in_booking_golden_bytes() -> None:
    # Under the item, in normal size: the slot's start; a late check-in also says its ticket
    # is an ordinary one. The rest is the minimal ticket's, byte for byte.
    minimal = render_ticket(MINIMAL, 80)
    head = minimal.index(bytes.fromhex("1d2100")) + 3  # after the item, back to normal size
    on_time = bytes.fromhex("d4a4d4bc 20 30393a3030 0a")  # 预约 09:00
    late = bytes.fromhex("d4a4d4bc d2d1 b9fd cab1 a3ac b0b4 c6d5 cda8 bac5 0a")  # 预约已过时，按普通号
    booked = replace(MINIMAL, appointment="09:00")
    assert render_ticket(booked, 80) == minimal[:head] + on_time + minimal[head:]
    missed = replace(booked, appointment_late=True)
    assert render_ticket(missed, 80) == minimal[:head] + on_time + late + minimal[head:]
    # An ordinary ticket needs no appointment words; a booking's does.
    without = {k: v for k, v in MINIMAL.labels.items() if not k.startswith("appointment")}
    assert render_ticket(replace(MINIMAL, labels=without), 80) == minimal
    with pytest.raises(ValueError, match="appointment"):
        render_ticket(replace(booked, labels=without), 80)


def test_qr_is_native_gs_paren_k_with_model_size_ec_store_print() -> None:
    data = render_ticket(replace(MINIMAL, qr_url="https://q.invalid/A1"), 80)
    url = b"https://q.invalid/A1"
    qr = (
        bytes.fromhex("1d286b0400314132 00")  # model 2
        + bytes.fromhex("1d286b0300314306")  # module 6 dots (80 mm)
        + bytes.fromhex("1d286b0300314531")  # EC level M
        + b"\x1d\x28\x6b"
        + (len(url) + 3).to_bytes(2, "little")
        + b"\x31\x50\x30"
        + url
        + bytes.fromhex("1d286b0300315130")
    )  # print
    assert b"\x1b\x61\x01" + qr + b"\n" in data
    assert b"\x1d\x76\x30" not in data  # never a raster image
    data58 = render_ticket(replace(MINIMAL, qr_url="https://q.invalid/A1"), 58)
    assert bytes.fromhex("1d286b0300314305") in data58


def test_sample_ticket_decodes_back_to_the_content() -> None:
    content = sample_ticket()
    decoded = decode_stream(render_ticket(content, 80))
    assert decoded.unknown == []
    assert decoded.cuts == 1
    assert decoded.qr_payloads == [content.qr_url.encode()]
    text = "\n".join(decoded.lines)
    for expected in [
        content.site_name,
        content.number,
        content.item,
        "前面还有3人",
        "预计等候约8-20分钟",
        "办理窗口：5号、6号",
        "姓名：张*",
        "请备齐材料：",
        "取号时间：2026-11-28 09:41",
        "老年人优先",
        "扫码查看排队进度",
    ]:
        assert expected in decoded.lines or expected in text, expected
    # The 过号 rule, wrapped to the paper.
    assert "".join(content.notice_lines[-1].split()) in "".join(text.split())
    for i, material in enumerate(content.materials, 1):
        assert f"{i}.{material}" in decoded.lines


def test_english_ticket_uses_english_labels() -> None:
    lines = decode_stream(render_ticket(sample_ticket("en"), 80)).lines
    assert "3 ahead of you  Est. wait 8-20 min" in lines
    assert "Please bring:" in lines and "Window: 5, 6" in lines
    assert all(line.isascii() for line in lines)


def test_the_wait_prints_as_a_band_next_or_one_number() -> None:
    def wait_line(**changes: object) -> str:
        lines = decode_stream(render_ticket(replace(sample_ticket(), **changes), 80)).lines
        return next(line for line in lines if line.startswith("前面还有"))

    assert wait_line() == "前面还有3人  预计等候约8-20分钟"
    assert wait_line(ahead=0, estimated_wait_minutes=0, wait_band=(0, 6)) == "前面还有0人  即将叫号"
    # A ticket spooled before bands (and its labels without them) prints its one number.
    old_labels = {k: v for k, v in SAMPLE_LABELS["zh"].items() if not k.startswith("wait_")}
    assert wait_line(wait_band=None, labels=old_labels) == "前面还有3人  预计等候约12分钟"
    with pytest.raises(ValueError, match="wait_band"):
        render_ticket(replace(sample_ticket(), labels=old_labels), 80)


def test_punctuation_only_lines_are_gb18030_not_question_marks() -> None:
    content = replace(MINIMAL, notice_lines=["：——", "。、《》"])
    data = render_ticket(content, 80)
    assert "：——".encode("gb18030") + b"\n" in data
    assert "。、《》".encode("gb18030") + b"\n" in data
    assert b"??" not in data
    assert "：——" in decode_stream(data).lines


def test_text_encoding_rules() -> None:
    assert encode_text("请到3号窗口") == "请到3号窗口".encode("gb18030")
    assert encode_text("a\x1b@b\x10\x04\x01") == b"a@b"  # no command injection
    assert encode_text("𠀀x") == b"?x"  # 4-byte GB18030 only when the model supports it
    assert encode_text("𠀀", allow_four_byte=True) == "𠀀".encode("gb18030")
    layout = TicketLayout(allow_four_byte_gb18030=True, chinese_mode_command=False, full_cut=True)
    data = render_ticket(replace(MINIMAL, site_name="𠀀"), 80, layout)
    assert data.startswith(INIT + ALIGN_CENTER + "𠀀".encode("gb18030"))
    assert data.endswith(CUT_FEED_FULL)


@pytest.mark.parametrize("width", [58, 80])
def test_lines_fit_the_paper(width: int) -> None:
    content = replace(
        sample_ticket(),
        materials=["不动产权证书或房屋所有权证及国有土地使用证原件"] * 2,
        windows=[f"{n}号" for n in range(1, 15)],
    )
    events = parse_all(render_ticket(content, width))
    size = (1, 1)
    line = ""
    for ev in events:
        if isinstance(ev, Text):
            line += ev.text
        elif isinstance(ev, Command) and ev.name == "GS !":
            size = ((ev.params[0] >> 4) + 1, (ev.params[0] & 15) + 1)
        elif isinstance(ev, Command) and ev.name == "LF":
            assert text_columns(line) * size[0] <= FONT_A_COLUMNS[width], line
            line = ""


def test_bytes_per_ticket_stay_lean(capsys: pytest.CaptureFixture[str]) -> None:
    sizes = {}
    for width in (58, 80):
        for language in ("zh", "en"):
            sizes[f"{width}mm-{language}"] = len(render_ticket(sample_ticket(language), width))
    with capsys.disabled():
        print(
            "\nbytes per ticket (QR, 5 materials for zh):",
            ", ".join(f"{k}={v}" for k, v in sizes.items()),
        )
    assert sizes["80mm-zh"] <= 600
    assert len(sample_ticket().materials) == 5 and sample_ticket().qr_url


def test_bad_width_and_language() -> None:
    with pytest.raises(ValueError):
        render_ticket(MINIMAL, 76)
    with pytest.raises(ValueError):
        render_ticket(replace(MINIMAL, language="fr"), 80)


def test_the_renderer_words_nothing_itself() -> None:
    # Every word besides the content is the caller's: a label it was not given is refused,
    # one it was given is printed as given.
    with pytest.raises(ValueError, match="scan"):
        render_ticket(replace(MINIMAL, labels={k: v for k, v in MINIMAL.labels.items() if k != "scan"}), 80)
    other = replace(MINIMAL, labels={**MINIMAL.labels, "ahead": "Ahead: {n}", "issued": "At "})
    lines = decode_stream(render_ticket(other, 80)).lines
    assert "At 09:00" in lines and any(line.startswith("Ahead: 0") for line in lines)


@given(
    st.text(alphabet=st.sampled_from("请到窗口办理社保ABC 123：（）-—"), max_size=80),
    st.integers(min_value=8, max_value=48),
)
def test_wrap_columns_fits_and_keeps_text(text: str, columns: int) -> None:
    lines = wrap_columns(text, columns, "  ")
    assert all(text_columns(line) <= columns for line in lines)
    squash = "".join(text.split())
    assert "".join("".join(lines).split()) == squash


def test_no_line_starts_with_a_comma() -> None:
    # 58 mm: the comma would open the second line; the character before it comes along.
    lines = wrap_columns("过号规则：叫号 2 次未到即为过号，当天返回可顺延 3 位后办理。", 32)
    assert lines == ["过号规则：叫号 2 次未到即为过", "号，当天返回可顺延 3 位后办理。"]
    assert wrap_columns("一二三，四", 6, "  ") == ["一二", "  三，", "  四"]
