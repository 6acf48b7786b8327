"""A generated corpus of 普法 articles, for load tests and benchmarks (not for residents).

Deterministic: the same ``n`` gives the same documents (and ids) on every
machine. Every body contains 普法, so one query selects the whole corpus.
"""

from __future__ import annotations

from collections.abc import Iterator

from indexer.models import Article

SOURCE = "synthetic"
_TOPICS = [
    "劳动合同",
    "拖欠工资",
    "交通事故",
    "婚姻家庭",
    "借贷纠纷",
    "物业服务",
    "消费维权",
    "继承遗产",
]
_PLACES = ["东阳市", "义乌市", "金华市", "浙江省"]


def iter_articles(n: int) -> Iterator[Article]:
    for i in range(n):
        topic = _TOPICS[i % len(_TOPICS)]
        yield Article(
            title=f"普法问答第{i}期：{topic}",
            body=(
                f"普法问答第{i}期。{topic}相关的常见问题与解答，"
                f"适用于{_PLACES[i % len(_PLACES)]}居民。编号{i % 997}。"
            ),
            source=SOURCE,
            url=f"https://example.org/pufa/{i}",
            region=f"浙江省/金华市/{_PLACES[i % 3]}" if i % 4 != 3 else None,
        )
