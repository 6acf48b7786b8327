import math

from fasou.evaluation import evaluate


def test_metrics_on_a_hand_computed_example() -> None:
    queries = [("q1", "a"), ("q2", "b"), ("q3", "unjudged")]
    qrels = {"q1": {("f", "第一条"): 1, ("f", "第二条"): 1}, "q2": {("f", "第三条"): 1}}
    id_map = {("f", "第一条"): "d1", ("f", "第二条"): "d2", ("f", "第三条"): "d3"}
    rankings = {"a": ["x", "d1", "y"], "b": ["x"] * 10 + ["d3"]}
    report = evaluate(lambda text, depth: rankings[text][:depth], queries, qrels, id_map)
    assert report.queries == 2
    assert report.recall[10] == (0.5 + 0.0) / 2
    assert report.recall[100] == (0.5 + 1.0) / 2
    assert report.mrr10 == (0.5 + 0.0) / 2
    ideal = 1 + 1 / math.log2(3)
    assert math.isclose(report.ndcg10, ((1 / math.log2(3)) / ideal) / 2)


def test_unresolved_judgments_count_as_misses() -> None:
    report = evaluate(
        lambda t, d: ["d1"], [("q", "t")], {"q": {("f", "1"): 1, ("g", "2"): 1}}, {("f", "1"): "d1"}
    )
    assert report.unresolved_pairs == 1 and report.recall[10] == 0.5
