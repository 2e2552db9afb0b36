"""The 256-byte text block of Chinese ID cards, for all four card types. Pure, no I/O.

The reader returns the text as UCS-2 little-endian fields padded with spaces; the type
is the character at byte 248 (DEVICES.md 3.6–3.8):

=========  ==============================================  ================
flag @248  card                                            ``card_type``
=========  ==============================================  ================
space      resident ID card 居民身份证                        ``resident``
``J``      HK/Macau/Taiwan residence permit 港澳台居民居住证      ``hmt_residence``
``I``      foreign permanent resident ID, 2017 外国人永久居留身份证  ``foreign_2017``
``Y``      foreign permanent resident ID, 2023              ``foreign_2023``
=========  ==============================================  ================

The driver returns a full :class:`Identity`; deciding what to keep is the caller's
job. Its ``repr`` is masked so a stray log line never leaks a name or number.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date

from devices.device_errors import CardDataError
from devices.masking import COMPOUND_SURNAMES, mask_id, mask_name  # noqa: F401 (also the card's API)

TEXT_BLOCK_LEN = 256
LONG_TERM = "长期"

CARD_TYPES = {" ": "resident", "J": "hmt_residence", "I": "foreign_2017", "Y": "foreign_2023"}
CARD_TYPE_NAMES = {
    "resident": ("居民身份证", "Resident ID card"),
    "hmt_residence": ("港澳台居民居住证", "HK/Macau/Taiwan residence permit"),
    "foreign_2017": ("外国人永久居留身份证", "Foreign permanent resident ID (2017)"),
    "foreign_2023": ("外国人永久居留身份证", "Foreign permanent resident ID (2023)"),
}

GENDERS = {
    "0": ("未知", "unknown"),
    "1": ("男", "male"),
    "2": ("女", "female"),
    "9": ("未说明", "unspecified"),
}

NATIONS = {
    "01": "汉",
    "02": "蒙古",
    "03": "回",
    "04": "藏",
    "05": "维吾尔",
    "06": "苗",
    "07": "彝",
    "08": "壮",
    "09": "布依",
    "10": "朝鲜",
    "11": "满",
    "12": "侗",
    "13": "瑶",
    "14": "白",
    "15": "土家",
    "16": "哈尼",
    "17": "哈萨克",
    "18": "傣",
    "19": "黎",
    "20": "傈僳",
    "21": "佤",
    "22": "畲",
    "23": "高山",
    "24": "拉祜",
    "25": "水",
    "26": "东乡",
    "27": "纳西",
    "28": "景颇",
    "29": "柯尔克孜",
    "30": "土",
    "31": "达斡尔",
    "32": "仫佬",
    "33": "羌",
    "34": "布朗",
    "35": "撒拉",
    "36": "毛南",
    "37": "仡佬",
    "38": "锡伯",
    "39": "阿昌",
    "40": "普米",
    "41": "塔吉克",
    "42": "怒",
    "43": "乌孜别克",
    "44": "俄罗斯",
    "45": "鄂温克",
    "46": "德昂",
    "47": "保安",
    "48": "裕固",
    "49": "京",
    "50": "塔塔尔",
    "51": "独龙",
    "52": "鄂伦春",
    "53": "赫哲",
    "54": "门巴",
    "55": "珞巴",
    "56": "基诺",
    "97": "其他",
    "98": "外国血统中国籍人士",
}

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check_digit(first17: str) -> str:
    """GB 11643 check character for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def make_id_number(region: str = "330102", birth: date = date(1990, 1, 1), seq: int = 123) -> str:
    """A syntactically valid 18-character ID number for tests (check digit included).

    ``seq`` is the 3-digit sequence; odd means male, even female.
    """
    if len(region) != 6 or not region.isdigit():
        raise ValueError("region must be 6 digits")
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


def is_valid_id_number(number: str) -> bool:
    return (
        len(number) == 18
        and number[:17].isdigit()
        and id_check_digit(number[:17]) == number[17].upper()
    )


