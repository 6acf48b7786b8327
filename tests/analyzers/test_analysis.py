from analyzers import analyze, analyzed_text, normalize
from analyzers.resources import legal_terms, stopwords


def test_legal_dictionary_is_large_and_versioned() -> None:
    terms = {term for term, _ in legal_terms()}
    assert len(terms) >= 2000
    for term in ("用人单位", "经济补偿", "民间借贷", "诉讼时效", "抚养费", "劳动合同法"):
        assert term in terms


def test_dictionary_terms_stay_whole() -> None:
    for term in ("用人单位", "经济补偿", "民间借贷", "诉讼时效", "抚养费"):
        assert term in analyze(f"关于{term}的规定"), term


def test_normalisation_full_width_traditional_case() -> None:
    assert normalize("ＡＢＣ１２３") == "abc123"
    assert normalize("離婚後孩子歸誰撫養") == "离婚后孩子归谁抚养"
    assert normalize("Hello　World") == "hello world"


def test_normalisation_preserves_length() -> None:
    text = "《中華人民共和國勞動合同法》第八十二條：ＡＢ，離婚……😀"
    assert len(normalize(text)) == len(text)


def test_traditional_and_simplified_queries_analyse_alike() -> None:
    assert analyze("離婚後孩子撫養費") == analyze("离婚后孩子抚养费")


def test_stopwords_and_punctuation_dropped() -> None:
    tokens = analyze("请问，老板拖欠工资怎么办？")
    assert "请问" not in tokens and "，" not in tokens and "？" not in tokens
    assert "工资" in tokens
    assert stopwords()


def test_article_numbers_meet_both_ways() -> None:
    statute = set(analyze("第一千零七十九条 夫妻一方要求离婚的"))
    query = set(analyze("民法典1079条"))
    assert "1079" in statute and "1079" in query


def test_same_function_for_index_and_query() -> None:
    text = "用人单位未及时足额支付劳动报酬的"
    assert analyzed_text(text).split() == analyze(text)
