"""Automatic tagging: provenance, storage apart from editors, recompute, editor precedence."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from analyzers.query import plan_query
from indexer.backends.tantivy_backend import TantivyBackend
from indexer.catalog import Catalog
from indexer.catalog.tables import suggested_tags
from indexer.models import Article, StatuteArticle
from indexer.search.types import Filters, SearchRequest
from indexer.sync import sync_once
from indexer.tagging import default_tagger
from indexer.tagging.classifier import MODEL_FILE, LinearModel, document_tokens, train
from indexer.tagging.store import refresh_suggestions
from tests.catalog_db import catalog_url

REPO = Path(__file__).resolve().parents[2]


def article(law: str, num: int, body: str, chapter: str | None = None) -> StatuteArticle:
    return StatuteArticle(
        title=f"{law} 第{num}条",
        body=body,
        source="test",
        law_title=law,
        article_no=f"第{num}条",
        article_num=num,
        chapter=chapter,
    )


def by_key(suggestions) -> dict[tuple[str, str], list]:  # type: ignore[no-untyped-def]
    out: dict[tuple[str, str], list] = {}
    for s in suggestions:
        out.setdefault((s.facet, s.value), []).append(s)
    return out


def test_statute_structure_rules_say_which_rule_fired() -> None:
    tagger = default_tagger()
    labour = article("中华人民共和国劳动合同法", 30, "用人单位应当按照劳动合同约定支付劳动报酬。")
    found = by_key(tagger.suggest(labour.finalize().to_record()))
    provenances = {s.provenance: s.confidence for s in found[("topic", "labor")]}
    assert provenances["rule:statute:labour-law"] >= 0.8
    assert provenances["rule:synonyms:劳动合同"] < provenances["rule:statute:labour-law"]

    elderly = article("中华人民共和国老年人权益保障法", 14, "赡养人应当履行对老年人经济上供养。")
    found = by_key(tagger.suggest(elderly.finalize().to_record()))
    assert any(s.provenance == "rule:statute:elderly" for s in found[("audience", "elderly")])
    assert ("topic", "elder_rights") in found

    # A chapter rule: only 民法典 articles in the 继承 chapters are about inheritance.
    will = article(
        "中华人民共和国民法典", 1134, "自书遗嘱由遗嘱人亲笔书写。", "第三章 遗嘱继承和遗赠"
    )
    sale = article("中华人民共和国民法典", 595, "买卖合同是出卖人转移标的物。", "第九章 买卖合同")
    assert ("topic", "inheritance") in by_key(tagger.suggest(will.finalize().to_record()))
    assert ("topic", "inheritance") not in by_key(tagger.suggest(sale.finalize().to_record()))


def test_a_law_named_inside_another_title_does_not_fire_its_rule() -> None:
    """合同法 is a substring of 劳动合同法: the contracts rule (民法典 合同编, the old
    合同法) must not tag the labour-contract law's 劳动合同的订立 chapter for business."""
    tagger = default_tagger()

    def contracts_rule(law: str, chapter: str) -> bool:
        doc = article(law, 10, "订立合同，应当采用书面形式。", chapter).finalize().to_record()
        return any(s.provenance == "rule:statute:civil-code-contracts" for s in tagger.suggest(doc))

    assert not contracts_rule("中华人民共和国劳动合同法", "第二章 劳动合同的订立")
    assert not contracts_rule("中华人民共和国劳动合同法实施条例", "第二章 劳动合同的订立")
    assert contracts_rule("中华人民共和国民法典", "第二章 合同的订立")
    assert contracts_rule("最高人民法院关于适用《合同法》若干问题的解释（一）", "合同的效力")


def test_laws_for_everyone_are_suggested_for_residents_laws_for_a_group_are_not() -> None:
    """Laws every resident lives under (the Civil Code in every book, labour law, the
    Criminal Law, the guarantee interpretation) name ``residents``; a law written for
    one group names only that group. A 普通居民 profile then boosts all of them alike
    instead of favouring a few chapters over equally relevant labour or guarantee law."""
    tagger = default_tagger()

    def audiences(law: str, chapter: str | None = None) -> set[str]:
        doc = article(law, 10, "依照本法规定。", chapter).finalize().to_record()
        return {s.value for s in tagger.suggest(doc) if s.facet == "audience"}

    assert "residents" in audiences("中华人民共和国民法典", "第一章 所有权")
    assert "residents" in audiences("中华人民共和国劳动合同法", "第二章 劳动合同的订立")
    assert {"migrant_workers", "gig_workers"} <= audiences("中华人民共和国劳动合同法")
    assert "residents" in audiences("中华人民共和国刑法", "第一章 刑法的任务")
    guarantee = "最高人民法院关于适用《中华人民共和国民法典》有关担保制度的解释"
    assert "residents" in audiences(guarantee)
    assert audiences("中华人民共和国老年人权益保障法") == {"elderly"}
    assert audiences("中华人民共和国退役军人保障法") == {"veterans"}