@dataclass(frozen=True, repr=False)
class Identity:
    """What a card says. ``valid_until`` is ``None`` for long-term (长期) validity."""

    card_type: str
    name: str
    id_number: str
    gender_code: str
    birth_date: date
    valid_from: date
    valid_until: date | None
    nation_code: str = ""
    address: str = ""
    issuer: str = ""
    english_name: str = ""
    nationality: str = ""  # ISO 3166 alpha-3 on foreigners' cards
    pass_number: str = ""  # J: HK/Macau/Taiwan travel pass number
    issue_count: str = ""  # J: 签发次数; Y: renewal count
    card_version: str = ""  # I
    authority_code: str = ""  # I: accepting authority
    previous_number: str = ""  # Y: link to the previous permit

    @property
    def gender(self) -> str:
        return GENDERS.get(self.gender_code, ("未知", "unknown"))[0]

    @property
    def gender_en(self) -> str:
        return GENDERS.get(self.gender_code, ("未知", "unknown"))[1]

    @property
    def nation(self) -> str:
        return NATIONS.get(self.nation_code, "") if self.nation_code else ""

    @property
    def card_type_name(self) -> str:
        return CARD_TYPE_NAMES[self.card_type][0]

    def masked_name(self) -> str:
        return mask_name(self.name or self.english_name)

    def masked_id(self) -> str:
        return mask_id(self.id_number)

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def masked_summary(self) -> dict[str, object]:
        """A JSON-safe view without the full name or number (for diagnostics)."""
        return {
            "card_type": self.card_type,
            "card_type_name": self.card_type_name,
            "name": self.masked_name(),
            "id_number": self.masked_id(),
            "gender": self.gender,
            "nation": self.nation or self.nationality,
            "birth_date": self.birth_date.isoformat(),
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat() if self.valid_until else LONG_TERM,
        }

    def __repr__(self) -> str:
        return (
            f"Identity(card_type={self.card_type!r}, name={self.masked_name()!r}, "
            f"id_number={self.masked_id()!r}, …)"
        )

    __str__ = __repr__


# --- decoding ---------------------------------------------------------------------

# (field, offset, byte length) per card type; all strings UCS-2LE, space padded. The
# residence permit and the 2023 foreign card keep the resident card's places for what
# they share; the 2017 foreign card has its own layout but for the validity dates.
_VALIDITY = (("valid_from", 188, 16), ("valid_until", 204, 16))
_AS_RESIDENT_CARD = (
    ("name", 0, 30),
    ("gender_code", 30, 2),
    ("birth", 36, 16),
    ("id_number", 122, 36),
)
_ADDRESS_AND_ISSUER = (("address", 52, 70), ("issuer", 158, 30))
LAYOUTS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "resident": (*_AS_RESIDENT_CARD, *_ADDRESS_AND_ISSUER, *_VALIDITY, ("nation_code", 32, 4)),
    "hmt_residence": (
        *_AS_RESIDENT_CARD,
        *_ADDRESS_AND_ISSUER,
        *_VALIDITY,
        ("pass_number", 220, 18),
        ("issue_count", 238, 4),
    ),
    "foreign_2017": (
        ("english_name", 0, 120),
        ("gender_code", 120, 2),
        ("id_number", 122, 30),
        ("nationality", 152, 6),
        ("name", 158, 30),
        *_VALIDITY,
        ("birth", 220, 16),
        ("card_version", 236, 4),
        ("authority_code", 240, 8),
    ),
    "foreign_2023": (
        *_AS_RESIDENT_CARD,
        *_VALIDITY,
        ("issue_count", 32, 4),
        ("english_name", 52, 70),
        ("english_name_2", 220, 22),
        ("nationality", 242, 6),
        ("previous_number", 250, 6),
    ),
}
FLAG_OFFSET = 248


def _ucs2(block: bytes, offset: int, length: int) -> str:
    try:
        text = block[offset : offset + length].decode("utf-16-le")
    except UnicodeDecodeError as exc:
        raise CardDataError(f"field at byte {offset} is not UCS-2 text") from exc
    return text.rstrip(" \x00")


def _date(text: str, what: str) -> date:
    if len(text) != 8 or not text.isdigit():
        raise CardDataError(f"{what} {text!r} is not a YYYYMMDD date")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError as exc:
        raise CardDataError(f"{what} {text!r} is not a valid date") from exc


def card_type_of(block: bytes) -> str:
    if len(block) != TEXT_BLOCK_LEN:
        raise CardDataError(f"text block has {len(block)} bytes, expected 256")
    flag = _ucs2(block, FLAG_OFFSET, 2) or " "
    try:
        return CARD_TYPES[flag]
    except KeyError:
        raise CardDataError(f"unknown card type flag {flag!r}") from None


def decode_text_block(block: bytes) -> Identity:
    """Decode the 256-byte text block of any of the four card types."""
    card_type = card_type_of(block)
    raw = {name: _ucs2(block, off, ln) for name, off, ln in LAYOUTS[card_type]}
    if any(ch.isspace() and ch != " " or ord(ch) < 0x20 for v in raw.values() for ch in v):
        raise CardDataError("card text contains control characters")
    number = raw["id_number"]
    if not number or not all(c.isascii() and c.isalnum() for c in number):
        raise CardDataError("card number is missing or malformed")
    until_text = raw["valid_until"]
    valid_until = None if until_text == LONG_TERM else _date(until_text, "valid-until date")
    english = raw.get("english_name", "")
    if raw.get("english_name_2"):  # the 2023 card splits long names across two fields
        english = block[52:122].decode("utf-16-le") + raw["english_name_2"]
    nation_code = raw.get("nation_code", "")
    if nation_code and nation_code not in NATIONS:
        raise CardDataError(f"unknown nation code {nation_code!r}")
    return Identity(
        card_type=card_type,
        name=raw.get("name", ""),
        id_number=number,
        gender_code=raw["gender_code"],
        birth_date=_date(raw["birth"], "birth date"),
        valid_from=_date(raw["valid_from"], "valid-from date"),
        valid_until=valid_until,
        nation_code=nation_code,
        address=raw.get("address", ""),
        issuer=raw.get("issuer", ""),
        english_name=english,
        nationality=raw.get("nationality", ""),
        pass_number=raw.get("pass_number", ""),
        issue_count=raw.get("issue_count", ""),
        card_version=raw.get("card_version", ""),
        authority_code=raw.get("authority_code", ""),
        previous_number=raw.get("previous_number", ""),
    )


