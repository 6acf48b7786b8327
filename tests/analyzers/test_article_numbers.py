import pytest

from analyzers import article_label, canonical_article_refs, cn_to_int, int_to_cn
from analyzers.article_numbers import parse_article_label


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("一", 1),
        ("十", 10),
        ("十三", 13),
        ("二十", 20),
        ("一百", 100),
        ("一百零一", 101),
        ("一百一十", 110),
        ("一千零七十九", 1079),
        ("一千零一十", 1010),
        ("两百", 200),
        ("一千二百六十", 1260),
        ("一万零一", 10001),
        ("1079", 1079),
    ],
)
def test_chinese_numerals_parse(text: str, number: int) -> None:
    assert cn_to_int(text) == number


def test_every_article_number_round_trips() -> None:
    for number in range(1, 3000):
        assert cn_to_int(int_to_cn(number)) == number


def test_statute_style_rendering() -> None:
    assert int_to_cn(10) == "十"
    assert int_to_cn(13) == "十三"
    assert int_to_cn(110) == "一百一十"
    assert article_label(1079) == "第一千零七十九条"
    assert article_label(133, 1) == "第一百三十三条之一"


def test_labels_parse_back() -> None:
    assert parse_article_label("第一千零七十九条") == (1079, None)
    assert parse_article_label("第一百三十三条之一") == (133, 1)
    assert parse_article_label("第82条") == (82, None)
    with pytest.raises(ValueError):
        parse_article_label("第一章")


def test_references_in_text_become_digits_both_ways() -> None:
    assert canonical_article_refs("依照第一千零七十九条") == "依照第1079条"
    assert canonical_article_refs("依照第1079条") == "依照第1079条"
    assert canonical_article_refs("第一百三十三条之一") == "第133条之1"
    assert canonical_article_refs("第四章 离婚") == "第四章 离婚"


def test_garbage_numerals_raise() -> None:
    with pytest.raises(ValueError):
        cn_to_int("")
    with pytest.raises(ValueError):
        cn_to_int("甲乙")