def test_synonym_rule_names_the_words_and_model_names_its_version() -> None:
    doc = Article(
        title="骑手送餐受伤，工伤怎么认定",
        body="外卖骑手在送餐途中受伤，可以申请工伤认定，也可以申请劳动仲裁。",
        source="test",
    ).finalize()
    found = by_key(default_tagger().suggest(doc.to_record()))
    synonym = [s for s in found[("audience", "gig_workers")] if s.provenance.startswith("rule:syn")]
    assert synonym and "骑手" in synonym[0].provenance
    model = [s for s in found[("topic", "labor")] if s.provenance.startswith("model:")]
    assert model and model[0].provenance == f"model:linear@{default_tagger().model_version}"
    assert all(0 < s.confidence <= 1 for group in found.values() for s in group)


def test_training_is_deterministic() -> None:
    from indexer.importers import samples

    examples = []
    for doc in list(samples.iter_samples())[:40]:
        record = doc.to_record()
        examples.append(
            (document_tokens(record), {"audience": record["audiences"], "topic": record["topics"]})
        )
    first, second = train(examples), train(examples)
    assert first.dumps() == second.dumps() and first.labels


def test_committed_model_loads_and_is_small() -> None:
    model = LinearModel.load(MODEL_FILE)
    assert len(model.labels) >= 20
    assert MODEL_FILE.stat().st_size < 1_000_000


@pytest.mark.slow
def test_committed_model_is_reproducible_by_the_script() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "train_tagger.py"), "--check", "--no-cv"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture()
def catalog(tmp_path: Path) -> Catalog:
    cat = Catalog.open(catalog_url(tmp_path))
    yield cat
    cat.close()


def stored(catalog: Catalog, doc_id: str) -> set[tuple[str, str, str]]:
    with catalog.engine.connect() as conn:
        rows = conn.execute(sa.select(suggested_tags).where(suggested_tags.c.doc_id == doc_id))
        return {(r.facet, r.value, r.provenance) for r in rows}


def test_suggestions_are_stored_apart_and_recomputed_on_change(catalog: Catalog) -> None:
    doc = article("中华人民共和国劳动合同法", 30, "用人单位应当按照约定支付劳动报酬。")
    catalog.upsert([doc])
    assert refresh_suggestions(catalog) == 1
    first = stored(catalog, doc.id)
    assert ("topic", "labor", "rule:statute:labour-law") in first
    assert catalog.get(doc.id)["topics"] == []  # editorial tags untouched
    assert catalog.get(doc.id)["suggested_topics"]["labor"] >= 0.8
    assert refresh_suggestions(catalog) == 0  # nothing changed: nothing recomputed

    # The content moves to another law: old suggestions go, new ones come.
    moved = article("中华人民共和国老年人权益保障法", 30, "老年人的合法权益受法律保护。")
    moved.id = doc.id
    catalog.upsert([moved])
    refresh_suggestions(catalog)
    second = stored(catalog, doc.id)
    assert ("topic", "labor", "rule:statute:labour-law") not in second
    assert ("audience", "elderly", "rule:statute:elderly") in second
    rows = catalog.suggestions(doc.id)
    assert all(r["model_version"] and r["provenance"] for r in rows)


def test_editor_remove_beats_any_suggestion_in_record_and_index(
    catalog: Catalog, tmp_path: Path
) -> None:
    doc = article("中华人民共和国老年人权益保障法", 16, "老年人自有的住房，子女不得侵占。")
    catalog.upsert([doc])
    backend = TantivyBackend(tmp_path / "index")
    sync_once(catalog, backend)

    def elderly_hits() -> list[str]:
        request = SearchRequest(plan=plan_query("住房"), filters=Filters(audiences=["elderly"]))
        return [h.id for h in backend.search(request).hits]

    assert elderly_hits() == [doc.id]  # a counting suggestion is filterable
    catalog.set_tags(doc.id, "audience", remove=["elderly"], editor="editor-1")
    sync_once(catalog, backend)
    record = catalog.get(doc.id)
    assert "elderly" not in record["suggested_audiences"]
    assert record["editor_audiences"] == {"elderly": "remove"}
    assert elderly_hits() == []
    # The suggestion itself is kept, apart, for the editor to review
    assert any(r["value"] == "elderly" for r in catalog.suggestions(doc.id))
    # An editor's add wins over the absence of a suggestion.
    catalog.set_tags(doc.id, "audience", add=["veterans"], editor="editor-1")
    sync_once(catalog, backend)
    assert "veterans" in catalog.get(doc.id)["audiences"]
    backend.close()