# --- encoding (simulator and tests) --------------------------------------------------

_FLAGS = {v: k for k, v in CARD_TYPES.items()}


def encode_text_block(identity: Identity) -> bytes:
    """The inverse of :func:`decode_text_block` (fields too long are truncated)."""
    block = bytearray(" ".encode("utf-16-le") * (TEXT_BLOCK_LEN // 2))
    values = {
        "name": identity.name,
        "gender_code": identity.gender_code,
        "nation_code": identity.nation_code,
        "birth": f"{identity.birth_date:%Y%m%d}",
        "address": identity.address,
        "id_number": identity.id_number,
        "issuer": identity.issuer,
        "valid_from": f"{identity.valid_from:%Y%m%d}",
        "valid_until": (f"{identity.valid_until:%Y%m%d}" if identity.valid_until else LONG_TERM),
        "english_name": identity.english_name,
        "english_name_2": "",
        "nationality": identity.nationality,
        "pass_number": identity.pass_number,
        "issue_count": identity.issue_count,
        "card_version": identity.card_version,
        "authority_code": identity.authority_code,
        "previous_number": identity.previous_number,
    }
    layout = LAYOUTS[identity.card_type]
    if identity.card_type == "foreign_2023" and len(identity.english_name) > 35:
        values["english_name"] = identity.english_name[:35]
        values["english_name_2"] = identity.english_name[35:]
    for name, off, ln in layout:
        encoded = values[name].encode("utf-16-le")[:ln]
        block[off : off + len(encoded)] = encoded
    block[FLAG_OFFSET : FLAG_OFFSET + 2] = _FLAGS[identity.card_type].encode("utf-16-le")
    return bytes(block)


def sample_identity(card_type: str = "resident", **overrides: object) -> Identity:
    """Fictitious but well-formed cards of each type, for simulators and tests."""
    if card_type == "resident":
        ident = Identity(
            card_type="resident",
            name="张晓明",
            id_number=make_id_number("330102", date(1985, 6, 12), 357),
            gender_code="1",
            nation_code="01",
            birth_date=date(1985, 6, 12),
            address="浙江省杭州市上城区示例路1号",
            issuer="杭州市公安局上城分局",
            valid_from=date(2016, 3, 1),
            valid_until=date(2036, 3, 1),
        )
    elif card_type == "hmt_residence":
        ident = Identity(
            card_type="hmt_residence",
            name="陈美玲",
            id_number=make_id_number("810000", date(1992, 9, 30), 128),
            gender_code="2",
            birth_date=date(1992, 9, 30),
            address="浙江省杭州市西湖区示例街2号",
            issuer="杭州市公安局西湖分局",
            valid_from=date(2024, 1, 5),
            valid_until=date(2029, 1, 5),
            pass_number="H12345678",
            issue_count="01",
        )
    elif card_type == "foreign_2017":
        ident = Identity(
            card_type="foreign_2017",
            name="史密斯",
            english_name="SMITH, JOHN ROBERT",
            id_number="CAN330085061201",
            gender_code="1",
            nationality="CAN",
            birth_date=date(1985, 6, 12),
            valid_from=date(2019, 7, 1),
            valid_until=date(2029, 7, 1),
            card_version="01",
            authority_code="3300",
        )
    elif card_type == "foreign_2023":
        ident = Identity(
            card_type="foreign_2023",
            name="玛丽亚",
            english_name="GARCIA LOPEZ, MARIA DE LOS ANGELES FERNANDA",
            id_number=make_id_number("933724", date(1990, 2, 15), 81),
            gender_code="2",
            nationality="ESP",
            birth_date=date(1990, 2, 15),
            valid_from=date(2024, 3, 1),
            valid_until=date(2034, 3, 1),
            issue_count="00",
        )
    else:
        raise ValueError(f"unknown card type {card_type!r}")
    known = {f.name for f in fields(Identity)}
    bad = set(overrides) - known
    if bad:
        raise ValueError(f"unknown identity fields {sorted(bad)}")
    return replace(ident, **overrides)  # type: ignore[arg-type]
