"""The 256-byte text block of the four card types, and identity masking."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.device_errors import CardDataError
from devices.id_card import (
    CARD_TYPES,
    NATIONS,
    decode_text_block,
    encode_text_block,
    id_check_digit,
    is_valid_id_number,
    make_id_number,
    mask_id,
    mask_name,
    sample_identity,
)


def test_check_digit_of_the_standard_example() -> None:
    assert id_check_digit("11010519491231002") == "X"  # GB 11643 worked example
    assert is_valid_id_number("11010519491231002X")
    assert not is_valid_id_number("110105194912310021")
    number = make_id_number("330102", date(2001, 2, 3), 7)
    assert number.startswith("33010220010203007") and is_valid_id_number(number)


def _block(fields: list[tuple[int, str]]) -> bytes:
    block = bytearray(" ".encode("utf-16-le") * 128)
    for offset, text in fields:
        enc = text.encode("utf-16-le")
        block[offset : offset + len(enc)] = enc
    return bytes(block)


def test_resident_card_from_raw_offsets() -> None:
    number = make_id_number("330106", date(1979, 11, 2), 452)
    block = _block(
        [
            (0, "欧阳明月"),
            (30, "2"),
            (32, "05"),
            (36, "19791102"),
            (52, "浙江省杭州市西湖区文三路100号"),
            (122, number),
            (158, "杭州市公安局西湖分局"),
            (188, "20150101"),
            (204, "长期"),
        ]
    )
    ident = decode_text_block(block)
    assert ident.card_type == "resident" and ident.card_type_name == "居民身份证"
    assert ident.name == "欧阳明月" and ident.gender == "女" and ident.nation == "维吾尔"
    assert ident.birth_date == date(1979, 11, 2)
    assert ident.address == "浙江省杭州市西湖区文三路100号"
    assert ident.issuer == "杭州市公安局西湖分局"
    assert ident.valid_from == date(2015, 1, 1) and ident.valid_until is None  # 长期
    assert ident.is_valid_on(date(2099, 1, 1))
    assert ident.masked_name() == "欧阳**"
    assert ident.masked_id() == number[:4] + "*" * 10 + number[-4:]


def test_residence_permit_j() -> None:
    block = _block(
        [
            (0, "陈美玲"),
            (30, "2"),
            (36, "19920930"),
            (122, "810000199209301288"),
            (188, "20240105"),
            (204, "20290105"),
            (220, "H12345678"),
            (238, "01"),
            (248, "J"),
        ]
    )
    ident = decode_text_block(block)
    assert ident.card_type == "hmt_residence" and ident.nation == ""
    assert ident.pass_number == "H12345678" and ident.issue_count == "01"


def test_foreign_2017_i() -> None:
    block = _block(
        [
            (0, "SMITH, JOHN"),
            (120, "1"),
            (122, "CAN330085061201"),
            (152, "CAN"),
            (158, "史密斯"),
            (188, "20190701"),
            (204, "20290701"),
            (220, "19850612"),
            (236, "01"),
            (240, "3300"),
            (248, "I"),
        ]
    )
    ident = decode_text_block(block)
    assert ident.card_type == "foreign_2017" and ident.english_name == "SMITH, JOHN"
    assert ident.name == "史密斯" and ident.id_number == "CAN330085061201"
    assert ident.nationality == "CAN" and ident.birth_date == date(1985, 6, 12)
    assert ident.gender_en == "male" and ident.authority_code == "3300"


def test_foreign_2023_y_is_not_misparsed_as_resident() -> None:
    ident = sample_identity("foreign_2023")
    block = encode_text_block(ident)
    assert block[248:250] == b"Y\x00"
    decoded = decode_text_block(block)
    assert decoded.card_type == "foreign_2023"
    assert decoded.english_name == "GARCIA LOPEZ, MARIA DE LOS ANGELES FERNANDA"  # spans 2 fields
    assert decoded.nationality == "ESP" and decoded.name == "玛丽亚"


@pytest.mark.parametrize("card_type", list(CARD_TYPES.values()))
def test_round_trip_every_type(card_type: str) -> None:
    ident = sample_identity(card_type)
    assert decode_text_block(encode_text_block(ident)) == ident
    forever = replace(ident, valid_until=None)
    assert decode_text_block(encode_text_block(forever)).valid_until is None


def test_repr_and_summary_never_show_the_full_name_or_number() -> None:
    ident = sample_identity("resident")
    for text in (repr(ident), str(ident), str(ident.masked_summary()), f"{ident}"):
        assert ident.id_number not in text and ident.name not in text
        assert ident.address not in text
    summary = ident.masked_summary()
    assert summary["name"] == "张**" and summary["valid_until"] == "2036-03-01"


def test_masking_rules() -> None:
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳明") == "欧阳*"
    assert mask_name("欧阳") == "欧*"
    assert mask_name("阿依古丽·买买提") == "阿***·***"
    assert mask_name("SMITH, JOHN") == "S***** J***"
    assert mask_name("") == ""
    assert mask_id("330102198506123579") == "3301**********3579"
    assert mask_id("1234") == "****"


@pytest.mark.parametrize(
    ("offset", "text", "message"),
    [
        (248, "Q", "card type"),
        (36, "1985XX12", "birth"),
        (188, "20151301", "valid-from"),
        (32, "77", "nation"),
        (122, "          ", "number"),
    ],
)
def test_bad_fields_are_card_data_errors(offset: int, text: str, message: str) -> None:
    block = bytearray(encode_text_block(sample_identity()))
    enc = text.encode("utf-16-le")
    block[offset : offset + len(enc)] = enc
    with pytest.raises(CardDataError, match=message):
        decode_text_block(bytes(block))


def test_wrong_length_and_undecodable_text() -> None:
    with pytest.raises(CardDataError):
        decode_text_block(b"\x20\x00" * 10)
    block = bytearray(encode_text_block(sample_identity()))
    block[0:2] = b"\x00\xd8"  # lone surrogate
    with pytest.raises(CardDataError):
        decode_text_block(bytes(block))


def test_nation_table_is_complete() -> None:
    assert len(NATIONS) == 58 and NATIONS["46"] == "德昂" and NATIONS["01"] == "汉"


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=256, max_size=256))
def test_any_block_decodes_or_raises_card_data_error(block: bytes) -> None:
    try:
        decode_text_block(block)
    except CardDataError:
        pass
