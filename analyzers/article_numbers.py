"""Article numbers in Chinese numerals ↔ integers.

Statutes number their articles in Chinese numerals (第一千零七十九条) while residents
type digits (民法典1079条). Converting both to one canonical form at analysis time
lets either spelling find the other.
"""

from __future__ import annotations

import re

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_CN_NUM = "〇零一二三四五六七八九十百千万两"
_CN_DIGITS = "零一二三四五六七八九"

#: 第X条 with X in Chinese numerals or digits, optionally 之一/之二 (inserted articles).
ARTICLE_REF = re.compile(rf"第\s*([{_CN_NUM}]+|\d+)\s*条(?:之([{_CN_NUM}]+))?")


def cn_to_int(text: str) -> int:
    """Parse a Chinese numeral (一千零七十九, 十三, 两百) or a digit string."""
    text = text.strip()
    if not text:
        raise ValueError("empty numeral")
    if text.isdigit():
        return int(text)
    total = 0
    section = 0
    number = 0
    for ch in text:
        if ch in _DIGITS:
            number = _DIGITS[ch]
        elif ch in _UNITS:
            unit = _UNITS[ch]
            if unit == 10000:
                section = (section + number) * unit
                total += section
                section = 0
            else:
                # 十三 means 13: a bare unit at the start counts as one.
                section += (number or 1) * unit
            number = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + section + number


def int_to_cn(n: int) -> str:
    """Render an integer the way statutes number articles (1079 → 一千零七十九, 10 → 十)."""
    if n < 0:
        raise ValueError("negative numbers are not article numbers")
    if n == 0:
        return "零"
    if n >= 10000:
        high, low = divmod(n, 10000)
        rest = int_to_cn(low) if low else ""
        if low and low < 1000:
            rest = "零" + rest
        return int_to_cn(high) + "万" + rest
    parts: list[str] = []
    units = [(1000, "千"), (100, "百"), (10, "十"), (1, "")]
    pending_zero = False
    for value, unit in units:
        digit, n = divmod(n, value)
        if digit:
            if pending_zero:
                parts.append("零")
                pending_zero = False
            parts.append(_CN_DIGITS[digit] + unit)
        elif parts:
            pending_zero = True
        if not n:
            break
    text = "".join(parts)
    # Statutes write 第十条 / 第十三条, not 第一十条, only when 十 leads.
    if text.startswith("一十"):
        text = text[1:]
    return text


def article_label(number: int, suffix: int | None = None) -> str:
    """第1079条 → 第一千零七十九条; ``suffix`` renders inserted articles (之一)."""
    label = f"第{int_to_cn(number)}条"
    if suffix:
        label += f"之{int_to_cn(suffix)}"
    return label


def parse_article_label(label: str) -> tuple[int, int | None]:
    """第一百三十三条之一 → (133, 1); raises ValueError when the text is no article label."""
    match = ARTICLE_REF.fullmatch(label.strip())
    if not match:
        raise ValueError(f"not an article label: {label!r}")
    suffix = cn_to_int(match.group(2)) if match.group(2) else None
    return cn_to_int(match.group(1)), suffix


def canonical_article_refs(text: str) -> str:
    """Rewrite every 第X条 to digits (第一千零七十九条 → 第1079条) so both spellings match."""

    def repl(match: re.Match[str]) -> str:
        try:
            number = cn_to_int(match.group(1))
        except ValueError:
            return match.group(0)
        suffix = f"之{cn_to_int(match.group(2))}" if match.group(2) else ""
        return f"第{number}条{suffix}"

    return ARTICLE_REF.sub(repl, text)
