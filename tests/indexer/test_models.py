import pytest
from pydantic import ValidationError

from indexer.models import Service, StatuteArticle, Video, document_from_record, statute_article_id


def article(**overrides: object) -> StatuteArticle:
    data = dict(
        title="中华人民共和国民法典 第一千零七十九条",
        body="夫妻一方要求离婚的……",
        source="test",
        law_title="中华人民共和国民法典",
        article_no="第一千零七十九条",
        article_num=1079,
        level="法律",
    )
    data.update(overrides)
    return StatuteArticle(**data)


def test_ids_are_deterministic_and_citation_derived() -> None:
    first, second = article().finalize(), article().finalize()
    assert first.id == second.id
    assert first.id == statute_article_id("中华人民共和国民法典", 1079)
    assert article(law_version="2018-01-01").finalize().id != first.id
    assert article(article_num=1080).finalize().id != first.id


def test_hash_tracks_content_not_bookkeeping() -> None:
    base = article().finalize()
    assert article(body="改过的内容").finalize().content_hash != base.content_hash
    from datetime import datetime

    refetched = article(fetched_at=datetime(2030, 1, 1)).finalize()
    assert refetched.content_hash == base.content_hash


def test_region_paths_are_normalised() -> None:
    svc = Service(
        title="东阳市法律援助中心", kind="legal_aid", source="t", region="浙江省／金华市/东阳市"
    )
    assert svc.region == "浙江省/金华市/东阳市"
    assert Service(title="x", kind="hotline", source="t", region="全国").region is None


def test_invalid_documents_are_rejected() -> None:
    with pytest.raises(ValidationError):
        article(title="")
    with pytest.raises(ValidationError):
        article(level="不存在的级别")
    with pytest.raises(ValidationError):
        Video(title="x", source="t", duration_seconds=-1)


def test_record_round_trip() -> None:
    doc = article().finalize()
    rebuilt = document_from_record("statute_article", doc.to_record())
    assert rebuilt == doc
    with pytest.raises(ValueError):
        document_from_record("nope", {})
